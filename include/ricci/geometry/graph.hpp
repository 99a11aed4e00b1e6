#pragma once
// kNN graphs of one layer (docs/method.md §2), stored as Boost.Graph compressed_sparse_row_graph.
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/range/iterator_range.hpp>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/knn.hpp"

namespace ricci::geometry {

// Rows sorted by target; vertex and edge indices are plain integers so the hot loops stay narrow.
using CsrGraph =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                       boost::no_property, index_t, count_t>;

enum class GraphRule {
  knn_union,   // edge {i,j} iff j in N_k(i) or i in N_k(j)  (default; "union")
  knn_mutual,  // edge {i,j} iff both                        ("mutual")
  baptista_r,  // directed arcs i->j for j in N+_k(i), ties kept (the reference R code)
};

// Parses "union", "mutual", "baptista-r"; throws ricci::Error naming the value otherwise.
GraphRule parse_graph_rule(std::string_view name);
std::string_view graph_rule_name(GraphRule rule);

// Read-only rows of a CSR graph (Boost's arrays, rows sorted by target): what the curvature
// kernels walk, without Boost's iterator machinery in their innermost loops.
struct AdjacencyRows {
  const std::vector<count_t>& start;
  const std::vector<index_t>& column;
  explicit AdjacencyRows(const CsrGraph& g)
      : start(g.m_forward.m_rowstart), column(g.m_forward.m_column) {}
  std::span<const index_t> row(index_t i) const {
    return {column.data() + start[i], static_cast<std::size_t>(start[i + 1] - start[i])};
  }
  count_t degree(index_t i) const { return start[i + 1] - start[i]; }
};

struct LayerGraph {
  GraphRule rule = GraphRule::knn_union;
  index_t k = 0;
  // Symmetric adjacency (each undirected edge stored in both directions): degrees and geodesics.
  CsrGraph adjacency;
  // baptista-r only: the directed arcs, possibly reciprocal. Empty for the undirected rules.
  CsrGraph arcs;

  index_t vertex_count() const { return static_cast<index_t>(num_vertices(adjacency)); }
  // Undirected edges, or arcs under baptista-r: what docs/method.md sums curvature over.
  count_t edge_count() const;
};

// Builds the graph of `rule` at scale k (1 <= k <= lists.k_max()).
LayerGraph build_knn_graph(const NeighbourLists& lists, index_t k, GraphRule rule);

// A symmetric CSR graph from an undirected edge list (duplicates and both orientations allowed,
// self-loops rejected). Used for hand-made graphs in tests and by build_knn_graph.
CsrGraph symmetric_graph(index_t n, std::vector<std::pair<index_t, index_t>> edges);
// A CSR graph from row offsets (n + 1 entries) and columns; every row sorted and duplicate-free.
CsrGraph adopt_rows(std::vector<count_t> row_start, std::vector<index_t> column);
// A directed CSR graph from arcs (duplicates removed).
CsrGraph directed_graph(index_t n, std::vector<std::pair<index_t, index_t>> arcs);

}  // namespace ricci::geometry
