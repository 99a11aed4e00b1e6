// The registry of the results file: the one place each attribute and dataset is declared.
#include "ricci/io/schema.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "ricci/core/error.hpp"
#include "ricci/geometry/coefficients.hpp"
#include "ricci/io/activations.hpp"
#include "ricci/io/run_record.hpp"

namespace ricci::io {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
using enum Axis;
using enum ValueType;

// Accessors the entries below share.
// The results file stores Forman curvature, the paper's notion; the other notions are computed by
// the geometry but have no datasets yet.
constexpr auto stored_notion = geometry::CurvatureNotion::forman;

const geometry::LayerMeasures& layer_at(const RunRecord& r, std::size_t slot, std::size_t layer) {
  return r.measures[slot].layers[layer];
}
const geometry::RicciCoefficient& coefficient_at(const RunRecord& r, std::size_t slot) {
  return r.measures[slot].coefficient(stored_notion);
}
const geometry::RicciCoefficient& snapshot_coefficient(const RunRecord& r, std::size_t snapshot,
                                                       std::size_t slot) {
  return r.snapshots[snapshot].measures[slot].coefficient(stored_notion);
}
const nn::EpochRecord& epoch_at(const RunRecord& r, std::size_t epoch) {
  return r.training.history[epoch];
}
CellValue if_trained(const RunRecord& r, double value) { return r.trained() ? value : nan; }
CellValue count(count_t value) { return static_cast<double>(value); }
// A count of the input layer (layer 0) at one k slot; NaN when it was not measured.
template <class Field>
CellValue input_at(const RunRecord& r, std::size_t slot, Field field) {
  const auto& input = r.measures[slot].input;
  return input ? static_cast<double>(field(*input)) : nan;
}

std::vector<Code> status_codes() {
  std::vector<Code> out;
  for (auto s : {RunStatus::pending, RunStatus::done, RunStatus::failed, RunStatus::running})
    out.push_back({static_cast<std::int64_t>(s), run_status_name(s),
                   s == RunStatus::running ? operations_since_version : 1});
  return out;
}

std::vector<Code> failure_codes() {
  std::vector<Code> out;
  for (auto f : {FailureClass::none, FailureClass::deterministic, FailureClass::transient,
                 FailureClass::lost})
    out.push_back({static_cast<std::int64_t>(f), failure_class_name(f)});
  return out;
}

std::vector<Code> outcome_codes() {
  std::vector<Code> out{{-1, "padding"}};
  for (auto o : {AttemptOutcome::running, AttemptOutcome::done, AttemptOutcome::deterministic,
                 AttemptOutcome::transient, AttemptOutcome::lost, AttemptOutcome::interrupted})
    out.push_back({static_cast<std::int64_t>(o), attempt_outcome_name(o)});
  return out;
}

// --- Schema 6: where and when runs ran, why they failed, and every attempt (issue 15).
// The /runs columns come from the record (and are checksummed with it); the /attempts table is
// written row by row by ResultsFile::write_attempt, outside the checksum: it is a log that the
// resuming session appends to (a lost attempt) while the run's own row stays as it was.
std::vector<Column> operations_columns() {
  const CellValue no_value = nan;
  constexpr int v6 = operations_since_version;
  // clang-format off
  return {
    {"/runs/host", string, 64, {runs}, std::string(), "host name of the last attempt's worker (also set while running)", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return r.host; }, v6},
    {"/runs/slurm_job_id", string, 32, {runs}, std::string(), "SLURM job id of the last attempt (SLURM_JOB_ID; an array task's own id); empty outside SLURM", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return r.slurm_job_id; }, v6},
    {"/runs/slurm_restart_count", int32, 0, {runs}, std::int64_t{-1}, "SLURM_RESTART_COUNT of the last attempt's job (0 outside SLURM); -1 never started", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return std::int64_t{r.slurm_restart_count}; }, v6},
    {"/runs/started_at", float64, 0, {runs}, no_value, "when the last attempt began, Unix seconds (UTC)", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return r.started_at; }, v6},
    {"/runs/ended_at", float64, 0, {runs}, no_value, "when the last attempt ended, Unix seconds (UTC); NaN while running and for a lost run", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return r.ended_at; }, v6},
    {"/runs/failure", int8, 0, {runs}, std::int64_t{0}, "a failed run's class: deterministic (the same seed fails the same way), transient (out of memory, I/O; retried automatically) or lost (found running by --resume); none otherwise", failure_codes(), false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return static_cast<std::int64_t>(r.failure); }, v6},
    {"/runs/attempts", int32, 0, {runs}, std::int64_t{0}, "attempts of the run in every session, this one included (the attempts table keeps the first A-1 and the latest)", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return std::int64_t{r.attempts}; }, v6},
    {"/attempts/rank", int32, 0, {runs, attempts}, std::int64_t{-1}, "MPI rank of the attempt; -1 pads", {}, false, nullptr, nullptr, v6},
    {"/attempts/host", string, 64, {runs, attempts}, std::string(), "host name of the attempt", {}, false, nullptr, nullptr, v6},
    {"/attempts/slurm_job_id", string, 32, {runs, attempts}, std::string(), "SLURM job id of the attempt; empty outside SLURM", {}, false, nullptr, nullptr, v6},
    {"/attempts/started_at", float64, 0, {runs, attempts}, no_value, "when the attempt began, Unix seconds (UTC)", {}, false, nullptr, nullptr, v6},
    {"/attempts/ended_at", float64, 0, {runs, attempts}, no_value, "when the attempt ended, Unix seconds (UTC); NaN while running and when lost", {}, false, nullptr, nullptr, v6},
    {"/attempts/outcome", int8, 0, {runs, attempts}, std::int64_t{-1}, "what became of the attempt; row a-1 holds attempt a, the last row the latest once a run has more than A", outcome_codes(), false, nullptr, nullptr, v6},
    {"/attempts/message", string, 128, {runs, attempts}, std::string(), "a failed, lost or interrupted attempt's error", {}, false, nullptr, nullptr, v6},
  };
  // clang-format on
}
// --- end of schema 6's operations columns.

