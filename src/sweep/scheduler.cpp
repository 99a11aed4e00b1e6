#include "ricci/sweep/scheduler.hpp"

#include <fcntl.h>
#include <mpi.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "ricci/core/error.hpp"
#include "ricci/io/results_file.hpp"
#include "ricci/sweep/dispatch.hpp"
#include "ricci/sweep/run.hpp"

namespace ricci::sweep {

namespace {

volatile std::sig_atomic_t stop_signal = 0;
extern "C" void on_stop_signal(int signal) { stop_signal = signal; }

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  for (int s : {SIGTERM, SIGINT, SIGUSR1}) sigaction(s, &action, nullptr);
}

bool stop_requested() { return stop_signal != 0; }

using Clock = std::chrono::steady_clock;

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  std::ostringstream out;
  if (s >= 3600)
    out << s / 3600 << "h" << std::setw(2) << std::setfill('0') << (s % 3600) / 60 << "m";
  else if (s >= 60)
    out << s / 60 << "m" << std::setw(2) << std::setfill('0') << s % 60 << "s";
  else
    out << s << "s";
  return out.str();
}

// Holds OUT.lock with flock() for the sweep's lifetime: a second sweep on the same file is refused,
// and a lock left by a killed process is released by the kernel.
class OutputLock {
 public:
  explicit OutputLock(const std::string& output) : path_(output + ".lock") {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT, 0644);
    if (fd_ < 0)
      throw Error("sweep", "cannot create the lock file " + path_ + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char owner[256] = {};
      [[maybe_unused]] const auto got = ::pread(fd_, owner, sizeof owner - 1, 0);
      ::close(fd_);
      fd_ = -1;
      throw Error("sweep", output + " is in use by another sweep (" + std::string(owner) +
                               "); lock file " + path_);
    }
    char host[128] = {};
    ::gethostname(host, sizeof host - 1);
    const std::string owner = "pid " + std::to_string(::getpid()) + " on " + host;
    [[maybe_unused]] const auto a = ::ftruncate(fd_, 0);
    [[maybe_unused]] const auto b = ::pwrite(fd_, owner.data(), owner.size(), 0);
  }
  ~OutputLock() {
    if (fd_ >= 0) {
      ::unlink(path_.c_str());
      ::close(fd_);
    }
  }
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

io::ResultsLayout layout_of(const JobSpec& job, const Plan& plan, const SweepOptions& options) {
  io::ResultsLayout layout;
  for (const RunSpec& run : plan.runs)
    layout.runs.push_back({run.problem, run.architecture, run.depth, run.seed, run.threshold,
                           run.n_test, run.widths, run.k});
  layout.max_k = plan.max_k;
  layout.max_depth = plan.max_depth;
  layout.max_epochs = plan.max_epochs;
  layout.store_activations = job.store_activations;
  layout.store_nodes = job.store_nodes;
  layout.attributes = {{"job", job.normalized()},
                       {"job_without_paths", job.normalized(false)},
                       {"tool", "ricci-sweep"},
                       {"tool_version", options.tool_version},
                       {"graph", std::string(geometry::graph_rule_name(job.rule))}};
  return layout;
}

// Rank 0's serial look at the output before anything collective: whether to create or resume,
// or why to refuse. Returns "" to go ahead.
std::string check_output(const JobSpec& job, const SweepOptions& options, bool& create) {
  namespace fs = std::filesystem;
  const bool exists = fs::exists(options.output);
  create = !exists || options.force;
  if (exists && !options.resume && !options.force)
    return options.output +
           " already exists: pass --resume to continue it or --force to overwrite it";
  if (exists && options.resume && !options.force) {
    try {
      auto file = io::ResultsFile::open(options.output, false, true);
      const std::string stored = file.attribute("job_without_paths");
      file.close();
      if (stored != job.normalized(false))
        return options.output +
               " holds a different job; resume it with the job it was started with "
               "(stored in its 'job' attribute), or pass --force to overwrite it";
    } catch (const Error& e) {
      return std::string("cannot resume ") + options.output + ": " + e.what();
    }
  }
  if (!exists || options.force) {
    const auto parent = fs::path(options.output).parent_path();
    if (!parent.empty() && !fs::is_directory(parent))
      return "the output directory " + parent.string() + " does not exist";
  }
  return "";
}

struct Progress {
  std::ostream& log;
  index_t total, done_before, failed_before;
  index_t to_run;
  double interval;
  index_t done = 0, failed = 0, interrupted = 0;
  Clock::time_point start = Clock::now(), last = Clock::now();

  void report(bool force) {
    const auto now = Clock::now();
    if (!force && std::chrono::duration<double>(now - last).count() < interval) return;
    last = now;
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const index_t finished = done + failed;
    const double per_minute = elapsed > 0 ? 60.0 * finished / elapsed : 0;
    const double eta = finished > 0 ? elapsed / finished * (to_run - finished - interrupted) : NAN;
    log << "[ricci-sweep] " << done_before + failed_before + finished << "/" << total << " runs ("
        << done_before + done << " done, " << failed_before + failed << " failed), " << std::fixed
        << std::setprecision(1) << per_minute << " runs/min, elapsed " << duration_text(elapsed)
        << ", ETA " << duration_text(eta) << std::endl;
  }
};

