#pragma once
// The geometry of one run: every hidden layer at every k, and the Ricci coefficients per k slot
// (docs/method.md §1 steps 4–5, §2–§4). Pure computation: no I/O, no MPI.
//
// Thread safety: the geometry keeps no static or global state; every function here and in the
// headers it includes is reentrant, so concurrent calls on different inputs are safe. Concurrent
// calls may also share read-only inputs (views, neighbour lists, graphs).
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/coefficients.hpp"
#include "ricci/geometry/curvature.hpp"
#include "ricci/geometry/geodesics.hpp"
#include "ricci/geometry/graph.hpp"
#include "ricci/geometry/knn.hpp"
#include "ricci/geometry/local_flow.hpp"

namespace ricci::geometry {

struct MeasureOptions {
  std::vector<index_t> k;  // one k per k slot, any order, each 1 <= k <= n - 1
  GraphRule rule = GraphRule::knn_union;
  // The notions to compute, each at most once; results keep this order. May be empty (geodesics
  // only, and no coefficient).
  std::vector<CurvatureNotion> curvatures{CurvatureNotion::forman};
  // Notions computed at some k only (the sweep's [geometry] ollivier_k: exact Ollivier is the
  // costly notion). A notion listed here (it must be in `curvatures`) is computed only at its k
  // (each must be in `k`); at every other k the slot's notions, coefficients and local
  // coefficients leave it out. Empty: every notion at every k.
  struct NotionAtK {
    CurvatureNotion notion;
    std::vector<index_t> k;
  };
  std::vector<NotionAtK> only_at_k;
  // Settings of the notions (the Ollivier idleness).
  CurvatureOptions curvature_options;
  // Compute the per-node series s_l(i) (for every notion) and S_l(i). Whether they are stored is
  // not the geometry's business: the sweep sets this from the job's store_nodes, and the results
  // file stores them when its layout says so.
  bool per_node = false;
  // Compute the follow-up's local and layer Ricci coefficients of every notion (docs/method.md §4),
  // over the consecutive layers of the stack as given: the caller decides the layer list (hidden
  // layers, or input, hidden layers and output). Undirected rules only: refused under baptista-r.
  // With per_node, each notion keeps O_l(x) and rho(x) and the slot keeps eta_l(x).
  bool local = false;
  // Called after each layer is measured (input layer included), with the layers done and the
  // total, from the calling thread: a progress hook for callers that report, never required. Layers
  // measured together (MemoryPlan::layers_in_flight) report one after another once all are done.
  std::function<void(std::size_t done, std::size_t total)> on_layer_done;
  // Threads for this one stack (parallel.hpp): the kNN rows of a layer, its (layer, k) cells and
  // the BFS source batches of a cell are spread over them; when one layer's cells are too few to
  // keep them busy, the cells of several layers (their lists kept together) share them
  // (MemoryPlan). Results are identical for any count; whether a memory limit refuses a request
  // may depend on it (threads hold BFS batches and joined copies of the lists).
  int threads = 1;
  // The most memory measure_stack may use beyond its input layers, in bytes; 0: no limit. Layers in
  // flight and cells run concurrently only as far as the estimate (estimate_memory) allows; when
  // even one cell at a time would exceed it, measure_stack refuses before any work, naming the
  // estimate.
  std::size_t memory_limit = 0;

  // The notions of `curvatures` computed at `k` (only_at_k applied), in request order.
  std::vector<CurvatureNotion> curvatures_at(index_t k) const;
};

// The measures of one layer at one k.
struct LayerMeasures {
  count_t edges = 0;  // undirected edges (arcs under baptista-r)
  index_t components = 0;
  count_t unreachable_pairs = 0;  // unordered pairs with no path
  double g = 0;                   // g_l; NaN when disconnected; ordered pairs under baptista-r
  std::vector<CurvatureMeasure> curvature;  // one per requested notion, in request order
  std::vector<double> node_distance_sum;    // S_l(i) (NaN row when disconnected), when per_node

