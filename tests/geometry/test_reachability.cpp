// The reference R code's transition rule (docs/method.md §3, "Connectivity under baptista-r"),
// checked on hand-made partitions against the values the R code's IEEE arithmetic gives, and its
// use in measure_stack (the input transition, excluded_at, eta indexing).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "ricci/core/error.hpp"
#include "ricci/geometry/geodesics.hpp"
#include "ricci/geometry/measure_stack.hpp"
#include "ricci/geometry/reachability.hpp"

using namespace ricci;
using namespace ricci::geometry;
using Catch::Matchers::Contains;

namespace {

struct Reach {
  std::vector<index_t> component;
  std::vector<std::uint64_t> row_sum;
  LayerReach view() const { return {component, row_sum}; }
};

}  // namespace

TEST_CASE("R transition: the same partition gives the change of within-component row sums",
          "[reachability]") {
  // {0,1,2} and {3,4} before and after. Row sums before 3,2,3,1,1; after 4,4,4,1,1: the row
  // differences are 1,2,1,0,0 (unreachable pairs are Inf - Inf = NaN and drop out).
  const Reach before{{0, 0, 0, 3, 3}, {3, 2, 3, 1, 1}}, after{{0, 0, 0, 3, 3}, {4, 4, 4, 1, 1}};
  const Transition t = reference_r_transition(before.view(), after.view());
  CHECK(t.eta == 4);
  CHECK_FALSE(t.excluded);
  CHECK(t.finite_rows == 5);
  CHECK(t.shrunk_rows + t.grown_rows + t.undefined_rows == 0);
}

TEST_CASE("R transition: a split is +Inf rows only and excludes the run, a merge -Inf rows",
          "[reachability]") {
  // Connected {0..3} splits into {0,1} and {2,3}: every row loses points (Inf - x = +Inf).
  const Reach whole{{0, 0, 0, 0}, {6, 4, 4, 6}}, halves{{0, 0, 2, 2}, {1, 1, 1, 1}};
  const Transition split = reference_r_transition(whole.view(), halves.view());
  CHECK(split.excluded);
  CHECK(split.eta == std::numeric_limits<double>::infinity());
  CHECK(split.shrunk_rows == 4);
  const Transition merge = reference_r_transition(halves.view(), whole.view());
  CHECK(merge.excluded);
  CHECK(merge.eta == -std::numeric_limits<double>::infinity());
  CHECK(merge.grown_rows == 4);
  // A split of one component beside an unchanged one: finite rows remain, but the mean is +Inf.
  const Reach before{{0, 0, 0, 0, 4, 4}, {6, 4, 4, 6, 1, 1}},
      after{{0, 0, 2, 2, 4, 4}, {1, 1, 1, 1, 1, 1}};
  const Transition partly = reference_r_transition(before.view(), after.view());
  CHECK(partly.excluded);
  CHECK(partly.finite_rows == 2);
  CHECK(partly.shrunk_rows == 4);
}

TEST_CASE("R transition: a split and a merge at one transition give eta = NaN, run kept",
          "[reachability]") {
  // {0,1},{2,3},{4} -> {0,1,4},{2},{3}: rows 0,1,4 gain (-Inf), rows 2,3 lose (+Inf); the mean of
  // rows of both signs is NaN, not +-Inf, so R keeps the run and the pair drops out.
  const Reach before{{0, 0, 2, 2, 4}, {1, 1, 1, 1, 0}}, after{{0, 0, 2, 3, 0}, {3, 3, 0, 0, 4}};
  const Transition t = reference_r_transition(before.view(), after.view());
  CHECK_FALSE(t.excluded);
  CHECK(std::isnan(t.eta));
  CHECK(t.grown_rows == 3);
  CHECK(t.shrunk_rows == 2);
}

TEST_CASE("R transition: every row both losing and gaining gives NaN rows only", "[reachability]") {
  // {0,1},{2,3} -> {0,2},{1,3}: each row holds +Inf and -Inf entries, so every row is NaN.
  const Reach before{{0, 0, 2, 2}, {1, 1, 1, 1}}, after{{0, 1, 0, 1}, {1, 1, 1, 1}};
  const Transition t = reference_r_transition(before.view(), after.view());
  CHECK_FALSE(t.excluded);
  CHECK(std::isnan(t.eta));
  CHECK(t.undefined_rows == 4);
  CHECK(t.finite_rows == 0);
}

