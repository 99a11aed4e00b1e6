#include "ricci/sweep/dispatch.hpp"

#include <mpi.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace ricci::sweep {

namespace {

constexpr int tag_request = 1, tag_assign = 2;

// Worker -> master: what the worker just finished, and whether it saw a stop signal.
struct Request {
  std::int64_t finished_id = -1;
  std::int64_t outcome = 0;
  std::int64_t stop = 0;
  double seconds = 0;  // wall time of the finished run's work call
  char error[256] = {};
};

// Takes the first id of `todo` the hooks let start (all of them when may_start is unset); -1 when
// none may.
std::int64_t take_next(std::deque<index_t>& todo, const DispatchHooks& hooks) {
  for (auto it = todo.begin(); it != todo.end(); ++it)
    if (!hooks.may_start || hooks.may_start(*it)) {
      const index_t id = *it;
      todo.erase(it);
      return id;
    }
  return -1;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool serve(std::deque<index_t>& todo, const DispatchHooks& hooks, int workers, MPI_Comm comm) {
  int stopped_workers = 0;
  bool stopping = false;
  while (stopped_workers < workers) {
    int arrived = 0;
    MPI_Status probe;
    MPI_Iprobe(MPI_ANY_SOURCE, tag_request, comm, &arrived, &probe);
    if (!arrived) {
      // Sleep instead of spinning in MPI_Recv: the master must not take a core from the workers.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      if (hooks.stop_requested()) stopping = true;
      hooks.idle();
      continue;
    }
    Request request;
    MPI_Recv(&request, sizeof request, MPI_BYTE, probe.MPI_SOURCE, tag_request, comm,
             MPI_STATUS_IGNORE);
    if (request.finished_id >= 0 && hooks.timed)
      hooks.timed(static_cast<index_t>(request.finished_id), request.seconds);
    if (request.finished_id >= 0)
      hooks.finished(static_cast<index_t>(request.finished_id),
                     static_cast<Outcome>(request.outcome), request.error);
    if (request.stop || hooks.stop_requested()) stopping = true;
    std::int64_t next = -1;
    if (!stopping) next = take_next(todo, hooks);
    if (next < 0) ++stopped_workers;
    MPI_Send(&next, 1, MPI_INT64_T, probe.MPI_SOURCE, tag_assign, comm);
  }
  return stopping;
}

void work(const DispatchHooks& hooks, MPI_Comm comm) {
  Request request;
  for (;;) {
    request.stop = hooks.stop_requested() ? 1 : 0;
    MPI_Send(&request, sizeof request, MPI_BYTE, 0, tag_request, comm);
    std::int64_t id = -1;
    MPI_Recv(&id, 1, MPI_INT64_T, 0, tag_assign, comm, MPI_STATUS_IGNORE);
    if (id < 0) break;
    std::string error;
    request = Request{};
    request.finished_id = id;
    const auto start = std::chrono::steady_clock::now();
    request.outcome = static_cast<std::int64_t>(hooks.work(static_cast<index_t>(id), error));
    request.seconds = seconds_since(start);
    std::strncpy(request.error, error.c_str(), sizeof request.error - 1);
  }
}

}  // namespace

bool dispatch_runs(std::deque<index_t>& todo, const DispatchHooks& hooks, MPI_Comm comm) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  if (size == 1) {
    while (!todo.empty() && !hooks.stop_requested()) {
      const std::int64_t next = take_next(todo, hooks);
      if (next < 0) break;
      const auto id = static_cast<index_t>(next);
      std::string error;
      const auto start = std::chrono::steady_clock::now();
      const Outcome outcome = hooks.work(id, error);
      if (hooks.timed) hooks.timed(id, seconds_since(start));
      hooks.finished(id, outcome, error);
    }
    return hooks.stop_requested();
  }
  if (rank == 0) return serve(todo, hooks, size - 1, comm);
  work(hooks, comm);
  return false;
}

}  // namespace ricci::sweep
