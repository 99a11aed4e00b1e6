#pragma once
// The master/worker hand-out protocol on its own, with no file and no training, so the scheduler
// can be measured (bench/bench_scheduler) exactly as the sweep runs it.
//
// Rank 0 hands ids from `todo` to whichever worker asks; a worker asks again when it has finished,
// reporting the outcome. With one rank, that rank works through `todo` itself. A stop request
// (signal on any rank) ends the hand-out; runs not handed out stay in `todo`. With `may_start` set,
// the master hands out the first run of `todo` it accepts (cheaper runs further back may still
// fit a deadline that the next one would miss); a worker asking when none is accepted is released,
// while the others finish the runs they hold.
#include <mpi.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "ricci/core/types.hpp"

namespace ricci::sweep {

enum class Outcome : std::int64_t { none = 0, done = 1, failed = 2, interrupted = 3 };

struct DispatchHooks {
  // On a worker (or the only rank): execute one run; `error` receives a failure's message.
  std::function<Outcome(index_t id, std::string& error)> work;
  // On rank 0: a worker reported run `id` finished.
  std::function<void(index_t id, Outcome outcome, const std::string& error)> finished;
  // On rank 0: may run `id` start now? Asked in `todo`'s order; the first id accepted is handed
  // out at once. Unset: every run may.
  std::function<bool(index_t id)> may_start;
  // On rank 0, before `finished`: the wall seconds the worker spent on run `id` (its work call).
  std::function<void(index_t id, double seconds)> timed;
  // On rank 0, between messages (progress lines).
  std::function<void()> idle;
  std::function<bool()> stop_requested;
};

// Collective over `comm`. Returns true on rank 0 when a stop request ended the hand-out.
bool dispatch_runs(std::deque<index_t>& todo, const DispatchHooks& hooks, MPI_Comm comm);

}  // namespace ricci::sweep
