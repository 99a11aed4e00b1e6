#pragma once
// Predicted wall time of runs, from the run times measured so far (walltime-aware dispatch, ETA).
//
// Runs are grouped by (problem, architecture, depth, trained or untrained control): the runs of a
// group differ only in their seed, so they take about the same time. An untrained control skips
// training and forms its own group. Two predictions:
//
// * conservative (deadline hand-out): a measured group's slowest run; an unmeasured group's plan
//   estimate (RunSpec::cost) times the largest seconds-per-estimate ratio of any measured group.
// * expected (ETA): a measured group's mean; an unmeasured group's estimate times the pooled ratio
//   (all measured seconds over their estimates).
//
// Before anything is measured there is no prediction (std::nullopt): the plan's estimate is a
// relative cost without a unit, and an ETA made of it would be a wrong number.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/sweep/plan.hpp"

namespace ricci::sweep {

class CostModel {
 public:
  explicit CostModel(const Plan& plan);

  // Run `id` took `seconds` of wall time. Non-finite or negative times are ignored.
  void record(index_t id, double seconds);

  std::optional<double> conservative_seconds(index_t id) const;
  std::optional<double> expected_seconds(index_t id) const;
  // Sum of expected_seconds over `ids`; nullopt before anything is measured.
  std::optional<double> expected_total(const std::vector<index_t>& ids) const;

  std::size_t measured_runs() const { return measured_runs_; }

 private:
  struct Group {
    double estimate = 0;  // the plan's relative cost of one run of the group
    std::size_t runs = 0;
    double total_seconds = 0, max_seconds = 0;
  };
  const Group& group_of(index_t id) const;

  std::vector<std::size_t> group_index_;  // by run id
  std::vector<Group> groups_;
  std::size_t measured_runs_ = 0;
  double measured_seconds_ = 0, measured_estimate_ = 0;  // pooled over measured runs
  double largest_ratio_ = 0;                             // seconds per estimate, largest group
};

}  // namespace ricci::sweep
