#include <bit>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/visitors.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <mutex>
#include <random>

#include "ricci/geometry/geodesics.hpp"
#include "ricci/geometry/geodesics_bitparallel.hpp"
#include "ricci/geometry/measure_stack.hpp"

using namespace ricci;
using namespace ricci::geometry;

namespace {

using Edges = std::vector<std::pair<index_t, index_t>>;

void check_equal(const GeodesicSummary& a, const GeodesicSummary& b) {
  CHECK(a.distance_sum == b.distance_sum);
  CHECK(a.unreachable_pairs == b.unreachable_pairs);
  CHECK(a.row_sum == b.row_sum);
  CHECK(a.diameter == b.diameter);
  CHECK(a.components == b.components);
}

// The level visitor sees exactly the pairs at each hop distance, whatever the direction a level
// took and wherever a vertex stopped reading its neighbours early: the distance matrix it
// reconstructs equals Boost's BFS from every source, with 1 and 3 threads.
void check_levels_agree(const CsrGraph& g) {
  const auto n = static_cast<std::size_t>(num_vertices(g));
  constexpr index_t unreached = -1;
  std::vector<index_t> want(n * n, unreached);
  for (std::size_t s = 0; s < n; ++s) {
    std::vector<index_t> distance(n, std::numeric_limits<index_t>::max());
    distance[s] = 0;
    boost::breadth_first_search(g, static_cast<index_t>(s),
                                boost::visitor(boost::make_bfs_visitor(boost::record_distances(
                                    distance.data(), boost::on_tree_edge()))));
    for (std::size_t v = 0; v < n; ++v)
      if (v != s && distance[v] != std::numeric_limits<index_t>::max())
        want[s * n + v] = distance[v];
  }
  for (int threads : {1, 3}) {
    std::vector<index_t> got(n * n, unreached);
    std::mutex m;
    const auto record = [&](std::size_t first, std::size_t width, std::uint64_t level,
                            const auto& reached) {
      const std::lock_guard<std::mutex> lock(m);
      for (std::size_t v = 0; v < n; ++v)
        for (std::size_t w = 0; w < reached[v].size(); ++w)
          for (std::uint64_t bits = reached[v][w]; bits != 0; bits &= bits - 1) {
            const std::size_t b = 64 * w + static_cast<std::size_t>(std::countr_zero(bits));
            if (b >= width) FAIL("a bit beyond the batch's sources");
            index_t& cell = got[(first + b) * n + v];
            if (cell != unreached) FAIL("a pair is reached at two levels");
            cell = static_cast<index_t>(level);
          }
    };
    (void)all_pairs_bitparallel<production_bfs_words>(g, record, threads);
    CHECK(got == want);
  }
}

// Every engine width against the Boost reference.
void check_engines_agree(const CsrGraph& g) {
  const auto reference = all_pairs_boost_bfs(g);
  auto with_components = [&](GeodesicSummary s) {
    s.components = count_components(g);
    return s;
  };
  check_equal(with_components(all_pairs_bitparallel<1>(g)), reference);
  check_equal(with_components(all_pairs_bitparallel<2>(g)), reference);
  check_equal(with_components(all_pairs_bitparallel<8>(g)), reference);
  check_equal(all_pairs_geodesics(g), reference);
  // Threads split the source batches: the same sums for any count.
  check_equal(with_components(all_pairs_bitparallel<1>(g, IgnoreLevels{}, 3)), reference);
  check_equal(all_pairs_geodesics(g, 2), reference);
  check_equal(all_pairs_geodesics(g, 5), reference);
  check_levels_agree(g);
}

}  // namespace

