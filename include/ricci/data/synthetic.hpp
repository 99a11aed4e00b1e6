#pragma once
// Synthetic problems (docs/method.md §5). Each generator draws `per_class` points of each class
// from the stream and returns them in a seeded random order. Shapes and parameters are documented
// at each generator in synthetic.cpp and in the README; the knobs' defaults are the problem table's
// (problems.cpp), and every generator multiplies each coordinate by `scale` last.
#include <cstdint>
#include <optional>
#include <vector>

#include "ricci/core/random.hpp"
#include "ricci/data/dataset.hpp"

namespace ricci::data {

struct LabelledPoints {
  InputMatrix x;
  std::vector<std::uint8_t> y;
};

// A synthetic problem's knobs (docs/method.md §5, "Knobs"); what each means for a problem is said
// at its generator. Empty: a knob the problem does not have (Problem::knobs), or one left at the
// problem's default (DataOptions::knobs). (Every member has an initialiser so that designated
// initialisers may leave any out.)
struct SyntheticKnobs {
  std::optional<double> noise{};   // the standard deviation of the jitter
  std::optional<double> margin{};  // the gap that separates the classes
  std::optional<double> scale{};   // the factor every coordinate is multiplied by
};

LabelledPoints synthetic_a(RandomStream& rng, int per_class, double noise,
                           double scale);  // interleaved spiral sheets, 3-D
LabelledPoints synthetic_b(RandomStream& rng, int per_class, double margin,
                           double scale);  // two ellipsoids in a box, 3-D
LabelledPoints synthetic_c(RandomStream& rng, int per_class, double noise,
                           double scale);  // intersecting sinusoidal sheets, 3-D
LabelledPoints circles(RandomStream& rng, int per_class, double noise, double margin,
                       double scale);  // concentric circles, 2-D
LabelledPoints four_discs(RandomStream& rng, int per_class,
                          double scale);  // four discs in the unit disc, 2-D
LabelledPoints cylinders(RandomStream& rng, int per_class, double margin,
                         double scale);  // coaxial cylindrical shells, 3-D
LabelledPoints linked_tori(RandomStream& rng, int per_class,
                           double scale);  // two linked solid tori, 3-D

}  // namespace ricci::data
