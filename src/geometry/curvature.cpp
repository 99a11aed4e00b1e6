#include "ricci/geometry/curvature.hpp"

#include <cassert>
#include <cstdlib>
#include <string>

#include "ricci/core/error.hpp"

namespace ricci::geometry {

namespace {

// The Forman sums are integers with |Ric_l| <= sum_i D(i)^2 < 4 n^3 (D(i) <= 2(n - 1) under
// baptista-r; deg(i) <= n - 1 otherwise), below 2^53 for n < 1.3e5 - far above the test sets this
// project analyses - so the double is the exact integer, not a rounding of it.
double exact_double(count_t value) {
  assert(std::abs(value) < (count_t{1} << 53));
  return static_cast<double>(value);
}

CurvatureMeasure measure_forman(const LayerGraph& graph, bool per_node) {
  CurvatureSummary exact = forman_curvature(graph);
  CurvatureMeasure out;
  out.notion = CurvatureNotion::forman;
  out.total = exact_double(exact.total);
  if (per_node) {
    out.node.reserve(exact.node_scalar.size());
    for (count_t s : exact.node_scalar) out.node.push_back(exact_double(s));
  }
  return out;
}

}  // namespace

std::string_view curvature_notion_name(CurvatureNotion notion) {
  switch (notion) {
    case CurvatureNotion::forman:
      return "forman";
  }
  return "?";
}

CurvatureNotion parse_curvature_notion(std::string_view name) {
  if (name == curvature_notion_name(CurvatureNotion::forman)) return CurvatureNotion::forman;
  throw Error("geometry", "unknown curvature notion '" + std::string(name) + "' (known: forman)");
}

CurvatureMeasure measure_curvature(const LayerGraph& graph, CurvatureNotion notion, bool per_node) {
  switch (notion) {
    case CurvatureNotion::forman:
      return measure_forman(graph, per_node);
  }
  throw Error("geometry", "unknown curvature notion " + std::to_string(static_cast<int>(notion)));
}

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
