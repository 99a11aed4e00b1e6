// The follow-up's local and layer Ricci coefficients (docs/method.md §4) on hand-computed graphs
// and series; tests/oracle/test_local_oracle.py checks whole stacks against numpy.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/local_flow.hpp"
#include "ricci/geometry/measure_stack.hpp"

using namespace ricci;
using namespace ricci::geometry;
using Catch::Matchers::Contains;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr auto forman = CurvatureNotion::forman;
using Series = std::vector<std::vector<double>>;

LayerGraph undirected(index_t n, std::vector<std::pair<index_t, index_t>> edges) {
  LayerGraph graph;
  graph.rule = GraphRule::knn_union;
  graph.k = 1;
  graph.adjacency = symmetric_graph(n, std::move(edges));
  return graph;
}

}  // namespace

TEST_CASE("O_l(x) is the mean of kappa over a point's edges", "[local]") {
  // Path 0-1-2-3: degrees 1, 2, 2, 1; Forman R = 1, 0, 1 on 01, 12, 23.
  const LayerGraph path = undirected(4, {{0, 1}, {1, 2}, {2, 3}});
  const CurvatureMeasure measure = measure_curvature(path, forman, true);
  CHECK(node_mean_curvature(path, measure) == std::vector<double>{1.0, 0.5, 0.5, 1.0});

  // Hand-made node sums (any notion's), and an isolated point 4.
  const LayerGraph with_isolated = undirected(5, {{0, 1}, {1, 2}, {2, 3}});
  CurvatureMeasure made{forman, 0, {3, -2, 0, 6, 0}};
  const auto o = node_mean_curvature(with_isolated, made);
  CHECK(o[0] == 3);
  CHECK(o[1] == -1);
  CHECK(o[2] == 0);
  CHECK(o[3] == 6);
  CHECK(std::isnan(o[4]));

  made.node.pop_back();
  CHECK_THROWS_WITH(node_mean_curvature(with_isolated, made), Contains("per-node sums"));
}

TEST_CASE("local expansion: hop distances of G_l neighbours in G_{l+1}", "[local]") {
  SECTION("connected: path 0-1-2-3 becomes path 0-2-1-3") {
    const CsrGraph layer = symmetric_graph(4, {{0, 1}, {1, 2}, {2, 3}});
    const CsrGraph next = symmetric_graph(4, {{0, 2}, {2, 1}, {1, 3}});
    // x = 0: gamma'(0,1) = 2; x = 1: (2 + 1)/2; x = 2: (1 + 2)/2; x = 3: gamma'(3,2) = 2; minus 1.
    CHECK(local_expansion(layer, next) == std::vector<double>{1.0, 0.5, 0.5, 1.0});
    // The same graph twice: every neighbour stays at distance 1.
    CHECK(local_expansion(layer, layer) == std::vector<double>{0, 0, 0, 0});
  }
  SECTION("a far neighbour: the search goes beyond the first levels") {
    // In G_{l+1} the path 0-2-3-4-1: 1 is four hops from 0.
    const CsrGraph layer = symmetric_graph(5, {{0, 1}});
    const CsrGraph next = symmetric_graph(5, {{0, 2}, {2, 3}, {3, 4}, {4, 1}});
    const auto eta = local_expansion(layer, next);
    CHECK(eta[0] == 3);
    CHECK(eta[1] == 3);
    CHECK(std::isnan(eta[2]));  // isolated in G_l
  }
  SECTION("an unreachable neighbour makes eta infinite; an isolated point NaN") {
    const CsrGraph layer = symmetric_graph(4, {{0, 1}, {1, 2}});
    const CsrGraph next = symmetric_graph(4, {{0, 1}, {2, 3}});
    const auto eta = local_expansion(layer, next);
    CHECK(eta[0] == 0);
    CHECK(eta[1] == inf);  // 2 is in another component of G_{l+1}
    CHECK(eta[2] == inf);
    CHECK(std::isnan(eta[3]));
  }
  SECTION("graphs on different vertex sets are refused") {
    CHECK_THROWS_WITH(local_expansion(symmetric_graph(3, {{0, 1}}), symmetric_graph(4, {{0, 1}})),
                      Contains("vertices"));
  }
}

