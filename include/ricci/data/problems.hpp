#pragma once
// The problem registry: names -> data (docs/method.md §5, §7).
//
//   paper:     synthetic-a, synthetic-b, synthetic-c, mnist-1-7, mnist-6-8, fmnist-sandal-boot,
//              fmnist-shirt-coat; generic mnist:A-B and fmnist:A-B (digits / classes 0-9)
//   follow-up: circles, four-discs, cylinders, linked-tori
//   user data: idx:IMAGES_FILE,LABELS_FILE (exactly two label values) and csv:FILE (label column
//              named by DataOptions::label_column); both split into train/test by the data stream
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/data/dataset.hpp"
#include "ricci/data/synthetic.hpp"

namespace ricci::data {

enum class Family {
  synthetic_a,
  synthetic_b,
  synthetic_c,
  mnist,
  fashion_mnist,
  circles,
  four_discs,
  cylinders,
  linked_tori,
  idx_files,
  csv_file,
};

struct Problem {
  std::string name;  // as given, canonical
  Family family;
  int first_class = 0, second_class = 0;  // mnist / fashion_mnist: label values of class 0 and 1
  std::string path, second_path;          // user data files
  double default_threshold = 0;           // test accuracy a run must exceed to be accepted
  SyntheticKnobs knobs;  // synthetic problems: their knobs, at the defaults; empty = no such knob
  bool synthetic() const;
};

// Throws ricci::Error("data", ...) naming the unknown problem and listing the known ones.
Problem parse_problem(std::string_view name);

enum class PixelScale { raw, unit };  // raw 0-255 (the paper's setting) or divided by 255

struct DataOptions {
  std::string data_dir;  // MNIST / Fashion-MNIST IDX folder ("" = the default, if any)
  PixelScale pixels = PixelScale::raw;
  std::string label_column = "label";  // csv:
  double test_fraction = 0.5;          // user data: share of points held out for testing
  int synthetic_per_class = 500;  // synthetic problems: points per class in each of train and test
  SyntheticKnobs knobs;           // synthetic problems: knobs to set; empty = the problem's default
};

// The knobs `problem` is drawn with: its defaults (Problem::knobs), each replaced by the one given.
// Throws ricci::Error("data", ...) naming the problem, the knob and the value when the problem has
// no such knob or the value is outside the knob's range for it (docs/method.md §5).
SyntheticKnobs resolve_knobs(const Problem& problem, const SyntheticKnobs& given);

// "noise = 0.08, scale = 1": the knobs that are set, in the order noise, margin, scale, each in the
// shortest text that reads back to the same double ("" for none).
std::string knobs_text(const SyntheticKnobs& knobs);

// Debian's dataset-fashion-mnist location, the default data_dir of the Fashion-MNIST problems.
inline constexpr const char* fashion_mnist_default_dir = "/usr/share/datasets/fashion-mnist";

// Builds the problem's train and test sets; synthetic draws and user-data splits come from the
// stream "data/<problem>" of `seed` (random.hpp), so every architecture of a seed sees the same
// data.
Dataset load_problem(const Problem& problem, const DataOptions& options, std::uint64_t seed);

// docs/method.md §7: the paper's k grid for the problem's family (synthetic grid for everything
// that is not MNIST-like).
std::vector<index_t> paper_k_grid(const Problem& problem);

std::vector<std::string> known_problem_names();

}  // namespace ricci::data
