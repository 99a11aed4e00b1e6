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
  char error[256] = {};
};

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
    if (request.finished_id >= 0)
      hooks.finished(static_cast<index_t>(request.finished_id),
                     static_cast<Outcome>(request.outcome), request.error);
    if (request.stop || hooks.stop_requested()) stopping = true;
    std::int64_t next = -1;
    if (!stopping && !todo.empty()) {
      next = todo.front();
      todo.pop_front();
    }
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
    request.outcome = static_cast<std::int64_t>(hooks.work(static_cast<index_t>(id), error));
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
      const index_t id = todo.front();
      todo.pop_front();
      std::string error;
      const Outcome outcome = hooks.work(id, error);
      hooks.finished(id, outcome, error);
    }
    return hooks.stop_requested();
  }
  if (rank == 0) return serve(todo, hooks, size - 1, comm);
  work(hooks, comm);
  return false;
}

}  // namespace ricci::sweep
