// The follow-up's curvature notions (docs/method.md §3 "Extended curvatures") against values
// computed by hand from the definitions, edge by edge.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "ricci/core/error.hpp"
#include "ricci/geometry/curvature.hpp"
#include "ricci/geometry/graph.hpp"
#include "ricci/geometry/knn.hpp"

using namespace ricci;
using namespace ricci::geometry;

namespace {

using Edges = std::vector<std::pair<index_t, index_t>>;

LayerGraph undirected(index_t n, Edges edges) {
  LayerGraph g;
  g.adjacency = symmetric_graph(n, std::move(edges));
  return g;
}

LayerGraph complete(index_t n) {
  Edges e;
  for (index_t i = 0; i < n; ++i)
    for (index_t j = i + 1; j < n; ++j) e.emplace_back(i, j);
  return undirected(n, e);
}

constexpr auto augmented = CurvatureNotion::augmented_forman;
constexpr auto balanced = CurvatureNotion::balanced_forman;
constexpr auto approx = CurvatureNotion::ollivier_approx;
constexpr auto ollivier = CurvatureNotion::ollivier;

// Edge values in edge_curvature's order (i < j, by i then j) against `expected`, to 1e-12.
void check_edges(const LayerGraph& g, CurvatureNotion notion, const std::vector<double>& expected,
                 double idleness = 0) {
  INFO(std::string(curvature_notion_name(notion)) << " idleness " << idleness);
  const auto got = edge_curvature(g, notion, CurvatureOptions{idleness});
  REQUIRE(got.size() == expected.size());
  for (std::size_t e = 0; e < got.size(); ++e) {
    INFO("edge " << e);
    CHECK(got[e] == Approx(expected[e]).margin(1e-12).epsilon(0));
  }
}

std::vector<double> repeat(std::size_t n, double value) { return std::vector<double>(n, value); }

}  // namespace

TEST_CASE("curvature notion names round-trip and bad names are refused", "[curvature]") {
  for (CurvatureNotion notion : all_curvature_notions)
    CHECK(parse_curvature_notion(curvature_notion_name(notion)) == notion);
  CHECK(curvature_notion_name(CurvatureNotion::ollivier_approx) == "ollivier-approx");
  try {
    parse_curvature_notion("olivier");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.layer() == "geometry");
    CHECK(e.message() ==
          "unknown curvature notion 'olivier' (expected one of forman, augmented-forman, "
          "balanced-forman, ollivier-approx, ollivier)");
  }
}

TEST_CASE("Ollivier idleness outside 0 <= idleness < 1 is refused, naming the value",
          "[curvature]") {
  const auto g = complete(3);
  for (double bad : {-0.25, 1.0, 1.5, std::nan("")}) {
    INFO(bad);
    CHECK_THROWS_AS(measure_curvature(g, ollivier, false, CurvatureOptions{bad}), Error);
  }
  CHECK_THROWS_WITH(edge_curvature(g, ollivier, CurvatureOptions{1.5}),
                    "[geometry] Ollivier idleness 1.5 must satisfy 0 <= idleness < 1");
  CHECK_NOTHROW(edge_curvature(g, ollivier, CurvatureOptions{0.999}));
}

TEST_CASE("undirected notions are refused under baptista-r, forman keeps its arcs", "[curvature]") {
  LayerGraph g;
  g.rule = GraphRule::baptista_r;
  g.adjacency = symmetric_graph(3, {{0, 1}, {1, 2}});
  g.arcs = directed_graph(3, {{0, 1}, {1, 0}, {2, 1}});
  for (CurvatureNotion notion : all_curvature_notions) {
    if (notion == CurvatureNotion::forman) continue;
    CHECK_THROWS_WITH(measure_curvature(g, notion, true),
                      "[geometry] curvature notion " + std::string(curvature_notion_name(notion)) +
                          " is defined on the undirected graph; baptista-r has arcs");
  }
  // D(0) = 1 out + 1 in = 2, D(1) = 1 + 2 = 3, D(2) = 1 + 0 = 1: arcs 0->1 and 1->0 carry
  // 4 - 2 - 3 = -1 each, 2->1 carries 4 - 1 - 3 = 0, in the arcs' order.
  CHECK(edge_curvature(g, CurvatureNotion::forman) == std::vector<double>{-1, -1, 0});
  const auto m = measure_curvature(g, CurvatureNotion::forman, true);
  CHECK(m.total == -2);
  const auto mean = node_mean_curvature(g, m);  // one out-arc each
  CHECK(mean == std::vector<double>{-1, -1, 0});
}