TEST_CASE("local and layer coefficients from hand-made series", "[local]") {
  // Three transitions, three points. Point 0: O = (1,2,3), eta = (3,2,1): rho = -1. Point 1: O
  // constant: undefined (zero variance). Point 2: an unreachable neighbour at transition 1.
  const std::vector<std::vector<double>> scalar{{1, 2, 5}, {2, 2, 5}, {3, 2, 5}};
  const std::vector<std::vector<double>> expansion{{3, 0, 1}, {2, 1, inf}, {1, 0, 1}};
  const LocalCoefficients c = local_coefficients(forman, scalar, expansion, true);
  CHECK(c.defined == 1);
  CHECK(c.undefined == 2);
  CHECK(c.unreachable == 1);
  CHECK(c.mean == Approx(-1.0));
  CHECK(c.negative_share == 1.0);
  CHECK(c.reason == LocalReason::none);
  REQUIRE(c.rho.size() == 3);
  CHECK(c.rho[0] == Approx(-1.0));
  CHECK(std::isnan(c.rho[1]));
  CHECK(c.rho_reason[1] == LocalReason::zero_variance);
  CHECK(std::isnan(c.rho[2]));
  CHECK(c.rho_reason[2] == LocalReason::unreachable_neighbour);
  CHECK(c.scalar == scalar);

  // rho(l): transition 0 over all three points, O = (1,2,5), eta = (3,0,1):
  // sxy = -24/9, sxx = 78/9, syy = 42/9. Transition 1 leaves point 2 out; O = (2,2) is constant.
  // Transition 2: O = (3,2,5), eta = (1,0,1): sxy = 12/9, sxx = 42/9, syy = 6/9.
  REQUIRE(c.layer_rho.size() == 3);
  CHECK(c.layer_rho[0] == Approx(-24.0 / std::sqrt(78.0 * 42.0)).epsilon(1e-12));
  CHECK(std::isnan(c.layer_rho[1]));
  CHECK(c.layer_reason[1] == LocalReason::zero_variance);
  CHECK(c.layer_rho[2] == Approx(12.0 / std::sqrt(42.0 * 6.0)).epsilon(1e-12));
  CHECK(c.layer_reason[2] == LocalReason::none);

  // Without the per-point series.
  const LocalCoefficients light = local_coefficients(forman, scalar, expansion, false);
  CHECK(light.scalar.empty());
  CHECK(light.rho.empty());
  CHECK(light.mean == c.mean);
}

TEST_CASE("local summaries: mean and negative share over the defined points only", "[local]") {
  // Points 0 and 1 have rho = -1 and +1; point 2 is isolated at transition 0 (NaN, NaN).
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::vector<double>> scalar{{1, 1, nan}, {2, 2, 4}};
  const std::vector<std::vector<double>> expansion{{1, 0, nan}, {0, 1, 0}};
  const LocalCoefficients c = local_coefficients(forman, scalar, expansion, true);
  CHECK(c.defined == 2);
  CHECK(c.undefined == 1);
  CHECK(c.unreachable == 0);
  CHECK(c.rho_reason[2] == LocalReason::isolated_point);
  CHECK(c.mean == Approx(0.0).margin(1e-15));
  CHECK(c.negative_share == 0.5);
  // Transition 0 over points 0 and 1 only: O = (1, 1) constant. Transition 1: O = (2,2,4),
  // eta = (0,1,0): sxy = -2/3, sxx = 8/3, syy = 2/3, r = -1/2.
  CHECK(c.layer_reason[0] == LocalReason::zero_variance);
  CHECK(c.layer_rho[1] == Approx(-0.5).epsilon(1e-12));
}

