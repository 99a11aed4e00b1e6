#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "ricci/geometry/coefficients.hpp"

using namespace ricci::geometry;

namespace {
constexpr double missing = std::numeric_limits<double>::quiet_NaN();
}

TEST_CASE("Pearson correlation - hand-computed", "[coefficients]") {
  CHECK(*pearson(std::vector<double>{1, 2, 3}, std::vector<double>{2, 4, 6}) == Approx(1.0));
  CHECK(*pearson(std::vector<double>{1, 2, 3}, std::vector<double>{3, 2, 1}) == Approx(-1.0));
  // dx = dy-permuted (-1.5,-.5,.5,1.5): sxy = 4, sxx = syy = 5
  CHECK(*pearson(std::vector<double>{1, 2, 3, 4}, std::vector<double>{1, 3, 2, 4}) ==
        Approx(0.8).epsilon(1e-15));
  CHECK_FALSE(pearson(std::vector<double>{1, 1, 1}, std::vector<double>{1, 2, 3}));
  CHECK_FALSE(pearson(std::vector<double>{1}, std::vector<double>{2}));
}

TEST_CASE("p-values in closed form", "[coefficients]") {
  // 2 degrees of freedom: P(|T| > t) = 1 - t / sqrt(t^2 + 2), which for t from r is 1 - |r|.
  CHECK(pearson_p_value(0.8, 4) == Approx(0.2).epsilon(1e-12));
  CHECK(pearson_p_value(-0.3, 4) == Approx(0.7).epsilon(1e-12));
  // 1 degree of freedom (Cauchy): p = 1 - 2 asin(|r|) / pi.
  CHECK(pearson_p_value(0.5, 3) == Approx(1.0 - 2.0 * std::asin(0.5) / M_PI).epsilon(1e-12));
  CHECK(pearson_p_value(1.0, 5) == 0.0);
}

TEST_CASE("Ricci coefficient of a 5-layer run - hand-computed", "[coefficients]") {
  // eta = g(l+1) - g(l) = 1, 2, 3, 4; Ric(1..4) = 1, 3, 2, 4 -> rho = 0.8, p = 0.2 (2 df),
  // z = fisher = artanh(0.8) = ln(9)/2 since sqrt(L - 4) = 1.
  const std::vector<double> g{10, 11, 13, 16, 20}, ric{1, 3, 2, 4, -100};
  const auto c = ricci_coefficient(g, ric);
  CHECK(c.reason == CoefficientReason::none);
  CHECK(c.rho == Approx(0.8).epsilon(1e-14));
  CHECK(c.p == Approx(0.2).epsilon(1e-12));
  CHECK(c.z == Approx(std::log(9.0) / 2).epsilon(1e-12));
  CHECK(c.fisher == Approx(std::log(9.0) / 2).epsilon(1e-12));
}

TEST_CASE("Ricci coefficient of a 6-layer run scales z and fisher by sqrt(2)", "[coefficients]") {
  const std::vector<double> g{0, 1, 3, 6, 10, 15}, ric{1, 3, 2, 4, 5, 0};  // eta = 1..5
  const auto c = ricci_coefficient(g, ric);
  // Pearson(1..5, 1,3,2,4,5): sxy = 9, sxx = syy = 10
  CHECK(c.rho == Approx(0.9).epsilon(1e-14));
  CHECK(c.z == Approx(std::atanh(0.9) / std::sqrt(2.0)).epsilon(1e-12));
  CHECK(c.fisher == Approx(std::atanh(0.9) * std::sqrt(2.0)).epsilon(1e-12));
}

TEST_CASE("undefined coefficients carry a reason", "[coefficients]") {
  SECTION("a disconnected layer") {
    const auto c = ricci_coefficient(std::vector<double>{1, missing, 3, 4, 5},
                                     std::vector<double>{1, 2, 3, 4, 5});
    CHECK(c.reason == CoefficientReason::disconnected);
    CHECK(std::isnan(c.rho));
    CHECK(std::isnan(c.p));
  }
  SECTION("fewer than 3 layers") {
    const auto c = ricci_coefficient(std::vector<double>{1, 2}, std::vector<double>{1, 2});
    CHECK(c.reason == CoefficientReason::too_few_layers);
    CHECK(std::isnan(c.rho));
  }
  SECTION("3 layers: rho only (two points)") {
    const auto c = ricci_coefficient(std::vector<double>{1, 2, 4}, std::vector<double>{5, 3, 0});
    CHECK(c.rho == Approx(-1.0));
    CHECK(std::isnan(c.p));
    CHECK(c.reason == CoefficientReason::too_few_layers);
  }
  SECTION("4 layers: rho and p, no z") {
    const auto c =
        ricci_coefficient(std::vector<double>{0, 1, 3, 6}, std::vector<double>{1, 3, 2, 0});
    CHECK(std::isfinite(c.rho));
    CHECK(std::isfinite(c.p));
    CHECK(std::isnan(c.z));
    CHECK(std::isnan(c.fisher));
    CHECK(c.reason == CoefficientReason::too_few_layers);
  }
  SECTION("constant curvature") {
    const auto c =
        ricci_coefficient(std::vector<double>{0, 1, 3, 6, 10}, std::vector<double>{2, 2, 2, 2, 9});
    CHECK(c.reason == CoefficientReason::zero_variance);
  }
  SECTION("constant eta") {
    const auto c =
        ricci_coefficient(std::vector<double>{0, 2, 4, 6, 8}, std::vector<double>{1, 2, 3, 4, 5});
    CHECK(c.reason == CoefficientReason::zero_variance);
  }
  SECTION("perfect correlation: rho = 1, p = 0, z infinite") {
    const auto c =
        ricci_coefficient(std::vector<double>{0, 1, 3, 6, 10}, std::vector<double>{2, 4, 6, 8, 0});
    CHECK(c.rho == Approx(1.0));
    CHECK(c.p == 0.0);
    CHECK(std::isnan(c.z));
    CHECK(c.reason == CoefficientReason::perfect_correlation);
  }
  CHECK(reason_name(CoefficientReason::zero_variance) == "zero-variance");
}
