#pragma once
// Provenance a results file records (schema 6): the builds of the programs that wrote it and the
// sessions that did (the sweep that created it, then each --resume), as the JSON text of its root
// attributes 'builds' and 'sessions', with 'created' and 'completed'; /runs/session names each
// run's session. --resume compares the builds that wrote the done runs with its own.
#include <mpi.h>

#include <string>
#include <vector>

#include "ricci/io/results_file.hpp"
#include "ricci/io/run_status.hpp"
#include "ricci/sweep/place.hpp"

namespace ricci::sweep {

// Written at build time by cmake/BuildInfo.cmake (not at configure time: a rebuild after a commit
// records the new commit). Outside a git checkout commit and dirty are "unknown".
struct CompiledBuild {
  std::string commit;       // git HEAD
  std::string dirty;        // "true" when a tracked file differs from HEAD, "false", "unknown"
  std::string diff_sha256;  // SHA-256 of `git diff --binary HEAD` when dirty, else ""
  std::string compiler;     // "GNU 12.2.0"
  std::string compile_flags, build_type, instruction_set;
};
CompiledBuild compiled_build();

// This program's build record, one JSON object: compiled_build(), the libraries it runs with
// (HDF5 and MPI asked at run time, Eigen and Boost as compiled), the SHA-256 of its executable and
// an "id", the first 16 hex digits of the SHA-256 of the rest.
std::string this_build_json();

// The fields in which `stored` differs from `current` (two build records), as
// "commit 1a2b3c4 there, 5d6e7f8 here"; "" when none does. The id is not compared: it follows
// from the rest.
std::string build_difference(const std::string& stored, const std::string& current);

// Rank 0 of a --resume, before anything collective: one line naming what differs between this
// build and the builds that wrote the file's done runs, or "" when they are the same (or the file,
// older than schema 6, records none).
std::string resume_build_warning(const io::ResultsFile& file, const std::string& current_build);

// How a session ran its runs: its MPI ranks and each rank's geometry threads (the job's
// threads_per_rank, which a resume may change: the results do not depend on it).
struct SessionShape {
  int ranks = 1;
  int threads_per_rank = 1;
};

// The attributes' new text when a session begins: `build` joins 'builds' unless recorded already,
// the session (this place, its shape, now, this build) joins 'sessions'. index: the new session's.
struct SessionStart {
  std::string builds, sessions;
  int index = 0;
};
SessionStart start_session(const std::string& builds, const std::string& sessions,
                           const std::string& build, const Place& place, const SessionShape& shape,
                           double now);
// 'sessions' with session `index`'s end time set.
std::string end_session(const std::string& sessions, int index, double now);

// Collective over `comm`, on a file of schema 6 or later (older files are left as they are): rank
// 0 adds this session (and, for a new file, 'created'), every rank writes the same attributes and
// learns the session's index, which file.session() then gives.
// The shape's ranks are the size of `comm`.
void record_session_start(io::ResultsFile& file, const std::string& build, int threads_per_rank,
                          int rank, MPI_Comm comm);
// Collective: sets the session's end and, when rank 0 says no run is pending, 'completed'.
void record_session_end(io::ResultsFile& file, bool complete, int rank, MPI_Comm comm);

}  // namespace ricci::sweep
