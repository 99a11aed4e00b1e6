#include "ricci/sweep/sweep.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iomanip>
#include <map>
#include <sstream>

#include "ricci/io/results_file.hpp"
#include "ricci/sweep/data_identity.hpp"
#include "ricci/sweep/dispatch.hpp"
#include "ricci/sweep/fault_injection.hpp"
#include "ricci/sweep/file_system.hpp"
#include "ricci/sweep/monitor.hpp"
#include "ricci/sweep/place.hpp"
#include "ricci/sweep/provenance.hpp"
#include "ricci/sweep/run.hpp"

namespace ricci::sweep {

namespace {

using Clock = std::chrono::steady_clock;

// Holds OUT.lock with flock() for the sweep's lifetime: a second sweep on the same file is refused,
// and a lock left by a killed process is released by the kernel.
//
// The lock file is never unlinked, not even by the holder on exit. Unlinking it while holding it
// lets two sweeps hold "the" lock at once: one that opened the old file just before the unlink
// locks a dead inode while a third creates and locks a new one. A lock file that stays behind
// blocks nothing (flock is the lock, not the file's existence), so keeping it is the simple
// race-free choice; re-checking the inode after flock would only be needed if it were ever removed.
//
// The path is opened with O_NOFOLLOW and must be a regular file: on shared scratch space a
// planted symlink (or FIFO, device) must not make the sweep write to, or create, someone else's
// file.
class OutputLock {
 public:
  explicit OutputLock(const std::string& output) : path_(output + ".lock") {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644);
    if (fd_ < 0) {
      const int error = errno;
      if (error == ELOOP)
        throw Error("sweep", "the lock file " + path_ +
                                 " is a symbolic link; refusing to follow it (remove it)");
      throw Error("sweep", "cannot create the lock file " + path_ + ": " + std::strerror(error));
    }
    struct stat info {};
    if (::fstat(fd_, &info) != 0 || !S_ISREG(info.st_mode)) {
      ::close(fd_);
      fd_ = -1;
      throw Error("sweep", "the lock file " + path_ + " is not a regular file; refusing to use it");
    }
    const int refused = ::flock(fd_, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
    if (refused != 0 && refused != EWOULDBLOCK) {
      // A file system without locks (Lustre mounted without -o flock, NFS without lockd): the
      // sweep goes on, as HDF5 does (best effort), and says so once.
      unlocked_ = "cannot lock " + path_ + " (" + std::strerror(refused) +
                  "): this file system offers no locks, so nothing stops a second sweep on " +
                  output + "; run only one";
    } else if (refused == EWOULDBLOCK) {
      char owner[256] = {};
      [[maybe_unused]] const auto got = ::pread(fd_, owner, sizeof owner - 1, 0);
      ::close(fd_);
      fd_ = -1;
      throw Error("sweep", output + " is in use by another sweep (" + std::string(owner) +
                               "); lock file " + path_);
    }
    // Who holds it, for the refusal a second sweep prints: on a cluster the host and job say where.
    const Place place = this_place();
    const std::string owner =
        "pid " + std::to_string(place.pid) + " on " + place.host +
        (place.slurm_job_id.empty() ? "" : ", SLURM job " + place.slurm_job_id) + ", since " +
        utc_text(unix_seconds_now());
    [[maybe_unused]] const auto a = ::ftruncate(fd_, 0);
    [[maybe_unused]] const auto b = ::pwrite(fd_, owner.data(), owner.size(), 0);
  }
  ~OutputLock() {
    // Closing releases the flock; the file stays (see above).
    if (fd_ >= 0) ::close(fd_);
  }
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  // Why the sweep runs without the lock (a file system without flock); "" when it holds it.
  const std::string& unlocked() const { return unlocked_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string unlocked_;
};

enum class OutputAction { create, resume };

// What rank 0 decided about the output, for every rank.
struct Decision {
  OutputAction action = OutputAction::create;
  std::string data_identity;  // of the data now, stored in a created file
};

// A new file is created under this name beside the output and renamed to it only once complete:
// a failed creation never leaves a half-made results file under the output's name, and --force
// replaces an old file only with a finished one.
std::string creating_path(const std::string& output) { return output + ".creating"; }

// The job text without its 'name' line: a copied or renamed job file (whose default name is its
// file name) is the same job. Files of the first release store the name too; they compare the same.
std::string without_name(const std::string& job_text) {
  std::istringstream in(job_text);
  std::string line, section, out;
  while (std::getline(in, line)) {
    if (line.starts_with('[')) section = line;
    if (section == "[sweep]" && line.starts_with("name = ")) continue;
    out += line + "\n";
  }
  return out;
}

// A key whose line differs between two job texts (in name order), as "geometry.curvatures is
// 'forman,ollivier' there, 'forman' here"; "" when none does (then only the order differs).
std::string first_job_difference(const std::string& stored, const std::string& now) {
  const auto lines = [](const std::string& text) {
    std::map<std::string, std::string> out;  // "section.key" -> value
    std::istringstream in(text);
    std::string line, section;
    while (std::getline(in, line)) {
      if (line.starts_with("[")) section = line.substr(1, line.find(']') - 1);
      const auto equals = line.find(" = ");
      if (equals != std::string::npos)
        out[section + "." + line.substr(0, equals)] = line.substr(equals + 3);
    }
    return out;
  };
  const auto there = lines(stored), here = lines(now);
  for (const auto& [key, value] : here) {
    const auto found = there.find(key);
    const std::string old =
        found == there.end() ? "(not set: its default)" : "'" + found->second + "'";
    if (found == there.end() || found->second != value)
      return key + " is " + old + " there, '" + value + "' here";
  }
  for (const auto& [key, value] : there)
    if (!here.count(key)) return key + " is '" + value + "' there, its default here";
  return "";
}

// One line naming the output and the OS's reason, for a file or directory that cannot be written.
Error output_error(const std::string& what, const std::string& path, int error) {
  return Error("sweep", "cannot " + what + " " + path + ": " + std::strerror(error));
}

// A file to resume must hold this job, this plan's runs and the same data. Rank 0 checks it alone,
// reading the file without MPI, before any collective call: every rank then opens a file already
// known to fit.
void require_resumable(const JobSpec& job, const SweepOptions& options, std::size_t plan_runs,
                       const std::string& data_identity) {
  std::string stored, stored_data, stored_source, stored_version, stored_shard;
  std::size_t runs = 0;
  try {
    auto file = io::ResultsFile::open(options.output, false);
    stored = file.attribute("job_without_paths");
    stored_version = file.attribute("schema_version");
    runs = static_cast<std::size_t>(file.run_count());
    // Files of the first release have no data identity, files before re-analysis no source:
    // nothing to compare.
    try {
      stored_data = file.attribute("data_identity");
    } catch (const Error&) {
    }
    try {
      stored_source = file.attribute("reanalysis_of");
    } catch (const Error&) {
    }
    try {
      stored_shard = file.attribute("shard");
    } catch (const Error&) {
    }
    file.close();
  } catch (const Error& e) {
    throw Error("sweep", "cannot resume " + options.output + ": " + e.message());
  }
  if (without_name(stored) != without_name(options.job_text_without_paths)) {
    const std::string difference =
        first_job_difference(without_name(stored), without_name(options.job_text_without_paths));
    throw Error("sweep",
                options.output + " holds a different job" +
                    (difference.empty() ? "" : " (" + difference + ")") +
                    "; resume it with the job it was started "
                    "with (stored in its 'job' attribute), or pass --force to overwrite it");
  }
  const std::string source = options.reanalysis ? options.reanalysis->absolute_path : "";
  if (stored_source != source)
    throw Error("sweep", options.output + " holds " +
                             (stored_source.empty() ? "a sweep that trained its runs"
                                                    : "a re-analysis of " + stored_source) +
                             "; resume it as " +
                             (stored_source.empty() ? "a sweep (without --reanalyze)"
                                                    : "--reanalyze " + stored_source) +
                             ", or pass --force to overwrite it");
  // A shard's file holds only its shard's runs; the others are another process's (io/shards.hpp).
  const std::string shard = options.shard ? io::shard_text(*options.shard) : "";
  if (stored_shard != shard)
    throw Error("sweep",
                options.output + " holds " +
                    (stored_shard.empty() ? "a whole sweep" : "shard " + stored_shard) +
                    "; resume it " +
                    (stored_shard.empty() ? "without --shard" : "with --shard " + stored_shard) +
                    (stored_shard.empty() ? "" : ", or merge the shards with ricci-query merge") +
                    ", or pass --force to overwrite it");
  if (runs != plan_runs)
    throw Error("sweep", options.output + " holds " + std::to_string(runs) +
                             " runs but the job plans " + std::to_string(plan_runs));
  // Before schema 4, baptista-r runs were excluded by the paper's connectivity rule; runs added now
  // follow the reference R code's rule (docs/method.md §3), and one file must not mix the two.
  int version = 0;
  std::from_chars(stored_version.data(), stored_version.data() + stored_version.size(), version);
  if (job.rule == geometry::GraphRule::baptista_r && version < io::transitions_since_version)
    throw Error("sweep", "cannot resume " + options.output + ": it is schema version " +
                             stored_version +
                             ", whose baptista-r runs used the paper's connectivity rule, not "
                             "the reference R code's (docs/method.md §3); re-analyse it into a new "
                             "file with --reanalyze, or pass --force to start over");
  if (!stored_data.empty()) {
    const std::string difference = data_difference(stored_data, data_identity, options.output);
    if (!difference.empty())
      throw Error("sweep",
                  "cannot resume " + options.output + ": " + difference +
                      "; runs on other data must not join it (pass --force to start over)");
  }
  // Opening for writing is checked here, on rank 0, with the OS's reason: a read-only or
  // immutable file must be a refusal, not a failure inside the collective open.
  const int fd = ::open(options.output.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) throw output_error("write", options.output, errno);
  ::close(fd);
}

// Rank 0's look at the output before anything collective: whether to create or resume it, or why
// to refuse (an Error naming the reason). Called with the lock held.
Decision decide_output(const JobSpec& job, const Plan& plan, const SweepOptions& options) {
  namespace fs = std::filesystem;
  std::error_code error;
  const auto status = fs::status(options.output, error);
  const bool exists = fs::exists(status);
  if (fs::is_directory(status)) throw output_error("write", options.output, EISDIR);
  if (exists && !options.resume && !options.force)
    throw Error("sweep",
                options.output +
                    " already exists: pass --resume to continue it or --force to overwrite it");
  Decision decision;
  decision.data_identity = data_identity(job, plan.shapes);
  // A re-analysis regenerates the test inputs: they must come from the data the source had.
  if (options.reanalysis && !options.reanalysis->data_identity.empty()) {
    const std::string difference = data_difference(
        options.reanalysis->data_identity, decision.data_identity, options.reanalysis->path);
    if (!difference.empty())
      throw Error("sweep", "cannot re-analyse " + options.reanalysis->path + ": " + difference);
  }
  if (exists && options.resume) {
    require_resumable(job, options, plan.runs.size(), decision.data_identity);
    decision.action = OutputAction::resume;
    return decision;
  }
  const auto parent = fs::path(options.output).parent_path();
  if (!parent.empty() && !fs::is_directory(parent))
    throw Error("sweep", "the output directory " + parent.string() + " does not exist");
  // A creation left over by a sweep that failed while creating: we hold the lock, so nobody else
  // is creating it now. Creating the new one here tests, with the OS's reason, that the directory
  // is writable before any collective call.
  const std::string creating = creating_path(options.output);
  ::unlink(creating.c_str());
  const int fd =
      ::open(creating.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) throw output_error("create", creating, errno);
  ::close(fd);
  decision.action = OutputAction::create;
  return decision;
}

// Rank 0 decides; every rank learns the verdict, a refusal throws the same Error everywhere. Any
// exception on rank 0 becomes a refusal: the other ranks are waiting for the verdict.
Decision broadcast_decision(const std::function<Decision()>& decide, int rank, MPI_Comm comm) {
  std::string refusal;
  Decision decision;
  if (rank == 0) {
    try {
      decision = decide();
    } catch (const Error& e) {
      refusal = e.message();
    } catch (const std::exception& e) {
      refusal = e.what();
    }
  }
  const std::string& text = refusal.empty() ? decision.data_identity : refusal;
  int verdict[3] = {refusal.empty() ? 0 : 1, static_cast<int>(decision.action),
                    static_cast<int>(text.size())};
  MPI_Bcast(verdict, 3, MPI_INT, 0, comm);
  std::string received = text;
  received.resize(static_cast<std::size_t>(verdict[2]));
  if (verdict[2] > 0) MPI_Bcast(received.data(), verdict[2], MPI_CHAR, 0, comm);
  if (verdict[0] != 0) throw Error("sweep", received);
  decision.action = static_cast<OutputAction>(verdict[1]);
  decision.data_identity = std::move(received);
  return decision;
}

std::map<std::string, std::string> attributes(const JobSpec& job, const SweepOptions& options,
                                              const std::string& data_identity) {
  return {{"job", options.job_text},
          {"data_identity", data_identity},
          {"job_without_paths", options.job_text_without_paths},
          {"tool", "ricci-sweep"},
          {"tool_version", options.tool_version},
          {"graph", std::string(geometry::graph_rule_name(job.rule))},
          {"reanalysis_of", options.reanalysis ? options.reanalysis->absolute_path : ""},
          {"shard", options.shard ? io::shard_text(*options.shard) : ""}};
}

// Collective over `comm`: one line when the workers on rank 0's node would run more threads
// (workers x threads_per_rank) than there are cores they may run on (the union of their CPU
// affinities: a SLURM allocation, mpirun's binding), "" otherwise and on the other ranks.
// Oversubscribed threads give the same results, slower. Rank 0's node stands for the others: only
// it reports.
std::string oversubscription_warning(int threads_per_rank, int rank, MPI_Comm comm) {
  MPI_Comm node = MPI_COMM_NULL;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
  int node_ranks = 1;
  MPI_Comm_size(node, &node_ranks);
  cpu_set_t mine, cores;
  CPU_ZERO(&mine);
  CPU_ZERO(&cores);
  if (sched_getaffinity(0, sizeof mine, &mine) != 0) CPU_ZERO(&mine);
  MPI_Reduce(&mine, &cores, static_cast<int>(sizeof mine), MPI_BYTE, MPI_BOR, 0, node);
  MPI_Comm_free(&node);
  // With workers, rank 0 only dispatches (it waits on messages, no geometry): count the workers.
  int size = 1;
  MPI_Comm_size(comm, &size);
  const int workers = node_ranks - (size > 1 ? 1 : 0);
  const int threads = workers * threads_per_rank, count = CPU_COUNT(&cores);
  // rank 0 is its node's first (the split keeps the order of `comm`); no affinity known: no claim.
  if (rank != 0 || count == 0 || threads <= count) return "";
  return std::to_string(workers) + " worker ranks x threads_per_rank " +
         std::to_string(threads_per_rank) + " = " + std::to_string(threads) +
         " threads on this node's " + std::to_string(count) +
         " cores (the ranks' CPU affinity): oversubscribed, the same results but slower; give "
         "each rank threads_per_rank cores (SLURM: --cpus-per-task; mpirun: --map-by "
         "slot:PE=N) or lower threads_per_rank";
}

// What a worker needs to run its runs besides the run itself.
struct Worker {
  int rank = 0;
  Place place = this_place();
  std::vector<std::int64_t> attempts;  // per run, every session's (the file's /runs/attempts)
  std::vector<InjectedFault> faults;
};

// One run on a worker: marked running, executed, recorded in the attempts table, retried at once
// while it fails transiently and has had fewer than max_attempts attempts, then written. On a stop
// request it goes back to pending. `note` receives a failure's message, or for a run that needed
// more than one attempt what the retries were for.
Outcome run_one(const RunSpec& run, const JobSpec& job, DataCache& cache, io::ResultsFile& file,
                Worker& worker, const SweepOptions& options, std::string& note) {
  const auto& stop_requested = options.stop_requested;
  std::string retried;
  for (;;) {
    auto& count = worker.attempts[static_cast<std::size_t>(run.id)];
    const int attempt = static_cast<int>(++count);
    io::AttemptRecord begun;
    begun.id = run.id;
    begun.attempt = attempt;
    begun.rank = worker.rank;
    begun.host = worker.place.host;
    begun.slurm_job_id = worker.place.slurm_job_id;
    begun.started_at = unix_seconds_now();
    file.mark_running(begun, worker.place.slurm_restart_count);
    crash_if_injected(worker.faults, run.id, attempt);
    io::RunRecord record;
    try {
      throw_injected_failure(worker.faults, run.id, attempt);
      record = options.reanalysis
                   ? reanalyze_run(run, job, *options.reanalysis, cache, stop_requested)
                   : execute_run(run, job, cache, stop_requested);
    } catch (const std::exception& e) {
      record = io::RunRecord{};
      record.id = run.id;
      record_failure(record, e);
    }
    io::AttemptRecord ended = begun;
    ended.ended_at = unix_seconds_now();
    ended.message = record.error;
    if (record.status != io::RunStatus::done && stop_requested()) {
      ended.outcome = io::AttemptOutcome::interrupted;
      file.write_attempt(ended);
      file.mark_pending(run.id);  // stays pending for --resume
      return Outcome::interrupted;
    }
    const bool transient = record.failure == io::FailureClass::transient;
    ended.outcome = record.status == io::RunStatus::done ? io::AttemptOutcome::done
                    : transient                          ? io::AttemptOutcome::transient
                                                         : io::AttemptOutcome::deterministic;
    file.write_attempt(ended);
    if (record.status != io::RunStatus::done && transient && attempt < options.max_attempts) {
      retried += (retried.empty() ? "" : "; ") +
                 ("attempt " + std::to_string(attempt) + ": " + record.error);
      continue;
    }
    record.rank = worker.rank;
    record.host = worker.place.host;
    record.slurm_job_id = worker.place.slurm_job_id;
    record.slurm_restart_count = worker.place.slurm_restart_count;
    record.started_at = begun.started_at;
    record.ended_at = ended.ended_at;
    record.attempts = attempt;
    record.session = file.session();
    file.write_run(record);
    if (record.status == io::RunStatus::done) {
      note =
          retried.empty() ? "" : "done at attempt " + std::to_string(attempt) + " after " + retried;
      return Outcome::done;
    }
    note = record.error + " (" + std::string(io::failure_class_name(record.failure)) +
           (transient ? ", attempt " + std::to_string(attempt) + " of at most " +
                            std::to_string(options.max_attempts)
                      : "") +
           ")";
    return Outcome::failed;
  }
}

std::string describe(const RunSpec& run) {
  return "run " + std::to_string(run.id) + " (" + run.stream_identity() + " seed " +
         std::to_string(run.identity.seed) + ")";
}

io::ResultsFile open_output(const std::string& path, int rank, MPI_Comm comm) {
  try {
    return io::ResultsFile::open(path, true, comm);
  } catch (const std::exception& e) {
    throw RankFailure("sweep", "rank " + std::to_string(rank) + ": " + e.what());
  }
}

// Every rank: creates the file under its temporary name (collective), closes it, rank 0 renames
// it to the output, and every rank opens the output. A failure of the rename is a refusal on every
// rank (nobody holds the file then).
io::ResultsFile create_output(const JobSpec& job, const Plan& plan, const SweepOptions& options,
                              const Decision& decision, int rank, MPI_Comm comm) {
  const std::string creating = creating_path(options.output);
  auto layout = plan.results_layout(job, attributes(job, options, decision.data_identity));
  // A shard's file: the other shards' runs get no /run_data groups (their space would make every
  // shard's file as large as the whole sweep's).
  if (options.shard) {
    layout.run_data_left_out = plan.shard_members(*options.shard);
    layout.run_data_left_out.flip();
  }
  try {
    auto file = io::ResultsFile::create(creating, layout, comm);
    file.close();  // collective: complete on disk before it gets the output's name
  } catch (const std::exception& e) {
    // Rank 0 removes what it can of the failed creation; the next sweep removes any rest.
    if (rank == 0) ::unlink(creating.c_str());
    throw RankFailure("sweep", "rank " + std::to_string(rank) + ": " + e.what());
  }
  int renamed = 0;
  if (rank == 0) renamed = ::rename(creating.c_str(), options.output.c_str()) == 0 ? 0 : errno;
  MPI_Bcast(&renamed, 1, MPI_INT, 0, comm);
  if (renamed != 0) {
    if (rank == 0) ::unlink(creating.c_str());
    throw Error("sweep", "cannot rename " + creating + " to " + options.output + ": " +
                             std::strerror(renamed));
  }
  return open_output(options.output, rank, comm);
}

// Whether --resume re-runs a failed run of class `failure`: --redo failed re-runs all, --redo
// transient those whose failure was transient, and a lost run (recorded failed/lost by a resume
// that was stopped before it re-ran it) always. Files before schema 6 have no classes (none).
bool redo(io::FailureClass failure, const SweepOptions& options) {
  return options.redo_failed || failure == io::FailureClass::lost ||
         (options.redo_transient && failure == io::FailureClass::transient);
}

// Rank 0 at --resume: the runs found marked running were begun by a worker whose process ended
// without finishing them. Each is reported (one line: run, identity, attempt, rank, host, SLURM
// job, start time), its attempt recorded as lost and the run as failed with class lost, to be
// re-run.
void record_lost_runs(const Plan& plan, const std::vector<index_t>& lost, io::ResultsFile& file,
                      std::ostream& log) {
  log << "[ricci-sweep] " << lost.size() << " run" << (lost.size() > 1 ? "s were" : " was")
      << " lost (marked running when the sweep that ran " << (lost.size() > 1 ? "them" : "it")
      << " ended: node failure, kill -9); re-running " << (lost.size() > 1 ? "them" : "it") << ":"
      << std::endl;
  for (index_t id : lost) {
    const auto text = [&](std::string_view column) {
      return std::get<std::string>(file.read_cell(column, id));
    };
    const auto integer = [&](std::string_view column) {
      return static_cast<int>(std::get<std::int64_t>(file.read_cell(column, id)));
    };
    io::RunRecord record;
    record.id = id;
    record.status = io::RunStatus::failed;
    record.failure = io::FailureClass::lost;
    record.rank = integer("/runs/rank");
    record.host = text("/runs/host");
    record.slurm_job_id = text("/runs/slurm_job_id");
    record.slurm_restart_count = integer("/runs/slurm_restart_count");
    record.started_at = std::get<double>(file.read_cell("/runs/started_at", id));
    record.attempts = integer("/runs/attempts");
    record.session = file.session();  // this session wrote the row (as lost)
    const std::string where = "attempt " + std::to_string(record.attempts) + " on rank " +
                              std::to_string(record.rank) + ", host " +
                              (record.host.empty() ? "?" : record.host) + ", SLURM job " +
                              (record.slurm_job_id.empty() ? "none" : record.slurm_job_id) +
                              ", started " + utc_text(record.started_at);
    record.error = "lost: " + where + ", never finished (its process ended)";
    io::AttemptRecord attempt;
    attempt.id = id;
    attempt.attempt = std::max(record.attempts, 1);
    attempt.rank = record.rank;
    attempt.host = record.host;
    attempt.slurm_job_id = record.slurm_job_id;
    attempt.started_at = record.started_at;
    attempt.outcome = io::AttemptOutcome::lost;
    attempt.message = record.error;
    file.write_attempt(attempt);
    file.write_run(record);  // status last
    log << "[ricci-sweep]   lost " << describe(plan.runs[static_cast<std::size_t>(id)]) << ": "
        << where << std::endl;
  }
}

}  // namespace

SweepSummary run_sweep(const JobSpec& job, const Plan& plan, const SweepOptions& options,
                       std::ostream& log, MPI_Comm comm) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const auto started = Clock::now();
  // Read before anything collective: a malformed value is the same refusal on every rank.
  const std::vector<InjectedFault> faults = injected_faults_from_environment();

