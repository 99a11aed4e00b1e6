#include "ricci/geometry/measure_stack.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "ricci/core/error.hpp"

namespace ricci::geometry {

namespace {

Error not_computed(CurvatureNotion notion) {
  return Error("geometry", "curvature notion '" + std::string(curvature_notion_name(notion)) +
                               "' was not computed (it is not in MeasureOptions::curvatures)");
}

}  // namespace

const CurvatureMeasure& LayerMeasures::curvature_of(CurvatureNotion notion) const {
  for (const CurvatureMeasure& c : curvature)
    if (c.notion == notion) return c;
  throw not_computed(notion);
}

const RicciCoefficient& MeasuresAtK::coefficient(CurvatureNotion notion) const {
  for (std::size_t c = 0; c < notions.size() && c < coefficients.size(); ++c)
    if (notions[c] == notion) return coefficients[c];
  throw not_computed(notion);
}

double geodesic_mass(const GeodesicSummary& summary, GraphRule rule) {
  if (summary.components != 1) return std::numeric_limits<double>::quiet_NaN();
  const double unordered = static_cast<double>(summary.distance_sum);
  return rule == GraphRule::baptista_r ? 2.0 * unordered : unordered;
}

std::vector<LayerView> layer_views(const std::vector<RowMatrix>& layers) {
  std::vector<LayerView> views;
  views.reserve(layers.size());
  for (const RowMatrix& x : layers) views.emplace_back(x);
  return views;
}

void validate_layer_stack(std::span<const LayerView> layers, const MeasureOptions& options) {
  if (layers.empty()) throw Error("geometry", "no hidden layers to analyse");
  if (options.k.empty()) throw Error("geometry", "no k values given");
  const auto n = layers.front().rows();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const LayerView& x = layers[l];
    if (x.rows() != n)
      throw Error("geometry", "layer " + std::to_string(l + 1) + " has " +
                                  std::to_string(x.rows()) + " rows but layer 1 has " +
                                  std::to_string(n));
    if (x.cols() < 1) throw Error("geometry", "layer " + std::to_string(l + 1) + " has no columns");
    // A squared distance sums cols() terms of at most (2 max|x|)^2: beyond this bound it would
    // overflow to inf and every neighbour ranking would be silently wrong.
    const double bound =
        std::sqrt(std::numeric_limits<double>::max() / (4.0 * static_cast<double>(x.cols())));
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      for (Eigen::Index c = 0; c < x.cols(); ++c) {
        const auto where = [&] {
          return "layer " + std::to_string(l + 1) + " row " + std::to_string(i) + " column " +
                 std::to_string(c);
        };
        if (!std::isfinite(x(i, c)))
          throw Error("geometry", where() + " is not finite (" + std::to_string(x(i, c)) + ")");
        if (std::abs(x(i, c)) > bound) {
          char text[64];
          std::snprintf(text, sizeof text, "%.17g", x(i, c));
          char limit[64];
          std::snprintf(limit, sizeof limit, "%.6g", bound);
          throw Error("geometry", where() + " is " + text +
                                      ": squared distances would overflow (magnitudes must stay "
                                      "below " +
                                      limit + ")");
        }
      }
  }
  for (index_t k : options.k) validate_k(k, static_cast<index_t>(n));
  for (auto c = options.curvatures.begin(); c != options.curvatures.end(); ++c)
    if (std::find(options.curvatures.begin(), c, *c) != c)
      throw Error("geometry", "curvature notion '" + std::string(curvature_notion_name(*c)) +
                                  "' is requested twice");
}

LayerMeasures measure_layer(const NeighbourLists& lists, index_t k, GraphRule rule,
                            std::span<const CurvatureNotion> curvatures, bool per_node) {
  const LayerGraph graph = build_knn_graph(lists, k, rule);
  LayerMeasures out;
  out.edges = graph.edge_count();
  for (CurvatureNotion notion : curvatures)
    out.curvature.push_back(measure_curvature(graph, notion, per_node));

  const GeodesicSummary geodesics = all_pairs_geodesics(graph.adjacency);
  out.components = geodesics.components;
  out.unreachable_pairs = geodesics.unreachable_pairs;
  out.g = geodesic_mass(geodesics, rule);
  if (per_node) {
    // S_l(i) is a row sum, already over ordered pairs: no doubling under baptista-r.
    out.node_distance_sum.resize(geodesics.row_sum.size());
    for (std::size_t i = 0; i < geodesics.row_sum.size(); ++i)
      out.node_distance_sum[i] = std::isnan(out.g) ? std::numeric_limits<double>::quiet_NaN()
                                                   : static_cast<double>(geodesics.row_sum[i]);
  }
  return out;
}

RicciCoefficient ricci_coefficient(std::span<const LayerMeasures> layers, CurvatureNotion notion) {
  std::vector<double> g(layers.size()), ric(layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    g[l] = layers[l].g;
    ric[l] = layers[l].curvature_total(notion);
  }
  return ricci_coefficient(g, ric);
}

std::vector<MeasuresAtK> measure_stack(std::span<const LayerView> layers,
                                       const MeasureOptions& options) {
  validate_layer_stack(layers, options);
  const index_t k_max = *std::max_element(options.k.begin(), options.k.end());

  std::vector<MeasuresAtK> slots(options.k.size());
  for (std::size_t s = 0; s < slots.size(); ++s) {
    slots[s].k = options.k[s];
    slots[s].layers.resize(layers.size());
    slots[s].notions = options.curvatures;
  }

  // Layer-major: the neighbour lists of one layer serve every k, so only one layer's lists live at
  // a time.
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const NeighbourLists lists = exact_knn(layers[l], k_max);
    for (MeasuresAtK& slot : slots)
      slot.layers[l] =
          measure_layer(lists, slot.k, options.rule, options.curvatures, options.per_node);
  }

  for (MeasuresAtK& slot : slots)
    for (CurvatureNotion notion : slot.notions)
      slot.coefficients.push_back(ricci_coefficient(slot.layers, notion));
  return slots;
}

}  // namespace ricci::geometry
