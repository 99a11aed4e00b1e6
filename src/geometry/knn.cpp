#include "ricci/geometry/knn.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "ricci/core/error.hpp"
#include "ricci/geometry/parallel.hpp"

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

// ---- Distances: register tiles ----------------------------------------------------------------
//
// One tile is kTileRows rows i times a strip of kStrip points j. Its kTileRows x kStrip sums live
// in registers for the whole coordinate loop, so each coordinate costs one load of the strip and
// one broadcast per row instead of a load and a store of an accumulator row (what the profile
// showed). Every lane still computes sum += (x_ic - x_jc)^2 for c = 0, 1, ... in order from 0.0,
// exactly as squared_distance() does (-ffp-contract=off keeps multiply and add separate), so each
// distance is bitwise the defined one: the blocking only changes which sums are in flight together.
// GCC/Clang vector extensions keep the kernel portable (two SSE halves without AVX).
// Measured (exact_knn of stack A's 5 layers, 50 columns, thread CPU time, AVX2): tiles of 4 rows x
// 8 points 0.133 s; 6 x 8, 8 x 4, 2 x 16 and 3 x 12 all within 5% of it: the kernel runs at the
// adder/multiplier throughput, so the shape no longer matters. A GEMM candidate filter
// (|x_i|^2 + |x_j|^2 - 2 x_i.x_j, then exact re-ranking) was not built, so not measured: at 50
// columns it would save at most the subtraction (2 of 3 operations per term remain) on the
// distance half of the time, before paying an exact distance for every candidate within the GEMM's
// error bound of the k_max-th distance (about a quarter of each row at k_max = 500, n = 2000).
using Lane = double __attribute__((vector_size(32)));
constexpr int kLane = 4;
constexpr int kStrip = 2 * kLane;  // points per strip
constexpr int kTileRows = 4;       // 4 x 2 accumulators + 2 strip loads + temporaries fit 16 ymm

// The points in strips: strip s holds coordinate c of points s*kStrip .. s*kStrip+7 contiguously
// at (s * dim + c) * kStrip, so a tile reads one contiguous dim x kStrip panel; the padding points
// (beyond n) are zeros and their distances are never read.
class StripPanels {
 public:
  explicit StripPanels(const LayerView& points)
      : n_(points.rows()),
        dim_(points.cols()),
        strips_((n_ + kStrip - 1) / kStrip),
        data_(static_cast<std::size_t>(strips_ * dim_ * kStrip), 0.0) {
    for (Eigen::Index i = 0; i < n_; ++i)
      for (Eigen::Index c = 0; c < dim_; ++c) {
        const double x = points(i, c);
        if (!std::isfinite(x))
          throw Error("geometry", "point " + std::to_string(i) + ", coordinate " +
                                      std::to_string(c) + " is not finite (" + std::to_string(x) +
                                      ")");
        data_[static_cast<std::size_t>(((i / kStrip) * dim_ + c) * kStrip + i % kStrip)] = x;
      }
  }

  Eigen::Index padded_size() const { return strips_ * kStrip; }

  // Distances from rows first .. first + kTileRows - 1 (clamped to n - 1: the extra rows of a last,
  // partial tile are computed and ignored) to every point, into out[r * padded_size() + j].
  void tile_rows(index_t first, double* out) const {
    const double* row_base[kTileRows];
    for (int r = 0; r < kTileRows; ++r) {
      const Eigen::Index i = std::min<Eigen::Index>(first + r, n_ - 1);
      row_base[r] = data_.data() + (i / kStrip) * dim_ * kStrip + i % kStrip;
    }
    const Eigen::Index stride = padded_size();
    for (Eigen::Index s = 0; s < strips_; ++s) {
      const double* panel = data_.data() + s * dim_ * kStrip;
      Lane acc[kTileRows][2] = {};
      for (Eigen::Index c = 0; c < dim_; ++c) {
        Lane lo, hi;
        std::memcpy(&lo, panel + c * kStrip, sizeof lo);
        std::memcpy(&hi, panel + c * kStrip + kLane, sizeof hi);
#pragma GCC unroll 4
        for (int r = 0; r < kTileRows; ++r) {
          const double xi = row_base[r][c * kStrip];
          const Lane d_lo = xi - lo, d_hi = xi - hi;
          acc[r][0] += d_lo * d_lo;
          acc[r][1] += d_hi * d_hi;
        }
      }
      for (int r = 0; r < kTileRows; ++r) {
        std::memcpy(out + r * stride + s * kStrip, &acc[r][0], sizeof(Lane));
        std::memcpy(out + r * stride + s * kStrip + kLane, &acc[r][1], sizeof(Lane));
      }
    }
  }