std::vector<Code> reason_codes() {
  std::vector<Code> out{{-1, "padding"}};
  for (auto r :
       {geometry::CoefficientReason::none, geometry::CoefficientReason::disconnected,
        geometry::CoefficientReason::too_few_layers, geometry::CoefficientReason::zero_variance,
        geometry::CoefficientReason::perfect_correlation,
        geometry::CoefficientReason::reachability_changed})
    out.push_back({static_cast<std::int64_t>(r), geometry::reason_name(r)});
  return out;
}

// --- Schema 5: the curvature notions and the follow-up's local coefficients (issue 14).
// The slot of the measured list (the hidden layers, or inputs, hidden layers and output).
const geometry::MeasuresAtK& list_at(const RunRecord& r, std::size_t slot) {
  return r.measured_list()[slot];
}
bool computed(const geometry::MeasuresAtK& at_k, geometry::CurvatureNotion notion) {
  return std::find(at_k.notions.begin(), at_k.notions.end(), notion) != at_k.notions.end();
}
// A notion's global coefficient field; NaN where the slot lacks the notion (ollivier_k).
template <class Field>
CellValue global_of(const RunRecord& r, std::size_t slot, geometry::CurvatureNotion notion,
                    Field field) {
  const auto& at_k = list_at(r, slot);
  return computed(at_k, notion) ? CellValue(field(at_k.coefficient(notion))) : CellValue(nan);
}
// A notion's local coefficients field; NaN without them.
template <class Field>
CellValue local_of(const RunRecord& r, std::size_t slot, geometry::CurvatureNotion notion,
                   Field field) {
  const auto& at_k = list_at(r, slot);
  if (!computed(at_k, notion) || at_k.local.empty()) return nan;
  return field(at_k.local_of(notion));
}

// The notion's global coefficient and local mean: /notions/rho and /local/mean, and at each
// snapshot /snapshots/notion_rho and /snapshots/local_mean.
CellValue notion_rho(const RunRecord& r, std::size_t slot, geometry::CurvatureNotion notion,
                     std::size_t) {
  return global_of(r, slot, notion, [](const geometry::RicciCoefficient& c) { return c.rho; });
}
CellValue local_mean(const RunRecord& r, std::size_t slot, geometry::CurvatureNotion notion,
                     std::size_t) {
  return local_of(r, slot, notion,
                  [](const geometry::LocalCoefficients& l) -> CellValue { return l.mean; });
}
CellValue local_reason_of(const RunRecord& r, std::size_t slot, geometry::CurvatureNotion notion) {
  const auto& at_k = list_at(r, slot);
  if (!computed(at_k, notion) || at_k.local.empty()) return std::int64_t{-1};
  return static_cast<std::int64_t>(at_k.local_of(notion).reason);
}

std::vector<Code> local_reason_codes() {
  std::vector<Code> out{{-1, "padding"}};
  for (auto r : {geometry::LocalReason::none, geometry::LocalReason::too_few_transitions,
                 geometry::LocalReason::unreachable_neighbour,
                 geometry::LocalReason::isolated_point, geometry::LocalReason::zero_variance,
                 geometry::LocalReason::too_few_points, geometry::LocalReason::no_defined_point})
    out.push_back({static_cast<std::int64_t>(r), geometry::local_reason_name(r)});
  return out;
}

