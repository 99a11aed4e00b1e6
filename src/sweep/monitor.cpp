#include "ricci/sweep/monitor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "ricci/io/status_file.hpp"
#include "ricci/sweep/place.hpp"

namespace ricci::sweep {

namespace {

constexpr std::size_t slowest_kept = 5;

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

// Writes `text` to `path` so that a reader sees the old file or the new one, never a part: a
// temporary beside it, flushed to disk, renamed over it. Returns errno, 0 on success.
int write_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      return error != 0 ? error : EIO;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return errno;
  if (::rename(temporary.c_str(), path.c_str()) != 0) return errno;
  return 0;
}

}  // namespace

SweepMonitor::SweepMonitor(const Plan& plan, MonitorSettings settings,
                           const std::vector<io::RunStatus>& status,
                           const std::vector<double>& seconds, const std::vector<index_t>& todo,
                           std::ostream& log)
    : plan_(plan),
      settings_(std::move(settings)),
      log_(log),
      model_(plan),
      status_(status),
      waiting_(plan.runs.size(), 0),
      total_(settings_.counted.empty()
                 ? static_cast<index_t>(plan.runs.size())
                 : static_cast<index_t>(
                       std::count(settings_.counted.begin(), settings_.counted.end(), true))),
      started_(unix_seconds_now()),
      last_report_(started_) {
  for (std::size_t id = 0; id < status_.size(); ++id) {
    if (!counts(static_cast<index_t>(id))) continue;
    done_ += status_[id] == io::RunStatus::done;
    failed_ += status_[id] == io::RunStatus::failed;
    // Done runs of earlier sessions teach the cost model; failed ones stopped early and would not.
    if (status_[id] == io::RunStatus::done && id < seconds.size() && std::isfinite(seconds[id])) {
      model_.record(static_cast<index_t>(id), seconds[id]);
      slowest_.emplace_back(seconds[id], static_cast<index_t>(id));
    }
  }
  std::sort(slowest_.rbegin(), slowest_.rend());
  if (slowest_.size() > slowest_kept) slowest_.resize(slowest_kept);
  for (index_t id : todo) waiting_[static_cast<std::size_t>(id)] = 1;
  // A retried failed run counts as pending again until it finishes.
  for (index_t id : todo)
    if (status_[static_cast<std::size_t>(id)] == io::RunStatus::failed) {
      --failed_;
      status_[static_cast<std::size_t>(id)] = io::RunStatus::pending;
    }
}

bool SweepMonitor::may_start(index_t id) {
  const double now = unix_seconds_now();
  if (std::isfinite(settings_.deadline)) {
    const double last_end = settings_.deadline - settings_.deadline_margin;
    // Nothing measured yet: no prediction, so the run starts (the first runs teach the model),
    // unless the deadline has passed already.
    const auto predicted = model_.conservative_seconds(id);
    if (now >= last_end || (predicted && now + *predicted > last_end)) {
      refused_ = true;
      return false;
    }
  }
  waiting_[static_cast<std::size_t>(id)] = 0;
  in_flight_[id] = now;
  return true;
}

void SweepMonitor::timed(index_t id, double seconds) {
  finished_seconds_[id] =
      std::isfinite(settings_.fixed_run_seconds) ? settings_.fixed_run_seconds : seconds;
}

void SweepMonitor::finished(index_t id, Outcome outcome) {
  in_flight_.erase(id);
  const auto row = static_cast<std::size_t>(id);
  const auto timed = finished_seconds_.find(id);
  const double seconds = timed != finished_seconds_.end() ? timed->second : NAN;
  if (timed != finished_seconds_.end()) finished_seconds_.erase(timed);
  if (outcome == Outcome::done) {
    ++done_;
    ++ran_done_;
    status_[row] = io::RunStatus::done;
    // Only done runs teach the model, as at --resume: a failed run stopped early.
    if (std::isfinite(seconds)) {
      model_.record(id, seconds);
      slowest_.emplace_back(seconds, id);
      std::sort(slowest_.rbegin(), slowest_.rend());
      if (slowest_.size() > slowest_kept) slowest_.resize(slowest_kept);
    }
  } else if (outcome == Outcome::failed) {
    ++failed_;
    ++ran_failed_;
    status_[row] = io::RunStatus::failed;
  } else if (outcome == Outcome::interrupted) {
    ++interrupted_;
  }
}

bool SweepMonitor::stopped_for_deadline() const {
  return refused_ && std::any_of(waiting_.begin(), waiting_.end(), [](char w) { return w != 0; });
}

std::optional<double> SweepMonitor::eta_seconds(double now) const {
  std::vector<index_t> waiting;
  for (std::size_t id = 0; id < waiting_.size(); ++id)
    if (waiting_[id] != 0) waiting.push_back(static_cast<index_t>(id));
  auto work = model_.expected_total(waiting);
  if (!work) return std::nullopt;
  // A run in flight has its expected time left, less what it already ran (never below zero); the
  // longest of them bounds the ETA from below however many workers share the rest.
  double longest = 0;
  for (const auto& [id, since] : in_flight_) {
    const auto expected = model_.expected_seconds(id);
    if (!expected) return std::nullopt;
    const double left = std::max(0.0, *expected - (now - since));
    *work += left;
    longest = std::max(longest, left);
  }
  return std::max(longest, *work / std::max(settings_.workers, 1));
}

