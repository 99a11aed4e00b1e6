#include "ricci/geometry/analyze_stack.hpp"

#include <algorithm>
#include <cstdio>

#include "ricci/core/error.hpp"

namespace ricci::geometry {

namespace {

constexpr auto forman = CurvatureNotion::forman;

MeasureOptions measure_options(const AnalysisOptions& options) {
  MeasureOptions measure;
  measure.k = options.k;
  measure.rule = options.rule;
  // Every requested notion is computed once, with the paper's Forman beside them.
  measure.curvatures = options.notions;
  if (std::find(measure.curvatures.begin(), measure.curvatures.end(), forman) ==
      measure.curvatures.end())
    measure.curvatures.insert(measure.curvatures.begin(), forman);
  measure.curvature_options = options.curvature_options;
  measure.local = options.local;
  measure.per_node = options.per_node;
  measure.on_layer_done = options.on_layer_done;
  measure.threads = options.threads;
  measure.memory_limit = options.memory_limit;
  return measure;
}

}  // namespace

std::string stack_layer_name(int layer) {
  char name[32];
  std::snprintf(name, sizeof name, "layer_%02d", layer);
  return name;
}

bool measures_input_layer(const StackLayers& stack, const AnalysisOptions& options) {
  return options.rule == GraphRule::baptista_r && stack.input.has_value();
}

StackAnalysis analyze_stack(const StackLayers& stack, const AnalysisOptions& options) {
  if (stack.hidden.empty()) throw Error("geometry", "no hidden layers to analyse");
  if (!stack.names.empty() && stack.names.size() != stack.hidden.size())
    throw Error("geometry", std::to_string(stack.names.size()) + " names for " +
                                std::to_string(stack.hidden.size()) + " hidden layers");
  const bool all = options.layer_list == LayerList::all;
  if (all && options.rule == GraphRule::baptista_r)
    throw Error("geometry",
                "the layer list 'all' is the follow-up's, on undirected graphs: baptista-r has its "
                "own input transition (docs/method.md §3)");
  if (all && (!stack.input || !stack.output)) {
    const std::string missing = !stack.input && !stack.output ? "layer_00 and output"
                                : !stack.input                ? "layer_00"
                                                              : "output";
    throw Error("geometry",
                "the layer list 'all' needs the inputs and the output: the stack has no " +
                    missing + " (the list is layer_00, the hidden layers, output)");
  }

  StackAnalysis out;
  out.n = static_cast<index_t>(stack.hidden.front().rows());
  out.hidden_layers = stack.hidden.size();
  out.has_input = measures_input_layer(stack, options);
  out.names = stack.names;
  if (out.names.empty())
    for (std::size_t l = 1; l <= stack.hidden.size(); ++l)
      out.names.push_back(stack_layer_name(static_cast<int>(l)));

  // The views bind the caller's matrices (or the temporaries the caller's views own) without a
  // copy; reserved, so that no view moves while the list grows.
  std::vector<LayerView> list;
  list.reserve(stack.hidden.size() + 2);
  if (all) {
    list.emplace_back(*stack.input);
    out.names.insert(out.names.begin(), stack_layer_name(0));
    out.first_layer = 0;
  }
  for (const LayerView& layer : stack.hidden) list.emplace_back(layer);
  if (all) {
    list.emplace_back(*stack.output);
    out.names.emplace_back(output_layer_name);
  }
  out.at_each_k =
      measure_stack(list, measure_options(options), out.has_input ? stack.input : std::nullopt);
  return out;
}

PooledAnalysis pool_stacks(std::span<const StackAnalysis> stacks) {
  if (stacks.empty()) throw Error("geometry", "no stacks to pool");
  const std::size_t slots = stacks.front().at_each_k.size();
  for (const StackAnalysis& stack : stacks) {
    bool same = stack.at_each_k.size() == slots;
    for (std::size_t s = 0; same && s < slots; ++s)
      same = stack.at_each_k[s].k == stacks.front().at_each_k[s].k;
    if (!same) throw Error("geometry", "the stacks to pool were analysed at different k");
  }
  PooledAnalysis out;
  std::vector<ScaleCoefficient> scales;
  // Ric_l per stack of one slot, kept alive while the series point into them.
  std::vector<std::vector<double>> ric_storage;
  for (std::size_t s = 0; s < slots; ++s) {
    std::vector<PairSeries> series;
    ric_storage.clear();
    ric_storage.reserve(stacks.size());
    for (const StackAnalysis& stack : stacks) {
      const MeasuresAtK& slot = stack.at_each_k[s];
      if (slot.exclusion != CoefficientReason::none) continue;
      std::vector<double>& ric = ric_storage.emplace_back();
      for (const auto& layer : slot.layers) ric.push_back(layer.curvature_total(forman));
      // eta_1..eta_{L-1} with Ric_1..Ric_{L-1}: the input transition has no curvature partner.
      series.push_back({paired_eta(slot.eta), ric});
    }
    const PooledAtK at_k{stacks.front().at_each_k[s].k, pooled_ricci_coefficient(series),
                         series.size()};
    scales.push_back({at_k.k, at_k.rho});
    out.at_each_k.push_back(at_k);
  }
  out.k_star = select_scale(scales);
  return out;
}

}  // namespace ricci::geometry