std::vector<Column> notion_columns() {
  const CellValue no_value = nan;
  using geometry::CurvatureNotion;
  using geometry::LocalCoefficients;
  using geometry::RicciCoefficient;
  constexpr int v5 = notions_since_version;
  // clang-format off
  return {
    {"/notions/ric", float64, 0, {runs, k_slots, notions, list_layers}, no_value, "Ric_l, the notion's total curvature on layer l of the measured list (layer_list; docs/method.md §3); NaN where the notion was not computed at this k (ollivier_k)", {}, false,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t l) -> CellValue {
       const auto& at_k = list_at(r, s);
       return computed(at_k, n) ? CellValue(at_k.layers[l].curvature_total(n)) : CellValue(nan); }},
    {"/notions/eta", float64, 0, {runs, k_slots, list_layers}, no_value, "eta of the measured list: [l] the change of geodesic mass into its layer l, [0] NaN (= /flow/eta under layer_list hidden; docs/method.md §4)", {}, true,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion, std::size_t l) -> CellValue { return list_at(r, s).eta[l]; }},
    {"/notions/rho", float64, 0, {runs, k_slots, notions}, no_value, "the notion's Ricci coefficient Pearson(eta_l, Ric_l) over the measured list (docs/method.md §4); NaN where undefined or not computed", {}, false,
     nullptr, nullptr, v5, notion_rho},
    {"/notions/z", float64, 0, {runs, k_slots, notions}, no_value, "artanh(rho) / sqrt(L - 4) of the notion's coefficient", {}, false,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t) { return global_of(r, s, n, [](const RicciCoefficient& c) { return c.z; }); }},
    {"/notions/fisher", float64, 0, {runs, k_slots, notions}, no_value, "artanh(rho) * sqrt(L - 4) of the notion's coefficient", {}, false,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t) { return global_of(r, s, n, [](const RicciCoefficient& c) { return c.fisher; }); }},
    {"/notions/p", float64, 0, {runs, k_slots, notions}, no_value, "two-sided p-value of the notion's rho", {}, false,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t) { return global_of(r, s, n, [](const RicciCoefficient& c) { return c.p; }); }},
    {"/notions/reason", int8, 0, {runs, k_slots, notions}, std::int64_t{-1}, "why the notion's coefficient is undefined; -1 where it was not computed", reason_codes(), false,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t) -> CellValue {
       const auto& at_k = list_at(r, s);
       return computed(at_k, n) ? CellValue(static_cast<std::int64_t>(at_k.coefficient(n).reason)) : CellValue(std::int64_t{-1}); }},
    {"/local/mean", float64, 0, {runs, k_slots, notions}, no_value, "mean of the defined local coefficients rho(x) (docs/method.md §4); NaN when none is defined, without local = true or where the notion was not computed", {}, false,
     nullptr, nullptr, v5, local_mean},
    {"/local/negative_share", float64, 0, {runs, k_slots, notions}, no_value, "share of the defined rho(x) that are < 0", {}, false,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t) { return local_of(r, s, n, [](const LocalCoefficients& l) -> CellValue { return l.negative_share; }); }},
    {"/local/defined", float64, 0, {runs, k_slots, notions}, no_value, "points with a defined rho(x)", {}, true,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t) { return local_of(r, s, n, [](const LocalCoefficients& l) { return count(l.defined); }); }},
    {"/local/undefined", float64, 0, {runs, k_slots, notions}, no_value, "points whose rho(x) is undefined (defined + undefined = n_test)", {}, true,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t) { return local_of(r, s, n, [](const LocalCoefficients& l) { return count(l.undefined); }); }},
    {"/local/unreachable", float64, 0, {runs, k_slots, notions}, no_value, "of the undefined points, those with a neighbour unreachable in the next layer's graph", {}, true,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t) { return local_of(r, s, n, [](const LocalCoefficients& l) { return count(l.unreachable); }); }},
    {"/local/reason", int8, 0, {runs, k_slots, notions}, std::int64_t{-1}, "why the local mean is undefined; -1 without local coefficients", local_reason_codes(), false,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t) { return local_reason_of(r, s, n); }},
    {"/local/layer_rho", float64, 0, {runs, k_slots, notions, list_layers}, no_value, "rho(t), the layer coefficient of transition t (out of layer t of the measured list into t + 1); NaN where undefined and at the list's last layer", {}, false,
     nullptr, nullptr, v5, [](const RunRecord& r, std::size_t s, CurvatureNotion n, std::size_t t) {
       return local_of(r, s, n, [t](const LocalCoefficients& l) -> CellValue { return t < l.layer_rho.size() ? l.layer_rho[t] : nan; }); }},
  };
  // clang-format on
}
// --- end of schema 5's notions.

