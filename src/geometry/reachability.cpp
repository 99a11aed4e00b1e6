#include "ricci/geometry/reachability.hpp"

#include <limits>
#include <string>
#include <vector>

#include "ricci/core/error.hpp"

namespace ricci::geometry {

namespace {

// For every component label of `from`: the label of `to` that all its members share, or `mixed`
// when they fall into several components of `to`. Indexed by label (a vertex index).
constexpr index_t mixed = -1;
std::vector<index_t> common_label(std::span<const index_t> from, std::span<const index_t> to) {
  constexpr index_t unseen = -2;
  std::vector<index_t> common(from.size(), unseen);
  for (std::size_t i = 0; i < from.size(); ++i) {
    index_t& c = common[static_cast<std::size_t>(from[i])];
    if (c == unseen)
      c = to[i];
    else if (c != to[i])
      c = mixed;
  }
  return common;
}

}  // namespace

Transition reference_r_transition(const LayerReach& before, const LayerReach& after) {
  const std::size_t n = before.component.size();
  if (before.row_sum.size() != n || after.component.size() != n || after.row_sum.size() != n)
    throw Error("geometry", "a transition needs two graphs on the same points (" +
                                std::to_string(n) + " and " +
                                std::to_string(after.component.size()) + " points)");
  // A = i's component before, B = after. A is inside B iff all of A shares B's label; B is inside
  // A iff all of B shares A's label.
  const std::vector<index_t> after_of_before = common_label(before.component, after.component);
  const std::vector<index_t> before_of_after = common_label(after.component, before.component);
  Transition out;
  std::int64_t finite_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const index_t a = before.component[i], b = after.component[i];
    const bool a_in_b = after_of_before[static_cast<std::size_t>(a)] == b;
    const bool b_in_a = before_of_after[static_cast<std::size_t>(b)] == a;
    if (a_in_b && b_in_a) {
      ++out.finite_rows;
      finite_sum += static_cast<std::int64_t>(after.row_sum[i]) -
                    static_cast<std::int64_t>(before.row_sum[i]);
    } else if (b_in_a) {
      ++out.shrunk_rows;
    } else if (a_in_b) {
      ++out.grown_rows;
    } else {
      ++out.undefined_rows;
    }
  }
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr double inf = std::numeric_limits<double>::infinity();
  const bool shrunk = out.shrunk_rows > 0, grown = out.grown_rows > 0;
  // Infinite rows of one sign make the mean (and the sum) infinite: the run is excluded.
  out.excluded = shrunk != grown;
  if (shrunk && grown)
    out.eta = nan;
  else if (shrunk)
    out.eta = inf;
  else if (grown)
    out.eta = -inf;
  else if (out.finite_rows == 0)
    out.eta = nan;
  else
    out.eta = static_cast<double>(finite_sum);
  return out;
}

}  // namespace ricci::geometry
