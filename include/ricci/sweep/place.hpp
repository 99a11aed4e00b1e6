#pragma once
// Where and when this process runs: the facts the provenance columns, the attempts table and the
// lock file record. One source for each: the host name, the SLURM job (an array task has its own
// SLURM_JOB_ID) and its restart count (SLURM_RESTART_COUNT, set when SLURM requeues the job),
// and wall-clock time as Unix seconds (steady_clock measures durations; this dates events).
#include <string>

namespace ricci::sweep {

struct Place {
  std::string host;
  long pid = 0;
  std::string slurm_job_id;     // "" outside SLURM
  int slurm_restart_count = 0;  // 0 outside SLURM and on a first start
};

// Read once per call from the OS and the environment.
Place this_place();

// Seconds since 1970-01-01 UTC, with sub-second resolution.
double unix_seconds_now();

// "2026-11-27T10:50:08Z" (UTC, whole seconds); "" for a time that is not finite or negative.
std::string utc_text(double unix_seconds);

}  // namespace ricci::sweep
