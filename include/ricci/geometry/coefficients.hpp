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
  // baptista-r: the run is excluded as the reference R code excludes it, because reachability
  // only shrank or only grew at some transition (docs/method.md §3). Last: the codes are stored.
  reachability_changed,
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

// eta_l = g_{l+1} - g_l for l = 1..L-1 (docs/method.md §4), index 0 = eta_1; NaN where a layer's g
// is NaN. g[l] holds layer l + 1.
std::vector<double> eta_from_geodesic_mass(std::span<const double> g);

// The coefficient of one run from its series: eta[l] (eta_{l+1}) pairs with ric[l] (Ric_{l+1}), the
// curvature of a layer with the change of geodesic mass into the next one. Pairs whose eta is NaN
// drop out (complete cases, as R's cor.test); m remaining pairs stand for L = m + 1 layers in the
// rules for z, fisher and p. eta and ric have the same length.
RicciCoefficient coefficient_of_pairs(std::span<const double> eta, std::span<const double> ric);

// A run's transitions as measured and stored (docs/method.md §4): eta[l] = eta_l for l = 0..L-1,
// eta_0 being inputs -> layer 1 (NaN when absent). paired_eta() drops eta_0: eta_1..eta_{L-1} are
// the values that pair with Ric_1..Ric_{L-1}; every coefficient and pooled analysis reads them so.
std::span<const double> paired_eta(std::span<const double> eta);

// The first transition whose eta is +-Inf: where the reference R rule excludes the run
// (baptista-r, docs/method.md §3); nullopt when none.
std::optional<std::size_t> first_excluding_transition(std::span<const double> eta);

// The coefficient of one run from its transitions eta_0..eta_{L-1} and Ric_1..Ric_L (same length):
// coefficient_of_pairs(paired_eta(eta), Ric_1..Ric_{L-1}). Exclusion is the caller's business.
RicciCoefficient coefficient_of_transitions(std::span<const double> eta,
                                            std::span<const double> ric);

// The coefficient from the layer series g_1..g_L and Ric_1..Ric_L: undefined (disconnected) when a
// g is NaN, else coefficient_of_pairs of eta_from_geodesic_mass(g) and Ric_1..Ric_{L-1}.
RicciCoefficient ricci_coefficient(std::span<const double> g, std::span<const double> ric);

// One run's pairs, as pooled_ricci_coefficient reads them: eta[l] with ric[l] (see
// coefficient_of_pairs); ric may be longer than eta (a run's Ric_1..Ric_L), the extra values
// unused.
struct PairSeries {
  std::span<const double> eta, ric;
};

// The pooled ("aggregated") coefficient of a group (docs/method.md §4): one Pearson correlation
// over the complete (eta, Ric) pairs of all the given runs together, without per-run centring, as
// the reference R code does. The caller passes the accepted runs only. nullopt when there are
// fewer than three pairs (R's cor.test refuses them; two pairs always give +-1) or a variance is
// zero.
std::optional<double> pooled_ricci_coefficient(std::span<const PairSeries> runs);

// One scale's pooled coefficient, as select_scale reads them.
struct ScaleCoefficient {
  index_t k = 0;
  std::optional<double> rho;
};

// Scale selection (docs/method.md §4): k* = the k with the most negative defined pooled
// coefficient, the smaller k on ties; nullopt when none is defined. Any order of the scales.
std::optional<index_t> select_scale(std::span<const ScaleCoefficient> scales);

}  // namespace ricci::geometry
