#include "ricci/geometry/local_flow.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "ricci/core/error.hpp"
#include "ricci/geometry/coefficients.hpp"
#include "ricci/geometry/geodesics_bitparallel.hpp"

namespace ricci::geometry {

namespace {

constexpr double undefined = std::numeric_limits<double>::quiet_NaN();

// eta from the per-point sums of gamma_{l+1} over the reached G_l neighbours.
double expansion_of(std::uint64_t distance_sum, std::uint64_t reached, std::uint64_t degree) {
  if (degree == 0) return undefined;
  if (reached < degree) return std::numeric_limits<double>::infinity();
  // Mean of gamma_{l+1}(x, y) - gamma_l(x, y) with gamma_l(x, y) = 1: one rounding of an exact
  // integer ratio.
  return static_cast<double>(distance_sum - degree) / static_cast<double>(degree);
}

// scipy.stats.pearsonr, as the follow-up calls it: NaN for an exactly constant series (scipy tests
// x == x[0] before computing, so a constant series whose mean rounds never yields a spurious
// value), else the sample correlation. The caller guarantees at least two points.
struct Correlation {
  double value = undefined;
  LocalReason reason = LocalReason::none;
};

Correlation follow_up_pearson(std::span<const double> x, std::span<const double> y) {
  auto constant = [](std::span<const double> v) {
    return std::all_of(v.begin(), v.end(), [&](double value) { return value == v.front(); });
  };
  if (constant(x) || constant(y)) return {undefined, LocalReason::zero_variance};
  const std::optional<double> r = pearson(x, y);
  if (!r) return {undefined, LocalReason::zero_variance};
  return {*r, LocalReason::none};
}

}  // namespace

std::string_view local_reason_name(LocalReason reason) {
  switch (reason) {
    case LocalReason::none:
      return "none";
    case LocalReason::too_few_transitions:
      return "too-few-transitions";
    case LocalReason::unreachable_neighbour:
      return "unreachable-neighbour";
    case LocalReason::isolated_point:
      return "isolated-point";
    case LocalReason::zero_variance:
      return "zero-variance";
    case LocalReason::too_few_points:
      return "too-few-points";
    case LocalReason::no_defined_point:
      return "no-defined-point";
  }
  return "?";
}

std::vector<double> local_expansion(const CsrGraph& layer, const CsrGraph& next_layer) {
  const auto n = static_cast<std::size_t>(num_vertices(layer));
  if (static_cast<std::size_t>(num_vertices(next_layer)) != n)
    throw Error("geometry", "local expansion between graphs of " + std::to_string(n) + " and " +
                                std::to_string(num_vertices(next_layer)) + " vertices");
  const std::vector<index_t> component = component_labels(next_layer);
  std::vector<double> eta(n);
  // Per-source stamps instead of clearing: seen[v] == x + 1 means v was reached from x, and
  // wanted[v] == x + 1 that v is a G_l neighbour of x.
  std::vector<std::size_t> seen(n, 0), wanted(n, 0);
  std::vector<index_t> queue(n);
  std::vector<std::uint64_t> level(n, 0);
  for (std::size_t x = 0; x < n; ++x) {
    const auto source = static_cast<index_t>(x);
    const auto degree = static_cast<std::uint64_t>(out_degree(source, layer));
    if (degree == 0) {
      eta[x] = undefined;
      continue;
    }
    bool reachable = true;
    for (auto e : boost::make_iterator_range(out_edges(source, layer))) {
      const auto y = static_cast<std::size_t>(target(e, layer));
      wanted[y] = x + 1;
      if (component[y] != component[x]) reachable = false;
    }
    if (!reachable) {
      eta[x] = std::numeric_limits<double>::infinity();
      continue;
    }
    // Breadth-first in G_{l+1}, stopped once every wanted vertex is reached. They all are: they
    // share x's component.
    std::uint64_t remaining = degree, distance_sum = 0;
    std::size_t head = 0, tail = 0;
    queue[tail++] = source;
    seen[x] = x + 1;
    level[x] = 0;
    while (remaining > 0) {
      const index_t v = queue[head++];
      const std::uint64_t next_level = level[static_cast<std::size_t>(v)] + 1;
      for (auto e : boost::make_iterator_range(out_edges(v, next_layer))) {
        const auto u = static_cast<std::size_t>(target(e, next_layer));
        if (seen[u] == x + 1) continue;
        seen[u] = x + 1;
        level[u] = next_level;
        queue[tail++] = static_cast<index_t>(u);
        if (wanted[u] == x + 1) {
          distance_sum += next_level;
          --remaining;
        }
      }
    }
    eta[x] = expansion_of(distance_sum, degree, degree);
  }
  return eta;
}

GeodesicsAndExpansion geodesics_and_local_expansion(const CsrGraph& layer,
                                                    const CsrGraph& next_layer, int threads) {
  const auto n = static_cast<std::size_t>(num_vertices(layer));
  if (static_cast<std::size_t>(num_vertices(next_layer)) != n)
    throw Error("geometry", "local expansion between graphs of " + std::to_string(n) + " and " +
                                std::to_string(num_vertices(next_layer)) + " vertices");
  std::vector<std::uint64_t> distance_sum(n, 0), reached(n, 0);
  // Source x = first + b reaches v at `level` iff bit b of at_level[v] is set; gamma is symmetric,
  // so x's G_l neighbours y at that level are the y whose block has x's bit. Each neighbour is
  // found at exactly one level, so x keeps the neighbours not found yet at the front of its own
  // copy of its row (pending[x] of them) and later levels test only those: most are found within
  // two levels, while the search runs to the diameter.
  const AdjacencyRows rows(layer);
  std::vector<index_t> unfound(rows.column);
  std::vector<count_t> pending(n);
  for (std::size_t x = 0; x < n; ++x) pending[x] = rows.degree(static_cast<index_t>(x));
  const auto on_level = [&](std::size_t first, std::size_t width, std::uint64_t level,
                            const auto& at_level) {
    for (std::size_t b = 0; b < width; ++b) {
      const std::size_t word = b / 64;
      const std::uint64_t bit = std::uint64_t{1} << (b % 64);
      const std::size_t x = first + b;
      index_t* row = unfound.data() + rows.start[x];
      count_t left = pending[x];
      for (count_t p = 0; p < left;) {
        if (at_level[static_cast<std::size_t>(row[p])][word] & bit) {
          distance_sum[x] += level;
          ++reached[x];
          row[p] = row[--left];
        } else {
          ++p;
        }
      }
      pending[x] = left;
    }
  };
  GeodesicsAndExpansion out;
  out.geodesics = all_pairs_bitparallel<production_bfs_words>(next_layer, on_level, threads);
  out.geodesics.component = component_labels(next_layer);
  // Labels are each component's smallest vertex: one label per component is its own vertex.
  out.geodesics.components = 0;
  for (std::size_t v = 0; v < n; ++v)
    if (out.geodesics.component[v] == static_cast<index_t>(v)) ++out.geodesics.components;
  out.eta.resize(n);
  for (std::size_t x = 0; x < n; ++x)
    out.eta[x] =
        expansion_of(distance_sum[x], reached[x],
                     static_cast<std::uint64_t>(out_degree(static_cast<index_t>(x), layer)));
  return out;
}

LocalCoefficients local_coefficients(CurvatureNotion notion,
                                     std::vector<std::vector<double>> scalar,
                                     std::span<const std::vector<double>> expansion,
                                     bool keep_per_point) {
  if (scalar.size() != expansion.size())
    throw Error("geometry", "local coefficients: " + std::to_string(scalar.size()) +
                                " curvature series for " + std::to_string(expansion.size()) +
                                " transitions");
  const std::size_t transitions = scalar.size();
  const std::size_t n = transitions ? scalar.front().size() : 0;
  for (std::size_t t = 0; t < transitions; ++t)
    if (scalar[t].size() != n || expansion[t].size() != n)
      throw Error("geometry", "local coefficients: transition " + std::to_string(t) +
                                  " has series of another length");

  LocalCoefficients out;
  out.notion = notion;
  out.mean = out.negative_share = undefined;

  // rho(x): Pearson over the transitions of (O_t(x), eta_t(x)).
  std::vector<double> rho(n, undefined);
  std::vector<LocalReason> rho_reason(n, LocalReason::none);
  std::vector<double> o(transitions), e(transitions);
  double sum = 0;
  count_t negative = 0;
  for (std::size_t x = 0; x < n; ++x) {
    LocalReason reason = LocalReason::none;
    for (std::size_t t = 0; t < transitions; ++t) {
      o[t] = scalar[t][x];
      e[t] = expansion[t][x];
      if (std::isinf(e[t])) reason = LocalReason::unreachable_neighbour;
      if (std::isnan(e[t]) && reason == LocalReason::none) reason = LocalReason::isolated_point;
    }
    if (reason == LocalReason::unreachable_neighbour) ++out.unreachable;
    if (reason == LocalReason::none && transitions < 2) reason = LocalReason::too_few_transitions;
    if (reason == LocalReason::none) {
      const Correlation r = follow_up_pearson(o, e);
      rho[x] = r.value;
      reason = r.reason;
    }
    rho_reason[x] = reason;
    if (reason != LocalReason::none) {
      ++out.undefined;
      continue;
    }
    ++out.defined;
    sum += rho[x];
    if (rho[x] < 0) ++negative;
  }
  if (out.defined > 0) {
    out.mean = sum / static_cast<double>(out.defined);
    out.negative_share = static_cast<double>(negative) / static_cast<double>(out.defined);
  } else {
    out.reason = LocalReason::no_defined_point;
  }

  // rho(t): Pearson over the points of (O_t(x), eta_t(x)), leaving out the points with an
  // unreachable neighbour (eta infinite) or none at all (isolated: NaN).
  for (std::size_t t = 0; t < transitions; ++t) {
    std::vector<double> points_o, points_e;
    for (std::size_t x = 0; x < n; ++x)
      if (std::isfinite(expansion[t][x])) {
        points_o.push_back(scalar[t][x]);
        points_e.push_back(expansion[t][x]);
      }
    Correlation r{undefined, LocalReason::too_few_points};
    if (points_o.size() >= 2) r = follow_up_pearson(points_o, points_e);
    out.layer_rho.push_back(r.value);
    out.layer_reason.push_back(r.reason);
  }

  if (keep_per_point) {
    out.scalar = std::move(scalar);
    out.rho = std::move(rho);
    out.rho_reason = std::move(rho_reason);
  }
  return out;
}

}  // namespace ricci::geometry