TEST_CASE("local coefficients: too few transitions, too few points, nothing defined", "[local]") {
  SECTION("one transition: no rho(x), but rho(l)") {
    const LocalCoefficients c = local_coefficients(forman, {{1, 2, 3}}, Series{{0, 1, 3}}, true);
    CHECK(c.defined == 0);
    CHECK(c.undefined == 3);
    CHECK(std::isnan(c.mean));
    CHECK(std::isnan(c.negative_share));
    CHECK(c.reason == LocalReason::no_defined_point);
    CHECK(c.rho_reason[0] == LocalReason::too_few_transitions);
    REQUIRE(c.layer_rho.size() == 1);
    CHECK(c.layer_rho[0] == Approx(3.0 / std::sqrt(2.0 * 14.0 / 3.0)).epsilon(1e-12));
  }
  SECTION("no transition at all (a one-layer list)") {
    const LocalCoefficients c = local_coefficients(forman, {}, Series{}, true);
    CHECK(c.layer_rho.empty());
    CHECK(c.defined == 0);
    CHECK(c.reason == LocalReason::no_defined_point);
  }
  SECTION("a transition where fewer than two points have all neighbours reachable") {
    const LocalCoefficients c =
        local_coefficients(forman, {{1, 2, 3}, {1, 2, 3}}, Series{{0, inf, inf}, {1, 2, 4}}, true);
    CHECK(c.layer_reason[0] == LocalReason::too_few_points);
    CHECK(std::isnan(c.layer_rho[0]));
    CHECK(c.unreachable == 2);
  }
  SECTION("mismatched series are refused") {
    CHECK_THROWS_WITH(local_coefficients(forman, {{1, 2}}, Series{}, true),
                      Contains("transitions"));
    CHECK_THROWS_WITH(local_coefficients(forman, {{1, 2}}, Series{{1, 2, 3}}, true),
                      Contains("another length"));
  }
}

TEST_CASE("measure_stack computes the local coefficients from its own graphs", "[local]") {
  std::mt19937_64 rng(13);
  std::vector<RowMatrix> stack;
  for (int width : {3, 5, 2, 4}) stack.push_back(test::lattice_cloud(rng, 30, width, 4));
  MeasureOptions options;
  options.k = {2, 5};
  options.rule = GraphRule::knn_mutual;  // isolated points occur
  options.local = true;
  options.per_node = true;
  const auto slots = measure_stack(stack, options);
  for (const MeasuresAtK& slot : slots) {
    // The same series from the primitives, layer by layer.
    std::vector<std::vector<double>> scalar, expansion;
    std::vector<LayerGraph> graphs;
    for (const RowMatrix& x : stack)
      graphs.push_back(build_knn_graph(exact_knn(LayerView(x), slot.k), slot.k, options.rule));
    for (std::size_t l = 0; l + 1 < graphs.size(); ++l) {
      scalar.push_back(node_mean_curvature(graphs[l], measure_curvature(graphs[l], forman, true)));
      expansion.push_back(local_expansion(graphs[l].adjacency, graphs[l + 1].adjacency));
    }
    const auto want = local_coefficients(forman, scalar, expansion, true);
    const auto& got = slot.local_of(forman);
    CHECK(got.defined == want.defined);
    CHECK(got.undefined == want.undefined);
    CHECK(got.unreachable == want.unreachable);
    CHECK((got.mean == want.mean || (std::isnan(got.mean) && std::isnan(want.mean))));
    REQUIRE(got.layer_rho.size() == 3);
    REQUIRE(slot.local_expansion.size() == 3);
    for (std::size_t t = 0; t < 3; ++t)
      for (std::size_t x = 0; x < 30; ++x) {
        const double a = slot.local_expansion[t][x], b = expansion[t][x];
        CHECK((a == b || (std::isnan(a) && std::isnan(b))));
      }
  }

  SECTION("without per_node the per-point series are dropped") {
    options.per_node = false;
    const auto light = measure_stack(stack, options);
    CHECK(light.front().local_expansion.empty());
    CHECK(light.front().local_of(forman).rho.empty());
    CHECK(light.front().layers.front().curvature.front().node.empty());
  }
  SECTION("without local nothing is computed, and asking names the notion") {
    options.local = false;
    const auto none = measure_stack(stack, options);
    CHECK(none.front().local.empty());
    CHECK_THROWS_WITH(none.front().local_of(forman), Contains("forman"));
  }
  SECTION("baptista-r is refused") {
    options.rule = GraphRule::baptista_r;
    CHECK_THROWS_WITH(measure_stack(stack, options), Contains("baptista-r"));
  }
}