std::vector<Column> make_columns() {
  const CellValue no_value = nan;
  // clang-format off
  return {
    // /runs: one row per run. Identity first (written at creation), then the run's outcome.
    {"/runs/id", int64, 0, {runs}, std::nullopt, "the run's row, 0..N-1", {}, false,
     [](index_t id, const RunIdentity&, std::size_t) -> CellValue { return std::int64_t{id}; }},
    {"/runs/problem", string, 256, {runs}, std::nullopt, "problem name (docs/method.md §5)", {}, false,
     [](index_t, const RunIdentity& r, std::size_t) -> CellValue { return r.problem; }},
    {"/runs/architecture", string, 64, {runs}, std::nullopt, "narrow, wide, bottleneck, width-W, residual-W or explicit widths (docs/method.md §6)", {}, false,
     [](index_t, const RunIdentity& r, std::size_t) -> CellValue { return r.architecture; }},
    {"/runs/depth", int32, 0, {runs}, std::nullopt, "number of hidden layers", {}, false,
     [](index_t, const RunIdentity& r, std::size_t) -> CellValue { return std::int64_t{r.depth}; }},
    {"/runs/seed", uint64, 0, {runs}, std::nullopt, "the run's seed", {}, false,
     [](index_t, const RunIdentity& r, std::size_t) -> CellValue { return r.seed; }},
    {"/runs/threshold", float64, 0, {runs}, std::nullopt, "test accuracy the run must exceed to be accepted", {}, false,
     [](index_t, const RunIdentity& r, std::size_t) -> CellValue { return r.threshold; }},
    {"/runs/n_test", int32, 0, {runs}, std::nullopt, "test points, the vertices of every graph", {}, false,
     [](index_t, const RunIdentity& r, std::size_t) -> CellValue { return std::int64_t{r.n_test}; }},
    {"/runs/untrained", int8, 0, {runs}, std::nullopt, "1: the untrained control (0 epochs, the same initial network) of the trained run with the same problem, architecture, depth and seed; 0: a trained run (docs/method.md §6)", {}, false,
     [](index_t, const RunIdentity& r, std::size_t) -> CellValue { return std::int64_t{r.untrained ? 1 : 0}; }, nullptr, controls_since_version},
    {status_column, int8, 0, {runs}, std::int64_t{0}, "pending, done or failed; written last", status_codes(), false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return static_cast<std::int64_t>(r.status); }},
    {"/runs/test_accuracy", float64, 0, {runs}, no_value, "accuracy on the test set after training", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) { return if_trained(r, r.training.test_accuracy); }},
    {"/runs/train_accuracy", float64, 0, {runs}, no_value, "accuracy on the training part after training", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) { return if_trained(r, r.training.train_accuracy); }},
    {"/runs/val_accuracy", float64, 0, {runs}, no_value, "accuracy on the validation part after training", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) { return if_trained(r, r.training.val_accuracy); }},
    {"/runs/epochs", int32, 0, {runs}, std::int64_t{0}, "epochs trained", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return static_cast<std::int64_t>(r.training.history.size()); }},
    {"/runs/train_seconds", float64, 0, {runs}, no_value, "wall time of training", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) { return if_trained(r, r.training.seconds); }},
    {"/runs/geometry_seconds", float64, 0, {runs}, no_value, "wall time of the geometry", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return r.status == RunStatus::done ? r.geometry_seconds : nan; }},
    {"/runs/rank", int32, 0, {runs}, std::int64_t{-1}, "MPI rank that ran it", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return std::int64_t{r.rank}; }},
    {"/runs/error", string, 512, {runs}, std::string(), "why a failed run failed", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return r.error; }},
    {session_column, int32, 0, {runs}, std::int64_t{-1}, "the session that wrote the run: its index into the root attribute 'sessions' (0: the sweep that created the file); -1 while pending", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t) -> CellValue { return std::int64_t{r.session}; }, operations_since_version},
    // Computed by ResultsFile::write_run from what it writes, not from one field of the record.
    {checksum_column, uint64, 0, {runs}, std::uint64_t{0}, "FNV-1a 64 of the run's table values (results_schema/README.md); written just before status", {}, false,
     nullptr, nullptr, checksum_since_version},
    {data_checksum_column, uint64, 0, {runs}, std::uint64_t{0}, "FNV-1a 64 of the run's /run_data datasets (results_schema/README.md); written just before status", {}, false,
     nullptr, nullptr, checksum_since_version},

    // /flow: the geometry of done runs, per k slot (and layer). k = -1 and NaN mark padding.
    {"/flow/k", int32, 0, {runs, k_slots}, std::int64_t{-1}, "the run's k values; -1 pads shorter lists", {}, false,
     [](index_t, const RunIdentity& r, std::size_t slot) -> CellValue { return std::int64_t{r.k[slot]}; }},
    {"/flow/edges", float64, 0, {runs, k_slots, layers}, no_value, "edges of the layer's graph (arcs under baptista-r)", {}, true,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t l) { return count(layer_at(r, s, l).edges); }},
    {"/flow/components", float64, 0, {runs, k_slots, layers}, no_value, "connected components", {}, true,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t l) { return count(layer_at(r, s, l).components); }},
    {"/flow/unreachable_pairs", float64, 0, {runs, k_slots, layers}, no_value, "unordered vertex pairs with no path", {}, true,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t l) { return count(layer_at(r, s, l).unreachable_pairs); }},
    {"/flow/g", float64, 0, {runs, k_slots, layers}, no_value, "g_l, the sum of geodesic distances; NaN when disconnected (docs/method.md §3)", {}, true,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t l) -> CellValue { return layer_at(r, s, l).g; }},
    {"/flow/ric", float64, 0, {runs, k_slots, layers}, no_value, "Ric_l, the total Forman curvature (docs/method.md §3)", {}, true,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t l) -> CellValue { return layer_at(r, s, l).curvature_total(stored_notion); }},
    {"/flow/eta", float64, 0, {runs, k_slots, layers}, no_value, "eta_l for l = 0..L-1, the change of geodesic mass into hidden layer l+1: [0] from the inputs (baptista-r only, else NaN), [l] = g_{l+1} - g_l (paper, mutual) or the reference R rule (baptista-r: +-Inf where it excludes the run, NaN where undefined) (docs/method.md §3-§4)", {}, true,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t l) -> CellValue { return r.measures[s].eta[l]; }, transitions_since_version},
    {"/flow/excluded_at", int32, 0, {runs, k_slots}, std::int64_t{-1}, "baptista-r: the first transition (an index of eta) at which reachability only shrank or only grew, which excludes the run; -1 when none", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return std::int64_t{r.measures[s].excluded_at}; }, transitions_since_version},
    {"/flow/input_edges", float64, 0, {runs, k_slots}, no_value, "arcs of the input layer's graph (layer 0; baptista-r only, else NaN)", {}, true,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return input_at(r, s, [](const geometry::LayerMeasures& l) { return l.edges; }); }, transitions_since_version},
    {"/flow/input_components", float64, 0, {runs, k_slots}, no_value, "connected components of the input layer's graph (baptista-r only, else NaN)", {}, true,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return input_at(r, s, [](const geometry::LayerMeasures& l) { return static_cast<count_t>(l.components); }); }, transitions_since_version},
    {"/flow/input_unreachable_pairs", float64, 0, {runs, k_slots}, no_value, "unordered pairs with no path in the input layer's graph (baptista-r only, else NaN)", {}, true,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return input_at(r, s, [](const geometry::LayerMeasures& l) { return l.unreachable_pairs; }); }, transitions_since_version},
    {"/flow/rho", float64, 0, {runs, k_slots}, no_value, "Ricci coefficient: Pearson(eta_l, Ric_l) (docs/method.md §4)", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return coefficient_at(r, s).rho; }},
    {"/flow/z", float64, 0, {runs, k_slots}, no_value, "artanh(rho) / sqrt(L - 4), as the paper prints it", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return coefficient_at(r, s).z; }},
    {"/flow/fisher", float64, 0, {runs, k_slots}, no_value, "artanh(rho) * sqrt(L - 4), the Fisher statistic", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return coefficient_at(r, s).fisher; }},
    {"/flow/p", float64, 0, {runs, k_slots}, no_value, "two-sided p-value of rho", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return coefficient_at(r, s).p; }},
    {"/flow/reason", int8, 0, {runs, k_slots}, std::int64_t{-1}, "why a coefficient is undefined", reason_codes(), false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return static_cast<std::int64_t>(coefficient_at(r, s).reason); }},

    // /history: per epoch of training (Keras' running means over the epoch's batches).
    {"/history/loss", float64, 0, {runs, epochs}, no_value, "training loss", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t e) -> CellValue { return epoch_at(r, e).loss; }},
    {"/history/accuracy", float64, 0, {runs, epochs}, no_value, "training accuracy", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t e) -> CellValue { return epoch_at(r, e).accuracy; }},
    {"/history/val_loss", float64, 0, {runs, epochs}, no_value, "validation loss", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t e) -> CellValue { return epoch_at(r, e).val_loss; }},
    {"/history/val_accuracy", float64, 0, {runs, epochs}, no_value, "validation accuracy", {}, false,
     nullptr, [](const RunRecord& r, std::size_t, std::size_t e) -> CellValue { return epoch_at(r, e).val_accuracy; }},

    // /snapshots: the network during training, at the job's snapshot epochs (docs/method.md §6).
    {"/snapshots/epoch", int32, 0, {runs, snapshots}, std::int64_t{-1}, "the snapshot's epoch (0 = before training), ascending; -1 pads", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return std::int64_t{r.snapshots[s].state.epoch}; }, snapshots_since_version},
    {"/snapshots/train_loss", float64, 0, {runs, snapshots}, no_value, "loss over the training part (after the validation split), a full pass", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return r.snapshots[s].state.train_loss; }, snapshots_since_version},
    {"/snapshots/train_accuracy", float64, 0, {runs, snapshots}, no_value, "accuracy over the training part, a full pass", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return r.snapshots[s].state.train_accuracy; }, snapshots_since_version},
    {"/snapshots/test_loss", float64, 0, {runs, snapshots}, no_value, "loss over the test set", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return r.snapshots[s].state.test_loss; }, snapshots_since_version},
    {"/snapshots/test_accuracy", float64, 0, {runs, snapshots}, no_value, "accuracy over the test set", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t) -> CellValue { return r.snapshots[s].state.test_accuracy; }, snapshots_since_version},
    {"/snapshots/rho", float64, 0, {runs, snapshots, k_slots}, no_value, "the Ricci coefficient of the snapshot's hidden layers at each k slot (as /flow/rho)", {}, false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t k) -> CellValue { return snapshot_coefficient(r, s, k).rho; }, snapshots_since_version},
    {"/snapshots/reason", int8, 0, {runs, snapshots, k_slots}, std::int64_t{-1}, "why the snapshot's coefficient is undefined (as /flow/reason)", reason_codes(), false,
     nullptr, [](const RunRecord& r, std::size_t s, std::size_t k) -> CellValue { return static_cast<std::int64_t>(snapshot_coefficient(r, s, k).reason); }, snapshots_since_version},
    {"/snapshots/notion_rho", float64, 0, {runs, snapshots, k_slots, notions}, no_value, "each notion's global coefficient at the snapshot (as /notions/rho)", {}, false,
     nullptr, nullptr, snapshots_since_version, notion_rho},
    {"/snapshots/local_mean", float64, 0, {runs, snapshots, k_slots, notions}, no_value, "each notion's mean local coefficient at the snapshot (as /local/mean; NaN without local = true)", {}, false,
     nullptr, nullptr, snapshots_since_version, local_mean},
  };
  // clang-format on
}

