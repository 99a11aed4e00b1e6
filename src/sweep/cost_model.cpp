#include "ricci/sweep/cost_model.hpp"

#include <algorithm>
#include <cmath>

namespace ricci::sweep {

CostModel::CostModel(const Plan& plan) {
  std::map<std::pair<std::string, bool>, std::size_t> index;
  group_index_.reserve(plan.runs.size());
  for (const RunSpec& run : plan.runs) {
    const auto [found, added] =
        index.try_emplace({run.stream_identity(), run.identity.untrained}, groups_.size());
    if (added) groups_.push_back(Group{.estimate = run.cost});
    group_index_.push_back(found->second);
  }
}

const CostModel::Group& CostModel::group_of(index_t id) const {
  return groups_[group_index_.at(static_cast<std::size_t>(id))];
}

void CostModel::record(index_t id, double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return;
  Group& group = groups_[group_index_.at(static_cast<std::size_t>(id))];
  ++group.runs;
  group.total_seconds += seconds;
  group.max_seconds = std::max(group.max_seconds, seconds);
  ++measured_runs_;
  if (group.estimate > 0) {
    measured_seconds_ += seconds;
    measured_estimate_ += group.estimate;
    largest_ratio_ = std::max(largest_ratio_, group.max_seconds / group.estimate);
  }
}

std::optional<double> CostModel::conservative_seconds(index_t id) const {
  const Group& group = group_of(id);
  if (group.runs > 0) return group.max_seconds;
  if (measured_estimate_ <= 0) return std::nullopt;
  return group.estimate * largest_ratio_;
}

std::optional<double> CostModel::expected_seconds(index_t id) const {
  const Group& group = group_of(id);
  if (group.runs > 0) return group.total_seconds / static_cast<double>(group.runs);
  if (measured_estimate_ <= 0) return std::nullopt;
  return group.estimate * (measured_seconds_ / measured_estimate_);
}

std::optional<double> CostModel::expected_total(const std::vector<index_t>& ids) const {
  if (measured_estimate_ <= 0 && measured_runs_ == 0) return std::nullopt;
  double total = 0;
  for (index_t id : ids) {
    const auto seconds = expected_seconds(id);
    if (!seconds) return std::nullopt;
    total += *seconds;
  }
  return total;
}

}  // namespace ricci::sweep
