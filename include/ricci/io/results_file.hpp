#pragma once
// The shared results file of a sweep. Its layout is the registry of ricci/io/schema.hpp
// (documented in results_schema/); this class creates it and writes runs into it.
//
// Parallel HDF5 rules this class follows (docs/toolchain.md § Parallel HDF5): every rank creates
// every object collectively up front (fixed sizes, early allocation) and the file is flushed
// once; afterwards ranks write raw data independently, a run's data first and its status last;
// all ranks close collectively. A file killed mid-sweep therefore opens, and every run whose
// status is set is complete. With a communicator, create(), open() and close() are collective over
// it and write_run() is independent; with MPI_COMM_NULL the file is this process's alone and no
// MPI call is made (tools, tests). io hands the communicator to HDF5's MPI-IO driver and asks it
// for this process's rank (rank 0 writes the identity columns), nothing else; that is why this
// header, unlike the rest of io, includes <mpi.h>.
#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/io/run_record.hpp"
#include "ricci/io/run_status.hpp"
#include "ricci/io/schema.hpp"

namespace ricci::io {

class ResultsFile {
 public:
  ResultsFile();
  ~ResultsFile();
  ResultsFile(ResultsFile&&) noexcept;
  ResultsFile& operator=(ResultsFile&&) noexcept;

  // Creates (truncating) `path` with every dataset of the schema, and writes the runs' identity.
  // Throws ricci::Error("io", ...) for a layout whose runs do not fit its own sizes or that names
  // an attribute the schema does not have. With a communicator, a rank that fails here abandons
  // the file (see abandon()).
  static ResultsFile create(const std::string& path, const ResultsLayout& layout,
                            MPI_Comm comm = MPI_COMM_NULL);
  // Opens an existing results file for writing or reading. Throws ricci::Error("io", ...) naming
  // the file when it is not a results file or was written by a newer schema.
  static ResultsFile open(const std::string& path, bool writable, MPI_Comm comm = MPI_COMM_NULL);

  // A root attribute as text (integers in decimal).
  std::string attribute(const std::string& name) const;
  bool has_attribute(const std::string& name) const;
  // Replaces the string root attribute `name` (one of the schema's) with `value`. Collective when
  // opened with a communicator: every rank passes the same value (HDF5 writes metadata
  // collectively).
  void set_attribute(const std::string& name, const std::string& value);
  int file_version() const;  // the file's schema version
  index_t run_count() const;
  std::vector<RunStatus> statuses() const;
  // Schema 6: each run's /runs/session (-1: not written yet); empty for older files.
  std::vector<int> run_sessions() const;
  // Schema 6: the index in 'sessions' of the session writing now (-1: none), which the sweep
  // gives every record it writes.
  void set_session(int index);
  int session() const;
  // Each run's stored wall time, /runs/train_seconds + /runs/geometry_seconds (an untrained run's
  // training counts 0); NaN where either is NaN otherwise (not done). Collective like statuses().
  std::vector<double> run_seconds() const;

  // Independent: writes everything of one run, its status last. Throws ricci::Error("io", ...)
  // when the record does not fit the file (id, k slots, layers, data sizes).
  void write_run(const RunRecord& record);
  // Collective when opened with a communicator, with the same arguments on every rank: creates
  // the /run_data groups the file lacks of the runs `ids` (`runs` holds every run's identity, by
  // id), as create() would have. A shard's file leaves out the other shards' groups, so a merged
  // file lacks those of the shards not merged until they are run. Nothing to do when the file
  // stores no per-run data.
  void add_run_groups(const std::vector<RunIdentity>& runs, const std::vector<index_t>& ids);
  // Schema 6, independent; each does nothing in a file of an older version (which has no running
  // status and no attempts table).
  // Whether the file has the runs-in-flight columns and the attempts table.
  bool records_attempts() const;
  // Marks a run `running` as `attempt` (outcome running) begins: its attempts-table row, then
  // /runs/rank, host, slurm_job_id, slurm_restart_count, started_at and attempts, the status last.
  void mark_running(const AttemptRecord& attempt, int slurm_restart_count);
  // One row of the attempts table (row attempt_row(attempt.attempt)).
  void write_attempt(const AttemptRecord& attempt);
  // Sets a run's status back to pending: a run marked running and abandoned on purpose.
  void mark_pending(index_t id);
  // /runs/attempts of every run (zeros in an older file).
  std::vector<std::int64_t> attempt_counts() const;
  // /runs/failure of every run (none in an older file, and for a code no writer produces).
  std::vector<FailureClass> failure_classes() const;
  // One cell of a [runs] column (slot 0) or of a [runs, X] column: an integer column as int64, a
  // real one as double, a string as std::string.
  CellValue read_cell(std::string_view column_path, index_t id, std::size_t slot = 0) const;

  // Collective when opened with a communicator.
  void close();
  // Collective when opened with a communicator: puts the metadata written since the last flush
  // (attributes above all) on disk, so a process killed afterwards leaves them in the file.
  void flush();
  // Forgets the file without closing it, for a rank that failed while the others may be inside a
  // collective call (closing is collective too); the application then ends every rank. Without a
  // communicator it simply closes.
  void abandon();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "1.10.8": the HDF5 library this program runs with (H5get_libversion).
std::string hdf5_library_version();

}  // namespace ricci::io
