// libFuzzer harness: the CSV loader (csv:FILE problems, src/data/problems.cpp) through
// load_problem, as the sweep loads a user's data: header with a 'label' column, numeric features,
// exactly two label values, a seeded train/test split, validate_dataset. The input is the file.
// ricci::Error is the expected answer to bad input; anything else escaping is a finding, and so is
// a loaded data set that breaks the Dataset contract (finite features, labels 0/1, equal widths).
#include <cmath>
#include <cstdint>

#include "fuzz_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ricci::fuzz::ScratchFile file("data.csv");
  namespace rd = ricci::data;
  try {
    const auto problem = rd::parse_problem("csv:" + file.write(data, size));
    const rd::Dataset d = rd::load_problem(problem, rd::DataOptions{}, 7);
    check(d.train_x.cols() == d.test_x.cols() && d.train_x.cols() > 0);
    check(static_cast<std::size_t>(d.train_x.rows()) == d.train_y.size());
    check(static_cast<std::size_t>(d.test_x.rows()) == d.test_y.size());
    for (auto y : d.train_y) check(y <= 1);
    for (auto y : d.test_y) check(y <= 1);
    check(d.train_x.allFinite() && d.test_x.allFinite());
  } catch (const ricci::Error&) {
  }
  return 0;
}
