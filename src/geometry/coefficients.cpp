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
    case CoefficientReason::reachability_changed:
      return "reachability-changed";
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

std::vector<double> eta_from_geodesic_mass(std::span<const double> g) {
  std::vector<double> eta;
  for (std::size_t l = 0; l + 1 < g.size(); ++l) eta.push_back(g[l + 1] - g[l]);
  return eta;
}

namespace {

// The complete pairs of one run, appended.
void append_complete_pairs(std::span<const double> eta, std::span<const double> ric,
                           std::vector<double>& eta_out, std::vector<double>& ric_out) {
  assert(ric.size() >= eta.size());
  for (std::size_t l = 0; l < eta.size(); ++l)
    if (!std::isnan(eta[l])) {
      eta_out.push_back(eta[l]);
      ric_out.push_back(ric[l]);
    }
}

}  // namespace

std::optional<double> pooled_ricci_coefficient(std::span<const PairSeries> runs) {
  std::vector<double> eta, ric;
  for (const auto& run : runs) append_complete_pairs(run.eta, run.ric, eta, ric);
  // Two points always correlate perfectly, and k* would pick such a scale: like R's cor.test,
  // which the reference code calls, a pooled coefficient needs three pairs.
  if (eta.size() < 3) return std::nullopt;
  return pearson(eta, ric);
}

std::optional<index_t> select_scale(std::span<const ScaleCoefficient> scales) {
  std::optional<index_t> best_k;
  double best = 0;
  for (const ScaleCoefficient& scale : scales) {
    if (!scale.rho) continue;
    if (!best_k || *scale.rho < best || (*scale.rho == best && scale.k < *best_k)) {
      best_k = scale.k;
      best = *scale.rho;
    }
  }
  return best_k;
}

RicciCoefficient coefficient_of_pairs(std::span<const double> eta_series,
                                      std::span<const double> ric_series) {
  assert(eta_series.size() == ric_series.size());
  constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
  RicciCoefficient out{undefined, undefined, undefined, undefined, CoefficientReason::none};
  std::vector<double> eta, ric;
  append_complete_pairs(eta_series, ric_series, eta, ric);
  // m pairs come from L = m + 1 layers: the thresholds below are the paper's, in layers.
  const std::size_t layers = eta.size() + 1;
  if (layers < 3) {
    out.reason = CoefficientReason::too_few_layers;
    return out;
  }
  const auto rho = pearson(eta, ric);
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

std::span<const double> paired_eta(std::span<const double> eta) {
  return eta.empty() ? eta : eta.subspan(1);
}

std::optional<std::size_t> first_excluding_transition(std::span<const double> eta) {
  for (std::size_t l = 0; l < eta.size(); ++l)
    if (std::isinf(eta[l])) return l;
  return std::nullopt;
}

RicciCoefficient coefficient_of_transitions(std::span<const double> eta,
                                            std::span<const double> ric) {
  assert(eta.size() == ric.size());
  if (ric.empty()) return coefficient_of_pairs({}, {});
  return coefficient_of_pairs(paired_eta(eta), ric.first(ric.size() - 1));
}

RicciCoefficient ricci_coefficient(std::span<const double> g, std::span<const double> ric) {
  assert(g.size() == ric.size());
  for (double value : g)
    if (std::isnan(value)) {
      constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
      return {undefined, undefined, undefined, undefined, CoefficientReason::disconnected};
    }
  if (g.empty()) return coefficient_of_pairs({}, {});
  return coefficient_of_pairs(eta_from_geodesic_mass(g), ric.first(ric.size() - 1));
}

}  // namespace ricci::geometry
