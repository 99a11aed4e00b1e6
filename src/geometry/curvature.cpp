#include "ricci/geometry/curvature.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
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

// The neighbour sets as rows of n bits, when they pay: the closed-form notions intersect neighbour
// sets, and an AND + popcount over n/64 words beats walking a sorted row of d_j entries once
// n/64 <= the mean degree. That same rule keeps the rows within twice the memory of the CSR
// columns (n * n/64 * 8 bytes <= 8 n * mean degree = 16 m = 2 * 2m * sizeof(index_t)), so memory
// stays O(n k). Sparse graphs (small k, large n) keep `empty()` and the callers walk rows instead.
class NeighbourBits {
 public:
  NeighbourBits(const Rows& rows, index_t n) : words_((static_cast<std::size_t>(n) + 63) / 64) {
    const std::size_t arcs = rows.column.size();
    if (n == 0 || words_ * static_cast<std::size_t>(n) > arcs) return;  // words_ > mean degree
    bits_.assign(words_ * static_cast<std::size_t>(n), 0);
    for (index_t i = 0; i < n; ++i) {
      std::uint64_t* out = bits_.data() + words_ * static_cast<std::size_t>(i);
      for (index_t j : rows.row(i)) out[j / 64] |= std::uint64_t{1} << (j % 64);
    }
  }
  bool empty() const { return bits_.empty(); }
  std::size_t words() const { return words_; }
  const std::uint64_t* row(index_t i) const {
    return bits_.data() + words_ * static_cast<std::size_t>(i);
  }

 private:
  std::size_t words_;
  std::vector<std::uint64_t> bits_;
};

// |a AND b| over `words` words: the one inner loop of the bit-row paths. Four counters, so that
// successive popcounts do not wait on one addition chain.
count_t common_bits(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) {
  count_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  std::size_t w = 0;
  for (; w + 4 <= words; w += 4) {
    c0 += std::popcount(a[w] & b[w]);
    c1 += std::popcount(a[w + 1] & b[w + 1]);
    c2 += std::popcount(a[w + 2] & b[w + 2]);
    c3 += std::popcount(a[w + 3] & b[w + 3]);
  }
  for (; w < words; ++w) c0 += std::popcount(a[w] & b[w]);
  return c0 + c1 + c2 + c3;
}

// What the closed-form notions share: the edges i < j in edge_curvature's order (rows by
// increasing i, each by increasing j, so row i's edges are the tail of its sorted row) and their
// triangle counts, made once per graph however many notions ask for them.
struct SharedCounts {
  Rows rows;
  index_t n;
  NeighbourBits bits;
  std::vector<double> degree;       // d_i, as the formulas use it
  std::vector<count_t> first_edge;  // edge index of row i's first edge i < j; n + 1 entries
  std::vector<count_t> upper;       // position in `rows` of row i's first j > i
  std::vector<count_t> triangles;   // t_ij = |N(i) ∩ N(j)| per edge

  SharedCounts(const Rows& rows_, index_t n_) : rows(rows_), n(n_), bits(rows_, n_) {
    const auto count = static_cast<std::size_t>(n);
    degree.resize(count);
    upper.resize(count);
    first_edge.assign(count + 1, 0);
    for (index_t i = 0; i < n; ++i) {
      const auto row = rows.row(i);
      degree[i] = static_cast<double>(row.size());
      upper[i] = rows.start[i] + (std::upper_bound(row.begin(), row.end(), i) - row.begin());
      first_edge[i + 1] = first_edge[i] + (rows.start[i + 1] - upper[i]);
    }
    triangles.resize(static_cast<std::size_t>(first_edge[count]));
    std::vector<char> is_neighbour(bits.empty() ? count : 0, 0);
    for (index_t i = 0; i < n; ++i) {
      count_t e = first_edge[i];
      if (!bits.empty()) {
        for (count_t p = upper[i]; p < rows.start[i + 1]; ++p, ++e)
          triangles[e] = common_bits(bits.row(i), bits.row(rows.column[p]), bits.words());
        continue;
      }
      for (index_t u : rows.row(i)) is_neighbour[u] = 1;
      for (count_t p = upper[i]; p < rows.start[i + 1]; ++p, ++e) {
        count_t t = 0;
        for (index_t w : rows.row(rows.column[p])) t += is_neighbour[w];
        triangles[e] = t;
      }
      for (index_t u : rows.row(i)) is_neighbour[u] = 0;
    }
  }

