#pragma once
// The Ricci coefficient of one run (docs/method.md §4, paper eqs. 8 and 11).
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ricci/core/types.hpp"

namespace ricci::geometry {

// Why a coefficient (or part of it) is undefined. Machine-readable names via reason_name().
enum class CoefficientReason {
  none,
  disconnected,         // some layer's g is undefined
  too_few_layers,       // rho needs L >= 3, p needs L >= 4, z and fisher need L >= 5
  zero_variance,        // eta or Ric constant over the layers
  perfect_correlation,  // |rho| = 1: artanh is infinite, so z and fisher are undefined
};
std::string_view reason_name(CoefficientReason reason);

struct RicciCoefficient {
  double rho;                // Pearson(eta_l, Ric_l), l = 1..L-1
  double z;                  // artanh(rho) / sqrt(L - 4), as printed in the paper (eq. 11)
  double fisher;             // artanh(rho) * sqrt(L - 4), the standard Fisher statistic
  double p;                  // two-sided p-value of rho, t-test with L - 3 degrees of freedom
  CoefficientReason reason;  // none iff all four are defined; else why the first undefined one is
};

// Pearson correlation; nullopt when either variance is zero or fewer than two points.
std::optional<double> pearson(std::span<const double> x, std::span<const double> y);

// Two-sided p-value of a Pearson correlation r over m points (m - 2 degrees of freedom, m >= 3).
double pearson_p_value(double r, std::size_t m);

// The pairs every Ricci coefficient correlates (docs/method.md §4): eta_l = g_{l+1} - g_l with
// Ric_l for l = 1..L-1, appended to `eta` and `ric_out`. g[l] and ric[l] hold layers l = 1..L
// (index 0 = layer 1).
void append_eta_ric_pairs(std::span<const double> g, std::span<const double> ric,
                          std::vector<double>& eta, std::vector<double>& ric_out);

// g is NaN for a disconnected layer.
RicciCoefficient ricci_coefficient(std::span<const double> g, std::span<const double> ric);

// One run's layer series, as pooled_ricci_coefficient reads them.
struct LayerSeries {
  std::span<const double> g, ric;
};

// The pooled ("aggregated") coefficient of a group (docs/method.md §4): one Pearson correlation
// over the (eta_l, Ric_l) pairs of all the given runs together, without per-run centring, as the
// reference R code does. The caller passes the accepted runs only (every g finite). nullopt when
// there are fewer than two pairs or a variance is zero.
std::optional<double> pooled_ricci_coefficient(std::span<const LayerSeries> runs);

}  // namespace ricci::geometry
