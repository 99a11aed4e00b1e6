#pragma once
// The follow-up's local and layer Ricci coefficients (docs/method.md §4 "Follow-up coefficients"):
// the scalar curvature O_l(x), the local expansion eta_l(x), the local Ricci evolution coefficient
// rho(x) with its summaries, and the layer Ricci coefficient rho(l). Pure computation on graphs.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/curvature.hpp"
#include "ricci/geometry/geodesics.hpp"
#include "ricci/geometry/graph.hpp"

namespace ricci::geometry {

// Why a local value is undefined. Machine-readable names via local_reason_name().
enum class LocalReason {
  none,
  too_few_transitions,    // rho(x) needs two transitions (three layers in the list)
  unreachable_neighbour,  // a neighbour of x in G_l is unreachable from x in G_{l+1}
  isolated_point,         // x has no edge in some G_l (mutual graphs): O_l(x) and eta_l(x) are 0/0
  zero_variance,          // O or eta is constant over the pairs
  too_few_points,         // rho(l) over fewer than two points
  no_defined_point,       // the summaries of rho(x) over no defined rho(x)
};
std::string_view local_reason_name(LocalReason reason);

// O_l(x), the mean of kappa over x's edges, is node_mean_curvature() (curvature.hpp).

// eta_l(x) for every x (docs/method.md §4): the mean over x's neighbours y in G_l (`layer`) of
// gamma_{l+1}(x, y) - 1, the hop distances taken in G_{l+1} (`next_layer`, same vertices); +inf
// when some neighbour is unreachable there, NaN for a point isolated in G_l. The reference engine:
// one breadth-first search from each x in G_{l+1}, stopped as soon as all of x's G_l neighbours
// are reached (and not started when the component labels show one is unreachable).
std::vector<double> local_expansion(const CsrGraph& layer, const CsrGraph& next_layer);

// The production engine: G_{l+1}'s geodesic summary, as all_pairs_geodesics gives it, and eta_l
// as local_expansion gives it, from one pass of the bit-parallel all-pairs search, which reaches
// every pair anyway; the distances to x's G_l neighbours are read off its frontiers. O(n) memory
// beyond the graphs and the search's own.
struct GeodesicsAndExpansion {
  GeodesicSummary geodesics;  // of next_layer
  std::vector<double> eta;    // eta_l(x)
};
GeodesicsAndExpansion geodesics_and_local_expansion(const CsrGraph& layer,
                                                    const CsrGraph& next_layer, int threads = 1);

// One notion's local and layer coefficients at one k.
struct LocalCoefficients {
  CurvatureNotion notion = CurvatureNotion::forman;
  double mean;              // mean of the defined rho(x); NaN when none is defined
  double negative_share;    // share of the defined rho(x) that are < 0; NaN when none is defined
  count_t defined = 0;      // points with a defined rho(x)
  count_t undefined = 0;    // points whose rho(x) is NaN, for any reason below
  count_t unreachable = 0;  // of those, points with an unreachable neighbour at some transition
  LocalReason reason = LocalReason::none;  // no_defined_point when mean is NaN
  std::vector<double> layer_rho;           // rho(l), one per transition; NaN when undefined
  std::vector<LocalReason> layer_reason;   // why layer_rho[t] is NaN (none when defined)
  // Per point, kept only when asked for (MeasureOptions::per_node): O_l(x) for each transition
  // ([t][x], the curvature of the transition's first layer) and rho(x) with its reason.
  std::vector<std::vector<double>> scalar;
  std::vector<double> rho;
  std::vector<LocalReason> rho_reason;
};

// The coefficients from the per-transition series: scalar[t][x] = O_t(x) and expansion[t][x] =
// eta_t(x) of transition t (layer t -> t + 1 of the list), as scalar_curvature and local_expansion
// give them. Pearson as scipy.stats.pearsonr, which the follow-up's code calls: undefined when
// either series is exactly constant. `keep_per_point` keeps scalar, rho and rho_reason.
LocalCoefficients local_coefficients(CurvatureNotion notion,
                                     std::vector<std::vector<double>> scalar,
                                     std::span<const std::vector<double>> expansion,
                                     bool keep_per_point);

}  // namespace ricci::geometry
