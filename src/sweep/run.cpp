#include "ricci/sweep/run.hpp"

#include <chrono>
#include <optional>

#include "ricci/core/error.hpp"
#include "ricci/nn/architecture.hpp"

namespace ricci::sweep {

const data::Dataset& DataCache::get(const data::Problem& problem, const data::DataOptions& options,
                                    std::uint64_t seed) {
  if (problem.synthetic()) {
    synthetic_ = data::load_problem(problem, options, seed);
    return synthetic_;
  }
  auto& slot = fixed_[problem.name];
  if (!slot)
    slot = std::make_shared<const data::Dataset>(data::load_problem(problem, options, seed));
  return *slot;
}

const data::Dataset& DataCache::get(const io::RunIdentity& run, const JobSpec& job) {
  return get(data::parse_problem(run.problem), job.data_options(run.problem), run.seed);
}

void throw_if_cancelled(const std::function<bool()>& cancelled) {
  if (cancelled && cancelled()) throw Error("sweep", "run interrupted by a stop request");
}

std::vector<geometry::MeasuresAtK> measure_geometry(const std::vector<RowMatrix>& hidden,
                                                    const io::RunIdentity& run, const JobSpec& job,
                                                    const data::InputMatrix& test_inputs) {
  geometry::MeasureOptions options;
  options.k = run.k;
  options.rule = job.rule;
  // Per-node values are computed only when the file will keep them (io stores them).
  options.per_node = job.store_nodes;
  // The raw inputs are layer 0 of the reference R code's transitions (baptista-r only; the
  // geometry ignores them otherwise, so the copy is made only when it is read).
  std::optional<RowMatrix> inputs;
  if (options.rule == geometry::GraphRule::baptista_r) inputs = test_inputs.cast<double>();
  return geometry::measure_stack(
      hidden, options, inputs ? std::optional<geometry::LayerView>(*inputs) : std::nullopt);
}

void measure_run_geometry(io::RunRecord& record, const io::RunIdentity& run, const JobSpec& job,
                          const data::InputMatrix& test_inputs) {
  const auto start = std::chrono::steady_clock::now();
  record.measures = measure_geometry(record.activations.hidden, run, job, test_inputs);
  record.geometry_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

io::RunRecord execute_run(const RunSpec& spec, const JobSpec& job, DataCache& cache,
                          const std::function<bool()>& cancelled) {
  const io::RunIdentity& run = spec.identity;
  io::RunRecord out;
  out.id = spec.id;
  try {
    const data::Dataset& data = cache.get(run, job);
    throw_if_cancelled(cancelled);

    // An untrained control draws the same streams as its trained twin: the same initial network.
    RunStreams streams(run.seed, run.problem, run.architecture, run.depth);
    const nn::Architecture architecture = nn::parse_architecture(run.architecture, run.depth);
    nn::Mlp<float> net(static_cast<int>(data.train_x.cols()), architecture.widths, streams.init,
                       architecture.residual);
    nn::TrainOptions training = job.train;
    if (run.untrained) training.epochs = 0;
    // Snapshots (docs/method.md §6): the geometry of the test activations at the chosen epochs,
    // timed apart so that train_seconds stays the training's and geometry_seconds holds them.
    training.snapshot_epochs = job.snapshots_for(training.epochs);
    double snapshot_seconds = 0;
    const auto snapshot = [&](const nn::SnapshotState& state, nn::Mlp<float>& network) {
      throw_if_cancelled(cancelled);
      const auto start = std::chrono::steady_clock::now();
      const nn::Activations at_epoch = nn::hidden_activations(network, data.test_x);
      out.snapshots.push_back({state, measure_geometry(at_epoch.hidden, run, job, data.test_x)});
      snapshot_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    out.training = nn::train(net, data, training, streams.shuffle, snapshot);
    out.training.seconds -= snapshot_seconds;
    throw_if_cancelled(cancelled);

    out.activations = nn::hidden_activations(net, data.test_x);
    out.labels = data.test_y;
    measure_run_geometry(out, run, job, data.test_x);
    out.geometry_seconds += snapshot_seconds;
    out.status = io::RunStatus::done;
  } catch (const std::exception& e) {
    out.status = io::RunStatus::failed;
    out.error = e.what();
  }
  return out;
}

}  // namespace ricci::sweep