  // 1. Rank 0 takes the lock and decides, alone, whether to create or resume (or why to refuse).
  // It also notes, for the log, what the file system and the builds of done runs warn of.
  std::unique_ptr<OutputLock> lock;
  std::string build;  // rank 0's: only it records the session
  std::vector<std::string> warnings;
  const Decision decision = broadcast_decision(
      [&] {
        lock = std::make_unique<OutputLock>(options.output);
        warnings.push_back(lock->unlocked());
        build = this_build_json();
        Decision made = decide_output(job, plan, options);
        warnings.push_back(file_system_warning(options.output));
        // A warning, never a refusal: an unreadable record of builds is one line too.
        try {
          if (made.action == OutputAction::resume)
            warnings.push_back(
                resume_build_warning(io::ResultsFile::open(options.output, false), build));
        } catch (const Error& e) {
          warnings.push_back("cannot compare the builds of " + options.output + ": " + e.message());
        }
        return made;
      },
      rank, comm);
  warnings.push_back(oversubscription_warning(job.threads_per_rank, rank, comm));
  for (const std::string& warning : warnings)
    if (!warning.empty()) log << "[ricci-sweep] warning: " << warning << std::endl;

  // 2. One collective create or open for the whole sweep. A failure on one rank may leave the
  // others inside the collective call: the failing rank has abandoned the file, and the
  // application ends every rank.
  io::ResultsFile file = decision.action == OutputAction::create
                             ? create_output(job, plan, options, decision, rank, comm)
                             : open_output(options.output, rank, comm);
  const OutputAction action = decision.action;

