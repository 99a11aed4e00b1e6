#include "ricci/geometry/geodesics.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/visitors.hpp>
#include <limits>

#include "ricci/geometry/geodesics_bitparallel.hpp"

namespace ricci::geometry {

std::vector<index_t> component_labels(const CsrGraph& adjacency) {
  const auto n = static_cast<index_t>(num_vertices(adjacency));
  constexpr index_t unlabelled = -1;
  std::vector<index_t> label(static_cast<std::size_t>(n), unlabelled);
  std::vector<index_t> stack;
  // Roots in increasing order: each component is first reached from its smallest vertex.
  for (index_t root = 0; root < n; ++root) {
    if (label[root] != unlabelled) continue;
    label[root] = root;
    stack.push_back(root);
    while (!stack.empty()) {
      const index_t v = stack.back();
      stack.pop_back();
      for (auto e : boost::make_iterator_range(out_edges(v, adjacency))) {
        const index_t u = target(e, adjacency);
        if (label[u] == unlabelled) {
          label[u] = root;
          stack.push_back(u);
        }
      }
    }
  }
  return label;
}

namespace {

index_t components_of(const std::vector<index_t>& labels) {
  index_t roots = 0;
  for (std::size_t v = 0; v < labels.size(); ++v) roots += labels[v] == static_cast<index_t>(v);
  return roots;
}

}  // namespace

index_t count_components(const CsrGraph& adjacency) {
  return components_of(component_labels(adjacency));
}

GeodesicSummary all_pairs_boost_bfs(const CsrGraph& adjacency) {
  const auto n = static_cast<index_t>(num_vertices(adjacency));
  constexpr index_t unreached = std::numeric_limits<index_t>::max();
  GeodesicSummary out;
  out.row_sum.assign(static_cast<std::size_t>(n), 0);
  std::vector<index_t> distance(static_cast<std::size_t>(n));
  std::uint64_t ordered_sum = 0, ordered_unreachable = 0;
  for (index_t s = 0; s < n; ++s) {
    std::fill(distance.begin(), distance.end(), unreached);
    distance[s] = 0;
    boost::breadth_first_search(adjacency, s,
                                boost::visitor(boost::make_bfs_visitor(boost::record_distances(
                                    distance.data(), boost::on_tree_edge()))));
    for (index_t v = 0; v < n; ++v) {
      if (distance[v] == unreached) {
        ++ordered_unreachable;
        continue;
      }
      out.row_sum[s] += static_cast<std::uint64_t>(distance[v]);
      out.diameter = std::max(out.diameter, distance[v]);
    }
    ordered_sum += out.row_sum[s];
  }
  out.distance_sum = ordered_sum / 2;
  out.unreachable_pairs = static_cast<count_t>(ordered_unreachable / 2);
  out.component = component_labels(adjacency);
  out.components = components_of(out.component);
  return out;
}

GeodesicSummary all_pairs_geodesics(const CsrGraph& adjacency, int threads) {
  // 8 words = 512 sources a pass: one AVX-512 register per block where the machine has it, and the
  // fastest width measured here (docs/toolchain.md § Bit-parallel BFS word width) even where the
  // compiler splits it into smaller vectors.
  GeodesicSummary out =
      all_pairs_bitparallel<production_bfs_words>(adjacency, IgnoreLevels{}, threads);
  out.component = component_labels(adjacency);
  out.components = components_of(out.component);
  return out;
}

}  // namespace ricci::geometry