 private:
  Eigen::Index n_, dim_, strips_;
  std::vector<double> data_;
};

// ---- Selection: one bucket pass instead of nth_element + sort ----------------------------------
//
// Distances are >= +0.0, and for non-negative doubles the IEEE bit pattern read as uint64 is
// monotone in the value, so integer arithmetic on it orders exactly like the doubles. A row's keys
// are spread over at most kMaxBuckets buckets by (key - min) >> shift, a monotone map: a point in a
// lower bucket is strictly nearer than any point in a higher one. Counting the buckets finds the
// one holding the k_max-th nearest; only the points in it and below are scattered, in increasing j
// (a stable counting sort), and each bucket is then ordered by distance alone with a stable sort,
// which leaves equal distances in increasing j: the (distance, index) order of §2. Buckets hold a
// few points each on real data; a crowded one (outliers stretching the range) falls back to a
// comparison sort on (distance, index), so no input is quadratic.
// Measured (thread CPU time, exact_knn of the 5 layers of a stack-A-like ReLU stack, n = 2000,
// k_max = 500, 2-core AMD EPYC): nth_element + std::sort + accumulator rows 0.47 s; register tiles
// with this selection 0.135 s (tiles now about half). Finer buckets (2x-8x n) measured slower
// (0.137-0.163 s): the per-bucket overhead grows faster than the insertion sorts shrink.
constexpr int kMaxBuckets = 4096;

struct Candidate {
  double distance;
  index_t index;
};

class RowSelector {
 public:
  explicit RowSelector(index_t n)
      : buckets_(static_cast<int>(
            std::clamp<std::size_t>(std::bit_ceil(static_cast<std::size_t>(n)), 64, kMaxBuckets))),
        count_(static_cast<std::size_t>(buckets_) + 1),
        bucket_of_(static_cast<std::size_t>(n)),
        kept_(static_cast<std::size_t>(n) + 1),
        sorted_(static_cast<std::size_t>(n)) {}