  // From here on a failure on one rank must end every rank: the others may wait in a collective.
  SweepSummary summary;
  try {
    record_session_start(file, build, job.threads_per_rank, rank, comm);
    // What the file will hold at the end: its statuses now, updated by every reported outcome.
    std::vector<io::RunStatus> status = file.statuses();
    // This process's runs: the whole plan, or its shard's.
    const std::vector<bool> mine = options.shard ? plan.shard_members(*options.shard)
                                                 : std::vector<bool>(plan.runs.size(), true);
    const auto my_runs = static_cast<index_t>(std::count(mine.begin(), mine.end(), true));
    Worker worker;
    worker.rank = rank;
    worker.attempts = file.attempt_counts();
    worker.faults = faults;
    // Runs still marked running were lost with the process that ran them: rank 0 reports and
    // records them, and they are re-run whatever --redo says.
    std::vector<index_t> lost;
    for (index_t id : plan.dispatch_order())
      if (status[static_cast<std::size_t>(id)] == io::RunStatus::running) lost.push_back(id);
    if (rank == 0 && !lost.empty()) record_lost_runs(plan, lost, file, log);
    const std::vector<io::FailureClass> failure = file.failure_classes();
    std::deque<index_t> todo;
    index_t done_before = 0, failed_before = 0;
    for (index_t id : plan.dispatch_order()) {
      if (!mine[static_cast<std::size_t>(id)]) continue;
      const auto s = status[static_cast<std::size_t>(id)];
      if (s == io::RunStatus::done)
        ++done_before;
      else if (s == io::RunStatus::failed && !redo(failure[static_cast<std::size_t>(id)], options))
        ++failed_before;
      else
        todo.push_back(id);
    }
    // Rank 0's view of what the file will hold: a run to do counts as pending until a worker
    // reports it, so a lost or redone run that a stop never reaches keeps the sweep unfinished
    // (exit 3, no 'completed'), although the file records it failed.
    for (index_t id : todo) status[static_cast<std::size_t>(id)] = io::RunStatus::pending;
    // A merged file of some shards lacks the /run_data groups of the others' runs (collective:
    // every rank has the same statuses, so the same list).
    if (action == OutputAction::resume) {
      std::vector<io::RunIdentity> identities;
      identities.reserve(plan.runs.size());
      for (const RunSpec& run : plan.runs) identities.push_back(run.identity);
      file.add_run_groups(identities, std::vector<index_t>(todo.begin(), todo.end()));
    }
    const std::vector<double> seconds = file.run_seconds();
    SweepMonitor monitor(plan,
                         {.output = options.output,
                          .workers = std::max(size - 1, 1),
                          .progress_seconds = options.progress_seconds,
                          .deadline = options.deadline,
                          .deadline_margin = options.deadline_margin,
                          .fixed_run_seconds = options.test_run_seconds,
                          .counted = options.shard ? mine : std::vector<bool>()},
                         status, seconds, {todo.begin(), todo.end()}, log);
    if (rank == 0)
      log << "[ricci-sweep] " << options.output << ": "
          << (options.shard ? "shard " + io::shard_text(*options.shard) + ", " +
                                  std::to_string(my_runs) + " of "
                            : std::string())
          << plan.runs.size() << " runs, " << done_before << " done and " << failed_before
          << " failed before, " << todo.size() << " to run on " << std::max(size - 1, 1)
          << " worker" << (size > 2 ? "s" : "")
          << (action == OutputAction::create ? "" : " (resumed)") << std::endl;
    if (rank == 0) monitor.start();

    DataCache cache;
    DispatchHooks hooks;
    hooks.work = [&](index_t id, std::string& note) {
      return run_one(plan.runs[static_cast<std::size_t>(id)], job, cache, file, worker, options,
                     note);
    };
    hooks.finished = [&](index_t id, Outcome outcome, const std::string& error) {
      const auto row = static_cast<std::size_t>(id);
      if (outcome == Outcome::done) {
        status[row] = io::RunStatus::done;
        if (!error.empty())  // retried after transient failures
          log << "[ricci-sweep] " << describe(plan.runs[row]) << " " << error << std::endl;
      }
      if (outcome == Outcome::failed) {
        status[row] = io::RunStatus::failed;
        log << "[ricci-sweep] " << describe(plan.runs[static_cast<std::size_t>(id)])
            << " failed: " << error << std::endl;
      }
      monitor.finished(id, outcome);
      monitor.report(false);
    };
    hooks.may_start = [&](index_t id) { return monitor.may_start(id); };
    hooks.timed = [&](index_t id, double run_seconds) { monitor.timed(id, run_seconds); };
    hooks.idle = [&] { monitor.report(false); };
    hooks.stop_requested = options.stop_requested;
    summary.stopped = dispatch_runs(todo, hooks, comm);
    // Rank 0's statuses are the ones updated by every outcome; it decides for every rank.
    record_session_end(
        file, std::find(status.begin(), status.end(), io::RunStatus::pending) == status.end(), rank,
        comm);
    file.close();  // collective

    // Rank 0 counts from the statuses it read when the file was opened, updated by every outcome a
    // worker reported (a worker reports only after its write_run returned).
    if (rank == 0) {
      summary.total = my_runs;
      summary.ran = monitor.ran();
      summary.stopped_for_deadline = !summary.stopped && monitor.stopped_for_deadline();
      for (std::size_t row = 0; row < status.size(); ++row) {
        if (!mine[row]) continue;
        const auto s = status[row];
        summary.done += s == io::RunStatus::done;
        summary.failed += s == io::RunStatus::failed;
        summary.pending += s == io::RunStatus::pending;
      }
      summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
      monitor.finish(summary.stopped);
    }
  } catch (const std::exception& e) {
    file.abandon();
    throw RankFailure("sweep", "rank " + std::to_string(rank) + ": " + e.what());
  }
  int stopped[2] = {summary.stopped ? 1 : 0, summary.stopped_for_deadline ? 1 : 0};
  MPI_Bcast(stopped, 2, MPI_INT, 0, comm);
  summary.stopped = stopped[0] != 0;
  summary.stopped_for_deadline = stopped[1] != 0;
  return summary;
}

}  // namespace ricci::sweep
