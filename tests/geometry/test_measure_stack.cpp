#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/measure_stack.hpp"

using namespace ricci;
using namespace ricci::geometry;
using Catch::Matchers::Contains;

namespace {

constexpr auto forman = CurvatureNotion::forman;

// Layers of different widths over the same n points; small integer coordinates so that ties,
// duplicates and (at k = 1) disconnected graphs occur.
std::vector<RowMatrix> small_stack(std::uint64_t seed, int n = 40) {
  std::mt19937_64 rng(seed);
  std::vector<RowMatrix> stack;
  for (int width : {3, 5, 2, 4, 6}) stack.push_back(test::lattice_cloud(rng, n, width, 4));
  return stack;
}

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

bool same(const RicciCoefficient& a, const RicciCoefficient& b) {
  return same(a.rho, b.rho) && same(a.z, b.z) && same(a.fisher, b.fisher) && same(a.p, b.p) &&
         a.reason == b.reason;
}

// Every field of one layer's measures, per-node series included.
void check_same_layer(const LayerMeasures& x, const LayerMeasures& y) {
  CHECK(x.edges == y.edges);
  CHECK(x.components == y.components);
  CHECK(x.unreachable_pairs == y.unreachable_pairs);
  CHECK(same(x.g, y.g));
  CHECK(same(x.node_distance_sum, y.node_distance_sum));
  REQUIRE(x.curvature.size() == y.curvature.size());
  for (std::size_t c = 0; c < x.curvature.size(); ++c) {
    CHECK(x.curvature[c].notion == y.curvature[c].notion);
    CHECK(x.curvature[c].total == y.curvature[c].total);
    CHECK(x.curvature[c].node == y.curvature[c].node);
  }
}

// Every field, per-node series included.
void check_same(const std::vector<MeasuresAtK>& a, const std::vector<MeasuresAtK>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t s = 0; s < a.size(); ++s) {
    CHECK(a[s].k == b[s].k);
    CHECK(a[s].notions == b[s].notions);
    REQUIRE(a[s].coefficients.size() == b[s].coefficients.size());
    for (std::size_t c = 0; c < a[s].coefficients.size(); ++c)
      CHECK(same(a[s].coefficients[c], b[s].coefficients[c]));
    CHECK(same(a[s].eta, b[s].eta));
    CHECK(a[s].exclusion == b[s].exclusion);
    CHECK(a[s].excluded_at == b[s].excluded_at);
    REQUIRE(a[s].input.has_value() == b[s].input.has_value());
    if (a[s].input) check_same_layer(*a[s].input, *b[s].input);
    REQUIRE(a[s].local.size() == b[s].local.size());
    for (std::size_t c = 0; c < a[s].local.size(); ++c) {
      const LocalCoefficients &x = a[s].local[c], &y = b[s].local[c];
      CHECK(same(x.mean, y.mean));
      CHECK(same(x.negative_share, y.negative_share));
      CHECK(x.defined == y.defined);
      CHECK(x.undefined == y.undefined);
      CHECK(x.unreachable == y.unreachable);
      CHECK(same(x.layer_rho, y.layer_rho));
      CHECK(same(x.rho, y.rho));
      CHECK(x.scalar.size() == y.scalar.size());
      for (std::size_t t = 0; t < x.scalar.size() && t < y.scalar.size(); ++t)
        CHECK(same(x.scalar[t], y.scalar[t]));
    }
    REQUIRE(a[s].local_expansion.size() == b[s].local_expansion.size());
    for (std::size_t t = 0; t < a[s].local_expansion.size(); ++t)
      CHECK(same(a[s].local_expansion[t], b[s].local_expansion[t]));
    REQUIRE(a[s].layers.size() == b[s].layers.size());
    for (std::size_t l = 0; l < a[s].layers.size(); ++l)
      check_same_layer(a[s].layers[l], b[s].layers[l]);
  }
}

MeasureOptions options_for(GraphRule rule, bool per_node) {
  MeasureOptions options;
  options.k = {8, 1, 3};
  options.rule = rule;
  options.per_node = per_node;
  return options;
}

}  // namespace

