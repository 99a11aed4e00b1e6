#include "ricci/sweep/reanalyze.hpp"

#include <algorithm>
#include <filesystem>

#include "ricci/core/error.hpp"
#include "ricci/io/results_file.hpp"

namespace ricci::sweep {

ReanalysisSource open_reanalysis_source(const std::string& path) {
  ReanalysisSource source;
  source.path = path;
  try {
    source.table = io::read_results_table(path);
    auto file = io::ResultsFile::open(path, false);
    source.job_text = file.attribute("job");
    // Files of the first release have no data identity: nothing to compare.
    try {
      source.data_identity = file.attribute("data_identity");
    } catch (const Error&) {
    }
    file.close();
  } catch (const Error& e) {
    throw Error("sweep", "cannot re-analyse " + path + ": " + e.message());
  }
  if (!source.table.store_activations)
    throw Error("sweep", "cannot re-analyse " + path +
                             ": it was written with store_activations = false, so it keeps no "
                             "activations to measure");
  std::error_code error;
  // Symlinks resolved: the same source reached through another path resumes the same re-analysis.
  const auto absolute = std::filesystem::weakly_canonical(path, error);
  source.absolute_path = error ? path : absolute.string();
  return source;
}

void require_same_runs(const ReanalysisSource& source, const Plan& plan) {
  const io::ResultsTable& t = source.table;
  if (t.runs != plan.runs.size())
    throw Error("sweep", source.path + " holds " + std::to_string(t.runs) +
                             " runs but its job now plans " + std::to_string(plan.runs.size()));
  for (const RunSpec& spec : plan.runs) {
    const auto row = static_cast<std::size_t>(spec.id);
    const io::RunIdentity& run = spec.identity;
    std::string differs;
    if (t.strings("/runs/problem")[row] != run.problem)
      differs = "problem";
    else if (t.strings("/runs/architecture")[row] != run.architecture)
      differs = "architecture";
    else if (t.integers("/runs/depth")[row] != run.depth)
      differs = "depth";
    else if (t.unsigned_integers("/runs/seed")[row] != run.seed)
      differs = "seed";
    else if (t.reals("/runs/threshold")[row] != run.threshold)
      differs = "threshold";
    else if (t.integers("/runs/n_test")[row] != run.n_test)
      differs = "n_test";
    if (!differs.empty())
      throw Error("sweep", source.path + " run " + std::to_string(spec.id) + " has another " +
                               differs + " than its job now plans (" + spec.stream_identity() +
                               " seed " + std::to_string(run.seed) + ")");
  }
}

io::RunRecord reanalyze_run(const RunSpec& spec, const JobSpec& job, const ReanalysisSource& source,
                            DataCache& cache, const std::function<bool()>& cancelled) {
  const io::RunIdentity& run = spec.identity;
  const auto row = static_cast<std::size_t>(spec.id);
  io::RunRecord out;
  out.id = spec.id;
  const std::string source_run = source.path + " run " + std::to_string(spec.id);
  if (!source.table.is_done(row)) {
    out.status = io::RunStatus::failed;
    out.failure = io::FailureClass::deterministic;
    out.error =
        source_run + " is " +
        (source.table.is_failed(row) ? "failed (" + source.table.strings("/runs/error")[row] + ")"
                                     : std::string(io::run_status_name(
                                           io::run_status_from_code(source.table.status_code(row))
                                               .value_or(io::RunStatus::pending)))) +
        ": nothing to re-analyse";
    return out;
  }
  try {
    io::StoredRun stored = io::read_stored_run(source.table, row);
    if (stored.activations.hidden.size() != run.widths.size())
      throw Error("sweep",
                  source_run + " stores " + std::to_string(stored.activations.hidden.size()) +
                      " hidden layers, its job plans " + std::to_string(run.widths.size()));
    for (std::size_t l = 0; l < run.widths.size(); ++l)
      if (stored.activations.hidden[l].cols() != run.widths[l])
        throw Error("sweep", source_run + " layer " + std::to_string(l + 1) + " has width " +
                                 std::to_string(stored.activations.hidden[l].cols()) +
                                 ", its job plans " + std::to_string(run.widths[l]));
    // The test inputs, regenerated exactly as the sweep that trained the run loaded them (rank 0
    // checked the data files against the source's data identity); the stored labels are a cheap
    // per-run check that this is the test set the activations were computed on.
    const data::Dataset& data = cache.get(run, job);
    if (data.test_y != stored.labels)
      throw Error("sweep", source_run + ": its stored test labels differ from the test set of " +
                               run.problem + " seed " + std::to_string(run.seed) +
                               " regenerated now (other data or another data version)");
    throw_if_cancelled(cancelled);
    out.training = std::move(stored.training);
    out.activations = std::move(stored.activations);
    out.labels = std::move(stored.labels);
    measure_run_geometry(out, run, job, data.test_x);
    out.status = io::RunStatus::done;
  } catch (const std::exception& e) {
    record_failure(out, e);
  }
  return out;
}

}  // namespace ricci::sweep