TEST_CASE("triangle", "[curvature]") {
  const auto g = complete(3);
  check_edges(g, CurvatureNotion::forman, repeat(3, 0));
  check_edges(g, augmented, repeat(3, 3));
  check_edges(g, approx, repeat(3, 0.5));
  check_edges(g, ollivier, repeat(3, 0.5));  // move 1/2 over one edge
  // 2/2 + 2/2 - 2 + (2/2 + 1/2)*1 + sharp/(d_max*lambda) with P = {2, 0}, Q = {2, 0}: 2/(2*2).
  check_edges(g, balanced, repeat(3, 2.0));
}

TEST_CASE("K4 and K5", "[curvature]") {
  const auto k4 = complete(4);
  check_edges(k4, CurvatureNotion::forman, repeat(6, -2));
  check_edges(k4, augmented, repeat(6, 4));
  check_edges(k4, approx, repeat(6, 2.0 / 3));
  check_edges(k4, ollivier, repeat(6, 2.0 / 3));
  check_edges(k4, ollivier, repeat(6, 2.0 / 3), 0.5);  // only 1/3 of i's mass moves, one hop
  check_edges(k4, balanced, repeat(6, 2.0));           // 4/3 + 6/(3*3)
  const auto k5 = complete(5);
  check_edges(k5, ollivier, repeat(10, 0.75));  // (n - 2)/(n - 1)
  check_edges(k5, balanced, repeat(10, 1.75));  // -1 + 9/4 + 8/(4*4)
  check_edges(k5, augmented, repeat(10, 5));    // 4 - 8 + 9
}

TEST_CASE("exact Ollivier on neighbourhoods wider than 256 vertices", "[curvature]") {
  // The solver's bitsets have a fixed word count up to 4 words (closed neighbourhoods below 256)
  // and a generic path beyond; these graphs take the generic one on the source side (the lower
  // end of each edge, hub first), on the sink side (hub last) and on both (K_n).
  const index_t leaves = 300;
  Edges hub_first, hub_last;
  for (index_t leaf = 1; leaf <= leaves; ++leaf) {
    hub_first.emplace_back(0, leaf);
    hub_last.emplace_back(leaf - 1, leaves);
  }
  // Star: mu_hub spreads over the leaves, mu_leaf sits on the hub: all of it moves one hop. With
  // alpha = 1/2, 1/2 stays on the hub and 1/(2L) on the leaf; the other (L - 1)/(2L) moves two hops
  // (leaf to leaf): W = (L - 1)/L.
  for (const auto& edges : {hub_first, hub_last}) {
    const auto star = undirected(leaves + 1, edges);
    check_edges(star, ollivier, repeat(leaves, 0));
    check_edges(star, ollivier, repeat(leaves, 1.0 / leaves), 0.5);
  }
  // K_n: n - 2 common vertices keep their mass; 1/(n - 1) moves from j to i, one hop. With alpha =
  // 1/2: alpha - (1 - alpha)/(n - 1) moves from i to j.
  const index_t n = 300;
  const auto kn = complete(n);
  const std::size_t edges = static_cast<std::size_t>(n) * (n - 1) / 2;
  check_edges(kn, ollivier, repeat(edges, (n - 2.0) / (n - 1)));
  check_edges(kn, ollivier, repeat(edges, 0.5 + 0.5 / (n - 1)), 0.5);
}

TEST_CASE("exact Ollivier between two hubs of about 1100 neighbours", "[curvature]") {
  // Hubs A = 0 and B = 1 joined, 1,100 leaves 2..1101 on both, leaf y = 1102 on A only: d_A = 1102,
  // d_B = 1101. On the edge {A, B} 1,100 sinks are left short (each leaf's 1102 units get 1101 from
  // A's side), more pairs than the solver indexes in a table: it finds its arcs through per-sink
  // lists instead. Scaled by L = 1102 * 1101: B's 1101 units and y's 1101 reach the leaves and A
  // (1100 + 1102 units short) at one hop each (y next to A): W = 2202 / L, kappa = 1 - 1/551.
  // {A, leaf}: 2202 of 2204 units move one hop: kappa = 1/1102; {B, leaf}: 1/1101; {A, y}: all
  // of mu_A moves to A, one hop: 0.
  const index_t leaves = 1100, y = leaves + 2;
  Edges edges{{0, 1}, {0, y}};
  for (index_t leaf = 2; leaf < y; ++leaf) {
    edges.emplace_back(0, leaf);
    edges.emplace_back(1, leaf);
  }
  const auto g = undirected(y + 1, edges);
  std::vector<double> expected{1 - 1.0 / 551};
  for (index_t leaf = 0; leaf < leaves; ++leaf) expected.push_back(1.0 / 1102);
  expected.push_back(0);
  for (index_t leaf = 0; leaf < leaves; ++leaf) expected.push_back(1.0 / 1101);
  check_edges(g, ollivier, expected);
}

TEST_CASE("4-cycle", "[curvature]") {
  const auto g = undirected(4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}});
  check_edges(g, augmented, repeat(4, 0));
  check_edges(g, approx, repeat(4, 0));
  check_edges(g, ollivier, repeat(4, 0));  // both neighbours move one hop
  check_edges(g, balanced, repeat(4, 1));  // 0 + 4/(2*2): both ends see both 4-cycle vertices
}