TEST_CASE("measure_stack on a line: hand-computed Forman, g and per-node series", "[measures]") {
  // Positions 0 1 2 3 at k = 1: ties go to the smaller index, so the union graph is the path
  // 0-1-2-3 with degrees 1,2,2,1 in every layer.
  const std::vector<RowMatrix> stack{test::line({0, 1, 2, 3}), test::line({0, 10, 20, 30}),
                                     test::line({0, 1, 2, 3})};
  MeasureOptions options;
  options.k = {1};
  options.per_node = true;
  const auto slots = measure_stack(stack, options);
  REQUIRE(slots.size() == 1);
  for (const LayerMeasures& layer : slots[0].layers) {
    CHECK(layer.edges == 3);
    CHECK(layer.curvature_total(forman) == 2.0);
    CHECK(layer.curvature_of(forman).node == std::vector<double>{1, 1, 1, 1});
    CHECK(layer.g == 10.0);
    CHECK(layer.node_distance_sum == std::vector<double>{6, 4, 4, 6});
  }
  CHECK(slots[0].coefficient(forman).reason == CoefficientReason::zero_variance);
}

TEST_CASE("per-notion results: request order, accessors, and notions not computed", "[measures]") {
  const auto stack = small_stack(7);
  CHECK(curvature_notion_name(forman) == "forman");

  SECTION("the default computes Forman; the accessors read the vectors") {
    const auto slots = measure_stack(stack, options_for(GraphRule::knn_union, false));
    for (const MeasuresAtK& slot : slots) {
      CHECK(slot.notions == std::vector<CurvatureNotion>{forman});
      REQUIRE(slot.coefficients.size() == 1);
      CHECK(&slot.coefficient(forman) == &slot.coefficients[0]);
      for (const LayerMeasures& layer : slot.layers) {
        REQUIRE(layer.curvature.size() == 1);
        CHECK(layer.curvature[0].notion == forman);
        CHECK(&layer.curvature_of(forman) == &layer.curvature[0]);
        CHECK(layer.curvature_total(forman) == layer.curvature[0].total);
      }
    }
  }
  SECTION("no notion requested: geodesics only, and asking for Forman names it") {
    MeasureOptions options = options_for(GraphRule::knn_union, true);
    options.curvatures.clear();
    const auto slots = measure_stack(stack, options);
    const auto with_forman = measure_stack(stack, options_for(GraphRule::knn_union, true));
    for (std::size_t s = 0; s < slots.size(); ++s) {
      CHECK(slots[s].coefficients.empty());
      CHECK_THROWS_WITH(slots[s].coefficient(forman),
                        Contains("[geometry]") && Contains("'forman'") && Contains("not computed"));
      for (std::size_t l = 0; l < slots[s].layers.size(); ++l) {
        const LayerMeasures& layer = slots[s].layers[l];
        CHECK(layer.curvature.empty());
        CHECK_THROWS_WITH(layer.curvature_total(forman), Contains("[geometry]") &&
                                                             Contains("'forman'") &&
                                                             Contains("not computed"));
        CHECK_THROWS_AS(layer.curvature_of(forman), Error);
        CHECK(same(layer.g, with_forman[s].layers[l].g));
        CHECK(same(layer.node_distance_sum, with_forman[s].layers[l].node_distance_sum));
      }
    }
  }
  SECTION("a notion requested twice is rejected before any work") {
    MeasureOptions options = options_for(GraphRule::knn_union, false);
    options.curvatures = {forman, forman};
    CHECK_THROWS_WITH(validate_layer_stack(stack, options),
                      Contains("'forman'") && Contains("requested twice"));
    CHECK_THROWS_WITH(measure_stack(stack, options), Contains("requested twice"));
  }
}

