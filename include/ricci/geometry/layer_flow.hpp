#pragma once
// The geometry of one run: every hidden layer at every scale k, and the Ricci coefficient per k
// (METHOD.md §1 step 4–5). Pure computation: no I/O, no MPI.
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/coefficients.hpp"
#include "ricci/geometry/geodesics.hpp"
#include "ricci/geometry/graph.hpp"

namespace ricci::geometry {

struct GeometryOptions {
  std::vector<index_t> k;  // scales, any order, each 1 <= k <= n - 1
  GraphRule rule = GraphRule::knn_union;
  bool node_summaries = false;  // keep s_l(i) and S_l(i)
};

struct LayerFlow {
  count_t edges = 0;  // undirected edges (arcs under baptista-r)
  index_t components = 0;
  count_t unreachable_pairs = 0;  // unordered pairs with no path
  count_t ric = 0;                // Ric_l
  double g = 0;                   // g_l; NaN when disconnected; ordered pairs under baptista-r
  std::vector<count_t> node_curvature;    // s_l(i), when requested
  std::vector<double> node_distance_sum;  // S_l(i) (NaN row when disconnected), when requested
};

struct ScaleFlow {
  index_t k = 0;
  std::vector<LayerFlow> layers;  // index 0 = hidden layer 1
  RicciCoefficient coefficient;
};

// g_l from a layer's geodesic summary under `rule` (METHOD.md §3): the one place that decides NaN
// for disconnected layers and the doubling for baptista-r's ordered pairs.
double geodesic_mass(const GeodesicSummary& summary, GraphRule rule);

// Validates the stack (at least one layer, equal row counts, finite values, every k in range) and
// computes one ScaleFlow per k, in the order given. Throws ricci::Error naming the bad value.
std::vector<ScaleFlow> layer_flow(const std::vector<RowMatrix>& layers,
                                  const GeometryOptions& options);

// The validation alone, so callers can reject input before doing any other work.
void validate_layer_stack(const std::vector<RowMatrix>& layers, const GeometryOptions& options);

}  // namespace ricci::geometry