  // Appends N_k_max(i) plus the points tied with its last, by (distance, index), to the outputs.
  // `row` is the caller's scratch copy: entry i (the point itself) is overwritten.
  void select(double* row, index_t n, index_t i, index_t k_max, std::vector<index_t>& neighbours,
              std::vector<double>& distances) {
    // Point i takes another point's distance so the min/max and bucket loops below have no
    // branch (they vectorise); it is taken out of its bucket again right after.
    row[i] = row[i + 1 < n ? i + 1 : 0];
    // Min and max on the doubles equal min and max on their keys (both orders agree on >= +0.0);
    // written on vectors because the compiler may not reorder a scalar min/max chain itself.
    Lane low4, high4;
    std::memcpy(&low4, row, sizeof low4);  // row has padded_size() >= n rounded up to kStrip
    high4 = low4;
    index_t tail = 0;
    for (; tail + kLane <= n; tail += kLane) {
      Lane v;
      std::memcpy(&v, row + tail, sizeof v);
      low4 = v < low4 ? v : low4;
      high4 = v > high4 ? v : high4;
    }
    double low_distance = row[0], high_distance = row[0];
    for (int l = 0; l < kLane; ++l) {
      low_distance = std::min(low_distance, low4[l]);
      high_distance = std::max(high_distance, high4[l]);
    }
    for (; tail < n; ++tail) {
      low_distance = std::min(low_distance, row[tail]);
      high_distance = std::max(high_distance, row[tail]);
    }
    const auto low = std::bit_cast<std::uint64_t>(low_distance);
    const auto range = std::bit_cast<std::uint64_t>(high_distance) - low;
    int shift = 0;
    while ((range >> shift) >= static_cast<std::uint64_t>(buckets_)) ++shift;

    std::fill(count_.begin(), count_.end(), 0);
    for (index_t j = 0; j < n; ++j) {
      const auto b =
          static_cast<std::uint16_t>((std::bit_cast<std::uint64_t>(row[j]) - low) >> shift);
      bucket_of_[j] = b;
      ++count_[b];
    }
    --count_[bucket_of_[i]];
    bucket_of_[i] = static_cast<std::uint16_t>(buckets_);  // past every real bucket: never kept

    // The bucket of the k_max-th nearest, and where each bucket up to it starts.
    int last = 0;
    index_t before = 0;
    for (;; ++last) {
      const index_t c = count_[last];
      count_[last] = before;
      before += c;
      if (before >= k_max) break;
    }
    const index_t scattered = before;
    // The kept points, in increasing j, collected without a branch (whether a point falls at or
    // below `last` is unpredictable), then scattered to their buckets: a stable counting sort.
    index_t kept_count = 0;
    for (index_t j = 0; j < n; ++j) {
      kept_[kept_count] = j;
      kept_count += bucket_of_[j] <= last;
    }
    for (index_t m = 0; m < kept_count; ++m) {
      const index_t j = kept_[m];
      sorted_[count_[bucket_of_[j]]++] = {row[j], j};
    }
    // count_[b] is now the end of bucket b; sort each by distance, stably (insertion sort, or a
    // full (distance, index) sort for a crowded bucket).
    index_t begin = 0;
    for (int b = 0; b <= last; ++b) {
      const index_t end = count_[b];
      Candidate* first = sorted_.data() + begin;
      const index_t size = end - begin;
      if (size > 32) {
        std::sort(first, first + size, [](const Candidate& x, const Candidate& y) {
          return x.distance < y.distance || (x.distance == y.distance && x.index < y.index);
        });
      } else {
        for (index_t m = 1; m < size; ++m) {  // insertion sort: stable, fast on a few points
          const Candidate moving = first[m];
          index_t p = m;
          for (; p > 0 && moving.distance < first[p - 1].distance; --p) first[p] = first[p - 1];
          first[p] = moving;
        }
      }
      begin = end;
    }
    // Points tied with the k_max-th are all in its bucket, hence among the scattered ones.
    const double kth = sorted_[k_max - 1].distance;
    index_t kept = k_max;
    while (kept < scattered && sorted_[kept].distance == kth) ++kept;
    const std::size_t at = neighbours.size();
    neighbours.resize(at + static_cast<std::size_t>(kept));
    distances.resize(at + static_cast<std::size_t>(kept));
    for (index_t m = 0; m < kept; ++m) {
      neighbours[at + m] = sorted_[m].index;
      distances[at + m] = sorted_[m].distance;
    }
  }

 private:
  int buckets_;
  std::vector<index_t> count_;
  std::vector<std::uint16_t> bucket_of_;
  std::vector<index_t> kept_;
  std::vector<Candidate> sorted_;
};

struct BlockLists {
  std::vector<count_t> row_size;
  std::vector<index_t> neighbours;
  std::vector<double> distances;
};

// Rows [begin, end) with their own scratch: blocks share only the read-only panels.
// Entries stored so far by every block, against exact_knn's max_entries (0: no bound).
struct EntryBudget {
  std::size_t max_entries = 0;
  std::atomic<std::size_t> stored{0};
  void add(std::size_t entries, index_t k_max) {
    if (max_entries == 0) return;
    if (stored.fetch_add(entries, std::memory_order_relaxed) + entries <= max_entries) return;
    // No count of this schedule's rows in the message: it is the same for any thread count.
    throw ListsTooLarge("geometry",
                        "the neighbour lists would hold more than " + std::to_string(max_entries) +
                            " entries (k_max = " + std::to_string(k_max) +
                            " a point, plus the points tied with its k_max-th neighbour: "
                            "duplicated points)");
  }
};

