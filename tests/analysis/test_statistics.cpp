#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "ricci/analysis/statistics.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/coefficients.hpp"

using namespace ricci;

TEST_CASE("pooled coefficient pools pairs without per-run centring - hand-computed", "[analysis]") {
  // Run A: eta = (8-10, 7-8) = (-2, -1) with Ric (-2, -1); run B: eta = (0, 4) with Ric (1, 3).
  // Pairs (-2,-2) (-1,-1) (0,1) (4,3): means 0.25, 0.25; sxy = 16.75, sxx = 20.75, syy = 14.75.
  const std::vector<double> eta_a = geometry::eta_from_geodesic_mass(std::vector<double>{10, 8, 7}),
                            ric_a{-2, -1, 5},
                            eta_b = geometry::eta_from_geodesic_mass(std::vector<double>{5, 5, 9}),
                            ric_b{1, 3, -7};
  CHECK(eta_a == std::vector<double>{-2, -1});
  const std::vector<geometry::PairSeries> runs{{eta_a, ric_a}, {eta_b, ric_b}};
  const auto rho = geometry::pooled_ricci_coefficient(runs);
  REQUIRE(rho);
  CHECK(*rho == Approx(16.75 / std::sqrt(20.75 * 14.75)).epsilon(1e-14));
  // Each run alone is perfectly correlated (centring per run would give 1, pooling does not), but
  // two pairs are too few for a pooled coefficient, as for R's cor.test.
  CHECK_FALSE(
      geometry::pooled_ricci_coefficient(std::vector<geometry::PairSeries>{{eta_a, ric_a}}));
  CHECK_FALSE(geometry::pooled_ricci_coefficient(std::vector<geometry::PairSeries>{}));
}

TEST_CASE("pooled coefficient keeps complete pairs only, as R's cor.test", "[analysis]") {
  // Run C's middle transition is undefined (NaN): its pair drops out, so the pooled pairs are those
  // of the test above plus nothing from C but (6, 2): means (-2-1+0+4+6)/5 = 1.4 and
  // (-2-1+1+3+2)/5 = 0.6.
  const double nan = std::nan("");
  const std::vector<double> eta_a{-2, -1}, ric_a{-2, -1, 5}, eta_b{0, 4}, ric_b{1, 3, -7},
      eta_c{nan, 6}, ric_c{100, 2, 0};
  const std::vector<geometry::PairSeries> runs{{eta_a, ric_a}, {eta_b, ric_b}, {eta_c, ric_c}};
  const std::vector<double> x{-2, -1, 0, 4, 6}, y{-2, -1, 1, 3, 2};
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - 1.4) * (y[i] - 0.6);
    sxx += (x[i] - 1.4) * (x[i] - 1.4);
    syy += (y[i] - 0.6) * (y[i] - 0.6);
  }
  CHECK(*geometry::pooled_ricci_coefficient(runs) ==
        Approx(sxy / std::sqrt(sxx * syy)).epsilon(1e-14));
}

TEST_CASE("median and average ranks - hand-computed", "[analysis]") {
  CHECK(analysis::median(std::vector<double>{3, 1, 2}) == 2);
  CHECK(analysis::median(std::vector<double>{4, 1, 3, 2}) == 2.5);
  CHECK(std::isnan(analysis::median(std::vector<double>{})));
  CHECK(analysis::mean(std::vector<double>{1, 2, 6}) == 3);
  // 10 20 10 30 10: the three 10s share ranks 1..3 -> 2; 20 -> 4; 30 -> 5.
  CHECK(analysis::average_ranks(std::vector<double>{10, 20, 10, 30, 10}) ==
        std::vector<double>{2, 4, 2, 5, 2});
}

TEST_CASE("Spearman correlation - hand-computed", "[analysis]") {
  // Ranks x (1,2,3,4) and y (1,3,2,4): Pearson of the ranks = 0.8, p = 1 - |r| with 2 df.
  const auto c =
      analysis::spearman(std::vector<double>{0.1, 5, 7, 100}, std::vector<double>{-3, 8, 2, 9});
  CHECK(c.rho == Approx(0.8).epsilon(1e-14));
  CHECK(c.p == Approx(0.2).epsilon(1e-12));
  CHECK(c.n == 4);
  CHECK(std::isnan(analysis::spearman(std::vector<double>{1, 2}, std::vector<double>{2, 1}).rho));
}

TEST_CASE("ordinary least squares - hand-computed", "[analysis]") {
  // x = 0..3, y = 1 3 2 5: slope = sxy/sxx = 5.5/5 = 1.1, intercept = 2.75 - 1.1 * 1.5 = 1.1;
  // residuals -0.1 0.8 -1.3 0.6, RSS = 2.7, sigma^2 = 1.35 (2 df);
  // se(slope) = sqrt(1.35/5), se(intercept) = sqrt(1.35 (1/4 + 1.5^2/5)); with 2 df, p = 1 -
  // |t|/sqrt(t^2+2).
  Eigen::MatrixXd x(4, 2);
  x << 1, 0, 1, 1, 1, 2, 1, 3;
  Eigen::VectorXd y(4);
  y << 1, 3, 2, 5;
  const auto fit = analysis::ordinary_least_squares(x, y, {"intercept", "x"});
  REQUIRE(fit.terms.size() == 2);
  const auto& slope = fit.terms[1];
  CHECK(slope.coefficient == Approx(1.1).epsilon(1e-13));
  CHECK(fit.terms[0].coefficient == Approx(1.1).epsilon(1e-13));
  CHECK(slope.std_error == Approx(std::sqrt(1.35 / 5)).epsilon(1e-13));
  CHECK(fit.terms[0].std_error == Approx(std::sqrt(1.35 * (0.25 + 2.25 / 5))).epsilon(1e-13));
  const double t = 1.1 / std::sqrt(1.35 / 5);
  CHECK(slope.t == Approx(t).epsilon(1e-13));
  CHECK(slope.p == Approx(1 - t / std::sqrt(t * t + 2)).epsilon(1e-10));
  CHECK(fit.r_squared == Approx(1 - 2.7 / 8.75).epsilon(1e-13));  // syy = 8.75
}

TEST_CASE("ordinary least squares refuses what it cannot identify", "[analysis]") {
  Eigen::MatrixXd dependent(4, 3);
  dependent << 1, 0, 0, 1, 1, 2, 1, 2, 4, 1, 3, 6;
  Eigen::VectorXd y(4);
  y << 1, 3, 2, 5;
  CHECK_THROWS_WITH(analysis::ordinary_least_squares(dependent, y, {"a", "b", "c"}),
                    Catch::Contains("linearly dependent"));
  Eigen::MatrixXd square = Eigen::MatrixXd::Identity(2, 2);
  CHECK_THROWS_WITH(analysis::ordinary_least_squares(square, Eigen::VectorXd::Ones(2), {"a", "b"}),
                    Catch::Contains("2 observations, 2 parameters"));
}