std::vector<Column> all_columns() {
  std::vector<Column> out = make_columns();
  for (Column& column : notion_columns()) out.push_back(std::move(column));
  for (Column& column : operations_columns()) out.push_back(std::move(column));
  return out;
}

// Per-node values of every k slot and layer, in that order (a [K_run, L_run, n] array).
template <class Field>
RunData node_values(const RunRecord& r, Field field) {
  std::vector<double> out;
  for (const auto& at_k : r.measures)
    for (const auto& layer : at_k.layers) {
      const auto& values = field(layer);
      out.insert(out.end(), values.begin(), values.end());
    }
  return out;
}

std::vector<std::size_t> points(const RunIdentity& r, std::size_t) {
  return {static_cast<std::size_t>(r.n_test)};
}
std::vector<std::size_t> points_by_width(const RunIdentity& r, std::size_t layer) {
  return {static_cast<std::size_t>(r.n_test), static_cast<std::size_t>(r.widths[layer])};
}
std::vector<std::size_t> per_k_layer_point(const RunIdentity& r, std::size_t) {
  return {r.k.size(), r.widths.size(), static_cast<std::size_t>(r.n_test)};
}

// --- Schema 5: the per-node local series (docs/method.md §4), one value per k slot, notion,
// transition and point; NaN where the run's slot lacks the notion (ollivier_k).
std::size_t list_transitions(const RunIdentity& r) {
  return r.widths.size() + (r.all_layers ? 2 : 0) - 1;
}
std::vector<std::size_t> per_k_notion_transition_point(const RunIdentity& r, std::size_t) {
  return {r.k.size(), r.notion_count, list_transitions(r), static_cast<std::size_t>(r.n_test)};
}
std::vector<std::size_t> per_k_transition_point(const RunIdentity& r, std::size_t) {
  return {r.k.size(), list_transitions(r), static_cast<std::size_t>(r.n_test)};
}
std::vector<std::size_t> per_k_notion_point(const RunIdentity& r, std::size_t) {
  return {r.k.size(), r.notion_count, static_cast<std::size_t>(r.n_test)};
}
// Per k slot and file notion, `field` of the slot's local coefficients (as many values as
// `count`), NaN where the slot lacks the notion.
template <class Field>
RunData local_node_values(const RunRecord& r, std::size_t count, Field field) {
  std::vector<double> out;
  for (const auto& at_k : r.measured_list())
    for (auto notion : r.notions) {
      const bool has = computed(at_k, notion) && !at_k.local.empty();
      const std::size_t before = out.size();
      if (has) field(at_k.local_of(notion), out);
      out.resize(before + count, nan);
    }
  return out;
}
std::size_t points_of(const RunRecord& r) { return r.labels.size(); }
std::size_t transitions_of(const RunRecord& r) {
  return r.measured_list().empty() ? 0 : r.measured_list().front().layers.size() - 1;
}

