#include "ricci/geometry/measure_stack.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "ricci/core/error.hpp"
#include "ricci/geometry/geodesics_bitparallel.hpp"
#include "ricci/geometry/parallel.hpp"
#include "ricci/geometry/reachability.hpp"

namespace ricci::geometry {

namespace {

Error not_computed(CurvatureNotion notion) {
  return Error("geometry", "curvature notion '" + std::string(curvature_notion_name(notion)) +
                               "' was not computed (it is not in MeasureOptions::curvatures)");
}

}  // namespace

const CurvatureMeasure& LayerMeasures::curvature_of(CurvatureNotion notion) const {
  for (const CurvatureMeasure& c : curvature)
    if (c.notion == notion) return c;
  throw not_computed(notion);
}

const RicciCoefficient& MeasuresAtK::coefficient(CurvatureNotion notion) const {
  for (std::size_t c = 0; c < notions.size() && c < coefficients.size(); ++c)
    if (notions[c] == notion) return coefficients[c];
  throw not_computed(notion);
}

const LocalCoefficients& MeasuresAtK::local_of(CurvatureNotion notion) const {
  for (const LocalCoefficients& l : local)
    if (l.notion == notion) return l;
  throw Error("geometry", "the local coefficients of '" +
                              std::string(curvature_notion_name(notion)) +
                              "' were not computed (MeasureOptions::local, curvatures)");
}

std::vector<CurvatureNotion> MeasureOptions::curvatures_at(index_t at_k) const {
  std::vector<CurvatureNotion> out;
  for (CurvatureNotion notion : curvatures) {
    const auto restriction =
        std::find_if(only_at_k.begin(), only_at_k.end(),
                     [&](const NotionAtK& entry) { return entry.notion == notion; });
    if (restriction == only_at_k.end() ||
        std::find(restriction->k.begin(), restriction->k.end(), at_k) != restriction->k.end())
      out.push_back(notion);
  }
  return out;
}

double geodesic_mass(const GeodesicSummary& summary, GraphRule rule) {
  if (summary.components != 1) return std::numeric_limits<double>::quiet_NaN();
  const double unordered = static_cast<double>(summary.distance_sum);
  return rule == GraphRule::baptista_r ? 2.0 * unordered : unordered;
}

std::vector<LayerView> layer_views(const std::vector<RowMatrix>& layers) {
  std::vector<LayerView> views;
  views.reserve(layers.size());
  for (const RowMatrix& x : layers) views.emplace_back(x);
  return views;
}

void validate_layer_stack(std::span<const LayerView> hidden, const MeasureOptions& options,
                          std::optional<LayerView> input) {
  if (hidden.empty()) throw Error("geometry", "no hidden layers to analyse");
  if (options.k.empty()) throw Error("geometry", "no k values given");
  validate_curvature_options(options.curvature_options);
  validate_threads(options.threads);
  if (options.rule == GraphRule::baptista_r)
    for (CurvatureNotion notion : options.curvatures)
      if (needs_undirected_graph(notion))
        throw Error("geometry", "curvature notion '" + std::string(curvature_notion_name(notion)) +
                                    "' is defined on the undirected graph; baptista-r has arcs");
  const auto n = hidden.front().rows();
  // Layer 0 (the inputs, when given) first, then the hidden layers 1..L.
  const std::size_t count = hidden.size() + (input ? 1 : 0), first = input ? 0 : 1;
  for (std::size_t position = 0; position < count; ++position) {
    const std::size_t l = position + first;
    const LayerView& x = l == 0 ? *input : hidden[l - 1];
    if (x.rows() != n)
      throw Error("geometry", "layer " + std::to_string(l) + " has " + std::to_string(x.rows()) +
                                  " rows but layer 1 has " + std::to_string(n));
    if (x.cols() < 1) throw Error("geometry", "layer " + std::to_string(l) + " has no columns");
    // A squared distance sums cols() terms of at most (2 max|x|)^2: beyond this bound it would
    // overflow to inf and every neighbour ranking would be silently wrong.
    const double bound =
        std::sqrt(std::numeric_limits<double>::max() / (4.0 * static_cast<double>(x.cols())));
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      for (Eigen::Index c = 0; c < x.cols(); ++c) {
        const auto where = [&] {
          return "layer " + std::to_string(l) + " row " + std::to_string(i) + " column " +
                 std::to_string(c);
        };
        if (!std::isfinite(x(i, c)))
          throw Error("geometry", where() + " is not finite (" + std::to_string(x(i, c)) + ")");
        if (std::abs(x(i, c)) > bound) {
          char text[64];
          std::snprintf(text, sizeof text, "%.17g", x(i, c));
          char limit[64];
          std::snprintf(limit, sizeof limit, "%.6g", bound);
          throw Error("geometry", where() + " is " + text +
                                      ": squared distances would overflow (magnitudes must stay "
                                      "below " +
                                      limit + ")");
        }
      }
  }
  for (index_t k : options.k) validate_k(k, static_cast<index_t>(n));
  if (options.local && options.rule == GraphRule::baptista_r)
    throw Error(
        "geometry",
        "the local Ricci coefficients are defined on the undirected union and mutual graphs "
        "(docs/method.md §4), not under baptista-r");
  for (auto c = options.curvatures.begin(); c != options.curvatures.end(); ++c)
    if (std::find(options.curvatures.begin(), c, *c) != c)
      throw Error("geometry", "curvature notion '" + std::string(curvature_notion_name(*c)) +
                                  "' is requested twice");
  for (const MeasureOptions::NotionAtK& restriction : options.only_at_k) {
    const std::string name(curvature_notion_name(restriction.notion));
    if (std::find(options.curvatures.begin(), options.curvatures.end(), restriction.notion) ==
        options.curvatures.end())
      throw Error("geometry",
                  "curvature notion '" + name + "' is restricted to some k but not requested");
    for (index_t k : restriction.k)
      if (std::find(options.k.begin(), options.k.end(), k) == options.k.end())
        throw Error("geometry", "curvature notion '" + name + "' is restricted to k = " +
                                    std::to_string(k) + ", which is not among the k values");
  }
}

namespace {

// A layer's component labels and within-component row sums at one k, kept until the next layer
// has been measured: what a baptista-r transition reads (reachability.hpp).
struct OwnedReach {
  std::vector<index_t> component;
  std::vector<std::uint64_t> row_sum;
  LayerReach view() const { return {component, row_sum}; }
};

// What the local coefficients of one slot keep while the layers pass (docs/method.md §4): the
// previous layer's graph, O(n k), and the per-point series, O(n L) per notion.
struct LocalPass {
  std::optional<CsrGraph> previous;
  std::vector<std::vector<std::vector<double>>> scalar;  // [notion][layer][x] = O_l(x)
  std::vector<std::vector<double>> expansion;            // [transition][x] = eta_t(x)
};

// measure_layer, keeping what the next transition needs when `reach` is given, and advancing the
// local series when `local` is.
LayerMeasures measure_layer_into(const NeighbourLists& lists, index_t k, GraphRule rule,
                                 std::span<const CurvatureNotion> curvatures,
                                 const CurvatureOptions& curvature_options, bool per_node,
                                 OwnedReach* reach, LocalPass* local = nullptr, int threads = 1) {
  LayerGraph graph = build_knn_graph(lists, k, rule);
  LayerMeasures out;
  out.edges = graph.edge_count();
  if (local) local->scalar.resize(curvatures.size());
  out.curvature = measure_curvatures(graph, curvatures, per_node || local, curvature_options);
  if (local)
    for (std::size_t c = 0; c < curvatures.size(); ++c) {
      local->scalar[c].push_back(node_mean_curvature(graph, out.curvature[c]));
      if (!per_node) out.curvature[c].node = {};
    }

  // With a previous layer, eta of the transition into this one comes from the same all-pairs pass.
  GeodesicSummary geodesics;
  if (local && local->previous) {
    GeodesicsAndExpansion both =
        geodesics_and_local_expansion(*local->previous, graph.adjacency, threads);
    geodesics = std::move(both.geodesics);
    local->expansion.push_back(std::move(both.eta));
  } else {
    geodesics = all_pairs_geodesics(graph.adjacency, threads);
  }
  out.components = geodesics.components;
  out.unreachable_pairs = geodesics.unreachable_pairs;
  out.g = geodesic_mass(geodesics, rule);
  if (per_node) {
    // S_l(i) is a row sum, already over ordered pairs: no doubling under baptista-r.
    out.node_distance_sum.resize(geodesics.row_sum.size());
    for (std::size_t i = 0; i < geodesics.row_sum.size(); ++i)
      out.node_distance_sum[i] = std::isnan(out.g) ? std::numeric_limits<double>::quiet_NaN()
                                                   : static_cast<double>(geodesics.row_sum[i]);
  }
  if (reach) {
    reach->component = std::move(geodesics.component);
    reach->row_sum = std::move(geodesics.row_sum);
  }
  if (local) local->previous = std::move(graph.adjacency);
  return out;
}

// eta and the exclusion of one k slot. paper and mutual: from g; baptista-r: from the transitions
// already recorded in slot.eta, which this only scans for the first exclusion.
void settle_exclusion(MeasuresAtK& slot, GraphRule rule) {
  if (rule == GraphRule::baptista_r) {
    if (const auto t = first_excluding_transition(slot.eta)) {
      slot.exclusion = CoefficientReason::reachability_changed;
      slot.excluded_at = static_cast<index_t>(*t);
    }
    return;
  }
  std::vector<double> g;
  for (const LayerMeasures& layer : slot.layers) g.push_back(layer.g);
  slot.eta.assign(1, std::numeric_limits<double>::quiet_NaN());  // no input transition
  for (double eta : eta_from_geodesic_mass(g)) slot.eta.push_back(eta);
  for (double value : g)
    if (std::isnan(value)) slot.exclusion = CoefficientReason::disconnected;
}

std::string gigabytes(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g GB", static_cast<double>(bytes) / 1e9);
  return text;
}

// Whether a slot's cells depend on each other across layers: baptista-r's transitions read the
// previous layer's reach, and the local coefficients the previous layer's graph.
bool cells_chained(const MeasureOptions& options) {
  return options.rule == GraphRule::baptista_r || options.local;
}

// How many layers' cells are measured together, before any memory limit. One layer's cells offer
// slots x ceil(n / 512) tasks (a cell's BFS batches of 512 sources each); with few tasks a thread,
// a layer's largest cells (their serial graph builds, their last batches) run on alone at its end
// while the other threads wait for the next layer's kNN. The lists of more layers are then kept
// together and all their cells share the threads. bench/project_threads.py replays the schedule: on
// 16 threads, five layers at once against one make stack A 34% faster (16 tasks a thread ask for
// all five). Where a layer offers more, more layers gain little and cost cache: on 2 threads here,
// stack A with three layers at once (44 tasks a layer) measured 4% slower than with one, where the
// replay gains 0.5%; hence 16.
std::size_t layers_wanted(std::size_t layers, index_t n, const MeasureOptions& options) {
  if (options.threads <= 1 || cells_chained(options)) return 1;
  constexpr std::size_t tasks_per_thread = 16;
  const std::size_t batch = 64 * production_bfs_words;
  const std::size_t tasks_per_layer = std::max<std::size_t>(options.k.size(), 1) *
                                      ((static_cast<std::size_t>(n) + batch - 1) / batch);
  const std::size_t wanted = tasks_per_thread * static_cast<std::size_t>(options.threads);
  return std::clamp<std::size_t>((wanted + tasks_per_layer - 1) / tasks_per_layer, 1, layers);
}

}  // namespace

// Under a limit, fewer layers in flight come first (they only buy speed), then fewer cells.
MemoryPlan plan_memory(std::span<const LayerView> layers, const MeasureOptions& options,
                       std::optional<LayerView> input) {
  if (options.rule != GraphRule::baptista_r) input.reset();  // as measure_stack: never read
  validate_layer_stack(layers, options, input);
  MemoryPlan plan;
  const std::size_t slots = std::max<std::size_t>(options.k.size(), 1);
  const auto n = static_cast<index_t>(layers.front().rows());
  index_t widest = input ? static_cast<index_t>(input->cols()) : 0;
  for (const LayerView& x : layers) widest = std::max(widest, static_cast<index_t>(x.cols()));
  const index_t k_max = *std::max_element(options.k.begin(), options.k.end());
  const auto estimate = [&] {
    return estimate_memory(n, widest, layers.size(), options, plan.concurrent_cells,
                           plan.layers_in_flight);
  };
  // Layers together only buy speed: their extra lists may at most double the estimate of one layer
  // at a time, limit or not (stack A on 16 threads: all five, 48 MB of lists more than the 99 MB
  // estimate of one layer at a time).
  plan.concurrent_cells = slots;
  const MemoryEstimate one_layer = estimate();
  plan.layers_in_flight = layers_wanted(layers.size(), n, options);
  plan.concurrent_cells = plan.layers_in_flight * slots;
  while (plan.layers_in_flight > 1 &&
         estimate().neighbour_lists - one_layer.neighbour_lists > one_layer.total())
    plan.concurrent_cells = --plan.layers_in_flight * slots;
  if (options.memory_limit == 0) return plan;
  while (estimate().total() > options.memory_limit) {
    if (plan.layers_in_flight > 1)
      plan.concurrent_cells = --plan.layers_in_flight * slots;
    else if (plan.concurrent_cells > 1)
      --plan.concurrent_cells;
    else
      break;
  }
  const MemoryEstimate planned = estimate();
  if (planned.total() > options.memory_limit)
    throw Error("geometry",
                "n = " + std::to_string(n) + " points, " + std::to_string(layers.size()) +
                    " layers, k up to " + std::to_string(k_max) + " need " + planned.describe() +
                    ", more than the memory limit of " + gigabytes(options.memory_limit) +
                    " (lower the largest k or the number of points)");
  // An extra entry: an index and a distance (twice while threaded blocks are joined), and under
  // baptista-r up to five indices in the tie-keeping graph build of every cell in flight. The room
  // is shared by the layers in flight.
  const std::size_t per_entry =
      (options.threads > 1 ? 2 : 1) * (sizeof(index_t) + sizeof(double)) +
      (options.rule == GraphRule::baptista_r ? 5 * sizeof(index_t) * plan.concurrent_cells : 0);
  plan.max_entries = static_cast<std::size_t>(n) * static_cast<std::size_t>(k_max) +
                     (options.memory_limit - planned.total()) / per_entry / plan.layers_in_flight;
  return plan;
}

std::string MemoryEstimate::describe() const {
  return "about " + gigabytes(total()) + " (neighbour lists " + gigabytes(neighbour_lists) +
         ", graphs " + gigabytes(graphs) + ", searches " + gigabytes(searches) +
         ", kept across layers " + gigabytes(kept) + ")";
}

MemoryEstimate estimate_memory(index_t n, index_t widest_layer, std::size_t layers,
                               const MeasureOptions& options, std::size_t concurrent_cells,
                               std::size_t layers_in_flight) {
  const auto points = static_cast<std::size_t>(std::max<index_t>(n, 0));
  const std::size_t in_flight = std::max<std::size_t>(layers_in_flight, 1);
  std::size_t k_max = 0, k_sum = 0;
  std::vector<std::size_t> by_size;  // the cells of the layers in flight
  for (index_t k : options.k) {
    const auto kk = static_cast<std::size_t>(std::max<index_t>(k, 0));
    k_max = std::max(k_max, kk);
    k_sum += kk;
    by_size.insert(by_size.end(), in_flight, kk);
  }
  std::sort(by_size.rbegin(), by_size.rend());
  constexpr std::size_t index_bytes = sizeof(index_t), offset_bytes = sizeof(count_t);
  const std::size_t notions = options.curvatures.size();
  MemoryEstimate out;
  // exact_knn: (index, distance) per entry, row offsets, and its panel copy of the layer; with
  // threads, the blocks' lists and the joined ones live together for a moment: twice the lists.
  const std::size_t copies = options.threads > 1 ? 2 : 1;
  const std::size_t lists = points * k_max * (index_bytes + sizeof(double)) + points * offset_bytes;
  out.neighbour_lists =
      (in_flight - 1) * lists +  // the layers in flight whose kNN is done, while the last one runs
      lists + (copies - 1) * points * k_max * (index_bytes + sizeof(double)) +
      points * static_cast<std::size_t>(std::max<index_t>(widest_layer, 0)) * sizeof(double);
  // One cell of scale k: the build's rows (N_k and its transpose, k n each) and the symmetric
  // result (up to 2 k n) with baptista-r's arcs (k n): 5 k n indices bound it from above; four
  // row-offset arrays; the per-node curvature series.
  const auto cell = [&](std::size_t k) {
    return 5 * k * points * index_bytes + 4 * points * offset_bytes +
           (notions + 1) * points * sizeof(double);
  };
  for (std::size_t c = 0; c < std::max<std::size_t>(concurrent_cells, 1) && c < by_size.size(); ++c)
    out.graphs += cell(by_size[c]);
  // A BFS batch: visited, frontier and next blocks (512 bits each), its row sums and frontier list.
  const auto threads = static_cast<std::size_t>(std::max(options.threads, 1));
  out.searches = threads * points * (3 * 64 + sizeof(std::uint64_t) + index_bytes);
  // Across layers, per slot: baptista-r's reach (two layers), the per-node series, and local's
  // previous graph (up to 2 k n) and O_l(x), eta_l(x) per layer.
  const std::size_t slots = options.k.size();
  if (options.rule == GraphRule::baptista_r)
    out.kept += slots * 2 * points * (index_bytes + sizeof(std::uint64_t));
  if (options.per_node) out.kept += slots * layers * points * sizeof(double) * (notions + 1);
  if (options.local)
    out.kept += 2 * k_sum * points * index_bytes + slots * points * offset_bytes +
                slots * layers * points * sizeof(double) * (notions + 1);
  return out;
}

LayerMeasures measure_layer(const NeighbourLists& lists, index_t k, GraphRule rule,
                            std::span<const CurvatureNotion> curvatures, bool per_node) {
  return measure_layer_into(lists, k, rule, curvatures, {}, per_node, nullptr);
}

RicciCoefficient ricci_coefficient(const MeasuresAtK& slot, CurvatureNotion notion) {
  if (slot.exclusion != CoefficientReason::none) {
    constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
    return {undefined, undefined, undefined, undefined, slot.exclusion};
  }
  if (slot.eta.size() != slot.layers.size())
    throw Error("geometry", "a k slot with " + std::to_string(slot.layers.size()) + " layers has " +
                                std::to_string(slot.eta.size()) + " transitions");
  std::vector<double> ric;
  for (const LayerMeasures& layer : slot.layers) ric.push_back(layer.curvature_total(notion));
  return coefficient_of_transitions(slot.eta, ric);
}

MeasuresAtK sub_list(const MeasuresAtK& slot, std::size_t first, std::size_t count,
                     GraphRule rule) {
  if (rule == GraphRule::baptista_r)
    throw Error("geometry", "a sub-list of layers is defined under paper and mutual only");
  if (count == 0 || first + count > slot.layers.size())
    throw Error("geometry", "layers " + std::to_string(first) + ".." +
                                std::to_string(first + count) + " are outside a list of " +
                                std::to_string(slot.layers.size()));
  MeasuresAtK out;
  out.k = slot.k;
  const auto begin = slot.layers.begin() + static_cast<std::ptrdiff_t>(first);
  out.layers.assign(begin, begin + static_cast<std::ptrdiff_t>(count));
  out.notions = slot.notions;
  settle_exclusion(out, rule);
  for (CurvatureNotion notion : out.notions)
    out.coefficients.push_back(ricci_coefficient(out, notion));
  return out;
}

std::vector<MeasuresAtK> measure_stack(std::span<const LayerView> layers,
                                       const MeasureOptions& options,
                                       std::optional<LayerView> input) {
  const bool reference_r = options.rule == GraphRule::baptista_r;
  if (!reference_r) input.reset();  // the other conventions start at layer 1: never read it
  const MemoryPlan memory = plan_memory(layers, options, input);  // validates; may refuse
  const index_t k_max = *std::max_element(options.k.begin(), options.k.end());

  std::vector<MeasuresAtK> slots(options.k.size());
  for (std::size_t s = 0; s < slots.size(); ++s) {
    slots[s].k = options.k[s];
    slots[s].layers.resize(layers.size());
    slots[s].notions = options.curvatures_at(options.k[s]);
    if (reference_r) slots[s].eta.assign(layers.size(), std::numeric_limits<double>::quiet_NaN());
  }

  // Layer-major: the neighbour lists of a layer serve every k, so only the lists of the layers in
  // flight live at a time (one layer unless layers_wanted asks for more); under baptista-r each
  // slot also keeps the previous layer's reach for the transition.
  std::vector<OwnedReach> previous(reference_r ? slots.size() : 0),
      current(reference_r ? slots.size() : 0);
  std::vector<LocalPass> local(options.local ? slots.size() : 0);
  const std::size_t total = layers.size() + (input ? 1 : 0);
  std::size_t done = 0;
  auto layers_done = [&](std::size_t count) {
    for (std::size_t c = 0; c < count; ++c)
      if (options.on_layer_done) options.on_layer_done(++done, total);
  };
  // The cells (layer l, slot s) of the layers in flight are independent: each writes only its own
  // layer of its slot's state (several layers of a slot are in flight only where cells_chained is
  // false). They run in parallel, the largest k first so that the longest cells start earliest; a
  // cell's BFS batches become tasks of the same team (parallel.hpp), which keeps every thread busy
  // when the cells are fewer than the threads or of very different cost. Under a memory limit, as
  // many cells at once as the estimate allows: the cells are dealt round robin (largest k first)
  // into that many blocks, so that the blocks cost about the same, and each block is measured in
  // turn by one task.
  struct Cell {
    std::size_t layer, slot;
  };
  const auto for_each_cell = [&](std::size_t first_layer, std::size_t layer_count,
                                 const std::function<void(const Cell&)>& measure) {
    std::vector<Cell> cells;
    for (std::size_t l = first_layer; l < first_layer + layer_count; ++l)
      for (std::size_t s = 0; s < slots.size(); ++s) cells.push_back({l, s});
    std::stable_sort(cells.begin(), cells.end(), [&](const Cell& a, const Cell& b) {
      return slots[a.slot].k > slots[b.slot].k;
    });
    const std::size_t blocks = std::min(memory.concurrent_cells, cells.size());
    const std::size_t cells_per_block = (cells.size() + blocks - 1) / blocks;
    for_each_block(cells_per_block * blocks, cells_per_block, options.threads,
                   [&](std::size_t begin, std::size_t end) {
                     for (std::size_t position = begin; position < end; ++position) {
                       const std::size_t block = position / cells_per_block,
                                         turn = position % cells_per_block;
                       const std::size_t rank = turn * blocks + block;
                       if (rank < cells.size()) measure(cells[rank]);
                     }
                   });
  };
  const auto lists_of = [&](const LayerView& points, std::size_t layer) {
    try {
      return exact_knn(points, k_max, options.threads, memory.max_entries);
    } catch (const ListsTooLarge& e) {
      throw Error("geometry", "layer " + std::to_string(layer) + ": " + e.message() +
                                  ", more than the memory limit of " +
                                  gigabytes(options.memory_limit) + " leaves room for");
    }
  };
  if (input) {
    const NeighbourLists lists = lists_of(*input, 0);
    // Only the input's graph and reachability enter the R rule: no curvature, no per-node series.
    for_each_cell(0, 1, [&](const Cell& cell) {
      const std::size_t s = cell.slot;
      slots[s].input = measure_layer_into(lists, slots[s].k, options.rule, {}, {}, false,
                                          &previous[s], nullptr, options.threads);
    });
    layers_done(1);
  }
  for (std::size_t first = 0; first < layers.size(); first += memory.layers_in_flight) {
    const std::size_t count = std::min(memory.layers_in_flight, layers.size() - first);
    // The layers' kNN one after another, each over every thread (its row blocks): only one
    // layer's panel copy and join at a time (the replay loses under 2% on 16 threads by it).
    std::vector<NeighbourLists> lists(count);
    for (std::size_t l = 0; l < count; ++l) lists[l] = lists_of(layers[first + l], first + l + 1);
    for_each_cell(first, count, [&](const Cell& cell) {
      const std::size_t l = cell.layer, s = cell.slot;
      MeasuresAtK& slot = slots[s];
      slot.layers[l] = measure_layer_into(lists[l - first], slot.k, options.rule, slot.notions,
                                          options.curvature_options, options.per_node,
                                          reference_r ? &current[s] : nullptr,
                                          options.local ? &local[s] : nullptr, options.threads);
      if (!reference_r) return;
      // eta[l] is the change into hidden layer l + 1: from the inputs for l = 0 when given.
      if (l > 0 || input)
        slot.eta[l] = reference_r_transition(previous[s].view(), current[s].view()).eta;
      std::swap(previous[s], current[s]);
    });
    layers_done(count);
  }

  for (std::size_t s = 0; s < slots.size(); ++s) {
    MeasuresAtK& slot = slots[s];
    settle_exclusion(slot, options.rule);
    for (CurvatureNotion notion : slot.notions)
      slot.coefficients.push_back(ricci_coefficient(slot, notion));
    if (!options.local) continue;
    LocalPass& pass = local[s];
    pass.previous.reset();
    for (std::size_t c = 0; c < slot.notions.size(); ++c) {
      // Transition t pairs the curvature of its first layer with eta_t: the last layer has none.
      std::vector<std::vector<double>>& scalar = pass.scalar[c];
      scalar.pop_back();
      slot.local.push_back(
          local_coefficients(slot.notions[c], std::move(scalar), pass.expansion, options.per_node));
    }
    if (options.per_node) slot.local_expansion = std::move(pass.expansion);
  }
  return slots;
}

}  // namespace ricci::geometry