TEST_CASE("R transition: graphs on different point sets are refused", "[reachability]") {
  const Reach three{{0, 0, 0}, {2, 2, 2}}, two{{0, 0}, {1, 1}};
  CHECK_THROWS_WITH(reference_r_transition(three.view(), two.view()),
                    Contains("same points") && Contains("3 and 2"));
}

TEST_CASE("component labels are the smallest vertex of each component", "[reachability]") {
  // Edges 0-3, 1-4, 3-5 (symmetric): components {0,3,5}, {1,4}, {2}.
  std::vector<std::pair<index_t, index_t>> edges{{0, 3}, {3, 0}, {1, 4}, {4, 1}, {3, 5}, {5, 3}};
  std::sort(edges.begin(), edges.end());
  const CsrGraph graph(boost::edges_are_sorted, edges.begin(), edges.end(), 6);
  CHECK(component_labels(graph) == std::vector<index_t>{0, 1, 2, 0, 1, 0});
  CHECK(count_components(graph) == 3);
}

TEST_CASE("measure_stack under baptista-r: the input transition, eta indexing, excluded_at",
          "[reachability][measures]") {
  // Four points on a line, k = 1. Every hidden layer holds two far-apart pairs {0,1}, {2,3}: split
  // the same way everywhere. Inputs split the same way keep the run. Inputs on a chain of equal
  // gaps 0-1-2-3 are connected at k = 1 (ties kept: 1 points to 0 and 2, 2 to 1 and 3), and
  // layer 1 splits them: the run is excluded at transition 0.
  RowMatrix pairs(4, 1), pairs_wider(4, 1), chain(4, 1);
  pairs << 0, 1, 10, 11;
  pairs_wider << 0, 2, 20, 22;
  chain << 0, 1, 2, 3;
  const std::vector<RowMatrix> hidden{pairs, pairs_wider, pairs};
  MeasureOptions options;
  options.k = {1};
  options.rule = GraphRule::baptista_r;

  SECTION("without inputs: eta_0 is NaN, the hidden transitions are within-component changes") {
    const auto slot = measure_stack(hidden, options).front();
    REQUIRE(slot.eta.size() == 3);
    CHECK(std::isnan(slot.eta[0]));
    CHECK_FALSE(slot.input.has_value());
    // Each pair is a reciprocal arc pair in every layer: within-component distances stay 1.
    CHECK(slot.eta[1] == 0);
    CHECK(slot.eta[2] == 0);
    CHECK(slot.exclusion == CoefficientReason::none);
    CHECK(slot.excluded_at == -1);
  }
  SECTION("inputs split the same way: eta_0 finite, kept") {
    const auto slot = measure_stack(hidden, options, LayerView(pairs)).front();
    REQUIRE(slot.input.has_value());
    CHECK(slot.input->components == 2);
    CHECK(slot.input->curvature.empty());
    CHECK(slot.eta[0] == 0);
    CHECK(slot.exclusion == CoefficientReason::none);
  }
  SECTION("connected inputs that layer 1 splits: excluded at transition 0") {
    const auto slot = measure_stack(hidden, options, LayerView(chain)).front();
    REQUIRE(slot.input.has_value());
    CHECK(slot.input->components == 1);
    CHECK(slot.eta[0] == std::numeric_limits<double>::infinity());
    CHECK(slot.exclusion == CoefficientReason::reachability_changed);
    CHECK(slot.excluded_at == 0);
    CHECK(slot.coefficient(CurvatureNotion::forman).reason ==
          CoefficientReason::reachability_changed);
    CHECK(std::isnan(slot.coefficient(CurvatureNotion::forman).rho));
  }
  SECTION("the inputs are ignored by the other conventions") {
    options.rule = GraphRule::knn_union;
    const auto slot = measure_stack(hidden, options, LayerView(chain)).front();
    CHECK_FALSE(slot.input.has_value());
    CHECK(std::isnan(slot.eta[0]));
    CHECK(slot.exclusion == CoefficientReason::disconnected);
  }
}