TEST_CASE("measure_stack equals the exact kernels it is built from", "[measures]") {
  const auto stack = small_stack(11);
  for (GraphRule rule : {GraphRule::knn_union, GraphRule::knn_mutual, GraphRule::baptista_r}) {
    CAPTURE(graph_rule_name(rule));
    const MeasureOptions options = options_for(rule, true);
    const auto slots = measure_stack(stack, options);
    bool saw_disconnected = false;
    for (const MeasuresAtK& slot : slots) {
      std::vector<double> g, ric;
      for (std::size_t l = 0; l < stack.size(); ++l) {
        const LayerMeasures& layer = slot.layers[l];
        const LayerGraph graph = build_knn_graph(exact_knn(stack[l], slot.k), slot.k, rule);
        const CurvatureSummary exact = forman_curvature(graph);
        const GeodesicSummary geodesics = all_pairs_geodesics(graph.adjacency);
        CHECK(layer.edges == graph.edge_count());
        CHECK(layer.components == geodesics.components);
        CHECK(layer.unreachable_pairs == geodesics.unreachable_pairs);
        CHECK(same(layer.g, geodesic_mass(geodesics, rule)));
        CHECK(layer.curvature_total(forman) == static_cast<double>(exact.total));
        const auto& node = layer.curvature_of(forman).node;
        REQUIRE(node.size() == exact.node_scalar.size());
        for (std::size_t i = 0; i < node.size(); ++i)
          CHECK(node[i] == static_cast<double>(exact.node_scalar[i]));
        REQUIRE(layer.node_distance_sum.size() == geodesics.row_sum.size());
        const bool connected = geodesics.components == 1;
        saw_disconnected = saw_disconnected || !connected;
        for (std::size_t i = 0; i < geodesics.row_sum.size(); ++i)
          CHECK(same(layer.node_distance_sum[i],
                     connected ? static_cast<double>(geodesics.row_sum[i]) : NAN));
        g.push_back(geodesic_mass(geodesics, rule));
        ric.push_back(static_cast<double>(exact.total));
      }
      // baptista-r's coefficient follows the reference R code's transitions, not g (its own
      // test case below and tests/oracle/test_baptista_r_oracle.py).
      if (rule != GraphRule::baptista_r)
        CHECK(same(slot.coefficient(forman), ricci_coefficient(g, ric)));
    }
    CHECK(saw_disconnected);
  }
}

TEST_CASE("per_node = false leaves the per-node series empty and changes nothing else",
          "[measures]") {
  const auto stack = small_stack(13);
  for (GraphRule rule : {GraphRule::knn_union, GraphRule::knn_mutual, GraphRule::baptista_r}) {
    CAPTURE(graph_rule_name(rule));
    auto without = measure_stack(stack, options_for(rule, false));
    auto with = measure_stack(stack, options_for(rule, true));
    for (auto& slot : without)
      for (const LayerMeasures& layer : slot.layers) {
        CHECK(layer.node_distance_sum.empty());
        for (const CurvatureMeasure& c : layer.curvature) CHECK(c.node.empty());
      }
    for (auto& slot : with)
      for (LayerMeasures& layer : slot.layers) {
        CHECK(layer.node_distance_sum.size() == 40);
        layer.node_distance_sum.clear();
        for (CurvatureMeasure& c : layer.curvature) {
          CHECK(c.node.size() == 40);
          c.node.clear();
        }
      }
    check_same(without, with);
  }
}

