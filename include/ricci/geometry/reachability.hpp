#pragma once
// What the reference R code makes of a transition between two consecutive graphs under the
// baptista-r convention (docs/method.md §3, "Connectivity under baptista-r"). The R code subtracts
// the two all-pairs distance matrices with IEEE arithmetic (unreachable = Inf), sums each row
// skipping NaN, drops NaN rows, excludes the run when the mean of the remaining rows is +-Inf and
// otherwise sums them. That needs no n x n matrix: a row's fate follows from how the component of
// its point changes, and its finite value from within-component distance row sums.
#include <cstdint>
#include <span>

#include "ricci/core/types.hpp"

namespace ricci::geometry {

// What a transition needs of one graph: canonical component labels (GeodesicSummary::component)
// and within-component distance row sums (GeodesicSummary::row_sum), both of length n.
struct LayerReach {
  std::span<const index_t> component;
  std::span<const std::uint64_t> row_sum;
};

struct Transition {
  // eta_t = the sum of the finite rows: exact (integer row sums below 2^53); +Inf or -Inf (R's
  // sum) when the run is excluded at this transition. NaN when rows of both
  // signs of infinity remain (the R sum is Inf + -Inf) or when every row is NaN (R's aggregate then
  // drops the (layer, model) group altogether; the reference script would misalign its tables).
  double eta = 0;
  // The mean of the remaining rows is +-Inf: the reference code removes the run.
  bool excluded = false;
  // Row i is finite when i's component is the same set before and after; +Inf when it shrank
  // (some j was reachable and is not: Inf - x); -Inf when it grew; NaN when it both lost and
  // gained points (the row holds +Inf and -Inf).
  count_t finite_rows = 0, shrunk_rows = 0, grown_rows = 0, undefined_rows = 0;
};

// The transition from graph `before` to graph `after` on the same n points. Throws
// ricci::Error("geometry", ...) when the lengths differ.
Transition reference_r_transition(const LayerReach& before, const LayerReach& after);

}  // namespace ricci::geometry
