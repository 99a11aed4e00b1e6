#pragma once
// Curvature of a layer's kNN graph (docs/method.md §3). Forman–Ricci with unit weights (paper eqs.
// 4 and 6) has an exact integer kernel; the follow-up's notions (augmented Forman, Balanced Forman,
// approximate and exact Ollivier–Ricci, docs/method.md §3 "Extended curvatures") are real-valued.
// Every notion's result reaches the rest of the program as a real-valued CurvatureMeasure.
#include <array>
#include <span>
#include <string_view>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/graph.hpp"

namespace ricci::geometry {

// The curvature notions the geometry can compute. Names via curvature_notion_name().
enum class CurvatureNotion {
  forman,            // R(i,j) = 4 - deg(i) - deg(j); arcs and D(i) under baptista-r
  augmented_forman,  // 4 - d_i - d_j + 3 t_ij
  balanced_forman,   // Topping et al. 2022, as their reference code computes it
  ollivier_approx,   // Tian et al. 2023's closed-form approximation of Ollivier-Ricci
  ollivier,          // 1 - W1(mu_i, mu_j), exact optimal transport, hop-distance cost
};
inline constexpr std::array<CurvatureNotion, 5> all_curvature_notions = {
    CurvatureNotion::forman, CurvatureNotion::augmented_forman, CurvatureNotion::balanced_forman,
    CurvatureNotion::ollivier_approx, CurvatureNotion::ollivier};

// "forman", "augmented-forman", "balanced-forman", "ollivier-approx", "ollivier".
std::string_view curvature_notion_name(CurvatureNotion notion);
// The inverse; throws ricci::Error("geometry", ...) naming the value and listing the valid names.
CurvatureNotion parse_curvature_notion(std::string_view name);

// Settings of the notions that have any. Only Ollivier–Ricci has one today.
struct CurvatureOptions {
  // alpha of the lazy measure alpha*delta_i + (1 - alpha)*uniform(N(i)); 0 = the follow-up's
  // non-lazy measure. Must lie in [0, 1).
  double ollivier_idleness = 0;
};
// Throws ricci::Error("geometry", ...) naming the offending value.
void validate_curvature_options(const CurvatureOptions& options);

// True for the notions defined on the undirected graph only (all but forman): under baptista-r,
// whose graph has arcs, asking for them is an error.
bool needs_undirected_graph(CurvatureNotion notion);

// One notion's curvature of one layer: the notion decides the per-edge value, the sums are the same
// for every notion (docs/method.md §3).
struct CurvatureMeasure {
  CurvatureNotion notion = CurvatureNotion::forman;
  double total = 0;          // Ric_l: sum over edges (arcs under baptista-r)
  std::vector<double> node;  // s_l(i): sum over i's edges (out-arcs); empty unless asked for
};

// `notion`'s curvature of `graph`; `per_node` decides whether `node` is filled. Throws
// ricci::Error("geometry", ...) for invalid options or an undirected-only notion under baptista-r.
CurvatureMeasure measure_curvature(const LayerGraph& graph, CurvatureNotion notion, bool per_node,
                                   const CurvatureOptions& options = {});

// measure_curvature for each of `notions`, in that order, counting what several notions share
// (the triangles of augmented Forman, Balanced Forman and approximate Ollivier) once per graph.
std::vector<CurvatureMeasure> measure_curvatures(const LayerGraph& graph,
                                                 std::span<const CurvatureNotion> notions,
                                                 bool per_node,
                                                 const CurvatureOptions& options = {});

// The value of `notion` on every edge, in the order of `graph.adjacency`'s out-edges i -> j with
// i < j (rows by increasing i, each row by increasing j): the order in which the sums of
// measure_curvature add them. For forman under baptista-r: every arc, in the order of
// `graph.arcs`' out-edges (rows by tail, each by head).
std::vector<double> edge_curvature(const LayerGraph& graph, CurvatureNotion notion,
                                   const CurvatureOptions& options = {});

// The follow-up's scalar curvature O_l(x) (docs/method.md §4 "Follow-up coefficients"): the mean of
// the notion over x's edges, node[x] / deg(x) (out-arcs under baptista-r); NaN for a vertex without
// an edge. `measure` must have been measured on `graph` with per_node.
std::vector<double> node_mean_curvature(const LayerGraph& graph, const CurvatureMeasure& measure);

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

// Exact Ollivier–Ricci curvature of every edge (edge_curvature's order), docs/method.md §3: the
// transport problems are solved in integers (masses scaled by d_i*d_j), see ollivier.cpp.
std::vector<double> ollivier_edge_curvature(const LayerGraph& graph, double idleness);

}  // namespace ricci::geometry