TEST_CASE(
    "views: row-major blocks and raw buffers bind without a copy, any layout gives the "
    "same results",
    "[measures]") {
  const auto stack = small_stack(17, 30);
  const auto n = stack.front().rows();
  const MeasureOptions options = options_for(GraphRule::knn_union, true);
  const auto reference = measure_stack(stack, options);

  SECTION("layer_views of owning matrices point at them") {
    const auto views = layer_views(stack);
    for (std::size_t l = 0; l < stack.size(); ++l) CHECK(views[l].data() == stack[l].data());
  }
  SECTION("row-major blocks of larger matrices (outer stride > width)") {
    std::vector<RowMatrix> big;
    std::vector<LayerView> views;
    views.reserve(stack.size());
    for (const RowMatrix& x : stack) {
      big.push_back(RowMatrix::Constant(n + 5, x.cols() + 3, -7.0));
      big.back().block(2, 1, n, x.cols()) = x;
    }
    for (std::size_t l = 0; l < stack.size(); ++l) {
      views.emplace_back(big[l].block(2, 1, n, stack[l].cols()));
      CHECK(views[l].data() == &big[l](2, 1));
      CHECK(views[l].outerStride() == big[l].cols());
    }
    check_same(measure_stack(views, options), reference);
    // A run of whole rows, through exact_knn alone.
    RowMatrix tall = RowMatrix::Constant(n + 6, stack.front().cols(), -3.0);
    tall.middleRows(3, n) = stack.front();
    const LayerView rows = tall.middleRows(3, n);
    CHECK(rows.data() == tall.data() + 3 * tall.cols());
    const auto a = exact_knn(rows, 8), b = exact_knn(stack.front(), 8);
    for (index_t i = 0; i < static_cast<index_t>(n); ++i) {
      CHECK(std::vector<index_t>(a.row(i).begin(), a.row(i).end()) ==
            std::vector<index_t>(b.row(i).begin(), b.row(i).end()));
      CHECK(std::vector<double>(a.row_distances(i).begin(), a.row_distances(i).end()) ==
            std::vector<double>(b.row_distances(i).begin(), b.row_distances(i).end()));
    }
  }
  SECTION("a numpy-like C-contiguous float64 buffer through Eigen::Map, padded or not") {
    std::vector<std::vector<double>> buffers;
    std::vector<LayerView> padded, packed;
    padded.reserve(stack.size());
    packed.reserve(stack.size());
    for (const RowMatrix& x : stack) {
      const Eigen::Index stride = x.cols() + 2;
      std::vector<double> buffer(static_cast<std::size_t>(n * stride), -1.0);
      for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index c = 0; c < x.cols(); ++c)
          buffer[static_cast<std::size_t>(i * stride + c)] = x(i, c);
      buffers.push_back(std::move(buffer));
      padded.emplace_back(Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>(
          buffers.back().data(), n, x.cols(), Eigen::OuterStride<>(stride)));
      CHECK(padded.back().data() == buffers.back().data());
      // C-contiguous, as numpy's default layout: the data of the owning matrix itself.
      packed.emplace_back(Eigen::Map<const RowMatrix>(x.data(), n, x.cols()));
      CHECK(packed.back().data() == x.data());
    }
    check_same(measure_stack(padded, options), reference);
    check_same(measure_stack(packed, options), reference);
  }
  SECTION("column-major layers: copied into the view's temporary, same results") {
    std::vector<Eigen::MatrixXd> column_major;
    for (const RowMatrix& x : stack) column_major.emplace_back(x);
    // Views that own a temporary must not move: reserve so emplace_back never reallocates.
    std::vector<LayerView> views;
    views.reserve(column_major.size());
    for (const Eigen::MatrixXd& x : column_major) {
      views.emplace_back(x);
      CHECK(views.back().data() != x.data());
    }
    check_same(measure_stack(views, options), reference);
  }
}

// The sweep's geometry.ollivier_k: a notion restricted to some k is left out elsewhere, and where
// it is computed its values are those of the unrestricted measure.
TEST_CASE("only_at_k restricts a notion to its k and changes nothing else", "[measures]") {
  const auto stack = small_stack(21);
  MeasureOptions all;
  all.k = {3, 6};
  all.curvatures = {forman, CurvatureNotion::augmented_forman};
  all.local = true;
  MeasureOptions restricted = all;
  restricted.only_at_k = {{CurvatureNotion::augmented_forman, {6}}};
  const auto full = measure_stack(stack, all), some = measure_stack(stack, restricted);
  CHECK(some[0].notions == std::vector<CurvatureNotion>{forman});
  CHECK(some[0].local.size() == 1);
  CHECK_THROWS_WITH(some[0].coefficient(CurvatureNotion::augmented_forman),
                    Contains("was not computed"));
  CHECK(some[1].notions == all.curvatures);
  for (std::size_t s = 0; s < 2; ++s)
    for (CurvatureNotion notion : some[s].notions) {
      CHECK(same(some[s].coefficient(notion), full[s].coefficient(notion)));
      CHECK(same(some[s].local_of(notion).layer_rho, full[s].local_of(notion).layer_rho));
      for (std::size_t l = 0; l < stack.size(); ++l)
        CHECK(some[s].layers[l].curvature_total(notion) ==
              full[s].layers[l].curvature_total(notion));
    }
  restricted.only_at_k = {{CurvatureNotion::augmented_forman, {5}}};
  CHECK_THROWS_WITH(measure_stack(stack, restricted), Contains("k = 5, which is not among"));
  restricted.only_at_k = {{CurvatureNotion::ollivier, {6}}};
  CHECK_THROWS_WITH(measure_stack(stack, restricted), Contains("but not requested"));
}

