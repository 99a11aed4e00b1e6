// The scheduler alone: ricci-sweep's hand-out protocol (sweep/dispatch) with runs that do nothing,
// so the figure is the protocol's own ceiling in runs per second.
//   mpirun -np 64 --oversubscribe bench_scheduler [--runs N]
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>

#include "ricci/sweep/dispatch.hpp"

using namespace ricci;

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  long runs = 200000;
  for (int a = 1; a + 1 < argc; a += 2)
    if (std::strcmp(argv[a], "--runs") == 0) runs = std::atol(argv[a + 1]);
  std::deque<index_t> todo;
  for (long i = 0; i < runs; ++i) todo.push_back(static_cast<index_t>(i));
  long finished = 0;
  sweep::DispatchHooks hooks;
  hooks.work = [](index_t, std::string&) { return sweep::Outcome::done; };
  hooks.finished = [&](index_t, sweep::Outcome, const std::string&) { ++finished; };
  hooks.idle = [] {};
  hooks.stop_requested = [] { return false; };
  MPI_Barrier(MPI_COMM_WORLD);
  const auto start = std::chrono::steady_clock::now();
  sweep::dispatch_runs(todo, hooks, MPI_COMM_WORLD);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (rank == 0)
    std::printf(
        "scheduler: %d ranks (%d workers), %ld empty runs handed out and reported in %.3f s: %.0f "
        "runs/s\n",
        size, std::max(size - 1, 1), finished, seconds, static_cast<double>(finished) / seconds);
  MPI_Finalize();
  return 0;
}