std::vector<RunDataset> make_run_datasets() {
  using enum StoreOption;
  // clang-format off
  return {
    {"layer_{l:02d}", true, float32, {"n", "w"}, activations, "post-ReLU activations of hidden layer l (1-based) on the test set",
     points_by_width, [](const RunRecord& r, std::size_t l) -> RunData {
       const RowMatrix& x = r.activations.hidden[l];  // row-major: the dataset's order
       return std::vector<float>(x.data(), x.data() + x.size());
     }},
    {"labels", false, uint8, {"n"}, activations, "test labels (0 or 1)",
     points, [](const RunRecord& r, std::size_t) -> RunData { return r.labels; }},
    {"probability", false, float32, {"n"}, activations, "the network's output (sigmoid) per test point",
     points, [](const RunRecord& r, std::size_t) -> RunData {
       return std::vector<float>(r.activations.probability.begin(), r.activations.probability.end());
     }},
    {"node_curvature", false, float64, {"K_run", "L_run", "n"}, nodes, "s_l(i), each point's Forman curvature sum (docs/method.md §3)",
     per_k_layer_point, [](const RunRecord& r, std::size_t) {
       return node_values(r, [](const geometry::LayerMeasures& l) { return l.curvature_of(stored_notion).node; });
     }},
    {"node_distance_sum", false, float64, {"K_run", "L_run", "n"}, nodes, "S_l(i), each point's geodesic distance sum; NaN when disconnected",
     per_k_layer_point, [](const RunRecord& r, std::size_t) {
       return node_values(r, [](const geometry::LayerMeasures& l) { return l.node_distance_sum; });
     }},
    {"local_scalar", false, float64, {"K_run", "C", "T_run", "n"}, local_nodes, "O_t(x), each point's mean curvature in the first layer of transition t of the measured list, per notion (docs/method.md §4); NaN where the notion was not computed",
     per_k_notion_transition_point, [](const RunRecord& r, std::size_t) {
       return local_node_values(r, transitions_of(r) * points_of(r), [](const geometry::LocalCoefficients& l, std::vector<double>& out) {
         for (const auto& row : l.scalar) out.insert(out.end(), row.begin(), row.end()); });
     }},
    {"local_expansion", false, float64, {"K_run", "T_run", "n"}, local_nodes, "eta_t(x), each point's local expansion at transition t; +inf when a neighbour is unreachable in the next layer, NaN for a point without an edge",
     per_k_transition_point, [](const RunRecord& r, std::size_t) -> RunData {
       std::vector<double> out;
       for (const auto& at_k : r.measured_list())
         for (const auto& row : at_k.local_expansion) out.insert(out.end(), row.begin(), row.end());
       return out;
     }},
    {"local_rho", false, float64, {"K_run", "C", "n"}, local_nodes, "rho(x), each point's local Ricci evolution coefficient per notion; NaN where undefined or not computed",
     per_k_notion_point, [](const RunRecord& r, std::size_t) {
       return local_node_values(r, points_of(r), [](const geometry::LocalCoefficients& l, std::vector<double>& out) {
         out.insert(out.end(), l.rho.begin(), l.rho.end()); });
     }},
  };
  // clang-format on
}

}  // namespace

namespace {

struct AxisInfo {
  Axis axis;
  std::string_view name, symbol, meaning;
};

constexpr AxisInfo axis_table[] = {
    {runs, "runs", "N", "runs: one row per run of the sweep, in plan order"},
    {k_slots, "k_slots", "K", "k_slots: the longest k list of any run; shorter lists are padded"},
    {layers, "layers", "L", "layers: the largest depth; shallower runs are padded"},
    {epochs, "epochs", "E", "epochs: the most epochs a run may train"},
    {notions, "notions", "C",
     "notions: the file's curvature notions, named in order by the root attribute 'notions'"},
    {list_layers, "list_layers", "M",
     "list_layers: the layers of the measured list (root attribute 'layer_list'): the largest "
     "depth, two more with layer_list all (inputs first, output last); transition t shares index "
     "t"},
    {snapshots, "snapshots", "S", "snapshots: the most snapshot epochs of any run (at least 1)"},
    {attempts, "attempts", "A",
     "attempts: rows of the attempts table per run (io::attempt_capacity, 4): a run with more "
     "attempts keeps its first A-1 and, in the last row, its latest"},
};

const AxisInfo& info(Axis axis) {
  for (const AxisInfo& entry : axis_table)
    if (entry.axis == axis) return entry;
  throw Error("io", "an axis without an entry in the axis table");
}

}  // namespace

