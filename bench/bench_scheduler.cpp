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
#include "ricci/sweep/mpi_session.hpp"

using namespace ricci;

int main(int argc, char** argv) {
  sweep::MpiSession session(argc, argv);
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
  MPI_Barrier(session.communicator());
  const auto start = std::chrono::steady_clock::now();
  sweep::dispatch_runs(todo, hooks, session.communicator());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (session.rank() == 0)
    std::printf(
        "scheduler: %d ranks (%d workers), %ld empty runs handed out and reported in %.3f s: %.0f "
        "runs/s\n",
        session.size(), std::max(session.size() - 1, 1), finished, seconds,
        static_cast<double>(finished) / seconds);
  return 0;
}
