#pragma once
// Running a plan across the ranks of a communicator into one results file.
//
// Rank 0 is the master: it hands out runs, most expensive first, to workers that ask for the next
// one when they finish, and reports progress. With one rank, that rank does everything. Workers
// write their runs themselves (independent parallel HDF5 writes). When `stop_requested` turns true
// on any rank (the application wires it to SIGTERM, SIGINT, SIGUSR1 and SIGUSR2), the hand-out
// ends; runs in flight are abandoned and go back to pending; the file is closed cleanly and
// --resume finishes the job. With a deadline the master starts only runs its cost model predicts
// to end before it (less the margin); when none is left, the hand-out ends and the runs in flight
// finish (ricci/sweep/monitor.hpp). Rank 0 keeps OUT.h5.status.json up to date
// (io::status_file_path).
//
// Failures (schema 6): a worker marks each run `running` (rank, host, SLURM job, start time) before
// it begins, and records every attempt in the attempts table. A transient failure (out of memory,
// a system error of the OS) is retried at once on the same worker until the run has had max_attempts attempts
// in all; a deterministic one is not. --resume finds the runs still marked running — lost with
// their process (node loss, kill -9) — reports them, records them as failed with class lost, and
// always re-runs them; failed runs are re-run when redo_failed (all) or redo_transient (transient
// ones) asks for it.
#include <mpi.h>

#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "ricci/core/error.hpp"
#include "ricci/sweep/job.hpp"
#include "ricci/sweep/plan.hpp"
#include "ricci/sweep/reanalyze.hpp"

namespace ricci::sweep {

struct SweepOptions {
  std::string output;
  bool resume = false, force = false;
  // With resume: also re-run every failed run (--redo failed), or the transient ones (--redo
  // transient). Lost runs are re-run always.
  bool redo_failed = false, redo_transient = false;
  // Attempts of a run, in all sessions, up to which a transient failure is retried automatically.
  int max_attempts = 3;
  double progress_seconds = 10;
  std::string tool_version;
  // The job as canonical text, stored in the file; --resume compares the one without paths.
  std::string job_text, job_text_without_paths;
  // Set for a re-analysis: workers measure the source's stored activations instead of training,
  // the new file records the source in 'reanalysis_of', its data must be the source's, and
  // --resume continues only a re-analysis of the same source.
  std::shared_ptr<const ReanalysisSource> reanalysis;
  // Set for one shard of a job array (--shard i/n): only the shard's runs are run, into a file of
  // the whole plan whose other runs stay pending (io/shards.hpp); --resume needs the same shard.
  std::optional<io::Shard> shard;
  // The allocation's end as Unix seconds (NaN: none) and the safety margin before it: the master
  // hands out no run that the cost model predicts would end after deadline - deadline_margin
  // (ricci/sweep/monitor.hpp); runs in flight finish. The app sets both.
  double deadline = NAN, deadline_margin = 0;
  // Testing hook: every finished run counts as taking this many seconds in the cost model (NaN:
  // measured). The app reads it from RICCI_SWEEP_TEST_RUN_SECONDS.
  double test_run_seconds = NAN;
  // Polled between runs and between a run's stages; never set by the sweep itself.
  std::function<bool()> stop_requested = [] { return false; };
};

struct SweepSummary {
  // Over the whole file (a shard: over its runs), at the end.
  index_t total = 0, done = 0, failed = 0, pending = 0;
  index_t ran = 0;  // executed in this session
  double seconds = 0;
  bool stopped = false;  // a stop request ended the hand-out
  // The deadline ended the hand-out with runs left unstarted (`pending` of them stay pending).
  bool stopped_for_deadline = false;
};

// A rank failed after the ranks began working on the file together: the others may be waiting for
// it in a collective call, so the application must end every rank (MPI_Abort). The failing rank
// has abandoned the file without closing it, since closing is collective too.
class RankFailure : public Error {
 public:
  using Error::Error;
};

// Collective over `comm`: every rank calls it with the same job, plan and options. Throws
// ricci::Error on every rank for refusals decided before the file is touched (existing output
// without --resume/--force, a file in use, a different stored job or data, an output that cannot be
// written); throws RankFailure on the failing rank for anything later.
SweepSummary run_sweep(const JobSpec& job, const Plan& plan, const SweepOptions& options,
                       std::ostream& log, MPI_Comm comm);

}  // namespace ricci::sweep
