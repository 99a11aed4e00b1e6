#pragma once
// The paper's analyses of a results file (docs/method.md §4): pooled coefficients per group and
// scale, scale selection, per-run aggregates at the selected scale, the accuracy association (Table
// S2).
#include <optional>
#include <string>
#include <vector>

#include "ricci/analysis/statistics.hpp"
#include "ricci/io/results_table.hpp"

namespace ricci::analysis {

struct GroupKey {
  std::string problem, architecture;
  int depth = 0;
  bool operator==(const GroupKey&) const = default;
};

struct ScalePool {
  index_t k = 0;
  std::size_t accepted = 0;   // done, test accuracy above threshold, every layer connected at k
  std::optional<double> rho;  // pooled coefficient over the accepted runs; nullopt when undefined
};

struct GroupSummary {
  GroupKey key;
  std::size_t runs = 0, done = 0, failed = 0, pending = 0;
  std::size_t accepted = 0;       // done with test accuracy above the problem's threshold
  std::vector<ScalePool> pooled;  // every k of the group's runs, ascending
  std::optional<index_t>
      k_star;  // the k with the most negative pooled coefficient (smaller k on ties)
  // At k*: the accepted runs (run indices), and their per-run rho where it is defined.
  std::vector<std::size_t> accepted_at_k_star;
  std::size_t rho_defined = 0, negative = 0;
  double mean_rho = 0, median_rho = 0, negative_share = 0;  // NaN when no run has a defined rho
};

// The paper-style totals (docs/method.md §8). Failed runs count as missing their threshold; pending
// runs are left out. "Disconnected" counts the above-threshold runs of groups that have a k* which
// are disconnected at it.
struct SummaryTotals {
  std::size_t finished = 0, below_threshold = 0;
  std::size_t above_threshold_with_k_star = 0, disconnected = 0;
  std::size_t rho_defined = 0, negative = 0;
  double below_threshold_share = 0, disconnected_share = 0, negative_share = 0;  // NaN for 0 / 0
};

struct Summary {
  std::vector<GroupSummary> groups;  // in order of first appearance in the file
  SummaryTotals totals;
  // Untrained controls (/runs/untrained) are not part of the paper's analysis: summarize sets them
  // aside and counts them here; compare_controls pairs them with their trained twins.
  std::size_t untrained_controls = 0;
};

// True when run i of a done status beat its threshold (strictly, as the job key documents).
bool above_threshold(const io::ResultsTable& table, std::size_t run);

Summary summarize(const io::ResultsTable& table);

// Trained runs against their untrained controls (docs/method.md §6), per group and k: the pairs
// whose trained run beat its threshold and whose two coefficients are defined at k (neither run
// excluded there).
struct ControlComparison {
  GroupKey key;
  index_t k = 0;
  std::size_t trained_runs = 0;  // done trained runs of the group that have a done untrained twin
  std::vector<std::size_t> trained, untrained;          // the pairs' run indices, in run order
  double trained_mean_rho = 0, untrained_mean_rho = 0;  // NaN without pairs
  PairedTest test;                                      // trained rho minus untrained rho
};
struct ControlsReport {
  std::vector<ControlComparison> rows;  // groups in order of first appearance, k ascending
  std::size_t untrained_controls = 0;   // untrained runs in the file
  std::size_t unpaired = 0;  // done trained runs without a done untrained twin, and vice versa
};
// What compare_controls compares: the paper's global Forman coefficient (/flow/rho), or one
// notion's global coefficient (/notions/rho) or its mean local coefficient (/local/mean), where the
// notion was computed for both runs of a pair.
struct ControlMeasure {
  std::optional<std::size_t> notion;  // its position on the file's notions axis; none: /flow/rho
  bool local = false;                 // /local/mean instead of /notions/rho (needs a notion)
};
// Throws ricci::Error("analysis", ...) when the file holds no untrained control.
ControlsReport compare_controls(const io::ResultsTable& table, const ControlMeasure& measure = {});

struct Association {
  OlsFit fit;                     // test accuracy ~ 1 + z + problem + architecture + depth dummies
  OlsTerm z;                      // the z term of `fit`
  Correlation spearman;           // Spearman(per-run rho at k*, test accuracy) over the same runs
  std::vector<std::size_t> runs;  // the runs used: accepted at their group's k* with a defined z
};

// Paper Table S2 (docs/method.md §4). Categorical levels are dummy-coded against the first level in
// sorted order; a factor with one level contributes no column. Throws ricci::Error("analysis", ...)
// when the regression is not identifiable (too few runs, confounded levels).
Association associate(const io::ResultsTable& table, const Summary& summary);

}  // namespace ricci::analysis
