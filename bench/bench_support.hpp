#pragma once
// What bench_geometry (which writes its stack to HDF5 for the peers) and bench_threads (which never
// touches a file) share, so that they measure the same stack A and check threads the same way.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/measure_stack.hpp"

namespace ricci::bench {

// The benchmarks' activation stack: a seeded random Glorot-initialised ReLU MLP applied to two
// Gaussian classes in 20-D, each layer rounded to float32 like stored activations.
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

// Wall seconds since t0 on the steady clock, and the best wall time of `repeats` calls of f.
inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
template <class F>
double best_seconds(int repeats, F&& f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

// The seed of every benchmark stack.
inline constexpr std::uint64_t stack_seed = 20241125;

// "10,20,30" -> {10, 20, 30}: the benchmarks' k and thread lists.
inline std::vector<int> parse_list(const std::string& s) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const auto comma = std::min(s.find(',', start), s.size());
    out.push_back(std::stoi(s.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

// The options both geometry benchmarks take: the stack (relu_stack's n, layers and width), its k
// grid (Fashion-MNIST's by default), the repeats and the thread counts (each benchmark's default).
struct StackArgs {
  int n = 2000, layers = 5, width = 50, repeats = 3;
  std::vector<int> k{10, 20, 30, 50, 90, 100, 120, 150, 250, 350, 500};
  std::vector<int> threads;
  // Takes the value of one of these options; false for any other key.
  bool take(const std::string& key, const std::string& value) {
    if (key == "--n")
      n = std::stoi(value);
    else if (key == "--layers")
      layers = std::stoi(value);
    else if (key == "--width")
      width = std::stoi(value);
    else if (key == "--k")
      k = parse_list(value);
    else if (key == "--repeats")
      repeats = std::stoi(value);
    else if (key == "--threads")
      threads = parse_list(value);
    else
      return false;
    return true;
  }
};

// Whether two grids agree in every layer's edges, components, g (NaN equal to NaN) and curvature
// totals, and in every coefficient: the benchmarks' check that a thread count changed nothing.
inline bool identical_measures(const std::vector<geometry::MeasuresAtK>& a,
                               const std::vector<geometry::MeasuresAtK>& b) {
  const auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
  if (a.size() != b.size()) return false;
  for (std::size_t s = 0; s < a.size(); ++s) {
    if (a[s].coefficients.size() != b[s].coefficients.size() ||
        a[s].layers.size() != b[s].layers.size())
      return false;
    for (std::size_t c = 0; c < a[s].coefficients.size(); ++c)
      if (!same(a[s].coefficients[c].rho, b[s].coefficients[c].rho)) return false;
    for (std::size_t l = 0; l < a[s].layers.size(); ++l) {
      const auto &x = a[s].layers[l], &y = b[s].layers[l];
      if (x.edges != y.edges || x.components != y.components || !same(x.g, y.g) ||
          x.curvature.size() != y.curvature.size())
        return false;
      for (std::size_t c = 0; c < x.curvature.size(); ++c)
        if (x.curvature[c].total != y.curvature[c].total) return false;
    }
  }
  return true;
}

}  // namespace ricci::bench