// layers = all measures [inputs, hidden, output] once; the paper's coefficient of the hidden part
// must be what measuring the hidden layers alone gives.
TEST_CASE("sub_list equals measuring the sub-stack alone", "[measures]") {
  const auto stack = small_stack(22);
  MeasureOptions options;
  options.k = {2, 5};
  options.curvatures = {forman, CurvatureNotion::ollivier_approx};
  const std::vector<RowMatrix> middle(stack.begin() + 1, stack.end() - 1);
  const auto whole = measure_stack(stack, options), alone = measure_stack(middle, options);
  for (std::size_t s = 0; s < whole.size(); ++s) {
    const MeasuresAtK part = sub_list(whole[s], 1, middle.size(), options.rule);
    CHECK(same(part.eta, alone[s].eta));
    CHECK(part.exclusion == alone[s].exclusion);
    for (CurvatureNotion notion : options.curvatures)
      CHECK(same(part.coefficient(notion), alone[s].coefficient(notion)));
    for (std::size_t l = 0; l < middle.size(); ++l)
      CHECK(same(part.layers[l].g, alone[s].layers[l].g));
  }
  CHECK_THROWS_WITH(sub_list(whole[0], 3, 3, options.rule), Contains("outside a list of 5"));
  CHECK_THROWS(sub_list(whole[0], 1, 2, GraphRule::baptista_r));
}

// MeasureOptions::threads is a speed setting: every field of every rule, with the local
// coefficients, the per-node series and every closed-form notion, equals the one-thread result.
TEST_CASE("any thread count gives the one-thread measures, field for field",
          "[measures][threads]") {
  std::mt19937_64 rng(31);
  // n = 600 spans two BFS batches of 512 sources; integer coordinates give ties and duplicates.
  std::vector<RowMatrix> stack;
  for (int width : {3, 6, 2, 5}) stack.push_back(test::lattice_cloud(rng, 600, width, 5));
  const RowMatrix inputs = test::lattice_cloud(rng, 600, 4, 5);
  // Without the local coefficients, union and mutual cells are independent across layers: on 2 or
  // more threads the cells of several layers run together (layers_wanted), which this covers too.
  for (GraphRule rule : {GraphRule::knn_union, GraphRule::knn_mutual, GraphRule::baptista_r})
    for (bool local : {true, false}) {
      if (local && rule == GraphRule::baptista_r) continue;
      MeasureOptions options;
      options.k = {1, 40, 7, 3, 120};
      options.rule = rule;
      options.per_node = true;
      options.local = local;
      if (rule != GraphRule::baptista_r)
        options.curvatures = {forman, CurvatureNotion::augmented_forman,
                              CurvatureNotion::balanced_forman, CurvatureNotion::ollivier_approx};
      const auto one = measure_stack(stack, options, LayerView(inputs));
      for (int threads : {2, 3, 8}) {
        INFO("rule " << graph_rule_name(rule) << (local ? ", local" : "") << ", " << threads
                     << " threads");
        options.threads = threads;
        check_same(measure_stack(stack, options, LayerView(inputs)), one);
      }
    }
  MeasureOptions bad;
  bad.k = {3};
  bad.threads = 0;
  CHECK_THROWS_WITH(validate_layer_stack(stack, bad), Contains("threads = 0"));
  CHECK_THROWS_WITH(plan_memory(layer_views(stack), bad), Contains("threads = 0"));
}

