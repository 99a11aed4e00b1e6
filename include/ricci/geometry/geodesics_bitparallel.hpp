#pragma once
// Multi-source bit-parallel BFS, generic over any Boost IncidenceGraph + VertexListGraph whose
// vertex descriptors are the integers 0..n-1 and whose edges are symmetric.
//
// Bit b of a vertex's word block stands for source b of the current batch of 64·Words sources. One
// sweep over the edges advances every source's frontier by one level: a vertex's next block is the
// OR of its neighbours' frontier blocks, minus what it has already seen. A source s reaching v at
// level d contributes d to S(v); since the graph is undirected, gamma(s,v) = gamma(v,s) and summing
// by target gives the same row sums as summing by source. Integer sums keep the result exact.
#include <array>
#include <bit>
#include <boost/graph/graph_concepts.hpp>
#include <cstdint>
#include <vector>

#include "ricci/geometry/geodesics.hpp"

namespace ricci::geometry {

// The word width of the production engine (all_pairs_geodesics): 8 words = 512 sources a pass.
inline constexpr std::size_t production_bfs_words = 8;

// The default level visitor: nothing.
struct IgnoreLevels {
  template <class Block>
  void operator()(std::size_t, std::size_t, std::uint64_t, const std::vector<Block>&) const {}
};

// `on_level(first, width, level, reached)` is called after each level of each batch of sources
// first..first + width - 1: bit b of reached[v] is set iff source first + b is at hop distance
// exactly `level` from v. A caller that needs some distances besides the sums reads them there,
// without another search.
template <std::size_t Words, class Graph, class LevelVisitor = IgnoreLevels>
GeodesicSummary all_pairs_bitparallel(const Graph& graph,
                                      const LevelVisitor& on_level = LevelVisitor{}) {
  BOOST_CONCEPT_ASSERT((boost::IncidenceGraphConcept<Graph>));
  BOOST_CONCEPT_ASSERT((boost::VertexListGraphConcept<Graph>));
  using Block = std::array<std::uint64_t, Words>;
  using Vertex = typename boost::graph_traits<Graph>::vertex_descriptor;
  constexpr std::size_t batch_width = 64 * Words;

  const auto n = static_cast<std::size_t>(num_vertices(graph));
  GeodesicSummary out;
  out.row_sum.assign(n, 0);
  std::vector<Block> visited(n), frontier(n), next(n);
  std::uint64_t ordered_sum = 0, ordered_unreachable = 0;

  for (std::size_t first = 0; first < n; first += batch_width) {
    const std::size_t width = std::min(batch_width, n - first);
    for (std::size_t v = 0; v < n; ++v) visited[v] = frontier[v] = Block{};
    for (std::size_t b = 0; b < width; ++b) {
      visited[first + b][b / 64] |= std::uint64_t{1} << (b % 64);
      frontier[first + b] = visited[first + b];
    }

    for (std::uint64_t level = 1;; ++level) {
      bool advanced = false;
      for (std::size_t v = 0; v < n; ++v) {
        Block reach{};
        for (auto e : boost::make_iterator_range(out_edges(static_cast<Vertex>(v), graph))) {
          const Block& f = frontier[static_cast<std::size_t>(target(e, graph))];
          for (std::size_t w = 0; w < Words; ++w) reach[w] |= f[w];
        }
        std::uint64_t reached = 0;
        for (std::size_t w = 0; w < Words; ++w) {
          reach[w] &= ~visited[v][w];
          reached += static_cast<std::uint64_t>(std::popcount(reach[w]));
        }
        next[v] = reach;
        if (reached) {
          advanced = true;
          out.row_sum[v] += level * reached;
          ordered_sum += level * reached;
        }
      }
      if (!advanced) break;
      on_level(first, width, level, next);
      out.diameter = std::max<index_t>(out.diameter, static_cast<index_t>(level));
      for (std::size_t v = 0; v < n; ++v)
        for (std::size_t w = 0; w < Words; ++w) visited[v][w] |= next[v][w];
      frontier.swap(next);
    }

    for (std::size_t v = 0; v < n; ++v) {
      std::uint64_t seen = 0;
      for (std::size_t w = 0; w < Words; ++w)
        seen += static_cast<std::uint64_t>(std::popcount(visited[v][w]));
      ordered_unreachable += width - seen;
    }
  }
  out.distance_sum = ordered_sum / 2;
  out.unreachable_pairs = static_cast<count_t>(ordered_unreachable / 2);
  return out;
}

}  // namespace ricci::geometry
