#include "ricci/analysis/statistics.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "ricci/core/error.hpp"
#include "ricci/geometry/coefficients.hpp"

namespace ricci::analysis {

namespace {
constexpr double undefined = std::numeric_limits<double>::quiet_NaN();

double two_sided_t_p(double t, double df) {
  return 2.0 * boost::math::cdf(boost::math::complement(boost::math::students_t(df), std::abs(t)));
}
}  // namespace

double mean(std::span<const double> values) {
  if (values.empty()) return undefined;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double median(std::span<const double> values) {
  if (values.empty()) return undefined;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t m = sorted.size();
  return m % 2 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
}

PairedTest paired_t_test(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size())
    throw Error("analysis", "paired test of " + std::to_string(x.size()) + " and " +
                                std::to_string(y.size()) + " values");
  PairedTest out;
  out.n = x.size();
  std::vector<double> difference(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) difference[i] = x[i] - y[i];
  out.mean_difference = mean(difference);
  out.t = out.p = undefined;
  if (out.n < 2) return out;
  double squares = 0;
  for (double d : difference) squares += (d - out.mean_difference) * (d - out.mean_difference);
  const double df = static_cast<double>(out.n - 1);
  const double standard_error = std::sqrt(squares / df / static_cast<double>(out.n));
  if (!(standard_error > 0)) return out;
  out.t = out.mean_difference / standard_error;
  out.p = two_sided_t_p(out.t, df);
  return out;
}

std::vector<double> average_ranks(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Positions start..end-1 hold ranks start+1..end; ties share their mean.
    const double shared = 0.5 * static_cast<double>(start + 1 + end);
    for (std::size_t i = start; i < end; ++i) ranks[order[i]] = shared;
    start = end;
  }
  return ranks;
}

Correlation spearman(std::span<const double> x, std::span<const double> y) {
  Correlation out{undefined, undefined, x.size()};
  if (x.size() < 3) return out;
  const auto rx = average_ranks(x), ry = average_ranks(y);
  const auto rho = geometry::pearson(rx, ry);
  if (!rho) return out;
  out.rho = *rho;
  out.p = geometry::pearson_p_value(*rho, x.size());
  return out;
}

OlsFit ordinary_least_squares(const Eigen::MatrixXd& design, const Eigen::VectorXd& response,
                              const std::vector<std::string>& names) {
  const auto n = static_cast<std::size_t>(design.rows()),
             parameters = static_cast<std::size_t>(design.cols());
  if (n <= parameters)
    throw Error("analysis",
                "least squares needs more observations than parameters: " + std::to_string(n) +
                    " observations, " + std::to_string(parameters) + " parameters");
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(design);
  if (static_cast<std::size_t>(qr.rank()) < parameters)
    throw Error("analysis", "the design matrix has linearly dependent columns (rank " +
                                std::to_string(qr.rank()) + " of " + std::to_string(parameters) +
                                "); a categorical level may be confounded with another");
  const Eigen::VectorXd beta = qr.solve(response);
  const Eigen::VectorXd residual = response - design * beta;
  const double df = static_cast<double>(n - parameters);
  const double sigma2 = residual.squaredNorm() / df;
  const Eigen::MatrixXd covariance = sigma2 * (design.transpose() * design).inverse();
  OlsFit fit;
  fit.n = n;
  fit.parameters = parameters;
  const double centred = (response.array() - response.mean()).square().sum();
  fit.r_squared = centred > 0 ? 1.0 - residual.squaredNorm() / centred : undefined;
  for (std::size_t j = 0; j < parameters; ++j) {
    OlsTerm term;
    term.name = names[j];
    term.coefficient = beta(static_cast<Eigen::Index>(j));
    term.std_error =
        std::sqrt(covariance(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(j)));
    term.t = term.std_error > 0 ? term.coefficient / term.std_error : undefined;
    term.p = std::isfinite(term.t) ? two_sided_t_p(term.t, df) : undefined;
    fit.terms.push_back(term);
  }
  return fit;
}

}  // namespace ricci::analysis
