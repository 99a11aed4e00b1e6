#pragma once
// The statistics of post-hoc analysis: medians, rank correlation, ordinary least squares. Pure
// computation on numbers; knows nothing of results files.
#include <span>
#include <string>
#include <vector>

#include <Eigen/Dense>

namespace ricci::analysis {

// NaN for an empty input.
double mean(std::span<const double> values);
double median(std::span<const double> values);

// 1-based ranks; tied values share the mean of their ranks.
std::vector<double> average_ranks(std::span<const double> values);

struct Correlation {
  double rho = 0;  // NaN when undefined (fewer than 3 points or a constant variable)
  double p = 0;    // two-sided, t approximation with n - 2 degrees of freedom
  std::size_t n = 0;
};
// Spearman's rank correlation: Pearson's correlation of the average ranks.
Correlation spearman(std::span<const double> x, std::span<const double> y);

// Student's paired t-test of x - y (x[i] and y[i] measured on the same unit).
struct PairedTest {
  std::size_t n = 0;
  double mean_difference = 0;  // mean of x - y; NaN when n = 0
  double t = 0, p = 0;         // n - 1 degrees of freedom, p two-sided; NaN when n < 2 or the
                               // differences are all equal
};
PairedTest paired_t_test(std::span<const double> x, std::span<const double> y);

struct OlsTerm {
  std::string name;
  double coefficient = 0, std_error = 0, t = 0,
         p = 0;  // p two-sided, n - parameters degrees of freedom
};
struct OlsFit {
  std::size_t n = 0, parameters = 0;
  double r_squared = 0;
  std::vector<OlsTerm> terms;  // one per column of the design matrix, in order
};
// Ordinary least squares y ~ X (X holds the intercept column when one is wanted). Throws
// ricci::Error("analysis", ...) when n <= parameters or the columns are linearly dependent.
OlsFit ordinary_least_squares(const Eigen::MatrixXd& design, const Eigen::VectorXd& response,
                              const std::vector<std::string>& names);

}  // namespace ricci::analysis
