#include "ricci/geometry/graph.hpp"

#include <algorithm>
#include <string>

#include "ricci/core/error.hpp"

namespace ricci::geometry {

GraphRule parse_graph_rule(std::string_view name) {
  if (name == "union") return GraphRule::knn_union;
  if (name == "mutual") return GraphRule::knn_mutual;
  if (name == "baptista-r") return GraphRule::baptista_r;
  throw Error("geometry", "unknown graph rule '" + std::string(name) +
                              "' (expected union, mutual or baptista-r)");
}

std::string_view graph_rule_name(GraphRule rule) {
  switch (rule) {
    case GraphRule::knn_union: return "union";
    case GraphRule::knn_mutual: return "mutual";
    case GraphRule::baptista_r: return "baptista-r";
  }
  return "?";
}

count_t LayerGraph::edge_count() const {
  if (rule == GraphRule::baptista_r) return static_cast<count_t>(num_edges(arcs));
  return static_cast<count_t>(num_edges(adjacency)) / 2;
}

namespace {

CsrGraph from_sorted_unique(index_t n, std::vector<std::pair<index_t, index_t>>& arcs) {
  std::sort(arcs.begin(), arcs.end());
  arcs.erase(std::unique(arcs.begin(), arcs.end()), arcs.end());
  return CsrGraph(boost::edges_are_sorted, arcs.begin(), arcs.end(), static_cast<std::size_t>(n));
}

}  // namespace

CsrGraph symmetric_graph(index_t n, std::vector<std::pair<index_t, index_t>> edges) {
  const std::size_t m = edges.size();
  edges.reserve(2 * m);
  for (std::size_t e = 0; e < m; ++e) {
    const auto [a, b] = edges[e];
    if (a == b) throw Error("geometry", "self-loop at vertex " + std::to_string(a));
    if (a < 0 || b < 0 || a >= n || b >= n)
      throw Error("geometry", "edge {" + std::to_string(a) + "," + std::to_string(b) +
                                  "} out of range for n = " + std::to_string(n));
    edges.emplace_back(b, a);
  }
  return from_sorted_unique(n, edges);
}

CsrGraph directed_graph(index_t n, std::vector<std::pair<index_t, index_t>> arcs) {
  return from_sorted_unique(n, arcs);
}

LayerGraph build_knn_graph(const NeighbourLists& lists, index_t k, GraphRule rule) {
  const index_t n = lists.size();
  validate_k(k, n);
  if (k > lists.k_max())
    throw Error("geometry", "k = " + std::to_string(k) + " exceeds the neighbour lists' k_max = " +
                                std::to_string(lists.k_max()));

  LayerGraph graph;
  graph.rule = rule;
  graph.k = k;
  std::vector<std::pair<index_t, index_t>> arcs;

  switch (rule) {
    case GraphRule::knn_union:
      arcs.reserve(static_cast<std::size_t>(n) * static_cast<std::size_t>(k));
      for (index_t i = 0; i < n; ++i)
        for (index_t j : lists.nearest(i, k)) arcs.emplace_back(i, j);
      graph.adjacency = symmetric_graph(n, std::move(arcs));
      break;

    case GraphRule::knn_mutual: {
      // Sorted copies of each N_k(j) make "is i in N_k(j)?" a binary search.
      std::vector<index_t> sorted(static_cast<std::size_t>(n) * static_cast<std::size_t>(k));
      for (index_t i = 0; i < n; ++i) {
        const auto row = lists.nearest(i, k);
        auto out = sorted.begin() + static_cast<std::ptrdiff_t>(i) * k;
        std::copy(row.begin(), row.end(), out);
        std::sort(out, out + k);
      }
      for (index_t i = 0; i < n; ++i)
        for (index_t j : lists.nearest(i, k)) {
          const auto begin = sorted.begin() + static_cast<std::ptrdiff_t>(j) * k;
          if (i < j && std::binary_search(begin, begin + k, i)) arcs.emplace_back(i, j);
        }
      graph.adjacency = symmetric_graph(n, std::move(arcs));
      break;
    }

    case GraphRule::baptista_r:
      for (index_t i = 0; i < n; ++i)
        for (index_t j : lists.nearest_with_ties(i, k)) arcs.emplace_back(i, j);
      graph.adjacency = symmetric_graph(n, arcs);
      graph.arcs = directed_graph(n, std::move(arcs));
      break;
  }
  return graph;
}

}  // namespace ricci::geometry
