// exact_knn and build_knn_graph against an independent brute force written plainly here: the full
// distance matrix, each row fully sorted by (distance, index), and the graphs' edge sets read
// straight from docs/method.md §2. The data are built to stress what the fast paths rely on:
// integer coordinates and duplicated points (many exact ties, distance 0), outliers that crowd one
// selection bucket, strided views, every k_max from 1 to n - 1 somewhere, and several thread
// counts.
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "../test_support.hpp"
#include "graph_checks.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/graph.hpp"
#include "ricci/geometry/knn.hpp"

using namespace ricci;
using namespace ricci::geometry;

namespace {

struct OracleRow {
  std::vector<index_t> neighbours;
  std::vector<double> distances;
};

// Row i: the first k_max others by (distance, index), then every further one tied with the
// k_max-th.
std::vector<OracleRow> oracle_lists(const RowMatrix& x, index_t k_max) {
  const index_t n = static_cast<index_t>(x.rows());
  std::vector<std::vector<double>> d(n, std::vector<double>(n));
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < n; ++j) {
      double sum = 0;
      for (Eigen::Index c = 0; c < x.cols(); ++c) {
        const double diff = x(i, c) - x(j, c);
        sum += diff * diff;
      }
      d[i][j] = sum;
    }
  std::vector<OracleRow> rows(n);
  for (index_t i = 0; i < n; ++i) {
    std::vector<std::pair<double, index_t>> all;
    for (index_t j = 0; j < n; ++j)
      if (j != i) all.emplace_back(d[i][j], j);
    std::sort(all.begin(), all.end());
    for (std::size_t r = 0; r < all.size(); ++r) {
      if (static_cast<index_t>(r) >= k_max && all[r].first != all[k_max - 1].first) break;
      rows[i].neighbours.push_back(all[r].second);
      rows[i].distances.push_back(all[r].first);
    }
  }
  return rows;
}

void require_equal(const NeighbourLists& lists, const std::vector<OracleRow>& want) {
  REQUIRE(lists.size() == static_cast<index_t>(want.size()));
  for (index_t i = 0; i < lists.size(); ++i) {
    const auto got = lists.row(i);
    const auto got_d = lists.row_distances(i);
    REQUIRE(std::vector<index_t>(got.begin(), got.end()) == want[i].neighbours);
    REQUIRE(got_d.size() == want[i].distances.size());
    for (std::size_t r = 0; r < got_d.size(); ++r)
      REQUIRE(std::bit_cast<std::uint64_t>(got_d[r]) ==
              std::bit_cast<std::uint64_t>(want[i].distances[r]));
  }
}

// Integer coordinates in [0, levels), a quarter of the points copies of earlier ones; placed in the
// middle columns of a wider matrix so the view has a row stride other than its width.
RowMatrix tied_cloud(std::mt19937_64& rng, int n, int dim, int levels) {
  RowMatrix wide = RowMatrix::Constant(n, dim + 5, 1e300);
  std::uniform_int_distribution<int> coord(0, levels - 1);
  for (int i = 0; i < n; ++i) {
    if (i > 0 && rng() % 4 == 0) {
      wide.row(i) = wide.row(static_cast<int>(rng() % static_cast<unsigned>(i)));
      continue;
    }
    for (int c = 0; c < dim; ++c) wide(i, 2 + c) = coord(rng);
  }
  return wide;
}

std::vector<std::pair<index_t, index_t>> pairs_of(const std::vector<OracleRow>& rows, index_t k,
                                                  GraphRule rule) {
  const index_t n = static_cast<index_t>(rows.size());
  const auto first_k = [&](index_t i) {
    const auto& r = rows[i];
    if (rule == GraphRule::baptista_r) {  // N+_k(i): every point at distance <= d_k(i)
      std::set<index_t> out;
      for (std::size_t m = 0; m < r.neighbours.size(); ++m)
        if (r.distances[m] <= r.distances[k - 1]) out.insert(r.neighbours[m]);
      return out;
    }
    return std::set<index_t>(r.neighbours.begin(), r.neighbours.begin() + k);
  };
  std::vector<std::set<index_t>> out(n);
  for (index_t i = 0; i < n; ++i) out[i] = first_k(i);
  std::vector<std::pair<index_t, index_t>> pairs;
  for (index_t i = 0; i < n; ++i)
    for (index_t j : out[i])
      if (rule != GraphRule::knn_mutual || out[j].count(i)) pairs.emplace_back(i, j);
  return pairs;
}

