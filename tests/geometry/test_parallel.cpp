#include <catch2/catch.hpp>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "ricci/core/error.hpp"
#include "ricci/geometry/parallel.hpp"

using namespace ricci;
using namespace ricci::geometry;
using Catch::Matchers::Contains;

TEST_CASE("for_each_block covers every index once, nested or not, for any thread count",
          "[parallel]") {
  for (int threads : {1, 2, 3, 8}) {
    for (std::size_t count : {0, 1, 5, 64, 1000}) {
      for (std::size_t block : {1, 7, 64}) {
        // Catch2's assertions are not thread-safe: the blocks record, the test checks after.
        std::vector<int> hits(count, 0), bad_block(count, 0);
        for_each_block(count, block, threads, [&](std::size_t begin, std::size_t end) {
          const bool bad = !(begin < end) || end - begin > block;
          for (std::size_t i = begin; i < end; ++i) {
            ++hits[i];
            bad_block[i] = bad;
          }
        });
        CHECK(hits == std::vector<int>(count, 1));
        CHECK(bad_block == std::vector<int>(count, 0));
      }
    }
    // Nested: the inner blocks become tasks of the outer team.
    std::vector<int> hits(30 * 40, 0);
    for_each_block(30, 1, threads, [&](std::size_t outer, std::size_t) {
      for_each_block(40, 3, threads, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) ++hits[outer * 40 + i];
      });
    });
    CHECK(hits == std::vector<int>(30 * 40, 1));
  }
}

TEST_CASE("for_each_block rethrows the lowest block's exception after every block ran",
          "[parallel]") {
  for (int threads : {1, 4}) {
    std::mutex m;
    std::size_t ran = 0;
    CHECK_THROWS_WITH(for_each_block(20, 1, threads,
                                     [&](std::size_t begin, std::size_t) {
                                       {
                                         const std::lock_guard<std::mutex> lock(m);
                                         ++ran;
                                       }
                                       if (begin == 7 || begin == 13)
                                         throw Error("geometry", "block " + std::to_string(begin));
                                     }),
                      Contains("block 7"));
    CHECK(ran == 20);
  }
}

TEST_CASE("thread counts are validated, naming the value", "[parallel]") {
  CHECK_NOTHROW(validate_threads(1));
  CHECK_NOTHROW(validate_threads(64));
  CHECK_THROWS_WITH(validate_threads(0), Contains("threads = 0"));
  CHECK_THROWS_WITH(validate_threads(-3), Contains("threads = -3"));
  CHECK(available_cores() >= 1);
}
