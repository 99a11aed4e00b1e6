#pragma once
// Forman–Ricci curvature with unit weights (METHOD.md §3, paper eqs. 4 and 6).
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/graph.hpp"

namespace ricci::geometry {

// R(i,j) = 4 - deg(i) - deg(j): the single definition every curvature total is built from.
constexpr count_t forman_edge_curvature(count_t degree_i, count_t degree_j) {
  return 4 - degree_i - degree_j;
}

struct CurvatureSummary {
  count_t total = 0;                 // Ric_l: sum over edges (arcs under baptista-r)
  std::vector<count_t> node_scalar;  // s_l(i): sum over i's edges (i's out-arcs under baptista-r)
};

// Undirected rules: deg = number of distinct neighbours. baptista-r: D(i) = out-degree + in-degree
// and the sum runs over arcs, a reciprocal pair counting twice.
CurvatureSummary forman_curvature(const LayerGraph& graph);

// Degrees used by forman_curvature (exposed for tests and per-node output).
std::vector<count_t> forman_degrees(const LayerGraph& graph);

}  // namespace ricci::geometry