void require_graphs_match(const NeighbourLists& lists, const std::vector<OracleRow>& oracle,
                          index_t k) {
  const index_t n = lists.size();
  for (auto rule : {GraphRule::knn_union, GraphRule::knn_mutual, GraphRule::baptista_r}) {
    const auto pairs = pairs_of(oracle, k, rule);
    test::require_graph_of(build_knn_graph(lists, k, rule), n, pairs, pairs);
  }
}

}  // namespace

TEST_CASE("exact_knn equals the brute-force oracle bitwise, for any thread count", "[knn]") {
  std::mt19937_64 rng(2024);
  struct Shape {
    int n, dim, levels;
  };
  // n from 2 up; dims around the strip width (8) and the benchmark's 50 columns.
  const Shape shapes[] = {{2, 1, 2},    {3, 2, 2},    {5, 1, 3},   {9, 3, 2},
                          {17, 7, 3},   {33, 9, 2},   {64, 50, 3}, {101, 4, 4},
                          {257, 50, 2}, {300, 13, 6}, {513, 2, 5}, {700, 50, 3}};
  for (const Shape& s : shapes) {
    const RowMatrix wide = tied_cloud(rng, s.n, s.dim, s.levels);
    const RowMatrix x = wide.middleCols(2, s.dim);
    std::vector<index_t> ks{1, s.n - 1, (s.n + 1) / 2, std::max(1, s.n / 7)};
    for (index_t k_max : ks) {
      k_max = std::clamp<index_t>(k_max, 1, s.n - 1);
      INFO("n = " << s.n << ", dim = " << s.dim << ", k_max = " << k_max);
      const auto want = oracle_lists(x, k_max);
      for (int threads : {1, 2, 3, 7})
        require_equal(exact_knn(wide.middleCols(2, s.dim), k_max, threads), want);
    }
  }
}

TEST_CASE("exact_knn on continuous data with outliers and scaled clusters", "[knn]") {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  // Most points in a tight cluster, a few at 1e6 and one at 1e150: one selection bucket holds
  // almost the whole row (its crowded-bucket path), and distances span many binades.
  RowMatrix x(400, 11);
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index c = 0; c < x.cols(); ++c)
      x(i, c) = normal(rng) * (i % 50 == 7 ? 1e6 : i == 123 ? 1e150 : 1e-3);
  for (index_t k_max : {1, 10, 200, 399}) {
    const auto want = oracle_lists(x, k_max);
    for (int threads : {1, 3}) require_equal(exact_knn(x, k_max, threads), want);
  }
}

TEST_CASE("exact_knn rejects bad threads and non-finite points", "[knn]") {
  RowMatrix x = test::line({0, 1, 2, 3});
  CHECK_THROWS_WITH(exact_knn(x, 2, 0), Catch::Matchers::Contains("threads = 0"));
  x(2, 0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(exact_knn(x, 2), Catch::Matchers::Contains("point 2, coordinate 0"));
}

TEST_CASE("kNN graphs equal symmetric_graph/directed_graph of the oracle's edge lists", "[graph]") {
  std::mt19937_64 rng(77);
  struct Shape {
    int n, dim, levels;
  };
  // 1500 points at small k exercise the row builder's sort path (rows far smaller than n / 64).
  const Shape shapes[] = {{2, 1, 2},   {6, 2, 2},    {40, 3, 3},
                          {130, 5, 2}, {301, 50, 3}, {1500, 3, 40}};
  for (const Shape& s : shapes) {
    const RowMatrix wide = tied_cloud(rng, s.n, s.dim, s.levels);
    const RowMatrix x = wide.middleCols(2, s.dim);
    const index_t k_max = s.n == 1500 ? 3 : s.n - 1;
    const auto oracle = oracle_lists(x, k_max);
    const auto lists = exact_knn(wide.middleCols(2, s.dim), k_max, 2);
    std::set<index_t> ks{1, k_max, std::max(1, k_max / 2), std::min(k_max, 2)};
    for (index_t k : ks) {
      INFO("n = " << s.n << ", k = " << k);
      require_graphs_match(lists, oracle, k);
    }
  }
}