  std::size_t edge_count() const { return triangles.size(); }
  // The index of edge {a, b} (a != b, an edge of the graph).
  count_t edge_index(index_t a, index_t b) const {
    if (a > b) std::swap(a, b);
    const auto tail = rows.row(a).subspan(static_cast<std::size_t>(upper[a] - rows.start[a]));
    return first_edge[a] + (std::lower_bound(tail.begin(), tail.end(), b) - tail.begin());
  }
  // The one common neighbour of i and j, for an edge with t_ij = 1.
  index_t only_common_neighbour(index_t i, index_t j) const {
    if (!bits.empty()) {
      const std::uint64_t *a = bits.row(i), *b = bits.row(j);
      for (std::size_t w = 0;; ++w)
        if (const std::uint64_t both = a[w] & b[w])
          return static_cast<index_t>(64 * w + static_cast<std::size_t>(std::countr_zero(both)));
    }
    const auto row_i = rows.row(i), row_j = rows.row(j);
    index_t common = -1;
    std::set_intersection(row_i.begin(), row_i.end(), row_j.begin(), row_j.end(), &common);
    return common;
  }

  // visit(i, j, e, value(d_i, d_j, e)) for every edge e = {i < j}, in edge order.
  template <class EdgeValue, class Visit>
  void for_each_edge(EdgeValue value, Visit&& visit) const {
    for (index_t i = 0; i < n; ++i) {
      const double d_i = degree[i];
      const index_t* column = rows.column.data() + upper[i];
      const count_t first = first_edge[i], last = first_edge[i + 1];
      for (count_t e = first; e < last; ++e) {
        const index_t j = column[e - first];
        visit(i, j, e, value(d_i, degree[j], e));
      }
    }
  }
};

template <class Visit>
void augmented_forman(const SharedCounts& counts, Visit&& visit) {
  counts.for_each_edge(
      [&](double d_i, double d_j, count_t e) {
        const count_t forman =
            forman_edge_curvature(static_cast<count_t>(d_i), static_cast<count_t>(d_j));
        return exact_double(forman + 3 * counts.triangles[e]);
      },
      visit);
}

// Tian et al. 2023 (docs/method.md §3): kappa-hat from degrees and triangles alone.
template <class Visit>
void ollivier_approx(const SharedCounts& counts, Visit&& visit) {
  counts.for_each_edge(
      [&](double d_i, double d_j, count_t e) {
        const double t = static_cast<double>(counts.triangles[e]);
        const double d_max = std::max(d_i, d_j), d_min = std::min(d_i, d_j);
        const double base = 1 - 1 / d_i - 1 / d_j;
        return 0.5 * t / d_max - 0.5 * (std::max(0.0, base - t / d_min) +
                                        std::max(0.0, base - t / d_max) - t / d_max);
      },
      visit);
}

// Balanced Forman as the authors' reference routine computes it (docs/method.md §3), from degrees
// and triangles plus one rarely needed count. Its four-cycle terms of edge {i, j} are
// P_k = A_kj (A2_ik - A_ik) and Q_k = A_ik (A2_kj - A_kj); Q for (i, j) is P for (j, i), so
// sharp_ij = sharp(i -> j) + sharp(j -> i) with sharp(i -> j) = |{k ~ j : A2_ik - A_ik > 0}|.
// For k ~ j the walk i - j - k gives A2_ik >= 1, so P_k > 0 unless k ~ i and A2_ik = t_ik = 1,
// i.e. unless k is a neighbour of i whose only common neighbour with i is j. Hence
//   sharp(i -> j) = d_j - c_i(j),  c_i(j) = |{k ~ i : N(i) ∩ N(k) = {j}}|,
// and the c terms are found by visiting the edges {i, k} with t_ik = 1 once each: with w their
// common neighbour, such an edge adds 1 to c_i(w) (edge {i, w}) and to c_k(w) (edge {k, w}).
// lambda_ij, the largest P_k or Q_k, needs no search either: P_k <= A2_ik <= d_i and Q_k <= d_j,
// while k = i gives P_i = d_i and k = j gives Q_j = d_j, so lambda_ij = max(d_i, d_j).
template <class Visit>
void balanced_forman(const SharedCounts& counts, Visit&& visit) {
  std::vector<count_t> lone_witness(counts.edge_count(), 0);  // c_i(j) + c_j(i) per edge {i, j}
  for (index_t i = 0; i < counts.n; ++i) {
    const index_t* column = counts.rows.column.data() + counts.upper[i];
    for (count_t e = counts.first_edge[i]; e < counts.first_edge[i + 1]; ++e) {
      if (counts.triangles[e] != 1) continue;
      const index_t k = column[e - counts.first_edge[i]];
      const index_t w = counts.only_common_neighbour(i, k);
      ++lone_witness[counts.edge_index(i, w)];
      ++lone_witness[counts.edge_index(k, w)];
    }
  }
  counts.for_each_edge(
      [&](double d_i, double d_j, count_t e) {
        const double t = static_cast<double>(counts.triangles[e]);
        const double sharp = d_i + d_j - static_cast<double>(lone_witness[e]);
        const double d_max = std::max(d_i, d_j), d_min = std::min(d_i, d_j);
        const double lambda = d_max;  // see above
        return 2 / d_max + 2 / d_min - 2 + (2 / d_max + 1 / d_min) * t + sharp / (d_max * lambda);
      },
      visit);
}

