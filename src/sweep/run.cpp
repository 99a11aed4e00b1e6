#include "ricci/sweep/run.hpp"

#include <chrono>
#include <new>
#include <optional>
#include <system_error>

#include "ricci/core/error.hpp"
#include "ricci/nn/architecture.hpp"

namespace ricci::sweep {

const data::Dataset& DataCache::get(const data::Problem& problem, const data::DataOptions& options,
                                    std::uint64_t seed) {
  if (problem.synthetic()) {
    synthetic_ = data::load_problem(problem, options, seed);
    return synthetic_;
  }
  const bool seeded_split =
      problem.family == data::Family::csv_file || problem.family == data::Family::idx_files;
  auto& slot = fixed_[problem.name];
  if (!slot.data || (seeded_split && slot.seed != seed))
    slot = {seed,
            std::make_shared<const data::Dataset>(data::load_problem(problem, options, seed))};
  return *slot.data;
}

const data::Dataset& DataCache::get(const io::RunIdentity& run, const JobSpec& job) {
  return get(data::parse_problem(run.problem), job.data_options(run.problem), run.seed);
}

io::FailureClass failure_class_of(const std::exception& error) {
  if (dynamic_cast<const std::bad_alloc*>(&error) ||
      dynamic_cast<const std::system_error*>(&error) || dynamic_cast<const TransientError*>(&error))
    return io::FailureClass::transient;
  return io::FailureClass::deterministic;
}

void record_failure(io::RunRecord& record, const std::exception& error) {
  record.status = io::RunStatus::failed;
  record.error = error.what();
  record.failure = failure_class_of(error);
}

void throw_if_cancelled(const std::function<bool()>& cancelled) {
  if (cancelled && cancelled()) throw Error("sweep", "run interrupted by a stop request");
}

RunGeometry measure_activations(const nn::Activations& activations, const io::RunIdentity& run,
                                const JobSpec& job, const data::InputMatrix& test_inputs,
                                bool per_node) {
  geometry::MeasureOptions options = job.measure_options(run.k);
  options.per_node = options.per_node && per_node;
  const auto& hidden = activations.hidden;
  RunGeometry out;
  if (job.all_layers) {
    // The follow-up's list [inputs, hidden layers, sigmoid output] (docs/method.md §4), measured
    // once: the inputs' neighbour lists are computed once per run. The output as the file stores
    // it (float32), so a re-analysis of the stored run measures the same layer.
    const RowMatrix inputs = test_inputs.cast<double>();
    RowMatrix output(static_cast<Eigen::Index>(activations.probability.size()), 1);
    for (Eigen::Index i = 0; i < output.rows(); ++i)
      output(i, 0) = static_cast<float>(activations.probability[static_cast<std::size_t>(i)]);
    std::vector<geometry::LayerView> list{geometry::LayerView(inputs)};
    for (const RowMatrix& layer : hidden) list.emplace_back(layer);
    list.emplace_back(output);
    out.list_measures = geometry::measure_stack(list, options);
    // /flow keeps the paper's coefficient over the hidden layers of the same measures.
    for (const auto& slot : out.list_measures)
      out.measures.push_back(geometry::sub_list(slot, 1, hidden.size(), job.rule));
  } else {
    // The raw inputs are layer 0 of the reference R code's transitions (baptista-r only; the
    // geometry ignores them otherwise, so the copy is made only when it is read).
    std::optional<RowMatrix> inputs;
    if (options.rule == geometry::GraphRule::baptista_r) inputs = test_inputs.cast<double>();
    out.measures = geometry::measure_stack(
        hidden, options, inputs ? std::optional<geometry::LayerView>(*inputs) : std::nullopt);
  }
  return out;
}

void measure_run_geometry(io::RunRecord& record, const io::RunIdentity& run, const JobSpec& job,
                          const data::InputMatrix& test_inputs) {
  const auto start = std::chrono::steady_clock::now();
  record.notions = job.curvatures;
  RunGeometry geometry = measure_activations(record.activations, run, job, test_inputs, true);
  record.measures = std::move(geometry.measures);
  record.list_measures = std::move(geometry.list_measures);
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
    // Snapshots (docs/method.md §6): the geometry of the test activations at the chosen epochs.
    // train() times them apart (training.snapshot_seconds), and geometry_seconds holds them.
    training.snapshot_epochs = job.snapshots_for(training.epochs);
    const auto snapshot = [&](const nn::SnapshotState& state, nn::Mlp<float>& network) {
      throw_if_cancelled(cancelled);
      // Per-node values of snapshots are not stored: not computed either.
      RunGeometry geometry = measure_activations(nn::hidden_activations(network, data.test_x), run,
                                                 job, data.test_x, false);
      out.snapshots.push_back(
          {state, std::move(geometry.measures), std::move(geometry.list_measures)});
    };
    out.training = nn::train(net, data, training, streams.shuffle, snapshot);
    throw_if_cancelled(cancelled);

    out.activations = nn::hidden_activations(net, data.test_x);
    out.labels = data.test_y;
    // A snapshot at the last epoch measured the final network already, with the same options
    // unless per-node values are kept (snapshots compute none): its geometry is the run's.
    const bool final_snapshot =
        !out.snapshots.empty() && !job.store_nodes &&
        out.snapshots.back().state.epoch == static_cast<int>(out.training.history.size());
    if (final_snapshot) {
      out.notions = job.curvatures;
      out.measures = out.snapshots.back().measures;
      out.list_measures = out.snapshots.back().list_measures;
      out.geometry_seconds = 0;
    } else {
      measure_run_geometry(out, run, job, data.test_x);
    }
    out.geometry_seconds += out.training.snapshot_seconds;
    out.status = io::RunStatus::done;
  } catch (const std::exception& e) {
    record_failure(out, e);
  }
  return out;
}

}  // namespace ricci::sweep