BlockLists block_lists(const StripPanels& panels, index_t n, index_t k_max, index_t begin,
                       index_t end, EntryBudget& budget) {
  BlockLists out;
  out.row_size.reserve(static_cast<std::size_t>(end - begin));
  const auto entries = static_cast<std::size_t>(end - begin) * static_cast<std::size_t>(k_max);
  out.neighbours.reserve(entries);
  out.distances.reserve(entries);
  const auto stride = static_cast<std::size_t>(panels.padded_size());
  std::vector<double> tile(kTileRows * stride);
  RowSelector selector(n);
  for (index_t first = begin; first < end; first += kTileRows) {
    panels.tile_rows(first, tile.data());
    for (index_t i = first; i < std::min<index_t>(end, first + kTileRows); ++i) {
      const std::size_t before = out.neighbours.size();
      selector.select(tile.data() + (i - first) * stride, n, i, k_max, out.neighbours,
                      out.distances);
      out.row_size.push_back(static_cast<count_t>(out.neighbours.size() - before));
      budget.add(out.neighbours.size() - before, k_max);
    }
  }
  return out;
}

}  // namespace

NeighbourLists exact_knn(const LayerView& points, index_t k_max, int threads,
                         std::size_t max_entries) {
  const auto n = static_cast<index_t>(points.rows());
  validate_k(k_max, n);
  validate_threads(threads);
  const StripPanels panels(points);

  // Rows are independent: blocks of rows (a multiple of the tile height, a few per thread so an
  // uneven block does not idle the others) are computed apart and concatenated in row order, so the
  // lists do not depend on the thread count.
  const std::size_t rows = static_cast<std::size_t>(n);
  std::size_t block = rows;
  if (threads > 1) {
    block = (rows + 4 * static_cast<std::size_t>(threads) - 1) /
            (4 * static_cast<std::size_t>(threads));
    block = std::max<std::size_t>(kTileRows, (block + kTileRows - 1) / kTileRows * kTileRows);
  }
  std::vector<BlockLists> blocks((rows + block - 1) / block);
  EntryBudget budget;
  budget.max_entries = max_entries;
  for_each_block(rows, block, threads, [&](std::size_t begin, std::size_t end) {
    blocks[begin / block] = block_lists(panels, n, k_max, static_cast<index_t>(begin),
                                        static_cast<index_t>(end), budget);
  });

  std::vector<count_t> offsets{0};
  offsets.reserve(rows + 1);
  if (blocks.size() == 1) {
    for (count_t size : blocks[0].row_size) offsets.push_back(offsets.back() + size);
    return NeighbourLists(k_max, std::move(offsets), std::move(blocks[0].neighbours),
                          std::move(blocks[0].distances));
  }
  // The join copies every entry once more: in parallel, block by block into its place. Serial, it
  // would cost a quarter of a layer's kNN on 16 threads (stack A: 0.4 ms against 29 ms / 16).
  std::vector<std::size_t> block_start{0};
  for (const BlockLists& b : blocks) {
    for (count_t size : b.row_size) offsets.push_back(offsets.back() + size);
    block_start.push_back(block_start.back() + b.neighbours.size());
  }
  std::vector<index_t> neighbours(block_start.back());
  std::vector<double> distances(block_start.back());
  for_each_block(blocks.size(), 1, threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t b = begin; b < end; ++b) {
      const auto at = static_cast<std::ptrdiff_t>(block_start[b]);
      std::copy(blocks[b].neighbours.begin(), blocks[b].neighbours.end(), neighbours.begin() + at);
      std::copy(blocks[b].distances.begin(), blocks[b].distances.end(), distances.begin() + at);
      blocks[b] = BlockLists{};
    }
  });
  return NeighbourLists(k_max, std::move(offsets), std::move(neighbours), std::move(distances));
}

}  // namespace ricci::geometry