  // Throw ricci::Error("geometry", ...) naming the notion when it was not computed.
  const CurvatureMeasure& curvature_of(CurvatureNotion notion) const;
  double curvature_total(CurvatureNotion notion) const { return curvature_of(notion).total; }
};

// The measures of every layer at one k, and the coefficient of each notion.
struct MeasuresAtK {
  index_t k = 0;
  std::vector<LayerMeasures> layers;  // index 0 = hidden layer 1
  // Layer 0, the raw inputs: measured under baptista-r when the caller passes them, because the
  // reference R code's first transition starts there (docs/method.md §3). Graph and geodesics
  // only: its curvature enters no coefficient, so `curvature` is empty.
  std::optional<LayerMeasures> input;
  // eta[l] = eta_l for l = 0..L-1 (docs/method.md §3-§4): eta[l] is the change into hidden layer
  // l + 1, so eta[0] is input -> layer 1 (NaN without an input layer, and always NaN under paper
  // and mutual, whose coefficient starts at layer 1) and eta[l] pairs with Ric_l. paper, mutual:
  // g_{l+1} - g_l. baptista-r: the reference R rule (reachability.hpp), +-Inf where it excludes.
  std::vector<double> eta;
  // Whether the run is excluded at this k, and why: disconnected (paper, mutual: some hidden layer
  // is), reachability_changed (baptista-r, first at transition excluded_at, an index into eta).
  CoefficientReason exclusion = CoefficientReason::none;
  index_t excluded_at = -1;
  std::vector<CurvatureNotion> notions;        // as requested
  std::vector<RicciCoefficient> coefficients;  // coefficients[c] pairs eta with notions[c]'s Ric
  // With MeasureOptions::local: local[c] holds notions[c]'s local and layer coefficients, one
  // transition per pair of consecutive layers; with per_node also local_expansion[t][x] =
  // eta_t(x), shared by every notion. Empty otherwise.
  std::vector<LocalCoefficients> local;
  std::vector<std::vector<double>> local_expansion;

