#pragma once
// Curvature of a layer's kNN graph (docs/method.md §3). Forman–Ricci with unit weights (paper eqs.
// 4 and 6) has an exact integer kernel; every notion's result, Forman's included, reaches the rest
// of the program as a real-valued CurvatureMeasure.
#include <string_view>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/graph.hpp"

namespace ricci::geometry {

// The curvature notions the geometry can compute. Names via curvature_notion_name().
enum class CurvatureNotion {
  forman,  // R(i,j) = 4 - deg(i) - deg(j); arcs and D(i) under baptista-r
};
std::string_view curvature_notion_name(CurvatureNotion notion);
// The notion named by curvature_notion_name(); throws ricci::Error naming the value otherwise.
CurvatureNotion parse_curvature_notion(std::string_view name);

// One notion's curvature of one layer: the notion decides the per-edge value, the sums are the same
// for every notion (docs/method.md §3).
struct CurvatureMeasure {
  CurvatureNotion notion = CurvatureNotion::forman;
  double total = 0;          // Ric_l: sum over edges (arcs under baptista-r)
  std::vector<double> node;  // s_l(i): sum over i's edges (out-arcs); empty unless asked for
};

// `notion`'s curvature of `graph`; `per_node` decides whether `node` is filled.
CurvatureMeasure measure_curvature(const LayerGraph& graph, CurvatureNotion notion, bool per_node);

// R(i,j) = 4 - deg(i) - deg(j): the single definition every Forman total is built from.
constexpr count_t forman_edge_curvature(count_t degree_i, count_t degree_j) {
  return 4 - degree_i - degree_j;
}

// Forman's exact integer kernel; measure_curvature converts it to double.
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
