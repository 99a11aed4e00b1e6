#pragma once
// Multi-source bit-parallel BFS, generic over any Boost IncidenceGraph + VertexListGraph whose
// vertex descriptors are the integers 0..n-1 and whose edges are symmetric.
//
// Bit b of a vertex's word block stands for source b of the current batch of 64·Words sources.
// One level advances every source's frontier at once: a vertex's next block is the OR of its
// neighbours' frontier blocks, minus what it has already seen. A source s reaching v at level d
// contributes d to S(v); since the graph is undirected, gamma(s,v) = gamma(v,s) and summing by
// target gives the same row sums as summing by source. Integer sums keep the result exact.
//
// Three things keep the work near what the answer needs (each tested against Boost's BFS from
// every source, tests/geometry/test_geodesics.cpp):
// * Direction per level. A level either pulls (every vertex ORs its neighbours' frontiers) or
//   pushes (every frontier vertex ORs its block into its neighbours'), whichever touches fewer
//   arcs: the first level, whose frontier is the batch's own sources, pushes from them alone.
// * Early exit. A vertex that has seen every source of the batch is skipped, and a pulling vertex
//   stops reading neighbours once its block would be complete: the bits it still lacks are all
//   reached at this level, so the stop changes nothing. The last levels of a dense graph touch
//   only the few vertices still missing a source.
// * No empty pass. A batch ends as soon as every vertex has seen every source, instead of after
//   one more level that finds nothing (that pass is still how a disconnected graph ends).
// Batches are independent: with threads > 1 they run in parallel (parallel.hpp), each with its own
// blocks, and only integer sums cross them, so the result does not depend on the thread count.
#include <algorithm>
#include <array>
#include <bit>
#include <boost/graph/graph_concepts.hpp>
#include <boost/range/iterator_range.hpp>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <vector>

#include "ricci/geometry/geodesics.hpp"
#include "ricci/geometry/parallel.hpp"

namespace ricci::geometry {

// The word width of the production engine (all_pairs_geodesics): 8 words = 512 sources a pass.
inline constexpr std::size_t production_bfs_words = 8;

// The default level visitor: nothing.
struct IgnoreLevels {
  template <class Block>
  void operator()(std::size_t, std::size_t, std::uint64_t, const std::vector<Block>&) const {}
};

namespace detail {

// The rows of a graph as two flat arrays: a CsrGraph's own (no copy), or copied once from any
// other graph's out-edges, so the hot loops index arrays instead of iterating Boost ranges.
template <class Graph>
class BfsRows {
 public:
  explicit BfsRows(const Graph& graph) {
    if constexpr (std::is_same_v<Graph, CsrGraph>) {
      start_ = graph.m_forward.m_rowstart.data();
      column_ = graph.m_forward.m_column.data();
    } else {
      using Vertex = typename boost::graph_traits<Graph>::vertex_descriptor;
      const auto n = static_cast<std::size_t>(num_vertices(graph));
      own_start_.assign(n + 1, 0);
      for (std::size_t v = 0; v < n; ++v) {
        for (auto e : boost::make_iterator_range(out_edges(static_cast<Vertex>(v), graph)))
          own_column_.push_back(static_cast<index_t>(target(e, graph)));
        own_start_[v + 1] = static_cast<count_t>(own_column_.size());
      }
      start_ = own_start_.data();
      column_ = own_column_.data();
    }
  }
  const index_t* begin(std::size_t v) const { return column_ + start_[v]; }
  const index_t* end(std::size_t v) const { return column_ + start_[v + 1]; }
  std::uint64_t degree(std::size_t v) const {
    return static_cast<std::uint64_t>(start_[v + 1] - start_[v]);
  }

