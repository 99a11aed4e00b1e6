#pragma once
// All-pairs hop distances in an unweighted, undirected graph (docs/method.md §3, paper eqs. 3 and
// 7), reduced to the sums the coefficients need. Two engines compute the same GeodesicSummary: the
// reference runs Boost.Graph's breadth_first_search from every source; the production engine
// (geodesics_bitparallel.hpp) runs 64·Words sources at once with one bit per source.
#include <cstdint>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/graph.hpp"

namespace ricci::geometry {

struct GeodesicSummary {
  index_t components = 0;
  count_t unreachable_pairs = 0;       // unordered pairs {i,j} with no path
  std::uint64_t distance_sum = 0;      // sum over reachable unordered pairs of gamma(i,j)
  std::vector<std::uint64_t> row_sum;  // S(i) = sum over reachable j of gamma(i,j)
  index_t diameter = 0;                // largest finite distance
  // component[i] = the smallest vertex of i's connected component: a canonical label, so two
  // graphs on the same vertices have the same partition iff their label vectors are equal.
  std::vector<index_t> component;
};

// Connected components of a symmetric graph, labelled by their smallest vertex (see
// GeodesicSummary::component), and their number.
std::vector<index_t> component_labels(const CsrGraph& adjacency);
index_t count_components(const CsrGraph& adjacency);

// Reference: Boost.Graph BFS from every vertex. `adjacency` must be symmetric.
GeodesicSummary all_pairs_boost_bfs(const CsrGraph& adjacency);

// Production: the bit-parallel engine at the word width chosen for this build, its source batches
// spread over `threads` threads (the result does not depend on the count).
GeodesicSummary all_pairs_geodesics(const CsrGraph& adjacency, int threads = 1);

}  // namespace ricci::geometry
