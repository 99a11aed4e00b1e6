#include "ricci/geometry/curvature.hpp"

namespace ricci::geometry {

std::vector<count_t> forman_degrees(const LayerGraph& graph) {
  const index_t n = graph.vertex_count();
  std::vector<count_t> degree(static_cast<std::size_t>(n), 0);
  if (graph.rule != GraphRule::baptista_r) {
    for (index_t v = 0; v < n; ++v)
      degree[v] = static_cast<count_t>(out_degree(v, graph.adjacency));
    return degree;
  }
  for (index_t v = 0; v < n; ++v)
    for (auto e : boost::make_iterator_range(out_edges(v, graph.arcs))) {
      ++degree[v];
      ++degree[target(e, graph.arcs)];
    }
  return degree;
}

CurvatureSummary forman_curvature(const LayerGraph& graph) {
  const index_t n = graph.vertex_count();
  const auto degree = forman_degrees(graph);
  // Undirected rules visit each edge from both ends: every edge enters the node sums twice and the
  // total once (i < j). Arcs are visited once, from their tail.
  const bool directed = graph.rule == GraphRule::baptista_r;
  const CsrGraph& g = directed ? graph.arcs : graph.adjacency;

  CurvatureSummary out;
  out.node_scalar.assign(static_cast<std::size_t>(n), 0);
  for (index_t i = 0; i < n; ++i)
    for (auto e : boost::make_iterator_range(out_edges(i, g))) {
      const index_t j = target(e, g);
      const count_t r = forman_edge_curvature(degree[i], degree[j]);
      out.node_scalar[i] += r;
      if (directed || i < j) out.total += r;
    }
  return out;
}

}  // namespace ricci::geometry
