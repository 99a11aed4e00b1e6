#pragma once
// Running a plan across MPI ranks into one results file.
//
// Rank 0 is the master: it hands out runs, most expensive first, to workers that ask for the next
// one when they finish, and reports progress. With one rank, that rank does everything. Workers
// write their runs themselves (independent parallel HDF5 writes). SIGTERM, SIGINT or SIGUSR1 on any
// rank stop the hand-out; runs in flight are abandoned and stay pending; the file is closed cleanly
// and
// --resume finishes the job.
#include <ostream>
#include <string>

#include "ricci/sweep/job.hpp"
#include "ricci/sweep/plan.hpp"

namespace ricci::sweep {

// MPI_Init / MPI_Finalize for the lifetime of the program.
class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ends every rank's process (used when one rank fails where the others cannot know).
  [[noreturn]] static void abort_all(int code);

 private:
  int rank_ = 0, size_ = 1;
};

struct SweepOptions {
  std::string output;
  bool resume = false, retry_failed = false, force = false;
  double progress_seconds = 10;
  std::string tool_version;
  // The job as canonical INI text, made by the front end that parsed it. Stored in the results
  // file; --resume compares the text without paths byte for byte (data may move between
  // machines).
  std::string job_text, job_text_without_paths;
};

struct SweepSummary {
  index_t total = 0, done = 0, failed = 0, pending = 0;  // over the whole file, at the end
  index_t ran = 0;                                       // executed in this session
  double seconds = 0;
  bool stopped = false;  // a stop request ended the hand-out
};

// Collective: every rank calls it with the same job and plan. Throws ricci::Error on every rank for
// refusals decided before any collective file operation (existing output without --resume/--force,
// a file in use, a different stored job).
SweepSummary run_sweep(const JobSpec& job, const Plan& plan, const SweepOptions& options,
                       std::ostream& log);

}  // namespace ricci::sweep