void record(io::ResultsFile& file, const RunOutcome& outcome, int rank) {
  io::RunRecord record;
  record.id = outcome.id;
  record.status = outcome.ok ? io::RunStatus::done : io::RunStatus::failed;
  record.rank = rank;
  record.error = outcome.error;
  record.training = outcome.training;
  record.geometry_seconds = outcome.geometry_seconds;
  record.activations = &outcome.activations;
  record.labels = &outcome.test_labels;
  record.flow = &outcome.measures;
  file.write_run(record);
}

Outcome run_one(const RunSpec& run, const JobSpec& job, DataCache& cache, io::ResultsFile& file,
                int rank, std::string& error) {
  const RunOutcome outcome = execute_run(run, job, cache, stop_requested);
  if (!outcome.ok && stop_requested()) return Outcome::interrupted;  // stays pending for --resume
  record(file, outcome, rank);
  error = outcome.error;
  return outcome.ok ? Outcome::done : Outcome::failed;
}

std::string describe(const RunSpec& run) {
  return "run " + std::to_string(run.id) + " (" + run.identity() + " seed " +
         std::to_string(run.seed) + ")";
}

}  // namespace

MpiSession::MpiSession(int& argc, char**& argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  install_stop_handlers();
}

MpiSession::~MpiSession() { MPI_Finalize(); }

void MpiSession::abort_all(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

SweepSummary run_sweep(const JobSpec& job, const Plan& plan, const SweepOptions& options,
                       std::ostream& log) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const auto started = Clock::now();

  // 1. Rank 0 decides, serially, whether the sweep may touch the output; everyone learns the
  // verdict.
  std::unique_ptr<OutputLock> lock;
  std::string refusal;
  bool create = false;
  if (rank == 0) {
    try {
      lock = std::make_unique<OutputLock>(options.output);
      refusal = check_output(job, options, create);
    } catch (const Error& e) {
      refusal = e.message();
    }
  }
  int verdict[2] = {refusal.empty() ? 0 : static_cast<int>(refusal.size()), create ? 1 : 0};
  MPI_Bcast(verdict, 2, MPI_INT, 0, MPI_COMM_WORLD);
  if (verdict[0] > 0) {
    refusal.resize(static_cast<std::size_t>(verdict[0]));
    MPI_Bcast(refusal.data(), verdict[0], MPI_CHAR, 0, MPI_COMM_WORLD);
    throw Error("sweep", refusal);
  }
  create = verdict[1] != 0;

  // 2. Collective create or open. From here on, a failure on one rank must end every rank.
  SweepSummary summary;
  try {
    io::ResultsFile file =
        create ? io::ResultsFile::create(options.output, layout_of(job, plan, options))
               : io::ResultsFile::open(options.output, true);
    const auto status = file.statuses();
    std::deque<index_t> todo;
    index_t done_before = 0, failed_before = 0;
    for (index_t id : plan.dispatch_order()) {
      const auto s = status[static_cast<std::size_t>(id)];
      if (s == io::RunStatus::done)
        ++done_before;
      else if (s == io::RunStatus::failed && !options.retry_failed)
        ++failed_before;
      else
        todo.push_back(id);
    }
    Progress progress{
        log,           static_cast<index_t>(plan.runs.size()), done_before,
        failed_before, static_cast<index_t>(todo.size()),      options.progress_seconds};
    if (rank == 0)
      log << "[ricci-sweep] " << options.output << ": " << plan.runs.size() << " runs, "
          << done_before << " done and " << failed_before << " failed before, " << todo.size()
          << " to run on " << std::max(size - 1, 1) << " worker" << (size > 2 ? "s" : "")
          << (create ? "" : " (resumed)") << std::endl;

    DataCache cache;
    DispatchHooks hooks;
    hooks.work = [&](index_t id, std::string& error) {
      return run_one(plan.runs[static_cast<std::size_t>(id)], job, cache, file, rank, error);
    };
    hooks.finished = [&](index_t id, Outcome outcome, const std::string& error) {
      if (outcome == Outcome::done) ++progress.done;
      if (outcome == Outcome::failed) {
        ++progress.failed;
        log << "[ricci-sweep] " << describe(plan.runs[static_cast<std::size_t>(id)])
            << " failed: " << error << std::endl;
      }
      if (outcome == Outcome::interrupted) ++progress.interrupted;
      progress.report(false);
    };
    hooks.idle = [&] { progress.report(false); };
    hooks.stop_requested = stop_requested;
    summary.stopped = dispatch_runs(todo, hooks);

    file.close();  // collective
    // The file is the truth: count from it, not from messages.
    if (rank == 0) {
      auto final_file = io::ResultsFile::open(options.output, false, true);
      for (auto s : final_file.statuses()) {
        summary.done += s == io::RunStatus::done;
        summary.failed += s == io::RunStatus::failed;
        summary.pending += s == io::RunStatus::pending;
      }
      final_file.close();
      summary.total = static_cast<index_t>(plan.runs.size());
      summary.ran = progress.done + progress.failed;
      summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
      progress.report(true);
    }
  } catch (const std::exception& e) {
    log << "[ricci-sweep] rank " << rank << ": " << e.what() << " — stopping every rank"
        << std::endl;
    MpiSession::abort_all(1);
  }
  int stopped = summary.stopped ? 1 : 0;
  MPI_Bcast(&stopped, 1, MPI_INT, 0, MPI_COMM_WORLD);
  summary.stopped = stopped != 0;
  return summary;
}

}  // namespace ricci::sweep
