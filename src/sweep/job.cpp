#include "ricci/sweep/job.hpp"

#include <sstream>

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

namespace {

template <class T>
std::string join(const std::vector<T>& values) {
  std::ostringstream s;
  for (std::size_t i = 0; i < values.size(); ++i) s << (i ? "," : "") << values[i];
  return s.str();
}

std::string number(double value) {
  std::ostringstream s;
  s.precision(17);
  s << value;
  return s.str();
}

}  // namespace

std::string JobSpec::normalized(bool with_paths) const {
  std::ostringstream s;
  s << "[sweep]\nname = " << name << "\nproblems = " << join(problems)
    << "\narchitectures = " << join(architectures) << "\ndepths = " << join(depths)
    << "\nseeds = " << join(seeds) << "\n";
  s << "\n[train]\noptimizer = " << optimizer_name(train.optimizer.kind)
    << "\nmode = " << train_mode_name(train.mode) << "\nepochs = " << train.epochs
    << "\nbatch_size = " << train.batch_size
    << "\nlearning_rate = " << number(train.optimizer.learning_rate)
    << "\nvalidation_split = " << number(train.validation_split)
    << "\nsplit_mode = " << split_mode_name(train.split)
    << "\npixel_scale = " << pixel_scale_name(pixels)
    << "\ntarget_accuracy = " << number(train.target_train_accuracy) << "\n";
  s << "\n[geometry]\nk = " << (paper_k ? std::string("paper") : join(k))
    << "\ngraph = " << (rule == geometry::GraphRule::knn_mutual ? "mutual" : "union")
    << "\nconvention = " << (rule == geometry::GraphRule::baptista_r ? "baptista-r" : "paper")
    << "\n";
  s << "\n[output]\nstore_activations = " << (store_activations ? "true" : "false")
    << "\nstore_nodes = " << (store_nodes ? "true" : "false") << "\n";
  for (const auto& [problem, settings] : problem_settings) {
    s << "\n[problem." << problem << "]\nthreshold = " << number(settings.threshold) << "\n";
    if (with_paths && !settings.data_dir.empty()) s << "data_dir = " << settings.data_dir << "\n";
  }
  return s.str();
}

std::vector<index_t> JobSpec::k_for(const data::Problem& problem) const {
  return paper_k ? data::paper_k_grid(problem) : k;
}

data::DataOptions JobSpec::data_options(const std::string& problem) const {
  data::DataOptions options;
  options.pixels = pixels;
  const auto it = problem_settings.find(problem);
  if (it != problem_settings.end()) options.data_dir = it->second.data_dir;
  return options;
}

}  // namespace ricci::sweep
