#include "ricci/geometry/parallel.hpp"

#include <sched.h>

#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "ricci/core/error.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ricci::geometry {

int available_cores() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) == 0) return std::max(1, CPU_COUNT(&mask));
#ifdef _OPENMP
  return std::max(1, omp_get_num_procs());
#else
  return 1;
#endif
}

void validate_threads(int threads) {
  if (threads < 1 || threads > max_threads)
    throw Error("geometry", "threads = " + std::to_string(threads) +
                                " must satisfy 1 <= threads <= " + std::to_string(max_threads));
}

void for_each_block(std::size_t count, std::size_t block, int threads,
                    const std::function<void(std::size_t begin, std::size_t end)>& body) {
  if (count == 0) return;
  block = std::max<std::size_t>(block, 1);
  const std::size_t blocks = (count + block - 1) / block;
  // An exception must not leave an OpenMP task (the runtime would terminate): each block keeps its
  // own, and the lowest is rethrown once every block has finished.
  std::vector<std::exception_ptr> errors(blocks);
  const auto run = [&](std::size_t b) {
    try {
      body(b * block, std::min(count, (b + 1) * block));
    } catch (...) {
      errors[b] = std::current_exception();
    }
  };
#ifdef _OPENMP
  if (blocks > 1 && threads > 1 && omp_in_parallel()) {
    // Tasks of the enclosing team; the taskloop waits for them (its implicit taskgroup), and the
    // waiting thread runs the loop's unstarted blocks meanwhile.
#pragma omp taskloop grainsize(1) default(shared)
    for (std::size_t b = 0; b < blocks; ++b) run(b);
  } else if (blocks > 1 && threads > 1) {
    // The whole team even for fewer blocks than threads: the blocks may open nested loops (a
    // layer's kNN rows, a cell's BFS batches), whose tasks the threads without a block of their own
    // take while they wait at the region's barrier. nogroup, so that the thread creating the tasks
    // waits there too and may take any task: in the taskloop's own group it could run only the
    // loop's unstarted blocks, and would idle once they are taken. The barrier waits for every task.
#pragma omp parallel num_threads(threads) default(shared)
#pragma omp single
#pragma omp taskloop grainsize(1) default(shared) nogroup
    for (std::size_t b = 0; b < blocks; ++b) run(b);
  } else {
    for (std::size_t b = 0; b < blocks; ++b) run(b);
  }
#else
  (void)threads;
  for (std::size_t b = 0; b < blocks; ++b) run(b);
#endif
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
}

}  // namespace ricci::geometry
