#include "ricci/geometry/knn.hpp"

#include <algorithm>
#include <cassert>
#include <string>

#include "ricci/core/error.hpp"

namespace ricci::geometry {

NeighbourLists::NeighbourLists(index_t k_max, std::vector<count_t> offsets,
                               std::vector<index_t> neighbours, std::vector<double> distances)
    : k_max_(k_max),
      offsets_(std::move(offsets)),
      neighbours_(std::move(neighbours)),
      distances_(std::move(distances)) {}

std::span<const index_t> NeighbourLists::row(index_t i) const {
  return {neighbours_.data() + offsets_[i],
          static_cast<std::size_t>(offsets_[i + 1] - offsets_[i])};
}

std::span<const double> NeighbourLists::row_distances(index_t i) const {
  return {distances_.data() + offsets_[i], static_cast<std::size_t>(offsets_[i + 1] - offsets_[i])};
}

std::span<const index_t> NeighbourLists::nearest(index_t i, index_t k) const {
  assert(k >= 1 && k <= k_max_);
  return row(i).first(static_cast<std::size_t>(k));
}

std::span<const index_t> NeighbourLists::nearest_with_ties(index_t i, index_t k) const {
  assert(k >= 1 && k <= k_max_);
  const auto dist = row_distances(i);
  const double kth = dist[k - 1];
  // Entries are sorted by distance, so the tied ones follow the k-th contiguously.
  const auto end = std::upper_bound(dist.begin() + k, dist.end(), kth);
  return row(i).first(static_cast<std::size_t>(end - dist.begin()));
}

void validate_k(index_t k, index_t n) {
  if (n < 2)
    throw Error("geometry", "a kNN graph needs at least 2 points, got n = " + std::to_string(n));
  if (k < 1 || k > n - 1)
    throw Error("geometry", "k = " + std::to_string(k) +
                                " must satisfy 1 <= k <= n - 1 = " + std::to_string(n - 1));
}

double squared_distance(const LayerView& points, index_t i, index_t j) {
  double sum = 0.0;
  for (Eigen::Index c = 0; c < points.cols(); ++c) {
    const double diff = points(i, c) - points(j, c);
    sum += diff * diff;
  }
  return sum;
}

namespace {

struct Candidate {
  double distance;
  index_t index;
  friend bool operator<(const Candidate& a, const Candidate& b) {
    return a.distance < b.distance || (a.distance == b.distance && a.index < b.index);
  }
};

// Distances from each point of a block of rows to every point, with the same in-order accumulation
// as squared_distance(): the loop runs over coordinates outermost so the inner loop vectorises
// across points while each individual sum still adds its terms in coordinate order.
class DistanceRows {
 public:
  // The transpose is the one copy of the points: the hot loop reads only this owned, contiguous
  // array, whatever the stride of the caller's view.
  explicit DistanceRows(const LayerView& points)
      : n_(points.rows()), by_coordinate_(points.transpose()), row_(static_cast<std::size_t>(n_)) {}

  std::span<const double> from(index_t i) {
    std::fill(row_.begin(), row_.end(), 0.0);
    double* __restrict acc = row_.data();
    for (Eigen::Index c = 0; c < by_coordinate_.rows(); ++c) {
      const double* __restrict coord = by_coordinate_.row(c).data();
      const double xi = coord[i];
      for (Eigen::Index j = 0; j < n_; ++j) {
        const double diff = xi - coord[j];
        acc[j] += diff * diff;
      }
    }
    return row_;
  }

 private:
  Eigen::Index n_;
  RowMatrix by_coordinate_;  // dim x n: coordinate c of every point is contiguous
  std::vector<double> row_;
};

}  // namespace

NeighbourLists exact_knn(const LayerView& points, index_t k_max) {
  const auto n = static_cast<index_t>(points.rows());
  validate_k(k_max, n);

  DistanceRows distances(points);
  std::vector<double> others(static_cast<std::size_t>(n - 1));
  std::vector<Candidate> kept;
  std::vector<count_t> offsets{0};
  offsets.reserve(static_cast<std::size_t>(n) + 1);
  std::vector<index_t> neighbours;
  std::vector<double> kept_distances;
  neighbours.reserve(static_cast<std::size_t>(n) * static_cast<std::size_t>(k_max));
  kept_distances.reserve(neighbours.capacity());

  for (index_t i = 0; i < n; ++i) {
    const auto row = distances.from(i);
    // The k_max-th smallest distance to another point, found on plain doubles (cheaper to move
    // than (distance, index) pairs); then every point at or below it, which is exactly N_k_max(i)
    // plus the points tied with its last member, sorted by (distance, index).
    std::copy(row.begin(), row.begin() + i, others.begin());
    std::copy(row.begin() + i + 1, row.end(), others.begin() + i);
    std::nth_element(others.begin(), others.begin() + (k_max - 1), others.end());
    const double kth_distance = others[k_max - 1];
    kept.clear();
    for (index_t j = 0; j < n; ++j)
      if (j != i && row[j] <= kth_distance) kept.push_back({row[j], j});
    std::sort(kept.begin(), kept.end());
    for (const Candidate& c : kept) {
      neighbours.push_back(c.index);
      kept_distances.push_back(c.distance);
    }
    offsets.push_back(static_cast<count_t>(neighbours.size()));
  }
  return NeighbourLists(k_max, std::move(offsets), std::move(neighbours),
                        std::move(kept_distances));
}

}  // namespace ricci::geometry
