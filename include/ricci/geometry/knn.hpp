#pragma once
// Exact k-nearest-neighbour lists (docs/method.md §2).
//
// Distance = squared Euclidean distance accumulated in double over the coordinates in order; self
// is excluded; ties are broken by the smaller index, so the lists are a pure function of the
// points. The lists are computed once up to k_max and serve every k <= k_max. Each row also keeps
// every point tied with its k_max-th neighbour, so the tie-keeping neighbourhoods of the baptista-r
// convention (N+_k(i) = { j : d(i,j) <= d_k(i) }) can be read for any k <= k_max.
#include <span>
#include <vector>

#include "ricci/core/error.hpp"
#include "ricci/core/types.hpp"

namespace ricci::geometry {

// The points of one layer, one per row, as the geometry reads them. A view, so that the caller's
// activations (or, later, a numpy array) are not copied:
// * bound without a copy: any row-major double matrix whose rows are contiguous, whatever the
//   distance between rows: a RowMatrix, its .middleRows()/.middleCols()/.block(), or an
//   Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>> over a raw C-contiguous float64 buffer;
// * copied into a row-major temporary owned by the view: any other double expression, e.g. a
//   column-major matrix, a Map whose inner stride is not 1, or x.cast<double>() of float
//   activations (a float matrix itself does not convert).
// Eigen's copy constructor of a Ref<const> does not copy that temporary: a view that owns one must
// not be copied or moved (e.g. by a growing std::vector of views) while it is in use. Views that
// bind without a copy can be copied freely.
using LayerView = Eigen::Ref<const RowMatrix>;

class NeighbourLists {
 public:
  NeighbourLists() = default;
  NeighbourLists(index_t k_max, std::vector<count_t> offsets, std::vector<index_t> neighbours,
                 std::vector<double> distances);

  index_t size() const { return static_cast<index_t>(offsets_.size()) - 1; }
  index_t k_max() const { return k_max_; }
  // Stored entries over all rows: n k_max plus the tie tails.
  count_t entries() const { return offsets_.back(); }

  // N_k(i): the k nearest other points of i, nearest first.
  std::span<const index_t> nearest(index_t i, index_t k) const;
  // N+_k(i): every point at distance <= d_k(i), i.e. N_k(i) extended by the points tied with its
  // last.
  std::span<const index_t> nearest_with_ties(index_t i, index_t k) const;
  // All stored entries of row i (at least k_max) and their distances, nearest first.
  std::span<const index_t> row(index_t i) const;
  std::span<const double> row_distances(index_t i) const;

 private:
  index_t k_max_ = 0;
  std::vector<count_t> offsets_{0};
  std::vector<index_t> neighbours_;
  std::vector<double> distances_;
};

// exact_knn's refusal of lists beyond its max_entries: a caller adds what the bound stood for.
class ListsTooLarge : public Error {
 public:
  using Error::Error;
};

// Throws ricci::Error unless 1 <= k <= n - 1.
void validate_k(index_t k, index_t n);

// The exact squared distance docs/method.md §2 defines; the one place the formula lives.
double squared_distance(const LayerView& points, index_t i, index_t j);

// Exact lists for every point of `points` up to k_max (validated; non-finite coordinates are an
// error), computed on `threads` threads (validated); the lists do not depend on the thread count.
// Rows of points tied with their k_max-th neighbour keep the whole tie, so m coinciding points
// store m - 1 entries each: with max_entries > 0, exact_knn throws ListsTooLarge as soon as the
// lists would hold more than that many entries, before they exhaust memory.
NeighbourLists exact_knn(const LayerView& points, index_t k_max, int threads = 1,
                         std::size_t max_entries = 0);

}  // namespace ricci::geometry
