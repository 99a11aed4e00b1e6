#pragma once
// The graph tests' one comparison of a built kNN graph with the graphs Boost's edge-list
// constructors make from an oracle's edge set (test_graph_curvature.cpp, test_knn_oracle.cpp).
#include <catch2/catch.hpp>
#include <utility>
#include <vector>

#include "ricci/geometry/graph.hpp"

namespace ricci::test {

// g's symmetric adjacency is the graph of `edges`, row for row; under baptista-r its arcs are the
// directed graph of `arcs`, and under the other rules it has none.
inline void require_graph_of(const geometry::LayerGraph& g, index_t n,
                             const std::vector<std::pair<index_t, index_t>>& edges,
                             const std::vector<std::pair<index_t, index_t>>& arcs) {
  const auto want = geometry::symmetric_graph(n, edges);
  REQUIRE(g.adjacency.m_forward.m_rowstart == want.m_forward.m_rowstart);
  REQUIRE(g.adjacency.m_forward.m_column == want.m_forward.m_column);
  if (g.rule == geometry::GraphRule::baptista_r) {
    const auto want_arcs = geometry::directed_graph(n, arcs);
    REQUIRE(g.arcs.m_forward.m_rowstart == want_arcs.m_forward.m_rowstart);
    REQUIRE(g.arcs.m_forward.m_column == want_arcs.m_forward.m_column);
  } else {
    REQUIRE(num_edges(g.arcs) == 0);
  }
}

}  // namespace ricci::test
