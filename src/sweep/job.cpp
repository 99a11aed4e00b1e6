#include "ricci/sweep/job.hpp"

#include "ricci/core/error.hpp"
#include <algorithm>

namespace ricci::sweep {

std::string optimizer_name(nn::OptimizerKind kind) {
  return kind == nn::OptimizerKind::adam ? "adam" : "rmsprop";
}
std::string split_mode_name(nn::SplitMode mode) {
  return mode == nn::SplitMode::keras_last ? "keras-last" : "random";
}
std::string train_mode_name(nn::TrainMode mode) {
  return mode == nn::TrainMode::until_accuracy ? "until-accuracy" : "epochs";
}
std::string pixel_scale_name(data::PixelScale scale) {
  return scale == data::PixelScale::unit ? "unit" : "raw";
}

std::vector<int> JobSpec::snapshots_for(int epochs) const {
  for (int epoch : snapshot_epochs)
    if (epoch > train.epochs)
      throw Error("sweep", "snapshot epoch " + std::to_string(epoch) +
                               " is beyond train.epochs = " + std::to_string(train.epochs));
  std::vector<int> out;
  if (snapshot_every > 0)
    for (int epoch = 0; epoch <= epochs; epoch += snapshot_every) out.push_back(epoch);
  for (int epoch : snapshot_epochs)
    if (epoch <= epochs) out.push_back(epoch);
  return out;
}

std::vector<index_t> JobSpec::k_for(const data::Problem& problem) const {
  return paper_k ? data::paper_k_grid(problem) : k;
}

geometry::MeasureOptions JobSpec::measure_options(const std::vector<index_t>& run_k) const {
  geometry::MeasureOptions options;
  options.k = run_k;
  options.rule = rule;
  // /flow keeps Forman, the paper's notion, whatever the notion list: computed beside it, once.
  options.curvatures = curvatures;
  if (std::find(curvatures.begin(), curvatures.end(), geometry::CurvatureNotion::forman) ==
      curvatures.end())
    options.curvatures.insert(options.curvatures.begin(), geometry::CurvatureNotion::forman);
  options.curvature_options.ollivier_idleness = ollivier_idleness;
  options.local = local;
  // Per-node values are computed only when the file will keep them (io stores them).
  options.per_node = store_nodes;
  options.threads = threads_per_rank;
  const bool exact_ollivier = std::find(curvatures.begin(), curvatures.end(),
                                        geometry::CurvatureNotion::ollivier) != curvatures.end();
  if (exact_ollivier && !ollivier_k.empty())
    options.only_at_k.push_back({geometry::CurvatureNotion::ollivier, ollivier_k});
  return options;
}

data::DataOptions JobSpec::data_options(const std::string& problem) const {
  data::DataOptions options;
  options.pixels = pixels;
  const auto it = problem_settings.find(problem);
  if (it != problem_settings.end()) {
    options.data_dir = it->second.data_dir;
    options.knobs = it->second.knobs;
  }
  return options;
}

ProblemSettings default_settings(const data::Problem& problem) {
  return {.threshold = problem.default_threshold, .data_dir = "", .knobs = problem.knobs};
}

}  // namespace ricci::sweep
