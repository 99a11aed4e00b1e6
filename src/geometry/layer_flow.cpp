#include "ricci/geometry/layer_flow.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ricci/core/error.hpp"
#include "ricci/geometry/curvature.hpp"
#include "ricci/geometry/geodesics.hpp"
#include "ricci/geometry/knn.hpp"

namespace ricci::geometry {

double geodesic_mass(const GeodesicSummary& summary, GraphRule rule) {
  if (summary.components != 1) return std::numeric_limits<double>::quiet_NaN();
  const double unordered = static_cast<double>(summary.distance_sum);
  return rule == GraphRule::baptista_r ? 2.0 * unordered : unordered;
}

void validate_layer_stack(const std::vector<RowMatrix>& layers, const GeometryOptions& options) {
  if (layers.empty()) throw Error("geometry", "no hidden layers to analyse");
  if (options.k.empty()) throw Error("geometry", "no k values given");
  const auto n = layers.front().rows();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const RowMatrix& x = layers[l];
    if (x.rows() != n)
      throw Error("geometry", "layer " + std::to_string(l + 1) + " has " +
                                  std::to_string(x.rows()) + " rows but layer 1 has " +
                                  std::to_string(n));
    if (x.cols() < 1) throw Error("geometry", "layer " + std::to_string(l + 1) + " has no columns");
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      for (Eigen::Index c = 0; c < x.cols(); ++c)
        if (!std::isfinite(x(i, c)))
          throw Error("geometry", "layer " + std::to_string(l + 1) + " row " + std::to_string(i) +
                                      " column " + std::to_string(c) + " is not finite (" +
                                      std::to_string(x(i, c)) + ")");
  }
  for (index_t k : options.k) validate_k(k, static_cast<index_t>(n));
}

std::vector<ScaleFlow> layer_flow(const std::vector<RowMatrix>& layers,
                                  const GeometryOptions& options) {
  validate_layer_stack(layers, options);
  const index_t k_max = *std::max_element(options.k.begin(), options.k.end());

  std::vector<ScaleFlow> scales(options.k.size());
  for (std::size_t s = 0; s < scales.size(); ++s) {
    scales[s].k = options.k[s];
    scales[s].layers.resize(layers.size());
  }

  for (std::size_t l = 0; l < layers.size(); ++l) {
    const NeighbourLists lists = exact_knn(layers[l], k_max);
    for (ScaleFlow& scale : scales) {
      const LayerGraph graph = build_knn_graph(lists, scale.k, options.rule);
      CurvatureSummary curvature = forman_curvature(graph);
      const GeodesicSummary geodesics = all_pairs_geodesics(graph.adjacency);

      LayerFlow& flow = scale.layers[l];
      flow.edges = graph.edge_count();
      flow.components = geodesics.components;
      flow.unreachable_pairs = geodesics.unreachable_pairs;
      flow.ric = curvature.total;
      flow.g = geodesic_mass(geodesics, options.rule);
      if (options.node_summaries) {
        flow.node_curvature = std::move(curvature.node_scalar);
        // S_l(i) is a row sum, already over ordered pairs: no doubling under baptista-r.
        flow.node_distance_sum.resize(geodesics.row_sum.size());
        for (std::size_t i = 0; i < geodesics.row_sum.size(); ++i)
          flow.node_distance_sum[i] = std::isnan(flow.g)
                                          ? std::numeric_limits<double>::quiet_NaN()
                                          : static_cast<double>(geodesics.row_sum[i]);
      }
    }
  }

  for (ScaleFlow& scale : scales) {
    std::vector<double> g(layers.size()), ric(layers.size());
    for (std::size_t l = 0; l < layers.size(); ++l) {
      g[l] = scale.layers[l].g;
      ric[l] = static_cast<double>(scale.layers[l].ric);
    }
    scale.coefficient = ricci_coefficient(g, ric);
  }
  return scales;
}

}  // namespace ricci::geometry
