#pragma once
// One run, start to finish, in memory: data -> training -> activations -> geometry (docs/method.md
// §1). No MPI, no HDF5: the sweep decides where it runs and the io layer where it lands.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ricci/core/error.hpp"
#include "ricci/io/run_record.hpp"
#include "ricci/nn/train.hpp"
#include "ricci/sweep/job.hpp"
#include "ricci/sweep/plan.hpp"

namespace ricci::sweep {

// Keeps seed-independent data (MNIST, Fashion-MNIST, user files) loaded once per process. Not
// thread-safe; the reference get() returns is valid until the next call.
class DataCache {
 public:
  const data::Dataset& get(const data::Problem& problem, const data::DataOptions& options,
                           std::uint64_t seed);
  // The data a run trains and is measured on: its problem under the job's data options and its
  // seed.
  const data::Dataset& get(const io::RunIdentity& run, const JobSpec& job);

 private:
  // MNIST and Fashion-MNIST have one split, loaded once. User data (csv:, idx:) are split by the
  // run's seed: the entry keeps the split of the seed it was loaded for, and another seed reloads.
  struct Loaded {
    std::uint64_t seed = 0;
    std::shared_ptr<const data::Dataset> data;
  };
  std::map<std::string, Loaded> fixed_;
  data::Dataset synthetic_;
};

// A failure that depends on the machine, not on the run: running it again may succeed. Thrown for
// such conditions the sweep detects itself (and by the RICCI_INJECT_FAULT testing hook).
class TransientError : public Error {
 public:
  using Error::Error;
};

// The one place a run's failure is classified (docs/architecture.md, "Failures"): transient for
// std::bad_alloc (out of memory), std::system_error (an I/O error of the OS or a stream) and
// TransientError; deterministic for everything else (divergence, bad data, a geometry error, a
// ricci::Error of any layer), since the same seed fails the same way. A run lost with its process
// is classified lost by --resume, not here.
io::FailureClass failure_class_of(const std::exception& error);
// Makes `record` a failed run: its status, error message and failure class.
void record_failure(io::RunRecord& record, const std::exception& error);

// Throws the error a run records when a stop request arrives between its stages (`cancelled` may be
// empty: never cancelled).
void throw_if_cancelled(const std::function<bool()>& cancelled);

// The geometry of one set of `run`'s activations (the final ones or a snapshot's) under the job's
// settings: `measures` over the hidden layers, and with layers = all `list_measures` over [inputs,
// hidden layers, output] (io::RunRecord documents both). `per_node` false skips per-node values
// even where the job keeps them. Throws ricci::Error from the geometry.
struct RunGeometry {
  std::vector<geometry::MeasuresAtK> measures, list_measures;
};
RunGeometry measure_activations(const nn::Activations& activations, const io::RunIdentity& run,
                                const JobSpec& job, const data::InputMatrix& test_inputs,
                                bool per_node);

// The geometry of a run whose record holds its hidden activations: fills record.measures at every k
// of `run` under the job's graph rule, and record.geometry_seconds. The one geometry step of a
// sweep, whether the activations come from training (execute_run) or from a results file
// (reanalyze_run). `test_inputs` are the raw test inputs the activations were computed from (the
// input layer). Throws ricci::Error from the geometry.
void measure_run_geometry(io::RunRecord& record, const io::RunIdentity& run, const JobSpec& job,
                          const data::InputMatrix& test_inputs);

// Executes `run` and returns everything the results file keeps of it (io::RunRecord; the caller
// sets its rank). Failures (bad data, divergence, geometry errors) are returned as status failed
// with the message, never thrown; `cancelled` is polled between stages and ends the run as failed.
io::RunRecord execute_run(const RunSpec& run, const JobSpec& job, DataCache& cache,
                          const std::function<bool()>& cancelled = {});

}  // namespace ricci::sweep
