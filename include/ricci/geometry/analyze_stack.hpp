#pragma once
// The analysis of one activation stack and the pooled analysis of several (docs/method.md §2–§4):
// what `ricci-query analyze` and the Python module `ricci_flow` compute, in one place. The callers
// read the stacks (an HDF5 group, numpy arrays) and format the results; this decides which layers
// are measured, which notions are computed beside the paper's Forman, and how stacks pool into the
// coefficient per k and the scale k*. Pure computation: no I/O.
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/layer_names.hpp"
#include "ricci/geometry/measure_stack.hpp"

namespace ricci::geometry {

// Which layers of a stack are measured, in order.
enum class LayerList {
  hidden,  // the hidden layers 1..L: the paper
  all,     // the inputs (layer 0), the hidden layers and the output: the follow-up
};

struct AnalysisOptions {
  std::vector<index_t> k;  // one result per k, in this order
  GraphRule rule = GraphRule::knn_union;
  // The notions reported, in this order. The paper's coefficient, its pooling and k* are Forman's
  // (docs/method.md §4), so Forman is computed beside them when it is not among them.
  std::vector<CurvatureNotion> notions{CurvatureNotion::forman};
  CurvatureOptions curvature_options;
  bool local = false;     // the follow-up's local and layer coefficients (MeasureOptions::local)
  bool per_node = false;  // with local: O_l(x), eta_l(x) and rho(x) per point
  LayerList layer_list = LayerList::hidden;
  // Called after each measured layer, as MeasureOptions::on_layer_done: progress reports, and the
  // place where a caller stops a long analysis by throwing (layers measured together report, and
  // stop, once all of them are done).
  std::function<void(std::size_t done, std::size_t total)> on_layer_done;
  int threads = 1;  // MeasureOptions::threads: a speed setting; results do not depend on it
  std::size_t memory_limit = 0;  // MeasureOptions::memory_limit, bytes; 0: none
};

// One stack as views of the caller's matrices (not copied; they must outlive the call).
struct StackLayers {
  std::span<const LayerView> hidden;  // hidden layers 1..L, one point per row
  std::vector<std::string> names;     // of the hidden layers; empty: layer_01, layer_02, ...
  std::optional<LayerView> input;     // layer_00, the raw inputs X_0, when the caller has them
  std::optional<LayerView> output;    // the network's output, n x 1, when the caller has it
};

// Whether `stack`'s inputs are measured as baptista-r's layer 0, whose transition into hidden
// layer 1 the reference code includes (docs/method.md §3); they are measured only then.
bool measures_input_layer(const StackLayers& stack, const AnalysisOptions& options);

// One analysed stack: its size and its measures at every k.
struct StackAnalysis {
  index_t n = 0;
  std::size_t hidden_layers = 0;
  bool has_input = false;  // measures_input_layer: at_each_k[s].input is set
  // The measured list: layer_00 (LayerList::all), the hidden layers, output (LayerList::all);
  // at_each_k[s].layers[i] is names[i], layer number first_layer + i.
  std::vector<std::string> names;
  std::size_t first_layer = 1;
  std::vector<MeasuresAtK> at_each_k;  // in the order of AnalysisOptions::k
};

// Validates and measures one stack. Throws ricci::Error("geometry", ...) for a bad stack (see
// measure_stack), names that do not match the hidden layers, or LayerList::all without the inputs
// or the output or under baptista-r (it has its own input transition).
StackAnalysis analyze_stack(const StackLayers& stack, const AnalysisOptions& options);

// The pooled coefficient at one k over the stacks not excluded there.
struct PooledAtK {
  index_t k = 0;
  std::optional<double> rho;  // pooled_ricci_coefficient; nullopt when undefined
  std::size_t stacks = 0;     // the stacks that entered it
};

struct PooledAnalysis {
  std::vector<PooledAtK> at_each_k;  // in the order of AnalysisOptions::k
  std::optional<index_t> k_star;     // select_scale over at_each_k
};

// The paper's pooled analysis of stacks analysed with the same k list (docs/method.md §4): per k,
// Forman's (eta_l, Ric_l) pairs of every stack that is not excluded there, and k*. Throws
// ricci::Error("geometry", ...) for no stacks or stacks with different k lists.
PooledAnalysis pool_stacks(std::span<const StackAnalysis> stacks);

}  // namespace ricci::geometry