 private:
  std::vector<count_t> own_start_;
  std::vector<index_t> own_column_;
  const count_t* start_ = nullptr;
  const index_t* column_ = nullptr;
};

// Block operations. The plain word loops are the definition; at the production width (8 words)
// they are written on 256-bit vector lanes (GCC/Clang vector extensions: two AVX2 instructions a
// block, four SSE2 ones on a generic build), because the compiler left the loops inside the BFS's
// branches scalar: eight ORs per arc instead of two.
using Lane = std::uint64_t __attribute__((vector_size(32)));
inline Lane load_lane(const std::uint64_t* words) {
  Lane lane;
  std::memcpy(&lane, words, sizeof lane);
  return lane;
}
inline void store_lane(std::uint64_t* words, Lane lane) { std::memcpy(words, &lane, sizeof lane); }
inline bool lane_is_zero(Lane lane) { return (lane[0] | lane[1] | lane[2] | lane[3]) == 0; }

template <std::size_t Words>
using Block = std::array<std::uint64_t, Words>;

template <std::size_t Words>
bool equal_blocks(const Block<Words>& a, const Block<Words>& b) {
  std::uint64_t diff = 0;
  for (std::size_t w = 0; w < Words; ++w) diff |= a[w] ^ b[w];
  return diff == 0;
}

template <std::size_t Words>
void or_into(Block<Words>& target, const Block<Words>& source) {
  if constexpr (Words == 8) {
    store_lane(target.data(), load_lane(target.data()) | load_lane(source.data()));
    store_lane(target.data() + 4, load_lane(target.data() + 4) | load_lane(source.data() + 4));
  } else {
    for (std::size_t w = 0; w < Words; ++w) target[w] |= source[w];
  }
}

// The OR of the frontier blocks of v's neighbours, read in groups of 8 and stopped once
// seen | reach covers `all` (the bits still missing are then all in reach).
template <std::size_t Words, class Rows>
Block<Words> pull(const Rows& rows, std::size_t v, const std::vector<Block<Words>>& frontier,
                  const Block<Words>& seen, const Block<Words>& all) {
  const index_t* a = rows.begin(v);
  const index_t* const end = rows.end(v);
  Block<Words> reach{};
  if constexpr (Words == 8) {
    const Lane seen0 = load_lane(seen.data()), seen1 = load_lane(seen.data() + 4);
    const Lane all0 = load_lane(all.data()), all1 = load_lane(all.data() + 4);
    Lane reach0{}, reach1{};
    while (a != end) {
      const index_t* const group_end = end - a > 8 ? a + 8 : end;
      for (; a != group_end; ++a) {
        const std::uint64_t* f = frontier[static_cast<std::size_t>(*a)].data();
        reach0 |= load_lane(f);
        reach1 |= load_lane(f + 4);
      }
      if (lane_is_zero((all0 & ~(seen0 | reach0)) | (all1 & ~(seen1 | reach1)))) break;
    }
    store_lane(reach.data(), reach0);
    store_lane(reach.data() + 4, reach1);
  } else {
    while (a != end) {
      const index_t* const group_end = end - a > 8 ? a + 8 : end;
      for (; a != group_end; ++a) or_into(reach, frontier[static_cast<std::size_t>(*a)]);
      std::uint64_t missing = 0;
      for (std::size_t w = 0; w < Words; ++w) missing |= all[w] & ~(seen[w] | reach[w]);
      if (missing == 0) break;
    }
  }
  return reach;
}

}  // namespace detail

// `on_level(first, width, level, reached)` is called after each level of each batch of sources
// first..first + width - 1: bit b of reached[v] is set iff source first + b is at hop distance
// exactly `level` from v. A caller that needs some distances besides the sums reads them there,
// without another search. With threads > 1, batches call it concurrently: it may write only what
// belongs to the batch's own sources.
template <std::size_t Words, class Graph, class LevelVisitor = IgnoreLevels>
GeodesicSummary all_pairs_bitparallel(const Graph& graph,
                                      const LevelVisitor& on_level = LevelVisitor{},
                                      int threads = 1) {
  BOOST_CONCEPT_ASSERT((boost::IncidenceGraphConcept<Graph>));
  BOOST_CONCEPT_ASSERT((boost::VertexListGraphConcept<Graph>));
  using Block = std::array<std::uint64_t, Words>;
  constexpr std::size_t batch_width = 64 * Words;

  const auto n = static_cast<std::size_t>(num_vertices(graph));
  const detail::BfsRows<Graph> rows(graph);
  std::uint64_t total_degree = 0;
  for (std::size_t v = 0; v < n; ++v) total_degree += rows.degree(v);

  GeodesicSummary out;
  out.row_sum.assign(n, 0);
  std::uint64_t ordered_sum = 0, ordered_unreachable = 0;
  std::mutex merge;

  const auto run_batch = [&](std::size_t first) {
    const std::size_t width = std::min(batch_width, n - first);
    // The bits of this batch's sources: a vertex whose block equals it has seen every source.
    Block all{};
    for (std::size_t b = 0; b < width; ++b) all[b / 64] |= std::uint64_t{1} << (b % 64);
    std::vector<Block> visited(n), frontier(n), next(n);
    std::vector<std::uint64_t> row_sum(n, 0);
    std::vector<index_t> frontier_list;  // vertices with a non-empty frontier block
    for (std::size_t b = 0; b < width; ++b) {
      visited[first + b][b / 64] |= std::uint64_t{1} << (b % 64);
      frontier[first + b] = visited[first + b];
      frontier_list.push_back(static_cast<index_t>(first + b));
    }
    const auto is_complete = [&](const Block& block) {
      return detail::equal_blocks<Words>(block, all);
    };
    std::size_t complete = 0;  // vertices that have seen every source of the batch
    for (std::size_t v = 0; v < n; ++v) complete += is_complete(visited[v]);
    // Arcs a push would read (out of the frontier) and a pull at most (into incomplete vertices).
    std::uint64_t push_arcs = 0, pull_arcs = total_degree;
    for (index_t s : frontier_list) push_arcs += rows.degree(static_cast<std::size_t>(s));
    std::uint64_t batch_sum = 0;
    index_t diameter = 0;

    for (std::uint64_t level = 1; complete < n; ++level) {
      // A push scatters read-modify-writes of whole blocks; a pull only reads them: the push must
      // touch clearly fewer arcs to win.
      if (2 * push_arcs < pull_arcs) {
        std::fill(next.begin(), next.end(), Block{});
        for (index_t u : frontier_list) {
          const Block& f = frontier[static_cast<std::size_t>(u)];
          for (const index_t* a = rows.begin(static_cast<std::size_t>(u));
               a != rows.end(static_cast<std::size_t>(u)); ++a) {
            detail::or_into<Words>(next[static_cast<std::size_t>(*a)], f);
          }
        }
      } else {
        for (std::size_t v = 0; v < n; ++v)
          next[v] = is_complete(visited[v])
                        ? Block{}
                        : detail::pull<Words>(rows, v, frontier, visited[v], all);
      }

      // Keep only first arrivals; add them to the sums; prepare the next level's choice.
      bool advanced = false;
      frontier_list.clear();
      push_arcs = 0;
      pull_arcs = 0;
      for (std::size_t v = 0; v < n; ++v) {
        std::uint64_t reached = 0;
        for (std::size_t w = 0; w < Words; ++w) {
          next[v][w] &= ~visited[v][w];
          visited[v][w] |= next[v][w];
          reached += static_cast<std::uint64_t>(std::popcount(next[v][w]));
        }
        if (reached) {
          advanced = true;
          row_sum[v] += level * reached;
          batch_sum += level * reached;
          frontier_list.push_back(static_cast<index_t>(v));
          push_arcs += rows.degree(v);
          complete += is_complete(visited[v]);
        }
        if (!is_complete(visited[v])) pull_arcs += rows.degree(v);
      }
      if (!advanced) break;
      on_level(first, width, level, next);
      diameter = std::max<index_t>(diameter, static_cast<index_t>(level));
      frontier.swap(next);
    }

    std::uint64_t unreachable = 0;
    for (std::size_t v = 0; v < n; ++v) {
      std::uint64_t seen = 0;
      for (std::size_t w = 0; w < Words; ++w)
        seen += static_cast<std::uint64_t>(std::popcount(visited[v][w]));
      unreachable += width - seen;
    }
    // Integer sums: the order in which batches merge does not change them.
    const std::lock_guard<std::mutex> lock(merge);
    for (std::size_t v = 0; v < n; ++v) out.row_sum[v] += row_sum[v];
    ordered_sum += batch_sum;
    ordered_unreachable += unreachable;
    out.diameter = std::max(out.diameter, diameter);
  };

  const std::size_t batches = (n + batch_width - 1) / batch_width;
  for_each_block(batches, 1, threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t batch = begin; batch < end; ++batch) run_batch(batch * batch_width);
  });
  out.distance_sum = ordered_sum / 2;
  out.unreachable_pairs = static_cast<count_t>(ordered_unreachable / 2);
  return out;
}

}  // namespace ricci::geometry
