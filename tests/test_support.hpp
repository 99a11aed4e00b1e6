#pragma once
// Helpers shared by the tests: small point clouds and a scratch directory.
#include <unistd.h>

#include <filesystem>
#include <initializer_list>
#include <random>
#include <string>

#include "ricci/core/types.hpp"

namespace ricci::test {

inline RowMatrix points(std::initializer_list<std::initializer_list<double>> rows) {
  RowMatrix m(static_cast<Eigen::Index>(rows.size()),
              static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index i = 0;
  for (const auto& row : rows) {
    Eigen::Index c = 0;
    for (double v : row) m(i, c++) = v;
    ++i;
  }
  return m;
}

// Points on the real line at the given positions.
inline RowMatrix line(std::initializer_list<double> xs) {
  RowMatrix m(static_cast<Eigen::Index>(xs.size()), 1);
  Eigen::Index i = 0;
  for (double x : xs) m(i++, 0) = x;
  return m;
}

// Small-integer coordinates: many exact duplicates and equal distances.
inline RowMatrix lattice_cloud(std::mt19937_64& rng, int n, int dim, int levels) {
  std::uniform_int_distribution<int> coord(0, levels - 1);
  RowMatrix m(n, dim);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < dim; ++c) m(i, c) = coord(rng);
  return m;
}

// A fresh path under the build's test directory. ctest runs test cases as parallel processes, so
// each process gets its own subdirectory: two cases writing "line_stack.h5" at once must not share
// a file.
inline std::string scratch_path(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::path(RICCI_TEST_TMPDIR) / ("pid" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::filesystem::remove(path);
  return path.string();
}

}  // namespace ricci::test
