// geometry::analyze_stack (which layers are measured, Forman beside the requested notions) and
// geometry::pool_stacks (the pooled coefficient per k and k*), against hand-computed values.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/analyze_stack.hpp"

using namespace ricci;
using namespace ricci::geometry;
using Catch::Matchers::Contains;

namespace {

constexpr double undefined = std::numeric_limits<double>::quiet_NaN();

// A k slot holding only what pooling reads: Forman's Ric_l, eta_0..eta_{L-1} and the exclusion.
MeasuresAtK slot(index_t k, std::vector<double> ric, std::vector<double> eta,
                 CoefficientReason exclusion = CoefficientReason::none) {
  MeasuresAtK out;
  out.k = k;
  for (double r : ric) {
    LayerMeasures layer;
    layer.curvature.push_back({CurvatureNotion::forman, r, {}});
    out.layers.push_back(layer);
  }
  out.eta = std::move(eta);
  out.exclusion = exclusion;
  return out;
}

}  // namespace

TEST_CASE("pool_stacks pools the accepted stacks per k and picks k* - hand-computed",
          "[geometry][analyze_stack]") {
  StackAnalysis a, b;
  // k = 5: pairs (1, 3), (2, 5) from a and (3, 4) from b: Pearson = 1 / sqrt(2 * 2) = 0.5.
  // k = 7: b is excluded, a alone has two pairs: undefined.
  // k = 9: pairs (1, 5), (2, 3), (3, 4): Pearson = -1 / 2.
  a.at_each_k = {slot(5, {3, 5, 100}, {undefined, 1, 2}), slot(7, {3, 5, 100}, {undefined, 1, 2}),
                 slot(9, {5, 3, 100}, {undefined, 1, 2})};
  b.at_each_k = {slot(5, {4, 100}, {undefined, 3}),
                 slot(7, {4, 100}, {undefined, 3}, CoefficientReason::disconnected),
                 slot(9, {4, 100}, {undefined, 3})};
  const std::vector<StackAnalysis> stacks{a, b};
  const PooledAnalysis pooled = pool_stacks(stacks);
  REQUIRE(pooled.at_each_k.size() == 3);
  CHECK(pooled.at_each_k[0].k == 5);
  CHECK(pooled.at_each_k[0].rho.value() == Approx(0.5).margin(1e-15));
  CHECK(pooled.at_each_k[0].stacks == 2);
  CHECK_FALSE(pooled.at_each_k[1].rho.has_value());
  CHECK(pooled.at_each_k[1].stacks == 1);
  CHECK(pooled.at_each_k[2].rho.value() == Approx(-0.5).margin(1e-15));
  CHECK(pooled.k_star == 9);

  CHECK_THROWS_WITH(pool_stacks(std::vector<StackAnalysis>{}), Contains("no stacks to pool"));
  b.at_each_k.pop_back();
  CHECK_THROWS_WITH(pool_stacks(std::vector<StackAnalysis>{a, b}), Contains("different k"));
}

TEST_CASE("analyze_stack measures the list it is asked for - hand-computed",
          "[geometry][analyze_stack]") {
  // Points on a line at 0 1 2 3: at k = 1 every layer is the path 0-1-2-3 (3 edges, g = 10).
  const RowMatrix x = test::line({0, 1, 2, 3});
  const RowMatrix doubled = 2 * x;
  const std::vector<LayerView> hidden{x, doubled, x};
  AnalysisOptions options;
  options.k = {1};
  options.notions = {CurvatureNotion::augmented_forman};

  SECTION("the hidden layers, Forman computed beside the requested notion") {
    const StackAnalysis stack = analyze_stack({hidden, {}, std::nullopt, std::nullopt}, options);
    CHECK(stack.n == 4);
    CHECK(stack.hidden_layers == 3);
    CHECK(stack.first_layer == 1);
    CHECK(stack.names == std::vector<std::string>{"layer_01", "layer_02", "layer_03"});
    CHECK_FALSE(stack.has_input);
    REQUIRE(stack.at_each_k.size() == 1);
    const MeasuresAtK& k1 = stack.at_each_k.front();
    CHECK(k1.notions ==
          std::vector<CurvatureNotion>{CurvatureNotion::forman, CurvatureNotion::augmented_forman});
    REQUIRE(k1.layers.size() == 3);
    // Forman on the path: edges 0-1 and 2-3 give 4 - 1 - 2 = 1, edge 1-2 gives 0: Ric = 2.
    CHECK(k1.layers[1].curvature_total(CurvatureNotion::forman) == 2);
    CHECK(k1.layers[1].g == 10);
  }
  SECTION("the follow-up's list: layer_00, the hidden layers, output") {
    const RowMatrix output = test::points({{0}, {1}, {2}, {3}});
    options.layer_list = LayerList::all;
    const StackAnalysis stack = analyze_stack({hidden, {"a", "b", "c"}, x, output}, options);
    CHECK(stack.first_layer == 0);
    CHECK(stack.hidden_layers == 3);
    CHECK(stack.names == std::vector<std::string>{"layer_00", "a", "b", "c", "output"});
    CHECK(stack.at_each_k.front().layers.size() == 5);
    CHECK_THROWS_WITH(analyze_stack({hidden, {}, std::nullopt, output}, options),
                      Contains("the stack has no layer_00 (the list is layer_00"));
    CHECK_THROWS_WITH(analyze_stack({hidden, {}, std::nullopt, std::nullopt}, options),
                      Contains("no layer_00 and output"));
    options.rule = GraphRule::baptista_r;
    options.notions = {CurvatureNotion::forman};
    CHECK_THROWS_WITH(analyze_stack({hidden, {}, x, output}, options),
                      Contains("baptista-r has its own input transition"));
  }
  SECTION("baptista-r measures the inputs as layer 0") {
    options.rule = GraphRule::baptista_r;
    options.notions = {CurvatureNotion::forman};
    const StackLayers layers{hidden, {}, x, std::nullopt};
    CHECK(measures_input_layer(layers, options));
    const StackAnalysis stack = analyze_stack(layers, options);
    CHECK(stack.has_input);
    REQUIRE(stack.at_each_k.front().input.has_value());
    // Under baptista-r at k = 1 each point has one out-arc (ties kept: 1 and 2 have two nearest).
    CHECK(stack.at_each_k.front().input->edges == 6);
  }
  SECTION("names must match the hidden layers") {
    CHECK_THROWS_WITH(analyze_stack({hidden, {"a"}, std::nullopt, std::nullopt}, options),
                      Contains("1 names for 3 hidden layers"));
  }
  CHECK(stack_layer_name(0) == "layer_00");
  CHECK(stack_layer_name(7) == "layer_07");
  CHECK(stack_layer_name(123) == "layer_123");
}