TEST_CASE("geodesics of hand-made graphs", "[geodesics]") {
  SECTION("path 0-1-2-3") {
    const auto g = symmetric_graph(4, {{0, 1}, {1, 2}, {2, 3}});
    for (const auto& s : {all_pairs_boost_bfs(g), all_pairs_geodesics(g)}) {
      CHECK(s.distance_sum == 1 + 2 + 3 + 1 + 2 + 1);
      CHECK(s.row_sum == std::vector<std::uint64_t>{6, 4, 4, 6});
      CHECK(s.diameter == 3);
      CHECK(s.components == 1);
      CHECK(s.unreachable_pairs == 0);
    }
  }
  SECTION("two triangles: 2 components, 3 x 3 unreachable pairs") {
    const auto g = symmetric_graph(6, {{0, 1}, {1, 2}, {2, 0}, {3, 4}, {4, 5}, {5, 3}});
    for (const auto& s : {all_pairs_boost_bfs(g), all_pairs_geodesics(g)}) {
      CHECK(s.components == 2);
      CHECK(s.unreachable_pairs == 9);
      CHECK(s.distance_sum == 6);
      CHECK(s.row_sum == std::vector<std::uint64_t>(6, 2));
    }
  }
  SECTION("no edges at all") {
    const auto g = symmetric_graph(3, {});
    const auto s = all_pairs_geodesics(g);
    CHECK(s.components == 3);
    CHECK(s.unreachable_pairs == 3);
    CHECK(s.distance_sum == 0);
  }
  SECTION("cycle of 7: each row 1+1+2+2+3+3") {
    Edges e;
    for (index_t i = 0; i < 7; ++i) e.emplace_back(i, (i + 1) % 7);
    const auto s = all_pairs_geodesics(symmetric_graph(7, e));
    CHECK(s.row_sum == std::vector<std::uint64_t>(7, 12));
    CHECK(s.distance_sum == 7 * 12 / 2);
  }
}

TEST_CASE("g_l: NaN when disconnected - ordered pairs under baptista-r", "[geodesics]") {
  GeodesicSummary s;
  s.components = 1;
  s.distance_sum = 10;
  CHECK(geodesic_mass(s, GraphRule::knn_union) == 10);
  CHECK(geodesic_mass(s, GraphRule::baptista_r) == 20);
  s.components = 2;
  CHECK(std::isnan(geodesic_mass(s, GraphRule::knn_mutual)));
}

TEST_CASE("bit-parallel BFS equals Boost BFS on random graphs of several diameters",
          "[geodesics]") {
  std::mt19937_64 rng(2024);
  SECTION("long path across several 512-source batches (diameter 1099)") {
    Edges e;
    for (index_t i = 0; i + 1 < 1100; ++i) e.emplace_back(i, i + 1);
    check_engines_agree(symmetric_graph(1100, e));
  }
  SECTION("ring lattices with a few random chords (diameter 10-100)") {
    for (int chords : {0, 5, 40}) {
      const index_t n = 777;
      Edges e;
      for (index_t i = 0; i < n; ++i)
        e.emplace_back(i, (i + 1) % n), e.emplace_back(i, (i + 3) % n);
      std::uniform_int_distribution<index_t> pick(0, n - 1);
      for (int c = 0; c < chords; ++c) {
        const index_t a = pick(rng), b = pick(rng);
        if (a != b) e.emplace_back(a, b);
      }
      check_engines_agree(symmetric_graph(n, e));
    }
  }
  SECTION("random geometric graphs, connected and fragmented") {
    std::uniform_real_distribution<double> u(0, 1);
    for (double radius : {0.03, 0.06, 0.2}) {
      const index_t n = 600;
      std::vector<std::pair<double, double>> p(n);
      for (auto& q : p) q = {u(rng), u(rng)};
      Edges e;
      for (index_t i = 0; i < n; ++i)
        for (index_t j = i + 1; j < n; ++j) {
          const double dx = p[i].first - p[j].first, dy = p[i].second - p[j].second;
          if (dx * dx + dy * dy < radius * radius) e.emplace_back(i, j);
        }
      check_engines_agree(symmetric_graph(n, e));
    }
  }
  SECTION("complete graph: every vertex sees every source at level 1") {
    const index_t n = 70;
    Edges e;
    for (index_t i = 0; i < n; ++i)
      for (index_t j = i + 1; j < n; ++j) e.emplace_back(i, j);
    check_engines_agree(symmetric_graph(n, e));
  }
  SECTION("a last batch of one source, and a star whose hub completes first") {
    // 513 vertices: batches of 512 and 1. The hub 0 sees every source at level 1; the leaves at 2.
    Edges e;
    for (index_t i = 1; i < 513; ++i) e.emplace_back(0, i);
    check_engines_agree(symmetric_graph(513, e));
  }
  SECTION("dense Erdos-Renyi (diameter 2) with isolated vertices") {
    const index_t n = 530;
    std::bernoulli_distribution coin(0.3);
    Edges e;
    for (index_t i = 5; i < n; ++i)
      for (index_t j = i + 1; j < n; ++j)
        if (coin(rng)) e.emplace_back(i, j);
    check_engines_agree(symmetric_graph(n, e));
  }
}
