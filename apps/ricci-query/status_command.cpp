// ricci-query status FILE.h5 [--format table|csv|json]: how far a sweep has come, also while it
// runs. The counts are the file's committed rows (a row counts when its status is set; the writer
// sets it last), read with HDF5's file locking off for this read (io::read_results_table_in_use).
// Rows marked running (schema 6) are in flight while a sweep runs, and were lost with their process
// when none does. The live status file beside it (io::status_file_path, written by the sweep's
// master) adds the rate, ETA and deadline when it is fresh: written by a sweep that is still
// running, within three progress intervals (at least a minute), and — when its master ran on this
// host — by a process that still exists.
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iomanip>
#include <map>

#include "query.hpp"
#include "ricci/io/results_table.hpp"
#include "ricci/io/status_file.hpp"
#include "ricci/sweep/place.hpp"
#include "subcommand.hpp"

namespace ricci::query {

namespace {

struct ProblemCounts {
  long long total = 0, done = 0, failed = 0, running = 0;
  // Not finished: the rows marked running included, as the live status file counts them.
  long long pending() const { return total - done - failed; }
};

// The status file's JSON, or null when it is absent or unreadable (a sweep that never reported,
// or one from before this release): the committed counts stand on their own.
Json read_live_status(const std::string& results_path) {
  std::ifstream in(io::status_file_path(results_path));
  if (!in) return nullptr;
  Json live = Json::parse(in, nullptr, /* allow_exceptions */ false);
  return live.is_object() ? live : Json(nullptr);
}

// Whether the master the live file names is gone: it ran on this host and its pid no longer exists.
bool master_gone(const Json& live) {
  const Json& master = live.value("master", Json::object());
  const std::string here = sweep::this_place().host;  // "" when the host name cannot be read
  if (here.empty() || master.value("host", "") != here) return false;
  const long pid = master.value("pid", 0L);
  return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// The live file describes a sweep that is still running and reported recently.
bool fresh(const Json& live, double now) {
  if (!live.is_object() || live.value("state", "") != "running" || master_gone(live)) return false;
  const double updated = live.value("updated_unix", 0.0);
  const double interval = live.value("progress_seconds", 10.0);
  return now - updated <= std::max(60.0, 3 * interval);
}

Table counts_table(const std::vector<std::string>& order,
                   const std::map<std::string, ProblemCounts>& by_problem) {
  Table table{{"problem", "total", "done", "failed", "pending", "of_which_running"}, {}};
  for (const auto& name : order) {
    const auto& c = by_problem.at(name);
    table.rows.push_back({name, c.total, c.done, c.failed, c.pending(), c.running});
  }
  return table;
}

}  // namespace

int status_command(const std::vector<std::string>& args, std::ostream& out) {
  SubcommandOptions options("ricci-query status FILE.h5 options");
  if (!options.parse(args, out)) return exit_ok;
  const io::ResultsTable table = io::read_results_table_in_use(options.path);
  const auto& problems = table.strings("/runs/problem");
  std::map<std::string, ProblemCounts> by_problem;
  std::vector<std::string> order;
  ProblemCounts all;
  for (std::size_t run = 0; run < table.runs; ++run) {
    auto [found, added] = by_problem.try_emplace(problems[run]);
    if (added) order.push_back(problems[run]);
    for (ProblemCounts* counts : {&found->second, &all}) {
      ++counts->total;
      counts->done += table.is_done(run);
      counts->failed += table.is_failed(run);
      counts->running += table.is_running(run);
    }
  }
  const Json live = read_live_status(options.path);
  const double now = sweep::unix_seconds_now();
  const bool live_fresh = fresh(live, now);

  if (options.format == Format::csv) {
    print_csv(out, counts_table(order, by_problem));
    return exit_ok;
  }
  if (options.format == Format::json) {
    Json problem_list = Json::array();
    for (const auto& name : order) {
      const auto& c = by_problem.at(name);
      problem_list.push_back({{"problem", name},
                              {"total", c.total},
                              {"done", c.done},
                              {"failed", c.failed},
                              {"running", c.running},
                              {"pending", c.pending()}});
    }
    out << Json{{"file", options.path},     {"total", all.total},       {"done", all.done},
                {"failed", all.failed},     {"running", all.running},   {"pending", all.pending()},
                {"problems", problem_list}, {"live_fresh", live_fresh}, {"live", live}}
               .dump()
        << "\n";
    return exit_ok;
  }
  out << options.path << ": " << all.total << " runs, " << all.done << " done, " << all.failed
      << " failed, " << all.pending() << " pending (" << all.running
      << " of them marked running; committed rows)\n";
  print_text_table(out, counts_table(order, by_problem));
  const std::string status_path = io::status_file_path(options.path);
  if (live.is_null()) {
    out << "no live status (" << status_path << " is absent or not a status file)\n";
  } else if (live_fresh) {
    const Json& counts = live.value("counts", Json::object());
    const Json& session = live.value("session", Json::object());
    const Json& master = live.value("master", Json::object());
    out << "running on " << master.value("host", "?") << " (pid " << master.value("pid", 0L)
        << "): " << counts.value("running", 0L) << " in flight, " << std::fixed
        << std::setprecision(1) << session.value("runs_per_minute", 0.0) << " runs/min, ETA "
        << live.value("eta", "unknown");
    if (live.contains("deadline") && live["deadline"].is_string())
      out << ", deadline " << live["deadline"].get<std::string>();
    out << " (" << status_path << ", updated " << live.value("updated", "") << ")\n";
  } else if (live.value("state", "") != "running") {
    out << "the sweep ended: " << live.value("state", "?") << " at " << live.value("updated", "")
        << " (" << status_path << ")\n";
  } else if (master_gone(live)) {
    out << "the sweep ended without its final report: its master (pid "
        << live.value("master", Json::object()).value("pid", 0L)
        << " on this host) no longer exists; last update " << live.value("updated", "") << " ("
        << status_path << ")"
        << (all.running > 0 ? "; runs marked running were lost with it: --resume re-runs them" : "")
        << "\n";
  } else {
    out << "live status is stale (last updated " << live.value("updated", "")
        << "): the sweep may have ended without its final report (" << status_path << ")\n";
  }
  return exit_ok;
}

}  // namespace ricci::query
