#pragma once
// Re-analysis: the geometry of a results file's stored activations measured again under other
// geometry settings (k, graph rule, convention), into a new results file, without training. The
// sweep runs it like a training sweep (run_sweep with SweepOptions::reanalysis): same plan, same
// dispatch, --resume; only a worker's run executor differs.
#include <functional>
#include <string>

#include "ricci/io/results_table.hpp"
#include "ricci/io/run_record.hpp"
#include "ricci/sweep/job.hpp"
#include "ricci/sweep/plan.hpp"
#include "ricci/sweep/run.hpp"

namespace ricci::sweep {

// The results file a re-analysis reads, as every rank holds it.
struct ReanalysisSource {
  std::string path;           // as given
  std::string absolute_path;  // stored in the new file's 'reanalysis_of' attribute
  std::string job_text;       // its 'job' attribute: the job the new one is derived from
  std::string data_identity;  // its 'data_identity' attribute ("" in files of the first release)
  io::ResultsTable table;
};

// Reads the source's table and attributes. Throws ricci::Error("sweep", ...) naming the file when
// it is not a readable results file or was written with store_activations = false.
ReanalysisSource open_reanalysis_source(const std::string& path);

// Throws ricci::Error("sweep", ...) unless `plan` plans the source's runs: as many, and each id
// with the source's problem, architecture, depth, seed, threshold and n_test (only the k lists may
// differ).
void require_same_runs(const ReanalysisSource& source, const Plan& plan);

// Run `run` of the source measured under `job`: its training outcome, activations, outputs and
// labels copied from the source, its geometry computed by measure_run_geometry on the test inputs
// regenerated from the job's data. Like execute_run it returns failures as status failed, never
// throws: a run that is not done in the source fails with a message naming the source run.
io::RunRecord reanalyze_run(const RunSpec& run, const JobSpec& job, const ReanalysisSource& source,
                            DataCache& cache, const std::function<bool()>& cancelled = {});

}  // namespace ricci::sweep
