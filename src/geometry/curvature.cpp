#include "ricci/geometry/curvature.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <span>
#include <sstream>
#include <string>

#include "ricci/core/error.hpp"

namespace ricci::geometry {

namespace {

// The Forman sums are integers with |Ric_l| <= sum_i D(i)^2 < 4 n^3 (D(i) <= 2(n - 1) under
// baptista-r; deg(i) <= n - 1 otherwise), below 2^53 for n < 1.3e5 - far above the test sets this
// project analyses - so the double is the exact integer, not a rounding of it.
double exact_double(count_t value) {
  assert(std::abs(value) < (count_t{1} << 53));
  return static_cast<double>(value);
}

CurvatureMeasure measure_forman(const LayerGraph& graph, bool per_node) {
  CurvatureSummary exact = forman_curvature(graph);
  CurvatureMeasure out;
  out.notion = CurvatureNotion::forman;
  out.total = exact_double(exact.total);
  if (per_node) {
    out.node.reserve(exact.node_scalar.size());
    for (count_t s : exact.node_scalar) out.node.push_back(exact_double(s));
  }
  return out;
}

// The rows of the symmetric adjacency, sorted by target.
using Rows = AdjacencyRows;

// t_ij = number of common neighbours of every edge i < j, in edge_curvature's order.
std::vector<count_t> edge_triangles(const Rows& rows, index_t n) {
  std::vector<count_t> out;
  out.reserve(rows.column.size() / 2);
  std::vector<char> is_neighbour(static_cast<std::size_t>(n), 0);
  for (index_t i = 0; i < n; ++i) {
    for (index_t u : rows.row(i)) is_neighbour[u] = 1;
    for (index_t j : rows.row(i)) {
      if (j < i) continue;
      count_t t = 0;
      for (index_t w : rows.row(j)) t += is_neighbour[w];
      out.push_back(t);
    }
    for (index_t u : rows.row(i)) is_neighbour[u] = 0;
  }
  return out;
}

// Every edge i < j's value from its degrees and triangle count, in edge_curvature's order: the
// notions that need no more than that share this one pass over the triangles.
template <class EdgeValue>
std::vector<double> from_degrees_and_triangles(const Rows& rows, index_t n, EdgeValue value) {
  const auto triangles = edge_triangles(rows, n);
  std::vector<double> out;
  out.reserve(triangles.size());
  std::size_t e = 0;
  for (index_t i = 0; i < n; ++i)
    for (index_t j : rows.row(i))
      if (j > i) out.push_back(value(rows.degree(i), rows.degree(j), triangles[e++]));
  return out;
}

std::vector<double> augmented_forman(const Rows& rows, index_t n) {
  return from_degrees_and_triangles(rows, n, [](count_t d_i, count_t d_j, count_t t) {
    return exact_double(forman_edge_curvature(d_i, d_j) + 3 * t);
  });
}

// Tian et al. 2023 (docs/method.md §3): kappa-hat from degrees and triangles alone.
double ollivier_approx_edge(double d_i, double d_j, double t) {
  const double d_max = std::max(d_i, d_j), d_min = std::min(d_i, d_j);
  const double base = 1 - 1 / d_i - 1 / d_j;
  return 0.5 * t / d_max -
         0.5 * (std::max(0.0, base - t / d_min) + std::max(0.0, base - t / d_max) - t / d_max);
}

std::vector<double> ollivier_approx(const Rows& rows, index_t n) {
  return from_degrees_and_triangles(rows, n, [](count_t d_i, count_t d_j, count_t t) {
    return ollivier_approx_edge(static_cast<double>(d_i), static_cast<double>(d_j),
                                static_cast<double>(t));
  });
}

// Balanced Forman as the authors' reference routine computes it (docs/method.md §3). With
// A2 = A^2, the four-cycle terms of edge {i, j} split into P_k = A_kj (A2_ik - A_ik), k ~ j, and
// Q_k = A_ik (A2_kj - A_kj), k ~ i; Q for (i, j) is P for (j, i). So one pass per vertex i, with
// row i of A2 as a count array, yields for every out-edge i -> j the number of positive P_k and
// their maximum; the edge combines its two directions. O(sum_i deg(i)^2) in all.
std::vector<double> balanced_forman(const Rows& rows, index_t n) {
  const std::size_t arcs = rows.column.size();
  std::vector<count_t> positive(arcs), largest(arcs), paths2(arcs);
  std::vector<count_t> a2_row(static_cast<std::size_t>(n), 0);
  std::vector<char> is_neighbour(static_cast<std::size_t>(n), 0);
  for (index_t i = 0; i < n; ++i) {
    for (index_t w : rows.row(i)) {
      is_neighbour[w] = 1;
      for (index_t k : rows.row(w)) ++a2_row[k];
    }
    for (count_t p = rows.start[i]; p < rows.start[i + 1]; ++p) {
      const index_t j = rows.column[p];
      count_t count = 0, top = 0;
      for (index_t k : rows.row(j)) {
        const count_t value = a2_row[k] - is_neighbour[k];  // k ~ j, so A_kj = 1
        if (value > 0) {
          ++count;
          top = std::max(top, value);
        }
      }
      positive[p] = count;
      largest[p] = top;
      paths2[p] = a2_row[j];
    }
    for (index_t w : rows.row(i)) {
      is_neighbour[w] = 0;
      for (index_t k : rows.row(w)) a2_row[k] = 0;
    }
  }
  std::vector<double> out;
  out.reserve(arcs / 2);
  for (index_t i = 0; i < n; ++i)
    for (count_t p = rows.start[i]; p < rows.start[i + 1]; ++p) {
      const index_t j = rows.column[p];
      if (j < i) continue;
      const auto row_j = rows.row(j);
      const count_t q =
          rows.start[j] + (std::lower_bound(row_j.begin(), row_j.end(), i) - row_j.begin());
      const double d_i = static_cast<double>(rows.degree(i)),
                   d_j = static_cast<double>(rows.degree(j));
      const double d_max = std::max(d_i, d_j), d_min = std::min(d_i, d_j);
      const double t = static_cast<double>(paths2[p]);
      double value = 2 / d_max + 2 / d_min - 2 + (2 / d_max + 1 / d_min) * t;
      const count_t lambda = std::max(largest[p], largest[q]);
      if (lambda > 0)
        value +=
            static_cast<double>(positive[p] + positive[q]) / (d_max * static_cast<double>(lambda));
      out.push_back(value);
    }
  return out;
}

std::vector<double> forman_edges(const LayerGraph& graph) {
  const auto degree = forman_degrees(graph);
  const bool directed = graph.rule == GraphRule::baptista_r;
  const CsrGraph& g = directed ? graph.arcs : graph.adjacency;
  std::vector<double> out;
  for (index_t i = 0; i < graph.vertex_count(); ++i)
    for (auto e : boost::make_iterator_range(out_edges(i, g))) {
      const index_t j = target(e, g);
      if (directed || i < j)
        out.push_back(exact_double(forman_edge_curvature(degree[i], degree[j])));
    }
  return out;
}

void require_undirected(const LayerGraph& graph, CurvatureNotion notion) {
  if (graph.rule == GraphRule::baptista_r && needs_undirected_graph(notion))
    throw Error("geometry", "curvature notion " + std::string(curvature_notion_name(notion)) +
                                " is defined on the undirected graph; baptista-r has arcs");
}

}  // namespace

std::string_view curvature_notion_name(CurvatureNotion notion) {
  switch (notion) {
    case CurvatureNotion::forman:
      return "forman";
    case CurvatureNotion::augmented_forman:
      return "augmented-forman";
    case CurvatureNotion::balanced_forman:
      return "balanced-forman";
    case CurvatureNotion::ollivier_approx:
      return "ollivier-approx";
    case CurvatureNotion::ollivier:
      return "ollivier";
  }
  return "?";
}

CurvatureNotion parse_curvature_notion(std::string_view name) {
  std::string valid;
  for (CurvatureNotion notion : all_curvature_notions) {
    if (name == curvature_notion_name(notion)) return notion;
    if (!valid.empty()) valid += ", ";
    valid += curvature_notion_name(notion);
  }
  throw Error("geometry", "unknown curvature notion '" + std::string(name) + "' (expected one of " +
                              valid + ")");
}

void validate_curvature_options(const CurvatureOptions& options) {
  const double alpha = options.ollivier_idleness;
  if (!(alpha >= 0 && alpha < 1))  // also rejects NaN
  {
    std::ostringstream text;
    text << "Ollivier idleness " << alpha << " must satisfy 0 <= idleness < 1";
    throw Error("geometry", text.str());
  }
}

bool needs_undirected_graph(CurvatureNotion notion) { return notion != CurvatureNotion::forman; }

std::vector<double> edge_curvature(const LayerGraph& graph, CurvatureNotion notion,
                                   const CurvatureOptions& options) {
  validate_curvature_options(options);
  require_undirected(graph, notion);
  const Rows rows(graph.adjacency);
  const index_t n = graph.vertex_count();
  switch (notion) {
    case CurvatureNotion::forman:
      return forman_edges(graph);
    case CurvatureNotion::augmented_forman:
      return augmented_forman(rows, n);
    case CurvatureNotion::balanced_forman:
      return balanced_forman(rows, n);
    case CurvatureNotion::ollivier_approx:
      return ollivier_approx(rows, n);
    case CurvatureNotion::ollivier:
      return ollivier_edge_curvature(graph, options.ollivier_idleness);
  }
  throw Error("geometry", "unknown curvature notion " + std::to_string(static_cast<int>(notion)));
}

CurvatureMeasure measure_curvature(const LayerGraph& graph, CurvatureNotion notion, bool per_node,
                                   const CurvatureOptions& options) {
  validate_curvature_options(options);
  if (notion == CurvatureNotion::forman) return measure_forman(graph, per_node);
  const auto values = edge_curvature(graph, notion, options);
  CurvatureMeasure out;
  out.notion = notion;
  const index_t n = graph.vertex_count();
  if (per_node) out.node.assign(static_cast<std::size_t>(n), 0.0);
  const Rows rows(graph.adjacency);
  std::size_t e = 0;
  for (index_t i = 0; i < n; ++i)
    for (index_t j : rows.row(i)) {
      if (j < i) continue;
      const double value = values[e++];
      out.total += value;
      if (per_node) {
        out.node[i] += value;
        out.node[j] += value;
      }
    }
  return out;
}

std::vector<double> node_mean_curvature(const LayerGraph& graph, const CurvatureMeasure& measure) {
  const bool arcs = graph.rule == GraphRule::baptista_r && !needs_undirected_graph(measure.notion);
  const CsrGraph& g = arcs ? graph.arcs : graph.adjacency;
  const index_t n = graph.vertex_count();
  if (measure.node.size() != static_cast<std::size_t>(n))
    throw Error("geometry", "node_mean_curvature needs the per-node sums of " + std::to_string(n) +
                                " vertices, got " + std::to_string(measure.node.size()));
  std::vector<double> out(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) {
    const auto degree = out_degree(i, g);
    out[i] = degree == 0 ? std::numeric_limits<double>::quiet_NaN()
                         : measure.node[i] / static_cast<double>(degree);
  }
  return out;
}

std::vector<count_t> forman_degrees(const LayerGraph& graph) {
  const index_t n = graph.vertex_count();
  std::vector<count_t> degree(static_cast<std::size_t>(n), 0);
  if (graph.rule != GraphRule::baptista_r) {
    for (index_t v = 0; v < n; ++v)
      degree[v] = static_cast<count_t>(out_degree(v, graph.adjacency));
    return degree;
  }
  for (index_t v = 0; v < n; ++v)
    for (auto e : boost::make_iterator_range(out_edges(v, graph.arcs))) {
      ++degree[v];
      ++degree[target(e, graph.arcs)];
    }
  return degree;
}

CurvatureSummary forman_curvature(const LayerGraph& graph) {
  const index_t n = graph.vertex_count();
  const auto degree = forman_degrees(graph);
  // Undirected rules visit each edge from both ends: every edge enters the node sums twice and the
  // total once (i < j). Arcs are visited once, from their tail.
  const bool directed = graph.rule == GraphRule::baptista_r;
  const CsrGraph& g = directed ? graph.arcs : graph.adjacency;

  CurvatureSummary out;
  out.node_scalar.assign(static_cast<std::size_t>(n), 0);
  for (index_t i = 0; i < n; ++i)
    for (auto e : boost::make_iterator_range(out_edges(i, g))) {
      const index_t j = target(e, g);
      const count_t r = forman_edge_curvature(degree[i], degree[j]);
      out.node_scalar[i] += r;
      if (directed || i < j) out.total += r;
    }
  return out;
}

}  // namespace ricci::geometry