// Every edge's value of a closed-form notion (augmented Forman, Balanced Forman, approximate
// Ollivier), handed to visit(i, j, e, value) in edge order.
template <class Visit>
void closed_form_edges(const SharedCounts& counts, CurvatureNotion notion, Visit&& visit) {
  switch (notion) {
    case CurvatureNotion::augmented_forman:
      return augmented_forman(counts, visit);
    case CurvatureNotion::balanced_forman:
      return balanced_forman(counts, visit);
    case CurvatureNotion::ollivier_approx:
      return ollivier_approx(counts, visit);
    case CurvatureNotion::forman:
    case CurvatureNotion::ollivier:
      break;
  }
  throw Error("geometry", "curvature notion " + std::string(curvature_notion_name(notion)) +
                              " has no closed form in degrees and triangles");
}

bool has_closed_form(CurvatureNotion notion) {
  return notion == CurvatureNotion::augmented_forman ||
         notion == CurvatureNotion::balanced_forman || notion == CurvatureNotion::ollivier_approx;
}

// Ric_l and, with per_node, s_l(i) of one notion, fed edge by edge in edge order. The total keeps
// four running sums (by edge index mod 4) combined at the end: a fixed order, so the total is
// reproducible, that does not wait on one addition chain.
class EdgeSums {
 public:
  EdgeSums(CurvatureNotion notion, index_t n, bool per_node) {
    measure_.notion = notion;
    if (per_node) measure_.node.assign(static_cast<std::size_t>(n), 0.0);
  }
  void add(index_t i, index_t j, count_t e, double value) {
    lane_[static_cast<std::size_t>(e) & 3] += value;
    if (!measure_.node.empty()) {
      measure_.node[i] += value;
      measure_.node[j] += value;
    }
  }
  CurvatureMeasure finish() && {
    measure_.total = (lane_[0] + lane_[1]) + (lane_[2] + lane_[3]);
    return std::move(measure_);
  }

 private:
  CurvatureMeasure measure_;
  std::array<double, 4> lane_{};
};

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

// One notion's value on every edge (edge_curvature's order). The counts the closed-form notions
// share are made on first use and kept in `shared` for the next notion of the same graph.
std::vector<double> edge_values(const LayerGraph& graph, CurvatureNotion notion,
                                const CurvatureOptions& options,
                                std::optional<SharedCounts>& shared) {
  require_undirected(graph, notion);
  const auto counts = [&]() -> const SharedCounts& {
    if (!shared) shared.emplace(Rows(graph.adjacency), graph.vertex_count());
    return *shared;
  };
  switch (notion) {
    case CurvatureNotion::forman:
      return forman_edges(graph);
    case CurvatureNotion::augmented_forman:
    case CurvatureNotion::balanced_forman:
    case CurvatureNotion::ollivier_approx: {
      std::vector<double> out(counts().edge_count());
      closed_form_edges(counts(), notion,
                        [&](index_t, index_t, count_t e, double value) { out[e] = value; });
      return out;
    }
    case CurvatureNotion::ollivier:
      return ollivier_edge_curvature(graph, options.ollivier_idleness);
  }
  throw Error("geometry", "unknown curvature notion " + std::to_string(static_cast<int>(notion)));
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
  std::optional<SharedCounts> shared;
  return edge_values(graph, notion, options, shared);
}

std::vector<CurvatureMeasure> measure_curvatures(const LayerGraph& graph,
                                                 std::span<const CurvatureNotion> notions,
                                                 bool per_node, const CurvatureOptions& options) {
  validate_curvature_options(options);
  for (CurvatureNotion notion : notions) require_undirected(graph, notion);
  std::optional<SharedCounts> shared;
  std::vector<CurvatureMeasure> out;
  out.reserve(notions.size());
  for (CurvatureNotion notion : notions) {
    if (notion == CurvatureNotion::forman) {
      out.push_back(measure_forman(graph, per_node));
      continue;
    }
    const index_t n = graph.vertex_count();
    EdgeSums sums(notion, n, per_node);
    const auto add = [&](index_t i, index_t j, count_t e, double value) {
      sums.add(i, j, e, value);
    };
    if (has_closed_form(notion)) {
      if (!shared) shared.emplace(Rows(graph.adjacency), n);
      closed_form_edges(*shared, notion, add);
    } else {
      const auto values = edge_values(graph, notion, options, shared);
      const Rows rows(graph.adjacency);
      count_t e = 0;
      for (index_t i = 0; i < n; ++i)
        for (index_t j : rows.row(i))
          if (j > i) {
            add(i, j, e, values[static_cast<std::size_t>(e)]);
            ++e;
          }
    }
    out.push_back(std::move(sums).finish());
  }
  return out;
}

CurvatureMeasure measure_curvature(const LayerGraph& graph, CurvatureNotion notion, bool per_node,
                                   const CurvatureOptions& options) {
  return std::move(measure_curvatures(graph, std::span(&notion, 1), per_node, options).front());
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
