#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/knn.hpp"

using namespace ricci;
using namespace ricci::geometry;
using Catch::Matchers::Contains;

namespace {

std::vector<index_t> as_vector(std::span<const index_t> s) { return {s.begin(), s.end()}; }

// Independent brute force: every other point, fully sorted by (distance, index).
std::vector<std::pair<double, index_t>> sorted_others(const RowMatrix& x, index_t i) {
  std::vector<std::pair<double, index_t>> all;
  for (index_t j = 0; j < x.rows(); ++j) {
    if (j == i) continue;
    double d = 0;
    for (Eigen::Index c = 0; c < x.cols(); ++c) d += (x(i, c) - x(j, c)) * (x(i, c) - x(j, c));
    all.emplace_back(d, j);
  }
  std::sort(all.begin(), all.end());
  return all;
}

}  // namespace

TEST_CASE("kNN on a line: hand-computed lists with index tie-break", "[knn]") {
  // positions 0 1 2 3: point 1 is equidistant from 0 and 2, point 2 from 1 and 3.
  const auto lists = exact_knn(test::line({0, 1, 2, 3}), 3);
  CHECK(as_vector(lists.nearest(0, 3)) == std::vector<index_t>{1, 2, 3});
  CHECK(as_vector(lists.nearest(1, 3)) == std::vector<index_t>{0, 2, 3});
  CHECK(as_vector(lists.nearest(2, 3)) == std::vector<index_t>{1, 3, 0});
  CHECK(as_vector(lists.nearest(3, 1)) == std::vector<index_t>{2});
  // Tie-keeping neighbourhoods: N+_1(1) = {0, 2}, N+_1(0) = {1}.
  CHECK(as_vector(lists.nearest_with_ties(1, 1)) == std::vector<index_t>{0, 2});
  CHECK(as_vector(lists.nearest_with_ties(0, 1)) == std::vector<index_t>{1});
  CHECK(as_vector(lists.nearest_with_ties(1, 2)) == std::vector<index_t>{0, 2});
}

TEST_CASE("kNN keeps the whole tie tail beyond k_max", "[knn]") {
  // Point 0 at the centre of a square: its four neighbours are all at distance 1.
  const auto lists = exact_knn(test::points({{0, 0}, {1, 0}, {0, 1}, {-1, 0}, {0, -1}, {5, 5}}), 1);
  CHECK(as_vector(lists.nearest(0, 1)) == std::vector<index_t>{1});
  CHECK(as_vector(lists.nearest_with_ties(0, 1)) == std::vector<index_t>{1, 2, 3, 4});
  CHECK(lists.row(0).size() == 4);
}

TEST_CASE("kNN with every point identical: all distances 0 - order by index", "[knn]") {
  const RowMatrix x = RowMatrix::Zero(6, 3);
  const auto lists = exact_knn(x, 2);
  CHECK(as_vector(lists.nearest(0, 2)) == std::vector<index_t>{1, 2});
  CHECK(as_vector(lists.nearest(4, 2)) == std::vector<index_t>{0, 1});
  CHECK(as_vector(lists.nearest_with_ties(4, 2)) == std::vector<index_t>{0, 1, 2, 3, 5});
}

TEST_CASE("kNN matches a brute-force sort on clouds with duplicates and ties", "[knn]") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 12; ++trial) {
    const int n = 20 + 17 * trial, dim = 1 + trial % 5, levels = 2 + trial % 3;
    const RowMatrix x = test::lattice_cloud(rng, n, dim, levels);
    const index_t k_max = std::min<index_t>(n - 1, 3 + 4 * trial);
    const auto lists = exact_knn(x, k_max);
    for (index_t i = 0; i < n; ++i) {
      const auto brute = sorted_others(x, i);
      for (index_t k : {index_t{1}, k_max / 2 + 1, k_max}) {
        std::vector<index_t> want;
        for (index_t r = 0; r < k; ++r) want.push_back(brute[r].second);
        REQUIRE(as_vector(lists.nearest(i, k)) == want);
        std::vector<index_t> want_ties;
        for (const auto& [d, j] : brute)
          if (d <= brute[k - 1].first) want_ties.push_back(j);
        REQUIRE(as_vector(lists.nearest_with_ties(i, k)) == want_ties);
      }
    }
  }
}

TEST_CASE("kNN matches brute force on continuous random data", "[knn]") {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  RowMatrix x(300, 7);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = normal(rng);
  const auto lists = exact_knn(x, 40);
  for (index_t i = 0; i < 300; ++i) {
    const auto brute = sorted_others(x, i);
    for (index_t r = 0; r < 40; ++r) REQUIRE(lists.nearest(i, 40)[r] == brute[r].second);
  }
}

TEST_CASE("k outside 1..n-1 is a clear error", "[knn]") {
  const auto x = test::line({0, 1, 2, 3});
  CHECK_THROWS_WITH(exact_knn(x, 0), Contains("k = 0") && Contains("n - 1 = 3"));
  CHECK_THROWS_WITH(exact_knn(x, 4), Contains("k = 4"));
  CHECK_THROWS_WITH(exact_knn(test::line({1}), 1), Contains("at least 2 points"));
  CHECK_NOTHROW(exact_knn(x, 3));
}

TEST_CASE("exact_knn refuses lists beyond max_entries, for any thread count", "[knn]") {
  // 50 identical points: every row keeps all 49 others whatever k_max, 2,450 entries in all.
  const RowMatrix dead = RowMatrix::Zero(50, 3);
  for (int threads : {1, 3}) {
    CHECK_THROWS_AS(exact_knn(dead, 5, threads, 2449), ListsTooLarge);
    CHECK_THROWS_WITH(exact_knn(dead, 5, threads, 1000),
                      Contains("more than 1000 entries") && Contains("duplicated points"));
    const NeighbourLists exact = exact_knn(dead, 5, threads, 2450);
    CHECK(exact.entries() == 2450);
    CHECK(exact.row(7).size() == 49);
  }
}