TEST_CASE("path 0-1-2-3", "[curvature]") {
  const auto g = undirected(4, {{0, 1}, {1, 2}, {2, 3}});
  check_edges(g, CurvatureNotion::forman, {1, 0, 1});
  check_edges(g, augmented, {1, 0, 1});
  check_edges(g, approx, {0, 0, 0});
  check_edges(g, ollivier, {0, 0, 0});
  // alpha = 1/2 on {0,1}: after the common mass 1/4 stays on vertex 0 and has to reach 2: 2 hops.
  check_edges(g, ollivier, {0.5, 0, 0.5}, 0.5);
  check_edges(g, balanced, {1.75, 1, 1.75});  // 1 + 3/(2*2); 0 + 4/(2*2)
}

TEST_CASE("star with 4 leaves", "[curvature]") {
  const auto g = undirected(5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}});
  check_edges(g, augmented, repeat(4, -1));
  check_edges(g, approx, repeat(4, 0));
  check_edges(g, ollivier, repeat(4, 0));
  check_edges(g, ollivier, repeat(4, 0.25), 0.5);  // 3/8 of mass, 2 hops each
  check_edges(g, balanced, repeat(4, 0.8125));     // 1/2 + 5/(4*4)
}

TEST_CASE("two triangles joined by an edge", "[curvature]") {
  // Edges in order: {0,1} {0,2} {1,2} {2,3} {3,4} {3,5} {4,5}.
  const auto g = undirected(6, {{0, 1}, {1, 2}, {2, 0}, {2, 3}, {3, 4}, {4, 5}, {5, 3}});
  check_edges(g, CurvatureNotion::forman, {0, -1, -1, -2, -1, -1, 0});
  check_edges(g, augmented, {3, 2, 2, -2, 2, 2, 3});
  const double third = 1.0 / 3;
  check_edges(g, approx, {0.5, third, third, -third, third, third, 0.5});
  // Bridge: 1/3 each from 0, 1, 3 onto 2, 4, 5: one of 0/1 reaches 2, the other needs 3 hops.
  check_edges(g, ollivier, {0.5, third, third, -2 * third, third, third, 0.5});
  check_edges(g, balanced, {2, 7.0 / 6, 7.0 / 6, 0, 7.0 / 6, 7.0 / 6, 2});
}

TEST_CASE("duplicate points after a ReLU, as a union kNN graph", "[curvature]") {
  // 1-D points 0, 0, 0, 1, 5 and k = 2: N(0) = {1,2}, N(1) = {0,2}, N(2) = {0,1}, N(3) = {0,1},
  // N(4) = {3,0} (ties broken by the smaller index). Union edges {0,1} {0,2} {0,3} {0,4} {1,2}
  // {1,3} {3,4}; degrees 4, 3, 2, 3, 2.
  RowMatrix points(5, 1);
  points << 0, 0, 0, 1, 5;
  const auto g = build_knn_graph(exact_knn(points, 2), 2, GraphRule::knn_union);
  REQUIRE(g.edge_count() == 7);
  check_edges(g, CurvatureNotion::forman, {-3, -2, -3, -2, -1, -2, -1});
  // Triangles: {0,1}: 2 (2, 3); {0,2}: 1; {0,3}: 2 (1, 4); {0,4}: 1; {1,2}: 1; {1,3}: 1; {3,4}: 1.
  check_edges(g, augmented, {3, 1, 3, 1, 2, 1, 2});
  // {0,1}: mu_0 = 1/4 on 1..4, mu_1 = 1/3 on 0, 2, 3; 1/2 stays, 1/2 moves one hop.
  const auto ollivier_values = edge_curvature(g, ollivier);
  CHECK(ollivier_values[0] == Approx(0.5).margin(1e-12));
}

TEST_CASE("per-node sums and means of a notion", "[curvature]") {
  // Path 0-1-2-3 plus an isolated vertex 4, balanced Forman {1.75, 1, 1.75}.
  const auto g = undirected(5, {{0, 1}, {1, 2}, {2, 3}});
  const auto m = measure_curvature(g, balanced, true);
  CHECK(m.notion == balanced);
  CHECK(m.total == Approx(4.5));
  REQUIRE(m.node.size() == 5);
  CHECK(m.node[0] == Approx(1.75));
  CHECK(m.node[1] == Approx(2.75));
  CHECK(m.node[4] == 0);
  const auto mean = node_mean_curvature(g, m);
  CHECK(mean[1] == Approx(1.375));
  CHECK(mean[3] == Approx(1.75));
  CHECK(std::isnan(mean[4]));
  CHECK(measure_curvature(g, balanced, false).node.empty());
}
