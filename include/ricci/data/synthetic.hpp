#pragma once
// Synthetic problems (docs/method.md §5). Each generator draws `per_class` points of each class from the
// stream and returns them in a seeded random order. Shapes and parameters are documented at each
// generator in synthetic.cpp and in the README.
#include <cstdint>
#include <vector>

#include "ricci/core/random.hpp"
#include "ricci/data/dataset.hpp"

namespace ricci::data {

struct LabelledPoints {
  InputMatrix x;
  std::vector<std::uint8_t> y;
};

LabelledPoints synthetic_a(RandomStream& rng, int per_class);  // interleaved spiral sheets, 3-D
LabelledPoints synthetic_b(RandomStream& rng, int per_class);  // two ellipsoids in a box, 3-D
LabelledPoints synthetic_c(RandomStream& rng,
                           int per_class);                    // intersecting sinusoidal sheets, 3-D
LabelledPoints circles(RandomStream& rng, int per_class);     // concentric circles, 2-D
LabelledPoints four_discs(RandomStream& rng, int per_class);  // four discs in the unit disc, 2-D
LabelledPoints cylinders(RandomStream& rng, int per_class);   // coaxial cylindrical shells, 3-D
LabelledPoints linked_tori(RandomStream& rng, int per_class);  // two linked solid tori, 3-D

}  // namespace ricci::data
