#pragma once
// Threads for the geometry of one stack (MeasureOptions::threads), with OpenMP from the compiler.
//
// Why the results never depend on the thread count: every parallel loop writes only outputs that
// belong to its own block (rows of neighbour lists, the sources of one BFS batch, one (layer, k)
// cell), and the only sums that cross blocks are integer sums (hop distances, counts), which are
// exact in any order. Floating-point reductions stay inside one block, in their serial order. The
// count is therefore a speed setting only; the tests hold every stage to it (test_knn_oracle.cpp,
// test_geodesics.cpp, test_measure_stack.cpp, tests/apps/test_query_analyze.cpp).
#include <cstddef>
#include <functional>

namespace ricci::geometry {

// The cores this process may run on (its CPU affinity: a SLURM allocation, taskset), at least 1.
int available_cores();

// The most threads one stack may be given: far beyond any node, small enough to catch a typo.
inline constexpr int max_threads = 4096;

// Throws ricci::Error naming the value unless 1 <= threads <= max_threads.
void validate_threads(int threads);

// Calls body(begin, end) for the blocks [0, block), [block, 2 block), ... of [0, count) on up to
// `threads` threads, and returns when all are done. Called with threads > 1 inside a parallel
// region (from a block of an enclosing for_each_block), the blocks become tasks of that region's
// team instead, so
// nested parallelism (BFS batches inside (layer, k) cells) shares one set of threads. An exception
// thrown by a block is rethrown here, after the other blocks finished: the one of the lowest block,
// so which error a caller sees does not depend on the schedule either.
void for_each_block(std::size_t count, std::size_t block, int threads,
                    const std::function<void(std::size_t begin, std::size_t end)>& body);

}  // namespace ricci::geometry