TEST_CASE("the bit-parallel local expansion equals the per-point search", "[local]") {
  // More than one batch of 512 sources, disconnected graphs, isolated points, duplicates.
  std::mt19937_64 rng(2025);
  for (int n : {40, 700}) {
    const RowMatrix a = test::lattice_cloud(rng, n, 3, 6), b = test::lattice_cloud(rng, n, 2, 9);
    for (GraphRule rule : {GraphRule::knn_union, GraphRule::knn_mutual})
      for (index_t k : {1, 2, 6}) {
        const LayerGraph ga = build_knn_graph(exact_knn(LayerView(a), k), k, rule);
        const LayerGraph gb = build_knn_graph(exact_knn(LayerView(b), k), k, rule);
        const std::vector<double> want = local_expansion(ga.adjacency, gb.adjacency);
        const GeodesicsAndExpansion got = geodesics_and_local_expansion(ga.adjacency, gb.adjacency);
        REQUIRE(got.eta.size() == want.size());
        std::size_t differ = 0;
        for (std::size_t x = 0; x < want.size(); ++x)
          if (!(got.eta[x] == want[x] || (std::isnan(got.eta[x]) && std::isnan(want[x])))) ++differ;
        INFO("n = " << n << ", k = " << k << ", rule " << graph_rule_name(rule));
        CHECK(differ == 0);
        const GeodesicSummary plain = all_pairs_geodesics(gb.adjacency);
        CHECK(got.geodesics.distance_sum == plain.distance_sum);
        CHECK(got.geodesics.row_sum == plain.row_sum);
        CHECK(got.geodesics.unreachable_pairs == plain.unreachable_pairs);
        CHECK(got.geodesics.components == plain.components);
        CHECK(got.geodesics.component == plain.component);
        CHECK(got.geodesics.diameter == plain.diameter);
      }
  }
}

TEST_CASE("measure_stack: a path, a star and the path again - hand-computed", "[local]") {
  // k = 1, union. A: 0 1 3 6 on a line, the path 0-1-2-3 (Forman 1, 0, 1; O = 1, 1/2, 1/2, 1).
  // B: a star with centre 1 (every Forman R = 4 - 1 - 3 = 0, so O = 0). C = A.
  const RowMatrix path = test::line({0, 1, 3, 6});
  const RowMatrix star = test::points({{1, 0}, {0, 0}, {0, 1.1}, {-1.2, 0}});
  MeasureOptions options;
  options.k = {1};
  options.local = true;
  options.per_node = true;
  const auto slots = measure_stack(std::vector<RowMatrix>{path, star, path}, options);
  const MeasuresAtK& slot = slots.front();
  // eta_A: 1's and 0's path neighbours stay adjacent in the star; 2's neighbour 3 is two hops
  // away, so is 3's only neighbour 2. eta_B: 1's star neighbour 3 is two hops away on the path,
  // as is 3's neighbour 1.
  REQUIRE(slot.local_expansion.size() == 2);
  CHECK(slot.local_expansion[0] == std::vector<double>{0, 0, 0.5, 1});
  CHECK(slot.local_expansion[1] == std::vector<double>{0, 1.0 / 3.0, 0, 1});
  const LocalCoefficients& c = slot.local_of(forman);
  CHECK(c.scalar == Series{{1, 0.5, 0.5, 1}, {0, 0, 0, 0}});
  // rho(x) over (O_A, eta_A), (O_B, eta_B): 0 and 3 have a constant eta; 1: O falls, eta rises
  // (-1); 2: both fall (+1).
  CHECK(c.rho_reason[0] == LocalReason::zero_variance);
  CHECK(c.rho[1] == Approx(-1.0));
  CHECK(c.rho[2] == Approx(1.0));
  CHECK(c.rho_reason[3] == LocalReason::zero_variance);
  CHECK(c.defined == 2);
  CHECK(c.undefined == 2);
  CHECK(c.mean == Approx(0.0).margin(1e-15));
  CHECK(c.negative_share == 0.5);
  // rho(A) over the four points: O = (1, .5, .5, 1), eta = (0, 0, .5, 1): sxy = 1/8, sxx = 1/4,
  // syy = 11/16, r = 1/sqrt(11). rho(B): O constant.
  CHECK(c.layer_rho[0] == Approx(1.0 / std::sqrt(11.0)).epsilon(1e-12));
  CHECK(c.layer_reason[1] == LocalReason::zero_variance);
  // The global coefficient: g = 10, 9, 10 and Ric = 2, 0, 2, so (eta, Ric) = (-1, 2), (1, 0).
  CHECK(slot.coefficient(forman).rho == Approx(-1.0));
}
