#pragma once
// Seeded random streams with a documented, platform-independent definition.
//
// Scheme: every random decision of a run draws from a stream whose seed is
//   derive_seed(run_seed, tag) = splitmix64(splitmix64(run_seed) XOR fnv1a64(tag)),
// where tag names the purpose and the identity it depends on:
//   "data/<problem>"                           sampling of synthetic points and data splits
//   "init/<problem>/<architecture>/<depth>"    weight initialisation
//   "shuffle/<problem>/<architecture>/<depth>" mini-batch order and the random validation split
// So all architectures of one (problem, seed) see the same data, and nothing depends on the rank,
// the machine or the order in which runs execute. The engine is std::mt19937_64, whose output
// sequence the C++ standard fixes; the distributions below are our own (libstdc++'s are
// implementation-defined), so a stream is the same wherever the same binary runs.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ricci {

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

constexpr std::uint64_t derive_seed(std::uint64_t run_seed, std::string_view tag) {
  return splitmix64(splitmix64(run_seed) ^ fnv1a64(tag));
}

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed) : engine_(seed) {}
  RandomStream(std::uint64_t run_seed, std::string_view tag)
      : engine_(derive_seed(run_seed, tag)) {}

  std::uint64_t bits() { return engine_(); }
  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(bits() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Standard normal by Box–Muller (both values of a pair are used).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spare_ = radius * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return radius * std::cos(2.0 * std::numbers::pi * u2);
  }
  // Uniform integer in [0, bound) without modulo bias (bound >= 1).
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t limit = (~std::uint64_t{0}) - (~std::uint64_t{0}) % bound;
    std::uint64_t x;
    do x = bits();
    while (x >= limit);
    return x % bound;
  }
  // Fisher–Yates.
  template <class T>
  void shuffle(std::vector<T>& values) {
    for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[below(i)]);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// The two training streams of one run, named as the scheme above says: the single place the tags
// are built.
struct RunStreams {
  RunStreams(std::uint64_t run_seed, const std::string& problem, const std::string& architecture,
             int depth)
      : init(run_seed, "init/" + identity(problem, architecture, depth)),
        shuffle(run_seed, "shuffle/" + identity(problem, architecture, depth)) {}
  // "problem/architecture/depth"
  static std::string identity(const std::string& problem, const std::string& architecture,
                              int depth) {
    return problem + "/" + architecture + "/" + std::to_string(depth);
  }
  RandomStream init, shuffle;
};

}  // namespace ricci