std::string_view axis_name(Axis axis) { return info(axis).name; }
std::string_view axis_symbol(Axis axis) { return info(axis).symbol; }
std::string_view axis_meaning(Axis axis) { return info(axis).meaning; }

std::string value_type_name(ValueType type, std::size_t string_width) {
  switch (type) {
    case int8:
      return "int8";
    case uint8:
      return "uint8";
    case int32:
      return "int32";
    case int64:
      return "int64";
    case uint64:
      return "uint64";
    case float32:
      return "float32";
    case float64:
      return "float64";
    case string:
      return "string" + std::to_string(string_width);
  }
  return "?";
}

std::string_view Column::name() const { return path.substr(path.rfind('/') + 1); }
std::string_view Column::group() const { return path.substr(0, path.rfind('/')); }
bool Column::has_axis(Axis axis) const {
  for (Axis a : axes)
    if (a == axis) return true;
  return false;
}

std::string Column::axes_text() const {
  std::string out;
  for (Axis axis : axes) {
    if (!out.empty()) out += ',';
    out += axis_name(axis);
  }
  return out;
}

std::string Column::codes_text(int version) const {
  std::string out;
  for (const Code& code : codes) {
    if (code.since_version > version) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(code.value);
    out += ' ';
    out += code.name;
  }
  return out;
}

std::size_t attempt_row(int attempt) {
  return static_cast<std::size_t>(std::clamp(attempt, 1, attempt_capacity) - 1);
}

std::vector<const Column*> record_columns(int version) {
  std::vector<const Column*> out;
  for (const Column& column : results_columns())
    if ((column.from_record || column.from_notion) && column.path != status_column &&
        column.since_version <= version)
      out.push_back(&column);
  return out;
}

std::vector<const Column*> checksummed_columns(int version) {
  std::vector<const Column*> out = record_columns(version);
  std::erase_if(out, [](const Column* column) { return column->path == session_column; });
  return out;
}

const std::vector<Column>& results_columns() {
  static const std::vector<Column> columns = all_columns();
  return columns;
}

const Column& results_column(std::string_view path) {
  for (const Column& c : results_columns())
    if (c.path == path) return c;
  throw Error("io", "the results schema has no dataset " + std::string(path));
}

std::string notion_list_text(const std::vector<geometry::CurvatureNotion>& list) {
  std::string out;
  for (auto notion : list) {
    if (!out.empty()) out += ',';
    out += geometry::curvature_notion_name(notion);
  }
  return out;
}

std::vector<geometry::CurvatureNotion> parse_notion_list(const std::string& text,
                                                         const std::string& file_path) {
  std::vector<geometry::CurvatureNotion> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string name = text.substr(start, comma - start);
    try {
      const auto notion = geometry::parse_curvature_notion(name);
      if (std::find(out.begin(), out.end(), notion) != out.end())
        throw Error("io", "'" + name + "' is listed twice");
      out.push_back(notion);
    } catch (const Error& e) {
      throw Error("io", (file_path.empty() ? "" : "'" + file_path + "': ") +
                            "the attribute notions = '" + text +
                            "' is not a list of curvature notions (" + e.message() + ")");
    }
    start = comma + 1;
  }
  return out;
}

std::string_view store_option_attribute(StoreOption option) {
  return option == StoreOption::activations ? "store_activations"
         : option == StoreOption::nodes     ? "store_nodes"
                                            : "store_nodes and local";
}

bool is_stored(StoreOption option, bool store_activations, bool store_nodes, bool local) {
  return option == StoreOption::activations ? store_activations
         : option == StoreOption::nodes     ? store_nodes
                                            : store_nodes && local;
}

const std::vector<RunDataset>& run_datasets() {
  static const std::vector<RunDataset> datasets = make_run_datasets();
  return datasets;
}

const std::vector<std::pair<std::string_view, std::string_view>>& run_dataset_symbols() {
  static const std::vector<std::pair<std::string_view, std::string_view>> symbols{
      {"n", "n_test of the run"},
      {"w", "width of the layer"},
      {"K_run", "number of k values of the run"},
      {"L_run", "depth of the run"},
      {"C", "the file's curvature notions (root attribute 'notions')"},
      {"T_run",
       "transitions of the run's measured list: depth - 1, or depth + 1 under layer_list all"}};
  return symbols;
}

std::string run_group(index_t id) {
  char name[32];
  std::snprintf(name, sizeof name, "/run_data/r%06d", id);
  return name;
}

