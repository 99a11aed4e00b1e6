// sweep::CostModel and the monitor's deadline rule: predictions of a run's wall time from measured
// runs, hand-computed from a hand-built plan (groups by problem, architecture, depth and
// trained/untrained; each RunSpec's cost is the plan's relative estimate).
#include <catch2/catch.hpp>

#include <sstream>

#include "ricci/sweep/cost_model.hpp"
#include "ricci/sweep/monitor.hpp"
#include "ricci/sweep/place.hpp"

using namespace ricci;
using Catch::Detail::Approx;

namespace {

sweep::RunSpec run(index_t id, const std::string& problem, const std::string& architecture,
                   int depth, bool untrained, double cost) {
  sweep::RunSpec spec;
  spec.id = id;
  spec.identity.problem = problem;
  spec.identity.architecture = architecture;
  spec.identity.depth = depth;
  spec.identity.untrained = untrained;
  spec.cost = cost;
  return spec;
}

// Groups: A = p/a/3 trained (runs 0, 1; estimate 100), B = p/b/3 (run 2; 50), C = p/a/3 untrained
// (run 3; 10), D = q/a/2 (run 4; 400).
sweep::Plan hand_plan() {
  sweep::Plan plan;
  plan.runs = {run(0, "p", "a", 3, false, 100), run(1, "p", "a", 3, false, 100),
               run(2, "p", "b", 3, false, 50), run(3, "p", "a", 3, true, 10),
               run(4, "q", "a", 2, false, 400)};
  return plan;
}

}  // namespace

TEST_CASE("cost model: no prediction before anything is measured", "[sweep][cost]") {
  const sweep::CostModel model(hand_plan());
  for (index_t id = 0; id < 5; ++id) {
    CHECK_FALSE(model.conservative_seconds(id).has_value());
    CHECK_FALSE(model.expected_seconds(id).has_value());
  }
  CHECK_FALSE(model.expected_total({0, 2}).has_value());
  CHECK(model.measured_runs() == 0);
}

TEST_CASE("cost model: measured groups by max and mean, others by the estimate's ratio",
          "[sweep][cost]") {
  sweep::CostModel model(hand_plan());
  model.record(0, 20);  // A: 20 s for estimate 100, ratio 0.2
  CHECK(*model.conservative_seconds(1) == Approx(20));
  CHECK(*model.expected_seconds(1) == Approx(20));
  CHECK(*model.conservative_seconds(2) == Approx(50 * 0.2));
  CHECK(*model.conservative_seconds(4) == Approx(400 * 0.2));

  model.record(1, 30);  // A: max 30, mean 25; largest ratio 0.3; pooled 50 / 200 = 0.25
  CHECK(*model.conservative_seconds(0) == Approx(30));
  CHECK(*model.expected_seconds(0) == Approx(25));
  CHECK(*model.conservative_seconds(2) == Approx(15));
  CHECK(*model.expected_seconds(2) == Approx(12.5));
  CHECK(*model.conservative_seconds(4) == Approx(120));
  CHECK(*model.expected_seconds(4) == Approx(100));

  model.record(3, 4);  // C (the untrained control, its own group): ratio 0.4; pooled 54 / 210
  CHECK(*model.conservative_seconds(3) == Approx(4));
  CHECK(*model.conservative_seconds(0) == Approx(30));  // A keeps its own measurements
  CHECK(*model.conservative_seconds(2) == Approx(50 * 0.4));
  CHECK(*model.expected_seconds(2) == Approx(50 * 54.0 / 210));
  CHECK(*model.expected_total({2, 4}) == Approx(450 * 54.0 / 210));
  CHECK(*model.expected_total({0, 3}) == Approx(25 + 4));
  CHECK(model.measured_runs() == 3);
}

TEST_CASE("cost model: non-finite and negative times are not measurements", "[sweep][cost]") {
  sweep::CostModel model(hand_plan());
  model.record(0, std::nan(""));
  model.record(1, -1);
  CHECK(model.measured_runs() == 0);
  CHECK_FALSE(model.conservative_seconds(0).has_value());
}

TEST_CASE("monitor: the deadline refuses runs predicted to end late, cheaper ones still start",
          "[sweep][cost]") {
  const sweep::Plan plan = hand_plan();
  const std::vector<io::RunStatus> pending(5, io::RunStatus::pending);
  // The deadline is 1000 s away, the margin 100 s: a run may start when it is predicted to take
  // at most ~900 s (the test's own seconds shift it by far less than the gaps below).
  sweep::MonitorSettings settings{.output = "never-written.h5",
                                  .workers = 2,
                                  .deadline = sweep::unix_seconds_now() + 1000,
                                  .deadline_margin = 100};
  std::ostringstream log;
  sweep::SweepMonitor monitor(plan, settings, pending, {}, {4, 0, 1, 2, 3}, log);
  CHECK_FALSE(monitor.eta_seconds(sweep::unix_seconds_now()).has_value());
  CHECK(monitor.may_start(4));  // nothing measured: no prediction, it starts
  monitor.timed(4, 800);
  monitor.finished(4, sweep::Outcome::done);  // D: 800 s for estimate 400, ratio 2
  CHECK(monitor.may_start(0));                // A: 100 x 2 = 200 s
  monitor.timed(0, 950);
  monitor.finished(0, sweep::Outcome::done);  // A: 950 s, ratio 9.5
  CHECK_FALSE(monitor.may_start(1));          // A's slowest, 950 s, passes 900 s
  CHECK(monitor.stopped_for_deadline());
  CHECK(monitor.may_start(2));  // B: 50 x 9.5 = 475 s
  CHECK(monitor.may_start(3));  // C: 10 x 9.5 = 95 s
  CHECK(monitor.done() == 2);
  CHECK(monitor.pending() == 3);
  // Expected: run 1 (A's mean) 950 s; in flight B 50 x 3.5 = 175 s and C 35 s (pooled ratio
  // 1750 / 500), less the moments they ran; over 2 workers.
  CHECK(*monitor.eta_seconds(sweep::unix_seconds_now()) ==
        Approx((950 + 175 + 35) / 2.0).margin(1));
}
