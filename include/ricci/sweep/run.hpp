#pragma once
// One run, start to finish, in memory: data -> training -> activations -> geometry (METHOD.md §1).
// No MPI, no HDF5: the scheduler decides where it runs and the io layer where it lands.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ricci/geometry/measure_stack.hpp"
#include "ricci/nn/train.hpp"
#include "ricci/sweep/job.hpp"
#include "ricci/sweep/plan.hpp"

namespace ricci::sweep {

struct RunOutcome {
  index_t id = 0;
  bool ok = false;
  std::string error;  // when !ok
  nn::TrainResult training;
  double geometry_seconds = 0;
  nn::Activations activations;
  std::vector<std::uint8_t> test_labels;
  std::vector<geometry::MeasuresAtK> measures;  // one per k of the run, in the run's k order
};

// Keeps seed-independent data (MNIST, Fashion-MNIST, user files) loaded once per process.
class DataCache {
 public:
  const data::Dataset& get(const data::Problem& problem, const data::DataOptions& options,
                           std::uint64_t seed);

 private:
  std::map<std::string, std::shared_ptr<const data::Dataset>> fixed_;
  data::Dataset synthetic_;
};

// Executes `run`. Failures (bad data, divergence, geometry errors) are returned as !ok with the
// message, never thrown; `cancelled` is polled between stages and ends the run as not ok.
RunOutcome execute_run(const RunSpec& run, const JobSpec& job, DataCache& cache,
                       const std::function<bool()>& cancelled = {});

}  // namespace ricci::sweep
