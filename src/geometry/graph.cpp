#include "ricci/geometry/graph.hpp"

#include <algorithm>
#include <iterator>
#include <span>
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
    case GraphRule::knn_union:
      return "union";
    case GraphRule::knn_mutual:
      return "mutual";
    case GraphRule::baptista_r:
      return "baptista-r";
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

namespace {

// Neighbour rows in CSR form.
struct Rows {
  std::vector<count_t> start;
  std::vector<index_t> column;
  std::span<const index_t> row(index_t i) const {
    return {column.data() + start[i], static_cast<std::size_t>(start[i + 1] - start[i])};
  }
};

// N_k(i) (or N+_k(i)) as stored: nearest first, not yet sorted by index.
Rows neighbour_rows(const NeighbourLists& lists, index_t k, bool keep_ties) {
  const index_t n = lists.size();
  Rows rows;
  rows.start.reserve(static_cast<std::size_t>(n) + 1);
  rows.start.push_back(0);
  rows.column.reserve(static_cast<std::size_t>(n) * static_cast<std::size_t>(k));
  for (index_t i = 0; i < n; ++i) {
    const auto neighbours = keep_ties ? lists.nearest_with_ties(i, k) : lists.nearest(i, k);
    rows.column.insert(rows.column.end(), neighbours.begin(), neighbours.end());
    rows.start.push_back(static_cast<count_t>(rows.column.size()));
  }
  return rows;
}

// The transpose T(i) = { j : i in rows(j) }, by counting sort: filling in increasing j leaves every
// row of the result sorted, whatever the order of the input rows. Transposing twice therefore sorts
// rows in linear time, which is what keeps graph construction off the profile.
Rows transpose(const Rows& rows, index_t n) {
  Rows t;
  t.start.assign(static_cast<std::size_t>(n) + 1, 0);
  for (index_t target : rows.column) ++t.start[target + 1];
  for (index_t i = 0; i < n; ++i) t.start[i + 1] += t.start[i];
  t.column.resize(rows.column.size());
  std::vector<count_t> fill(t.start.begin(), t.start.end() - 1);
  for (index_t j = 0; j < n; ++j)
    for (index_t target : rows.row(j)) t.column[fill[target]++] = j;
  return t;
}

// Row i of the result = merge(forward(i), reverse(i)) with sorted, duplicate-free inputs.
template <class Merge>
Rows merge_rows(index_t n, const Rows& forward, const Rows& reverse, Merge merge) {
  Rows out;
  out.start.reserve(static_cast<std::size_t>(n) + 1);
  out.start.push_back(0);
  out.column.reserve(2 * forward.column.size());
  for (index_t i = 0; i < n; ++i) {
    const auto f = forward.row(i), r = reverse.row(i);
    merge(f.begin(), f.end(), r.begin(), r.end(), std::back_inserter(out.column));
    out.start.push_back(static_cast<count_t>(out.column.size()));
  }
  return out;
}

constexpr auto set_union = [](auto... args) { return std::set_union(args...); };
constexpr auto set_intersection = [](auto... args) { return std::set_intersection(args...); };

}  // namespace

CsrGraph adopt_rows(std::vector<count_t> row_start, std::vector<index_t> column) {
  // Boost's CSR keeps exactly these two arrays (its public m_forward member); handing them over
  // avoids the per-arc push_back of the edges_are_sorted constructor. A test checks the result
  // against that constructor.
  CsrGraph graph;
  graph.m_forward.m_rowstart = std::move(row_start);
  graph.m_forward.m_column = std::move(column);
  return graph;
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
  // The undirected rules start from N_k(i); baptista-r from the tie-keeping N+_k(i).
  const Rows neighbours = neighbour_rows(lists, k, rule == GraphRule::baptista_r);
  Rows reverse = transpose(neighbours, n);
  Rows forward = transpose(reverse, n);
  Rows symmetric = rule == GraphRule::knn_mutual ? merge_rows(n, forward, reverse, set_intersection)
                                                 : merge_rows(n, forward, reverse, set_union);
  graph.adjacency = adopt_rows(std::move(symmetric.start), std::move(symmetric.column));
  // Under baptista-r the arcs are N+_k(i) themselves; geodesics ignore direction (adjacency above).
  if (rule == GraphRule::baptista_r)
    graph.arcs = adopt_rows(std::move(forward.start), std::move(forward.column));
  return graph;
}

}  // namespace ricci::geometry