void SweepMonitor::report(bool force) {
  const double now = unix_seconds_now();
  if (!force && now - last_report_ < settings_.progress_seconds) return;
  last_report_ = now;
  const double elapsed = now - started_;
  const double per_minute = elapsed > 0 ? 60.0 * static_cast<double>(ran()) / elapsed : 0;
  const auto eta = eta_seconds(now);
  log_ << "[ricci-sweep] " << done_ + failed_ << "/" << total_ << " runs (" << done_ << " done, "
       << failed_ << " failed, " << in_flight_.size() << " running), " << std::fixed
       << std::setprecision(1) << per_minute << " runs/min, elapsed " << duration_text(elapsed)
       << ", ETA " << (eta ? duration_text(*eta) : "unknown");
  if (std::isfinite(settings_.deadline))
    log_ << ", deadline " << utc_text(settings_.deadline) << " (margin "
         << duration_text(settings_.deadline_margin) << ")";
  log_ << std::endl;
  write_status_file(now, false, false);
}

void SweepMonitor::finish(bool stopped_on_request) {
  report(true);
  write_status_file(unix_seconds_now(), true, stopped_on_request);
}

void SweepMonitor::write_status_file(double now, bool final_report, bool stopped_on_request) {
  using nlohmann::json;
  const Place place = this_place();
  const double elapsed = now - started_;
  const auto eta = eta_seconds(now);
  json problems = json::array();
  std::map<std::string, std::array<index_t, 3>> by_problem;  // total, done, failed
  std::vector<std::string> order;
  for (const RunSpec& run : plan_.runs) {
    if (!counts(run.id)) continue;
    auto [found, added] = by_problem.try_emplace(run.identity.problem);
    if (added) order.push_back(run.identity.problem);
    const auto s = status_[static_cast<std::size_t>(run.id)];
    ++found->second[0];
    found->second[1] += s == io::RunStatus::done;
    found->second[2] += s == io::RunStatus::failed;
  }
  for (const auto& name : order) {
    const auto& c = by_problem.at(name);
    problems.push_back({{"problem", name}, {"total", c[0]}, {"done", c[1]}, {"failed", c[2]}});
  }
  json slowest = json::array();
  for (const auto& [seconds, id] : slowest_) {
    const auto& identity = plan_.runs[static_cast<std::size_t>(id)].identity;
    slowest.push_back({{"id", id},
                       {"problem", identity.problem},
                       {"architecture", identity.architecture},
                       {"depth", identity.depth},
                       {"seed", identity.seed},
                       {"untrained", identity.untrained},
                       {"seconds", seconds}});
  }
  const auto finite_or_null = [](double value) -> json {
    return std::isfinite(value) ? json(value) : json(nullptr);
  };
  const std::string state = !final_report            ? "running"
                            : stopped_on_request     ? "stopped on request"
                            : stopped_for_deadline() ? "stopped for the deadline"
                            : pending() > 0          ? "stopped"
                                                     : "finished";
  const json status = {
      {"results", settings_.output},
      {"state", state},
      {"master", {{"host", place.host}, {"pid", place.pid}, {"slurm_job_id", place.slurm_job_id}}},
      {"started", utc_text(started_)},
      {"updated", utc_text(now)},
      {"updated_unix", now},
      {"progress_seconds", settings_.progress_seconds},
      {"workers", settings_.workers},
      {"counts",
       {{"total", total_},
        {"done", done_},
        {"failed", failed_},
        {"pending", pending()},
        {"running", in_flight_.size()}}},
      {"session",
       {{"ran", ran()},
        {"elapsed_seconds", elapsed},
        {"runs_per_minute", elapsed > 0 ? 60.0 * static_cast<double>(ran()) / elapsed : 0.0}}},
      {"eta_seconds", eta ? json(*eta) : json(nullptr)},
      {"eta", eta ? duration_text(*eta) : "unknown"},
      {"deadline",
       std::isfinite(settings_.deadline) ? json(utc_text(settings_.deadline)) : json(nullptr)},
      {"deadline_unix", finite_or_null(settings_.deadline)},
      {"deadline_margin_seconds",
       std::isfinite(settings_.deadline) ? json(settings_.deadline_margin) : json(nullptr)},
      {"problems", problems},
      {"slowest", slowest}};
  const std::string path = io::status_file_path(settings_.output);
  const int error = write_atomically(path, status.dump(2) + "\n");
  // The status file is a convenience: a failure to write it is said once and never stops a sweep.
  if (error != 0 && !status_file_failed_) {
    status_file_failed_ = true;
    log_ << "[ricci-sweep] warning: cannot write the status file " << path << ": "
         << std::strerror(error) << std::endl;
  }
}

}  // namespace ricci::sweep
