#include "ricci/analysis/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "ricci/core/error.hpp"
#include "ricci/geometry/coefficients.hpp"

namespace ricci::analysis {

namespace {

constexpr double undefined = std::numeric_limits<double>::quiet_NaN();

double share(std::size_t part, std::size_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : undefined;
}

GroupKey group_of(const io::ResultsTable& t, std::size_t run) {
  return {t.strings("/runs/problem")[run], t.strings("/runs/architecture")[run],
          static_cast<int>(t.integers("/runs/depth")[run])};
}

// The index of `key` in `keys` (groups in order of first appearance), appending it and an empty
// entry of `members` when it is new.
template <class Members>
std::size_t group_slot(std::vector<GroupKey>& keys, std::vector<Members>& members,
                       const GroupKey& key) {
  const auto found = std::find(keys.begin(), keys.end(), key);
  if (found != keys.end()) return static_cast<std::size_t>(found - keys.begin());
  keys.push_back(key);
  members.emplace_back();
  return keys.size() - 1;
}

// Above threshold and not excluded at k by the file's convention: connected at every layer
// (paper, mutual), or reachability never only shrank or only grew at a transition (baptista-r)
// (docs/method.md §3-§4 "accepted").
bool accepted_at(const io::ResultsTable& t, std::size_t run, index_t k) {
  if (!above_threshold(t, run)) return false;
  const auto slot = t.k_slot_of(run, k);
  return slot && !t.excluded(run, *slot);
}

GroupSummary summarize_group(const io::ResultsTable& t, const GroupKey& key,
                             const std::vector<std::size_t>& members) {
  GroupSummary group;
  group.key = key;
  group.runs = members.size();
  std::set<index_t> grid;
  for (std::size_t run : members) {
    group.done += t.is_done(run);
    group.failed += t.is_failed(run);
    group.accepted += above_threshold(t, run);
    for (index_t k : t.k_values(run)) grid.insert(k);
  }
  group.pending = group.runs - group.done - group.failed;

  std::vector<geometry::ScaleCoefficient> scales;
  for (index_t k : grid) {
    ScalePool pool{k, 0, std::nullopt};
    std::vector<geometry::PairSeries> series;
    for (std::size_t run : members)
      if (accepted_at(t, run, k)) {
        const std::size_t slot = *t.k_slot_of(run, k);
        series.push_back({t.eta_of(run, slot), t.layers_of("/flow/ric", run, slot)});
      }
    pool.accepted = series.size();
    pool.rho = geometry::pooled_ricci_coefficient(series);
    scales.push_back({k, pool.rho});
    group.pooled.push_back(pool);
  }
  group.k_star = geometry::select_scale(scales);
  std::vector<double> rhos;
  if (group.k_star)
    for (std::size_t run : members)
      if (accepted_at(t, run, *group.k_star)) {
        group.accepted_at_k_star.push_back(run);
        const double rho = t.reals("/flow/rho")[t.index(run, *t.k_slot_of(run, *group.k_star))];
        if (std::isfinite(rho)) rhos.push_back(rho);
      }
  group.rho_defined = rhos.size();
  group.mean_rho = mean(rhos);
  group.median_rho = median(rhos);
  group.negative = static_cast<std::size_t>(
      std::count_if(rhos.begin(), rhos.end(), [](double r) { return r < 0; }));
  group.negative_share = share(group.negative, rhos.size());
  return group;
}

}  // namespace

bool above_threshold(const io::ResultsTable& t, std::size_t run) {
  return t.is_done(run) && t.reals("/runs/test_accuracy")[run] > t.reals("/runs/threshold")[run];
}

Summary summarize(const io::ResultsTable& t) {
  std::vector<GroupKey> keys;
  std::vector<std::vector<std::size_t>> members;
  Summary summary;
  for (std::size_t run = 0; run < t.runs; ++run) {
    if (t.untrained(run)) {
      ++summary.untrained_controls;
      continue;
    }
    members[group_slot(keys, members, group_of(t, run))].push_back(run);
  }

  SummaryTotals& totals = summary.totals;
  for (std::size_t g = 0; g < keys.size(); ++g) {
    GroupSummary group = summarize_group(t, keys[g], members[g]);
    totals.finished += group.done + group.failed;
    totals.below_threshold += group.done + group.failed - group.accepted;
    if (group.k_star) {
      totals.above_threshold_with_k_star += group.accepted;
      totals.disconnected += group.accepted - group.accepted_at_k_star.size();
    }
    totals.rho_defined += group.rho_defined;
    totals.negative += group.negative;
    summary.groups.push_back(std::move(group));
  }
  totals.below_threshold_share = share(totals.below_threshold, totals.finished);
  totals.disconnected_share = share(totals.disconnected, totals.above_threshold_with_k_star);
  totals.negative_share = share(totals.negative, totals.rho_defined);
  return summary;
}

ControlsReport compare_controls(const io::ResultsTable& t, const ControlMeasure& measure) {
  ControlsReport out;
  // The measure of run `run` at k slot `slot`; NaN where its notion was not computed.
  const auto value = [&](std::size_t run, std::size_t slot) {
    if (!measure.notion) return t.reals("/flow/rho")[t.index(run, slot)];
    if (!t.has_notion(run, slot, *measure.notion)) return std::numeric_limits<double>::quiet_NaN();
    return t.notion_value(measure.local ? "/local/mean" : "/notions/rho", run, slot,
                          *measure.notion);
  };
  // The untrained twin of each (problem, architecture, depth, seed), and the trained runs by group.
  using Twin = std::tuple<std::string, std::string, std::int64_t, std::uint64_t>;
  const auto twin_of = [&](std::size_t run) {
    return Twin{t.strings("/runs/problem")[run], t.strings("/runs/architecture")[run],
                t.integers("/runs/depth")[run], t.unsigned_integers("/runs/seed")[run]};
  };
  std::map<Twin, std::size_t> untrained_done;
  for (std::size_t run = 0; run < t.runs; ++run)
    if (t.untrained(run)) {
      ++out.untrained_controls;
      // A second control of the same identity keeps the first one's place and stays unpaired.
      if (t.is_done(run) && !untrained_done.emplace(twin_of(run), run).second) ++out.unpaired;
    }
  if (out.untrained_controls == 0)
    throw Error("analysis", "'" + t.path +
                                "' holds no untrained control: run the sweep with [sweep] "
                                "controls = untrained");

  std::vector<GroupKey> keys;
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> pairs;  // per group
  std::set<std::size_t> matched;  // untrained controls paired with a trained run
  for (std::size_t run = 0; run < t.runs; ++run) {
    if (t.untrained(run) || !t.is_done(run)) continue;
    // A control pairs with one trained run: a second trained run of the same identity (a file
    // put together by hand) stays unpaired.
    const auto twin = untrained_done.find(twin_of(run));
    if (twin == untrained_done.end() || !matched.insert(twin->second).second) {
      ++out.unpaired;
      continue;
    }
    pairs[group_slot(keys, pairs, group_of(t, run))].emplace_back(run, twin->second);
  }
  out.unpaired += untrained_done.size() - matched.size();

  for (std::size_t g = 0; g < keys.size(); ++g) {
    std::set<index_t> grid;
    for (const auto& [trained, untrained] : pairs[g])
      for (index_t k : t.k_values(trained)) grid.insert(k);
    for (index_t k : grid) {
      ControlComparison row;
      row.key = keys[g];
      row.k = k;
      row.trained_runs = pairs[g].size();
      std::vector<double> trained_rho, untrained_rho;
      for (const auto& [trained, untrained] : pairs[g]) {
        if (!above_threshold(t, trained)) continue;
        const auto slot_t = t.k_slot_of(trained, k), slot_u = t.k_slot_of(untrained, k);
        if (!slot_t || !slot_u || t.excluded(trained, *slot_t) || t.excluded(untrained, *slot_u))
          continue;
        const double rho_t = value(trained, *slot_t), rho_u = value(untrained, *slot_u);
        if (!std::isfinite(rho_t) || !std::isfinite(rho_u)) continue;
        row.trained.push_back(trained);
        row.untrained.push_back(untrained);
        trained_rho.push_back(rho_t);
        untrained_rho.push_back(rho_u);
      }
      row.trained_mean_rho = mean(trained_rho);
      row.untrained_mean_rho = mean(untrained_rho);
      row.test = paired_t_test(trained_rho, untrained_rho);
      out.rows.push_back(std::move(row));
    }
  }
  return out;
}

Association associate(const io::ResultsTable& t, const Summary& summary) {
  Association out;
  // (run, its flow slot at its group's k*), in run order.
  std::vector<std::pair<std::size_t, std::size_t>> rows;
  for (const auto& group : summary.groups)
    for (std::size_t run : group.accepted_at_k_star) {
      const std::size_t slot = t.index(run, *t.k_slot_of(run, *group.k_star));
      if (std::isfinite(t.reals("/flow/z")[slot])) rows.emplace_back(run, slot);
    }
  std::sort(rows.begin(), rows.end());
  if (rows.empty())
    throw Error("analysis",
                "no run is accepted with a defined z at its group's k*: nothing to regress");
  for (const auto& row : rows) out.runs.push_back(row.first);

  std::set<std::string> problems, architectures;
  std::set<int> depths;
  for (std::size_t run : out.runs) {
    problems.insert(t.strings("/runs/problem")[run]);
    architectures.insert(t.strings("/runs/architecture")[run]);
    depths.insert(static_cast<int>(t.integers("/runs/depth")[run]));
  }
  std::vector<std::string> names{"intercept", "z"};
  // Dummy columns: every level but the first (the reference).
  for (auto it = std::next(problems.begin()); it != problems.end(); ++it)
    names.push_back("problem=" + *it);
  for (auto it = std::next(architectures.begin()); it != architectures.end(); ++it)
    names.push_back("architecture=" + *it);
  for (auto it = std::next(depths.begin()); it != depths.end(); ++it)
    names.push_back("depth=" + std::to_string(*it));

  const auto n = static_cast<Eigen::Index>(out.runs.size()),
             p = static_cast<Eigen::Index>(names.size());
  Eigen::MatrixXd design = Eigen::MatrixXd::Zero(n, p);
  Eigen::VectorXd accuracy(n);
  std::vector<double> rho(rows.size());
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto [run, slot] = rows[static_cast<std::size_t>(i)];
    design(i, 0) = 1.0;
    design(i, 1) = t.reals("/flow/z")[slot];
    for (Eigen::Index j = 2; j < p; ++j) {
      const std::string& name = names[static_cast<std::size_t>(j)];
      const std::string level = name.substr(name.find('=') + 1);
      const bool match = name.starts_with("problem=") ? t.strings("/runs/problem")[run] == level
                         : name.starts_with("architecture=")
                             ? t.strings("/runs/architecture")[run] == level
                             : std::to_string(t.integers("/runs/depth")[run]) == level;
      design(i, j) = match ? 1.0 : 0.0;
    }
    accuracy(i) = t.reals("/runs/test_accuracy")[run];
    rho[static_cast<std::size_t>(i)] = t.reals("/flow/rho")[slot];
  }
  out.fit = ordinary_least_squares(design, accuracy, names);
  out.z = out.fit.terms[1];
  out.spearman = spearman(rho, std::span<const double>(accuracy.data(), rows.size()));
  return out;
}

}  // namespace ricci::analysis
