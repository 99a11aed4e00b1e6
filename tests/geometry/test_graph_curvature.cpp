#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "../test_support.hpp"
#include "graph_checks.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/curvature.hpp"
#include "ricci/geometry/graph.hpp"

using namespace ricci;
using namespace ricci::geometry;

namespace {

LayerGraph undirected(index_t n, std::vector<std::pair<index_t, index_t>> edges) {
  LayerGraph g;
  g.adjacency = symmetric_graph(n, std::move(edges));
  return g;
}

}  // namespace

TEST_CASE("Forman curvature of hand-made graphs", "[curvature]") {
  SECTION("path 0-1-2-3: degrees 1,2,2,1") {
    const auto c = forman_curvature(undirected(4, {{0, 1}, {1, 2}, {2, 3}}));
    CHECK(c.total == 1 + 0 + 1);
    CHECK(c.node_scalar == std::vector<count_t>{1, 1, 1, 1});
  }
  SECTION("cycle of 5: every edge 4-2-2 = 0") {
    const auto c = forman_curvature(undirected(5, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 0}}));
    CHECK(c.total == 0);
    CHECK(c.node_scalar == std::vector<count_t>(5, 0));
  }
  SECTION("star with 4 leaves: every edge 4-4-1 = -1") {
    const auto c = forman_curvature(undirected(5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}}));
    CHECK(c.total == -4);
    CHECK(c.node_scalar == std::vector<count_t>{-4, -1, -1, -1, -1});
  }
  SECTION("complete K5: 10 edges of 4-4-4 = -4") {
    std::vector<std::pair<index_t, index_t>> e;
    for (index_t i = 0; i < 5; ++i)
      for (index_t j = i + 1; j < 5; ++j) e.emplace_back(i, j);
    const auto g = undirected(5, e);
    CHECK(g.edge_count() == 10);
    const auto c = forman_curvature(g);
    CHECK(c.total == -40);
    CHECK(c.node_scalar == std::vector<count_t>(5, -16));
  }
  SECTION("two triangles: two components, every edge 0") {
    const auto c =
        forman_curvature(undirected(6, {{0, 1}, {1, 2}, {2, 0}, {3, 4}, {4, 5}, {5, 3}}));
    CHECK(c.total == 0);
  }
  SECTION("duplicate and reversed edges collapse") {
    const auto g = undirected(3, {{0, 1}, {1, 0}, {0, 1}, {1, 2}});
    CHECK(g.edge_count() == 2);
    CHECK(forman_curvature(g).total == 2);
  }
}

TEST_CASE("kNN graphs on a line - hand-computed", "[graph]") {
  const auto lists = exact_knn(test::line({0, 1, 2, 3}), 2);
  SECTION("union, k = 1: the path 0-1-2-3") {
    const auto g = build_knn_graph(lists, 1, GraphRule::knn_union);
    CHECK(g.edge_count() == 3);
    CHECK(forman_curvature(g).total == 2);
  }
  SECTION("mutual, k = 1: only {0,1} (N1 = 1,0,1,2)") {
    const auto g = build_knn_graph(lists, 1, GraphRule::knn_mutual);
    CHECK(g.edge_count() == 1);
    const auto c = forman_curvature(g);
    CHECK(c.total == 2);
    CHECK(c.node_scalar == std::vector<count_t>{2, 2, 0, 0});
  }
  SECTION("union, k = 2: all pairs but {0,3}; degrees 2,3,3,2") {
    const auto g = build_knn_graph(lists, 2, GraphRule::knn_union);
    CHECK(g.edge_count() == 5);
    CHECK(forman_degrees(g) == std::vector<count_t>{2, 3, 3, 2});
    CHECK(forman_curvature(g).total == -1 - 1 - 2 - 1 - 1);
  }
}