// Which layers measure_stack measures together (MemoryPlan::layers_in_flight), without a limit.
TEST_CASE("layers in flight: where one layer's cells are too few for the threads, within memory",
          "[measures][threads][memory]") {
  std::mt19937_64 rng(5);
  std::vector<RowMatrix> stack;
  for (int l = 0; l < 10; ++l) stack.push_back(test::lattice_cloud(rng, 60, 3, 9));
  const auto views = layer_views(stack);
  MeasureOptions options;
  options.k = {50};
  // One thread: no one waits, one layer at a time.
  CHECK(plan_memory(views, options).layers_in_flight == 1);
  // 2 threads want 32 tasks; a layer of 60 points and one k offers 1, so all ten layers would
  // serve. Their extra lists may at most double the estimate of one layer at a time:
  //   lists, each layer       60 * 50 * (4 + 8) + 60 * 8                 = 36,480
  //   one layer at a time     36,480 + 36,000 (join) + 60 * 3 * 8 (panel) = 73,920 lists
  //                           + 5 * 50 * 60 * 4 + 4 * 60 * 8 + 2 * 60 * 8 = 62,880 graph
  //                           + 2 * 60 * (3 * 64 + 8 + 4)                 = 24,480 searches
  //                                                                        = 161,280
  //   (W - 1) * 36,480 <= 161,280: W = 5.
  options.threads = 2;
  CHECK(plan_memory(views, options).layers_in_flight == 5);
  const auto layers_at = [&](GraphRule rule, bool local) {
    MeasureOptions o = options;
    o.rule = rule;
    o.local = local;
    return plan_memory(views, o).layers_in_flight;
  };
  // Chained cells, one layer at a time: baptista-r's transitions, the local coefficients.
  CHECK(layers_at(GraphRule::baptista_r, false) == 1);
  CHECK(layers_at(GraphRule::knn_union, true) == 1);
  CHECK(layers_at(GraphRule::knn_mutual, false) == 5);
  // 2,000 points and 11 k offer 44 tasks a layer: enough for 2 threads, not for 16.
  std::vector<RowMatrix> wide;
  for (int l = 0; l < 5; ++l) wide.push_back(test::lattice_cloud(rng, 2000, 2, 50));
  options.k = {10, 20, 30, 50, 90, 100, 120, 150, 250, 350, 500};
  CHECK(plan_memory(layer_views(wide), options).layers_in_flight == 1);
  options.threads = 16;
  CHECK(plan_memory(layer_views(wide), options).layers_in_flight == 5);
}

