#pragma once
// The benchmarks' activation stack: a seeded random Glorot-initialised ReLU MLP applied to two
// Gaussian classes in 20-D, each layer rounded to float32 like stored activations. One definition,
// so that bench_geometry (which writes it to HDF5 for the peers) and bench_threads (which never
// touches a file) measure the same stack A.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ricci/core/types.hpp"

namespace ricci::bench {

inline std::vector<RowMatrix> relu_stack(int n, int layers, int width, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  const int input_dim = 20;
  RowMatrix x(n, input_dim);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < input_dim; ++c) x(i, c) = normal(rng) + (i % 2 ? 1.5 : -1.5) * (c < 3);
  std::vector<RowMatrix> stack;
  RowMatrix h = x;
  for (int l = 0; l < layers; ++l) {
    const double limit = std::sqrt(6.0 / static_cast<double>(h.cols() + width));
    std::uniform_real_distribution<double> glorot(-limit, limit);
    Eigen::MatrixXd w(h.cols(), width);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = glorot(rng);
    h = (h * w).cwiseMax(0.0);
    stack.push_back(h.cast<float>().cast<double>());
  }
  return stack;
}

// The seed of every benchmark stack.
inline constexpr std::uint64_t stack_seed = 20241125;

}  // namespace ricci::bench
