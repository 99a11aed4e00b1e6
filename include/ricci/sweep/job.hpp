#pragma once
// A sweep's definition, typed (the apps layer turns job files and command lines into this).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/geometry/curvature.hpp"
#include "ricci/geometry/graph.hpp"
#include "ricci/geometry/measure_stack.hpp"
#include "ricci/nn/train.hpp"

namespace ricci::sweep {

struct ProblemSettings {
  double threshold = 0;  // test accuracy a run must exceed to be accepted
  std::string data_dir;  // "" = the problem's default
  // Synthetic problems: the generator's knobs (docs/method.md §5); empty = the problem's default.
  data::SyntheticKnobs knobs;
};

// A problem's settings before any [problem.NAME] key: its paper threshold and its knobs' defaults.
ProblemSettings default_settings(const data::Problem& problem);

// The initialisers are the job keys' defaults: ricci-sweep's key table (apps/ricci-sweep/
// job_keys.hpp) prints every default it shows from a default-constructed JobSpec.
// Which control runs a sweep adds beside its trained runs (docs/method.md §6).
enum class Controls {
  none,
  untrained,  // every trained run gets its untrained twin: the same network trained for 0 epochs
};

struct JobSpec {
  std::string name = "sweep";
  std::vector<std::string> problems;  // required: no default
  std::vector<std::string> architectures{"narrow", "wide", "bottleneck"};
  std::vector<int> depths{5, 11};
  std::vector<std::uint64_t> seeds{0};
  Controls controls = Controls::none;
  // Threads of each run's geometry (MeasureOptions::threads): a speed setting, results do not
  // depend on it. 1 because a sweep's parallelism is its ranks, one per core; more per rank is
  // for sweeps whose runs are few and large (ranks x threads_per_rank cores in all).
  int threads_per_rank = 1;

  nn::TrainOptions train;
  data::PixelScale pixels = data::PixelScale::raw;

  bool paper_k = true;     // docs/method.md §7's grid of each problem
  std::vector<index_t> k;  // used when !paper_k
  geometry::GraphRule rule = geometry::GraphRule::knn_union;

  // Snapshots during training (docs/method.md §6): the geometry at these epochs too (ascending,
  // 0 = the untrained network), or every `snapshot_every` epochs from 0; none when both are empty.
  std::vector<int> snapshot_epochs;
  int snapshot_every = 0;
  // The curvature notions of the results file's notion axis (docs/method.md §3), in the job's
  // order; /flow keeps the paper's Forman values whatever the list.
  std::vector<geometry::CurvatureNotion> curvatures{geometry::CurvatureNotion::forman};
  bool local = false;  // the follow-up's local and layer coefficients (docs/method.md §4)
  double ollivier_idleness = 0;  // alpha of the exact Ollivier notion's lazy measure, in [0, 1)
  // Exact Ollivier only at these k (each among the problem's k); empty: at every k.
  std::vector<index_t> ollivier_k;
  // The measured layer list: the hidden layers (the paper) or the follow-up's list [input,
  // hidden layers, sigmoid output] (docs/method.md §4 "Layer lists").
  bool all_layers = false;

  bool store_activations = true;
  bool store_nodes = false;

  std::map<std::string, ProblemSettings> problem_settings;  // one entry per problem in `problems`

  std::vector<index_t> k_for(const data::Problem& problem) const;
  // The snapshot epochs of a run trained for at most `epochs` epochs (0 for an untrained control).
  // Throws ricci::Error("sweep", ...) for a listed epoch beyond train.epochs.
  std::vector<int> snapshots_for(int epochs) const;
  // The measure options of a run with these k: notions, local, idleness, ollivier_k (docs/method.md
  // §3-§4), threads_per_rank. The one place the job's geometry keys become geometry settings.
  geometry::MeasureOptions measure_options(const std::vector<index_t>& k) const;
  data::DataOptions data_options(const std::string& problem) const;
};

std::string optimizer_name(nn::OptimizerKind kind);
std::string split_mode_name(nn::SplitMode mode);
std::string train_mode_name(nn::TrainMode mode);
std::string pixel_scale_name(data::PixelScale scale);

}  // namespace ricci::sweep