TEST_CASE(
    "the memory estimate: hand-computed parts, fewer cells under a limit, a refusal naming it",
    "[measures][memory]") {
  MeasureOptions options;
  options.k = {10, 20};
  // n = 100 points, widest layer 5, Forman only, one thread, one cell in flight:
  //   lists    100 * 20 * (4 + 8) + 100 * 8 + 100 * 5 * 8            = 28,800
  //   graphs   5 * 20 * 100 * 4 + 4 * 100 * 8 + (1 + 1) * 100 * 8     = 44,800
  //   searches 1 * 100 * (3 * 64 + 8 + 4)                             = 20,400
  const MemoryEstimate one = estimate_memory(100, 5, 3, options, 1);
  CHECK(one.neighbour_lists == 28800);
  CHECK(one.graphs == 44800);
  CHECK(one.searches == 20400);
  CHECK(one.kept == 0);
  CHECK(one.total() == 94000);
  // A second cell in flight adds the k = 10 cell: 5 * 10 * 100 * 4 + 3200 + 1600.
  CHECK(estimate_memory(100, 5, 3, options, 2).graphs == 44800 + 24800);
  // Two layers in flight: the first layer's lists (24,000 + 800) while the second one's kNN runs,
  // and their two k = 20 cells come first.
  const MemoryEstimate two_layers = estimate_memory(100, 5, 3, options, 2, 2);
  CHECK(two_layers.neighbour_lists == 24800 + 28800);
  CHECK(two_layers.graphs == 2 * 44800);
  CHECK(two_layers.searches == 20400);
  CHECK_THAT(one.describe(), Contains("about 9.4e-05 GB") && Contains("graphs 4.48e-05 GB"));

  const auto stack = small_stack(5, 60);
  options.k = {8, 1, 3, 20};
  options.threads = 3;
  options.local = true;
  options.per_node = true;
  // Continuous coordinates: no tie tails, so the lists hold exactly the estimate's n k_max entries.
  std::mt19937_64 rng(9);
  std::normal_distribution<double> normal;
  std::vector<RowMatrix> smooth;
  for (int width : {3, 5, 2, 4}) {
    smooth.emplace_back(60, width);
    for (Eigen::Index i = 0; i < smooth.back().size(); ++i) smooth.back().data()[i] = normal(rng);
  }
  const auto smooth_unlimited = measure_stack(smooth, options);
  SECTION("a limit that admits one cell at a time gives the same measures") {
    options.memory_limit = estimate_memory(60, 5, smooth.size(), options, 1).total();
    check_same(measure_stack(smooth, options), smooth_unlimited);
  }
  SECTION("a limit that admits two of the four cells: partial round-robin blocks, same measures") {
    options.memory_limit = estimate_memory(60, 5, smooth.size(), options, 2).total();
    REQUIRE(estimate_memory(60, 5, smooth.size(), options, 3).total() > options.memory_limit);
    check_same(measure_stack(smooth, options), smooth_unlimited);
  }
  SECTION("independent cells: all, three (and one), two, one layer in flight, the same measures") {
    options.local = false;
    const auto alone = measure_stack(smooth, options);
    // Four layers of four slots (one BFS batch each) on 3 threads: 4 tasks a layer against 48
    // wanted, so all four at once without a limit; each limit below admits exactly in_flight.
    CHECK(plan_memory(layer_views(smooth), options).layers_in_flight == 4);
    for (std::size_t in_flight : {4, 3, 2, 1}) {
      INFO(in_flight << " layers in flight");
      options.memory_limit =
          estimate_memory(60, 5, smooth.size(), options, in_flight * options.k.size(), in_flight)
              .total();
      CHECK(plan_memory(layer_views(smooth), options).layers_in_flight == in_flight);
      check_same(measure_stack(smooth, options), alone);
    }
  }
  SECTION("tie tails with layers in flight are refused naming the first layer") {
    options.local = false;
    std::vector<RowMatrix> dead(3, RowMatrix::Zero(60, 4));
    options.memory_limit = estimate_memory(60, 4, dead.size(), options, 12, 3).total();
    REQUIRE(plan_memory(layer_views(dead), options).layers_in_flight == 3);
    CHECK_THROWS_WITH(measure_stack(dead, options),
                      Contains("layer 1: the neighbour lists would hold more than"));
  }
  SECTION("tie tails beyond the estimate are refused before they exceed the limit") {
    // 60 identical points: every row keeps all 59 others, not k_max = 20.
    std::vector<RowMatrix> dead(3, RowMatrix::Zero(60, 4));
    std::size_t widest = 4;
    options.memory_limit =
        estimate_memory(60, static_cast<index_t>(widest), dead.size(), options, 4).total();
    CHECK_THROWS_WITH(measure_stack(dead, options),
                      Contains("layer 1: the neighbour lists would hold more than") &&
                          Contains("duplicated points") && Contains("memory limit of"));
  }
  SECTION("a limit below one cell is refused before any work, with the estimate") {
    options.memory_limit = 1000;
    CHECK_THROWS_WITH(measure_stack(stack, options),
                      Contains("n = 60 points") && Contains("k up to 20") &&
                          Contains("need about") && Contains("memory limit of 1e-06 GB"));
  }
}
