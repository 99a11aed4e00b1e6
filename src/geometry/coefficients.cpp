#include "ricci/geometry/coefficients.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <cassert>
#include <cmath>
#include <limits>
#include <vector>

namespace ricci::geometry {

std::string_view reason_name(CoefficientReason reason) {
  switch (reason) {
    case CoefficientReason::none:
      return "none";
    case CoefficientReason::disconnected:
      return "disconnected";
    case CoefficientReason::too_few_layers:
      return "too-few-layers";
    case CoefficientReason::zero_variance:
      return "zero-variance";
    case CoefficientReason::perfect_correlation:
      return "perfect-correlation";
  }
  return "?";
}

std::optional<double> pearson(std::span<const double> x, std::span<const double> y) {
  assert(x.size() == y.size());
  const std::size_t m = x.size();
  if (m < 2) return std::nullopt;
  double mean_x = 0, mean_y = 0;
  for (std::size_t i = 0; i < m; ++i) {
    mean_x += x[i];
    mean_y += y[i];
  }
  mean_x /= static_cast<double>(m);
  mean_y /= static_cast<double>(m);
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const double dx = x[i] - mean_x, dy = y[i] - mean_y;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0 || syy == 0) return std::nullopt;
  // Rounding can push |r| a hair past 1 for exactly collinear data.
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

double pearson_p_value(double r, std::size_t m) {
  assert(m >= 3);
  if (std::abs(r) >= 1.0) return 0.0;
  const double df = static_cast<double>(m - 2);
  const double t = std::abs(r) * std::sqrt(df / (1.0 - r * r));
  return 2.0 * boost::math::cdf(boost::math::complement(boost::math::students_t(df), t));
}

void append_eta_ric_pairs(std::span<const double> g, std::span<const double> ric,
                          std::vector<double>& eta, std::vector<double>& ric_out) {
  assert(g.size() == ric.size());
  // The curvature of layer l pairs with the change of geodesic mass from l to l+1.
  for (std::size_t l = 0; l + 1 < g.size(); ++l) {
    eta.push_back(g[l + 1] - g[l]);
    ric_out.push_back(ric[l]);
  }
}

std::optional<double> pooled_ricci_coefficient(std::span<const LayerSeries> runs) {
  std::vector<double> eta, ric;
  for (const auto& run : runs) append_eta_ric_pairs(run.g, run.ric, eta, ric);
  return pearson(eta, ric);
}

RicciCoefficient ricci_coefficient(std::span<const double> g, std::span<const double> ric) {
  assert(g.size() == ric.size());
  constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
  RicciCoefficient out{undefined, undefined, undefined, undefined, CoefficientReason::none};
  const std::size_t layers = g.size();

  for (double value : g)
    if (std::isnan(value)) {
      out.reason = CoefficientReason::disconnected;
      return out;
    }
  if (layers < 3) {
    out.reason = CoefficientReason::too_few_layers;
    return out;
  }
  std::vector<double> eta, paired_ric;
  append_eta_ric_pairs(g, ric, eta, paired_ric);
  const auto rho = pearson(eta, paired_ric);
  if (!rho) {
    out.reason = CoefficientReason::zero_variance;
    return out;
  }
  out.rho = *rho;
  if (layers < 4) {
    out.reason = CoefficientReason::too_few_layers;
    return out;
  }
  out.p = pearson_p_value(out.rho, layers - 1);
  if (layers < 5) {
    out.reason = CoefficientReason::too_few_layers;
    return out;
  }
  if (std::abs(out.rho) >= 1.0) {
    out.reason = CoefficientReason::perfect_correlation;
    return out;
  }
  const double scale = std::sqrt(static_cast<double>(layers) - 4.0);
  out.z = std::atanh(out.rho) / scale;
  out.fisher = std::atanh(out.rho) * scale;
  return out;
}

}  // namespace ricci::geometry