  // Throws ricci::Error("geometry", ...) naming the notion when it was not computed.
  const RicciCoefficient& coefficient(CurvatureNotion notion) const;
  // The same for the local coefficients (MeasureOptions::local).
  const LocalCoefficients& local_of(CurvatureNotion notion) const;
};

// g_l from a layer's geodesic summary under `rule` (docs/method.md §3): the one place that decides
// NaN for disconnected layers and the doubling for baptista-r's ordered pairs.
double geodesic_mass(const GeodesicSummary& summary, GraphRule rule);

// One layer at one k (k <= lists.k_max()): graph, curvature of every notion, geodesics.
LayerMeasures measure_layer(const NeighbourLists& lists, index_t k, GraphRule rule,
                            std::span<const CurvatureNotion> curvatures, bool per_node);

// The Ricci coefficient (docs/method.md §4) of one k slot for one computed notion: undefined with
// the slot's exclusion reason when it is excluded, else over the complete (eta_l, Ric_l) pairs,
// l = 1..L-1.
RicciCoefficient ricci_coefficient(const MeasuresAtK& slot, CurvatureNotion notion);

// The measures of layers [first, first + count) of `slot`'s list as if only they had been
// measured: their transitions, exclusion and coefficients recomputed, no input layer and no local
// coefficients. The sweep's `layers = all` measures the follow-up's list [input, hidden layers,
// output] once and keeps the paper's hidden-layer coefficient from it (docs/method.md §4). paper
// and mutual only (baptista-r has its own input transition); throws ricci::Error otherwise or
// when the range is outside the list.
MeasuresAtK sub_list(const MeasuresAtK& slot, std::size_t first, std::size_t count, GraphRule rule);

// Validates the stack (at least one layer, equal row counts, finite values, every k in range, no
// notion twice) and computes one MeasuresAtK per k, in the order given. Throws ricci::Error naming
// the bad value. `input` is the raw input layer X_0 (same rows); it is measured under baptista-r
// only, where the reference code's first transition starts there, and ignored otherwise. The
// layers are read through their views, never copied (see LayerView for what a view itself
// copies); exact_knn makes one transposed working copy of a layer at a time.
std::vector<MeasuresAtK> measure_stack(std::span<const LayerView> layers,
                                       const MeasureOptions& options,
                                       std::optional<LayerView> input = std::nullopt);

// The peak memory of measure_stack beyond its input layers, estimated from the sizes alone, by part
// so that a refusal can say what dominates. Conservative: neighbour lists are counted at k_max
// entries a row (ties add a few), graphs at their largest (every kNN arc unreciprocated), and the
// builds' temporaries in full. `concurrent_cells` (layer, k) cells at a time, of
// `layers_in_flight` layers whose lists live together.
struct MemoryEstimate {
  std::size_t neighbour_lists = 0;  // each layer in flight: lists up to k_max, its transposed copy
  std::size_t graphs = 0;           // the cells in flight: graph, its build, curvature per node
  std::size_t searches = 0;         // the BFS batches in flight (one per thread)
  std::size_t kept = 0;             // what lives across layers: series, reach, local's graphs
  std::size_t total() const { return neighbour_lists + graphs + searches + kept; }
  // "about 1.93 GB (neighbour lists 0.31 GB, graphs 1.2 GB, searches 0.16 GB, kept 0.26 GB)"
  std::string describe() const;
};
MemoryEstimate estimate_memory(index_t n, index_t widest_layer, std::size_t layers,
                               const MeasureOptions& options, std::size_t concurrent_cells,
                               std::size_t layers_in_flight = 1);

// How measure_stack runs a request under its memory limit and threads. Throws ricci::Error for an
// invalid request (validate_layer_stack) and when even one cell at a time would not fit the limit,
// naming the estimate.
struct MemoryPlan {
  // Layers whose neighbour lists live, and whose cells are measured, together: more than one only
  // where one layer's cells give the threads too few tasks, the cells are independent across layers
  // (not under baptista-r, not with the local coefficients), their extra lists at most double the
  // estimate of one layer at a time, and the limit allows.
  std::size_t layers_in_flight = 1;
  // (layer, k) cells in flight: every cell of the layers in flight when there is no limit, else as
  // many as the estimate allows (the blocks that deal the cells bound them; the estimate counts one
  // cell per block).
  std::size_t concurrent_cells = 1;
  // The entries exact_knn may store for one layer; 0: no bound. The estimate counts k_max entries
  // a row; points tied with a row's k_max-th neighbour (duplicated points, a dead ReLU layer) keep
  // the whole tie, O(m^2) entries for m coinciding points, which no estimate can foresee. exact_knn
  // is therefore given the entries the limit leaves room for beyond the planned rest, and refuses
  // past them before they exhaust memory.
  std::size_t max_entries = 0;
};
MemoryPlan plan_memory(std::span<const LayerView> layers, const MeasureOptions& options,
                       std::optional<LayerView> input = std::nullopt);

// The validation alone, so callers can reject input before doing any other work.
void validate_layer_stack(std::span<const LayerView> layers, const MeasureOptions& options,
                          std::optional<LayerView> input = std::nullopt);

// Views of owning matrices: no copy, and the views stay valid as long as `layers` does.
std::vector<LayerView> layer_views(const std::vector<RowMatrix>& layers);

// The same for a stack held as owning matrices, so such callers stay one line.
inline std::vector<MeasuresAtK> measure_stack(const std::vector<RowMatrix>& layers,
                                              const MeasureOptions& options,
                                              std::optional<LayerView> input = std::nullopt) {
  return measure_stack(layer_views(layers), options, input);
}
inline void validate_layer_stack(const std::vector<RowMatrix>& layers,
                                 const MeasureOptions& options,
                                 std::optional<LayerView> input = std::nullopt) {
  validate_layer_stack(layer_views(layers), options, input);
}

}  // namespace ricci::geometry
