#pragma once
// The master's view of a sweep while it runs (rank 0 only): which runs are waiting, in flight,
// done or failed, how long each took (the cost model), whether a run may still start before the
// deadline, and what to report: the progress lines and the live status file (OUT.status.json,
// io::status_file_path) with an ETA from the cost model rather than the mean rate.
#include <cmath>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ricci/io/run_status.hpp"
#include "ricci/sweep/cost_model.hpp"
#include "ricci/sweep/dispatch.hpp"
#include "ricci/sweep/plan.hpp"

namespace ricci::sweep {

struct MonitorSettings {
  std::string output;  // the results file; the status file sits beside it
  int workers = 1;
  double progress_seconds = 10;
  // Unix seconds; NaN = none. No run starts when now + its conservative prediction passes
  // deadline - margin.
  double deadline = NAN, deadline_margin = 0;
  // Testing hook (RICCI_SWEEP_TEST_RUN_SECONDS): every run counts as taking this long. NaN = off.
  double fixed_run_seconds = NAN;
  // The runs this process answers for (a shard's, --shard i/n): the counts, the status file and
  // the ETA cover only these. Empty: every run of the plan.
  std::vector<bool> counted = {};
};

class SweepMonitor {
 public:
  // `status`: the file's statuses at open; `seconds`: each run's stored wall time (NaN where not
  // done); `todo`: the runs this session may run, in dispatch order.
  SweepMonitor(const Plan& plan, MonitorSettings settings, const std::vector<io::RunStatus>& status,
               const std::vector<double>& seconds, const std::vector<index_t>& todo,
               std::ostream& log);

  // DispatchHooks::may_start: false when the deadline forbids run `id`; true marks it in flight.
  bool may_start(index_t id);
  // DispatchHooks::timed; the time teaches the cost model when the run is reported done.
  void timed(index_t id, double seconds);
  void finished(index_t id, Outcome outcome);
  // The first status file, before any run starts.
  void start() { write_status_file(started_, false, false); }
  // A progress line and the status file, at most every progress_seconds unless `force`.
  void report(bool force);
  // The final report; `stopped_on_request` as dispatch_runs said.
  void finish(bool stopped_on_request);

  // The hand-out stopped for the deadline: some run was refused and runs are left unstarted.
  bool stopped_for_deadline() const;
  index_t done() const { return done_; }
  index_t failed() const { return failed_; }
  index_t pending() const { return total_ - done_ - failed_; }
  index_t ran() const { return ran_done_ + ran_failed_; }
  // Seconds of work the cost model expects the runs not yet finished to take on the workers;
  // nullopt before anything is measured.
  std::optional<double> eta_seconds(double now) const;

 private:
  bool counts(index_t id) const {
    return settings_.counted.empty() || settings_.counted[static_cast<std::size_t>(id)];
  }
  void write_status_file(double now, bool final_report, bool stopped_on_request);

  const Plan& plan_;
  MonitorSettings settings_;
  std::ostream& log_;
  CostModel model_;
  std::vector<io::RunStatus> status_;
  std::vector<char> waiting_;            // by id: may run in this session, not yet handed out
  std::map<index_t, double> in_flight_;  // id -> unix seconds it was handed out
  std::map<index_t, double> finished_seconds_;  // timed, not yet reported finished
  index_t total_ = 0, done_ = 0, failed_ = 0;
  index_t ran_done_ = 0, ran_failed_ = 0, interrupted_ = 0;
  std::vector<std::pair<double, index_t>> slowest_;  // (seconds, id), slowest first
  double started_ = 0, last_report_ = 0;
  bool refused_ = false;
  bool status_file_failed_ = false;
};

}  // namespace ricci::sweep