const std::vector<FileAttribute>& file_attributes() {
  static const std::vector<FileAttribute> attributes{
      {"schema_version", false, "version of this layout"},
      {"store_activations", false,
       "1 when every done run's activations, labels and outputs are kept"},
      {"store_nodes", false, "1 when every done run's per-node values are kept"},
      {"job", true, "the job, every key explicit (canonical INI text)"},
      {"job_without_paths", true, "the job without data paths; --resume compares it"},
      {"tool", true, "the program that wrote the file"},
      {"tool_version", true, "its version"},
      {"graph", true, "the graph rule: union, mutual or baptista-r"},
      {"data_identity", true,
       "SHA-256 of every data file and the shapes they gave; --resume compares it", false},
      {"reanalysis_of", true,
       "the results file whose stored activations this one re-analysed (ricci-sweep --reanalyze); "
       "empty when the runs were trained here",
       false},
      {"notions", true,
       "schema 5: the curvature notions of the notions axis, comma-separated, in order "
       "(geometry.curvatures)",
       false},
      {"layer_list", true,
       "schema 5: the measured layer list of /notions and /local: hidden, or all (inputs, hidden "
       "layers, output)",
       false},
      {"local", false, "schema 5: 1 when /local holds the follow-up's local coefficients", false},
      {"shard", true,
       "schema 6: 'i/n' when the file holds shard i of n of its sweep (ricci-sweep --shard; the "
       "other shards' runs stay pending, without /run_data groups); empty for a whole sweep",
       false},
      {"created", true, "schema 6: when the sweep that created the file started (UTC, ISO 8601)",
       false},
      {"completed", true,
       "schema 6: when a session ended with no run pending (UTC, ISO 8601); empty until then",
       false},
      {"builds", true,
       "schema 6: JSON array of the builds that wrote to the file, each an object with its id, git "
       "commit, dirty flag, diff SHA-256, compiler, flags, build type, instruction set, library "
       "versions and the executable's SHA-256",
       false},
      {"sessions", true,
       "schema 6: JSON array of the sessions that wrote the file (its creation, then each "
       "--resume): start and end (UTC), host, pid, SLURM job id, build id, commit, dirty; "
       "/runs/session indexes it",
       false}};
  return attributes;
}

std::size_t value_bytes(ValueType type, std::size_t string_width) {
  switch (type) {
    case int8:
    case uint8:
      return 1;
    case int32:
    case float32:
      return 4;
    case int64:
    case uint64:
    case float64:
      return 8;
    case string:
      return string_width;
  }
  return 0;
}

std::size_t table_bytes_per_run(std::size_t k_slot_count, std::size_t layer_count,
                                std::size_t epoch_count, std::size_t notion_count,
                                std::size_t list_layer_count, std::size_t snapshot_count) {
  if (list_layer_count == 0) list_layer_count = layer_count;
  std::size_t total = 0;
  for (const Column& column : results_columns()) {
    std::size_t cells = 1;
    for (Axis axis : column.axes)
      cells *= axis == k_slots       ? k_slot_count
               : axis == layers      ? layer_count
               : axis == epochs      ? std::max<std::size_t>(epoch_count, 1)
               : axis == notions     ? notion_count
               : axis == list_layers ? list_layer_count
               : axis == snapshots   ? std::max<std::size_t>(snapshot_count, 1)
                                     : 1;
    total += cells * value_bytes(column.type, column.string_width);
  }
  return total;
}

std::size_t run_data_bytes(const RunIdentity& run, bool store_activations, bool store_nodes,
                           bool local) {
  std::size_t total = 0;
  for (const RunDataset& dataset : run_datasets()) {
    if (!is_stored(dataset.when, store_activations, store_nodes, local)) continue;
    const std::size_t count = dataset.per_layer ? run.widths.size() : 1;
    for (std::size_t l = 0; l < count; ++l) {
      std::size_t cells = 1;
      for (std::size_t d : dataset.dims(run, l)) cells *= d;
      total += cells * value_bytes(dataset.type, 0);
    }
  }
  return total;
}

std::string layout_json() {
  using nlohmann::ordered_json;
  const auto value_json = [](const CellValue& v) -> ordered_json {
    if (const auto* d = std::get_if<double>(&v))
      return std::isnan(*d) ? ordered_json("NaN") : ordered_json(*d);
    if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
    if (const auto* u = std::get_if<std::uint64_t>(&v)) return *u;
    return std::get<std::string>(v);
  };
  ordered_json layout;
  layout["schema_version"] = schema_version;
  layout["readable_schema_versions"] = {oldest_readable_schema_version, schema_version};
  ordered_json& dims = layout["dimensions"];
  for (Axis a : {runs, k_slots, layers, epochs, notions, list_layers, snapshots, attempts})
    dims[std::string(axis_symbol(a))] = axis_meaning(a);
  for (const auto& [symbol, meaning] : run_dataset_symbols()) dims[std::string(symbol)] = meaning;
  ordered_json& attributes = layout["attributes"];
  for (const FileAttribute& a : file_attributes())
    attributes[std::string(a.name)] = {{"type", a.is_string ? "string" : "int64"},
                                       {"meaning", a.meaning}};
  ordered_json& datasets = layout["datasets"];
  for (const Column& c : results_columns()) {
    ordered_json entry{{"type", value_type_name(c.type, c.string_width)}};
    ordered_json shape = ordered_json::array();
    for (Axis a : c.axes) shape.push_back(axis_symbol(a));
    entry["shape"] = shape;
    if (c.fill) entry["fill"] = value_json(*c.fill);
    if (!c.codes.empty()) {
      ordered_json codes;
      for (const Code& code : c.codes) codes[std::to_string(code.value)] = code.name;
      entry["values"] = codes;
    }
    if (c.whole_numbers) entry["whole_numbers"] = true;
    entry["meaning"] = c.meaning;
    datasets[std::string(c.path)] = entry;
  }
  ordered_json per_run{{"group", "/run_data/r{id:06d}"}};
  for (const RunDataset& d : run_datasets()) {
    ordered_json shape = ordered_json::array();
    for (auto s : d.shape) shape.push_back(s);
    per_run["datasets"][std::string(d.name)] = {{"type", value_type_name(d.type, 0)},
                                                {"shape", shape},
                                                {"when", store_option_attribute(d.when)},
                                                {"meaning", d.meaning}};
  }
  layout["per_run"] = per_run;
  return layout.dump(2) + "\n";
}

}  // namespace ricci::io