TEST_CASE("baptista-r: directed arcs - ties kept - reciprocal pairs count twice",
          "[graph][baptista]") {
  SECTION("line 0 1 2 3, k = 1: arcs 0>1 1>0 1>2 2>1 2>3 3>2") {
    const auto g =
        build_knn_graph(exact_knn(test::line({0, 1, 2, 3}), 1), 1, GraphRule::baptista_r);
    CHECK(g.edge_count() == 6);
    // D = out + in = 2, 4, 4, 2
    CHECK(forman_degrees(g) == std::vector<count_t>{2, 4, 4, 2});
    const auto c = forman_curvature(g);
    CHECK(c.total == -2 - 2 - 4 - 4 - 2 - 2);
    CHECK(c.node_scalar == std::vector<count_t>{-2, -6, -6, -2});
  }
  SECTION("line 0 1 3, k = 1: arcs 0>1 1>0 2>1; D = 2, 3, 1") {
    const auto g = build_knn_graph(exact_knn(test::line({0, 1, 3}), 1), 1, GraphRule::baptista_r);
    CHECK(g.edge_count() == 3);
    CHECK(forman_degrees(g) == std::vector<count_t>{2, 3, 1});
    const auto c = forman_curvature(g);
    CHECK(c.total == (4 - 2 - 3) + (4 - 3 - 2) + (4 - 1 - 3));
    CHECK(c.node_scalar == std::vector<count_t>{-1, -1, 0});
    CHECK(num_edges(g.adjacency) == 4);  // undirected {0,1}, {1,2} in both directions
  }
  SECTION("a point equidistant from two others points to both at k = 1") {
    // positions: index 0 at 0, index 1 at -1, index 2 at +1
    const auto g = build_knn_graph(exact_knn(test::line({0, -1, 1}), 1), 1, GraphRule::baptista_r);
    // arcs 0>1 0>2 1>0 2>0: out 2,1,1; in 2,1,1; D = 4,2,2
    CHECK(g.edge_count() == 4);
    CHECK(forman_degrees(g) == std::vector<count_t>{4, 2, 2});
    CHECK(forman_curvature(g).total == 4 * (4 - 4 - 2));
  }
}

TEST_CASE("graph rules parse and reject unknown names", "[graph]") {
  CHECK(parse_graph_rule("union") == GraphRule::knn_union);
  CHECK(parse_graph_rule("mutual") == GraphRule::knn_mutual);
  CHECK(parse_graph_rule("baptista-r") == GraphRule::baptista_r);
  CHECK_THROWS_WITH(parse_graph_rule("knn"), Catch::Matchers::Contains("'knn'"));
  CHECK_THROWS_AS(symmetric_graph(3, {{1, 1}}), Error);
  CHECK_THROWS_AS(symmetric_graph(3, {{0, 3}}), Error);
}

TEST_CASE("kNN graphs equal Boost's edge-list construction of the brute-force edge set",
          "[graph]") {
  std::mt19937_64 rng(99);
  for (int trial = 0; trial < 6; ++trial) {
    const int n = 30 + 25 * trial;
    const RowMatrix x = test::lattice_cloud(rng, n, 2 + trial % 3, 3 + trial);
    const index_t k = 1 + 3 * trial;
    const auto lists = exact_knn(x, k);
    for (auto rule : {GraphRule::knn_union, GraphRule::knn_mutual, GraphRule::baptista_r}) {
      // Edge sets straight from docs/method.md, built with the sorting constructor.
      std::vector<std::pair<index_t, index_t>> edges, arcs;
      for (index_t i = 0; i < n; ++i) {
        const auto out =
            rule == GraphRule::baptista_r ? lists.nearest_with_ties(i, k) : lists.nearest(i, k);
        for (index_t j : out) {
          arcs.emplace_back(i, j);
          const auto back = lists.nearest(j, k);
          const bool mutual = std::find(back.begin(), back.end(), i) != back.end();
          if (rule != GraphRule::knn_mutual || mutual) edges.emplace_back(i, j);
        }
      }
      test::require_graph_of(build_knn_graph(lists, k, rule), n, edges, arcs);
    }
  }
}
