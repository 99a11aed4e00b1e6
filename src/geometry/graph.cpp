#include "ricci/geometry/graph.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "ricci/core/error.hpp"

namespace ricci::geometry {

GraphRule parse_graph_rule(std::string_view name) {
  if (name == "union") return GraphRule::knn_union;
  if (name == "mutual") return GraphRule::knn_mutual;
  if (name == "baptista-r") return GraphRule::baptista_r;
  throw Error("geometry", "unknown graph rule '" + std::string(name) +
                              "' (expected union, mutual or baptista-r)");
}

std::string_view graph_rule_name(GraphRule rule) {
  switch (rule) {
    case GraphRule::knn_union:
      return "union";
    case GraphRule::knn_mutual:
      return "mutual";
    case GraphRule::baptista_r:
      return "baptista-r";
  }
  return "?";
}

count_t LayerGraph::edge_count() const {
  if (rule == GraphRule::baptista_r) return static_cast<count_t>(num_edges(arcs));
  return static_cast<count_t>(num_edges(adjacency)) / 2;
}

namespace {

CsrGraph from_sorted_unique(index_t n, std::vector<std::pair<index_t, index_t>>& arcs) {
  std::sort(arcs.begin(), arcs.end());
  arcs.erase(std::unique(arcs.begin(), arcs.end()), arcs.end());
  return CsrGraph(boost::edges_are_sorted, arcs.begin(), arcs.end(), static_cast<std::size_t>(n));
}

}  // namespace

CsrGraph symmetric_graph(index_t n, std::vector<std::pair<index_t, index_t>> edges) {
  const std::size_t m = edges.size();
  edges.reserve(2 * m);
  for (std::size_t e = 0; e < m; ++e) {
    const auto [a, b] = edges[e];
    if (a == b) throw Error("geometry", "self-loop at vertex " + std::to_string(a));
    if (a < 0 || b < 0 || a >= n || b >= n)
      throw Error("geometry", "edge {" + std::to_string(a) + "," + std::to_string(b) +
                                  "} out of range for n = " + std::to_string(n));
    edges.emplace_back(b, a);
  }
  return from_sorted_unique(n, edges);
}

CsrGraph directed_graph(index_t n, std::vector<std::pair<index_t, index_t>> arcs) {
  return from_sorted_unique(n, arcs);
}

namespace {

// The outgoing rows of the graph: N_k(i), or N+_k(i) under baptista-r, nearest first as stored.
// Their lengths are found once (a binary search per row under baptista-r) for every pass below.
class OutRows {
 public:
  OutRows(const NeighbourLists& lists, index_t k, bool keep_ties)
      : lists_(lists), length_(static_cast<std::size_t>(lists.size()), k) {
    if (keep_ties)
      for (index_t i = 0; i < lists.size(); ++i)
        length_[i] = static_cast<index_t>(lists.nearest_with_ties(i, k).size());
  }
  index_t size() const { return lists_.size(); }
  std::span<const index_t> row(index_t i) const {
    return lists_.row(i).first(static_cast<std::size_t>(length_[i]));
  }

 private:
  const NeighbourLists& lists_;
  std::vector<index_t> length_;
};

// The reverse rows R(i) = { j : i in out(j) }, by counting sort: filling in increasing j leaves
// every row sorted, whatever the order inside the out rows. This scatter is the one pass over the
// whole graph that is not row-local.
struct ReverseRows {
  std::vector<count_t> start;
  std::vector<index_t> column;
  std::span<const index_t> row(index_t i) const {
    return {column.data() + start[i], static_cast<std::size_t>(start[i + 1] - start[i])};
  }
};

ReverseRows reverse_rows(const OutRows& out) {
  const index_t n = out.size();
  ReverseRows t;
  t.start.assign(static_cast<std::size_t>(n) + 1, 0);
  for (index_t j = 0; j < n; ++j)
    for (index_t target : out.row(j)) ++t.start[target + 1];
  for (index_t i = 0; i < n; ++i) t.start[i + 1] += t.start[i];
  t.column.resize(static_cast<std::size_t>(t.start[n]));
  std::vector<count_t> fill(t.start.begin(), t.start.end() - 1);
  for (index_t j = 0; j < n; ++j)
    for (index_t target : out.row(j)) t.column[fill[target]++] = j;
  return t;
}

// Sorted, duplicate-free rows built one at a time in a byte map over the n vertices, which stays in
// L1 at stack-A sizes (n bytes): marking the members and reading the marks back in vertex order
// sorts a row in O(members + n / 8), with no comparison sort and no second transpose. Bytes rather
// than bits: marking is then a plain store, where a bit's read-modify-write chains through the
// same word for neighbouring members (measured: marking was ~60% of graph construction with a
// bitmap). When a row is much smaller than the map (small k, large n), a plain sort of the row is
// cheaper and gives the same result.
class RowBuilder {
 public:
  explicit RowBuilder(index_t n)
      : flags_((static_cast<std::size_t>(n) + 63) / 64 * 64, 0),
        row_(static_cast<std::size_t>(2 * n) + kSlack) {}

  // Appends a ∪ b, sorted and duplicate-free, to `out`; with `a_out`, appends a alone (sorted)
  // there first, reusing its marks.
  void append_union(std::span<const index_t> a, std::span<const index_t> b,
                    std::vector<index_t>& out, std::vector<index_t>* a_out = nullptr) {
    index_t* const row = row_.data();
    if ((a.size() + b.size()) * 64 < flags_.size()) {
      index_t* end = std::copy(a.begin(), a.end(), row);
      std::sort(row, end);
      if (a_out) a_out->insert(a_out->end(), row, end);
      end = std::copy(b.begin(), b.end(), end);
      std::sort(row, end);
      end = std::unique(row, end);
      out.insert(out.end(), row, end);
      return;
    }
    mark(a);
    if (a_out) a_out->insert(a_out->end(), row, extract(row, false));
    mark(b);
    out.insert(out.end(), row, extract(row, true));
  }

  // Appends a ∩ b in the order of b (sorted: so is the result).
  void append_intersection(std::span<const index_t> a, std::span<const index_t> b,
                           std::vector<index_t>& out) {
    mark(a);
    index_t* const row = row_.data();
    std::size_t size = 0;
    for (index_t j : b) {  // branch-free: membership is unpredictable
      row[size] = j;
      size += flags_[static_cast<std::size_t>(j)];
    }
    for (index_t j : a) flags_[static_cast<std::size_t>(j)] = 0;
    out.insert(out.end(), row, row + size);
  }

 private:
  static constexpr std::size_t kSlack = 8;
  void mark(std::span<const index_t> members) {
    for (index_t j : members) flags_[static_cast<std::size_t>(j)] = 1;
  }

  // Writes the marked vertices in increasing order from `row` and returns the end; `clear` unmarks
  // them. 64 marks at a time become one mask: (8 bytes of 0/1) * 0x0102040810204080 gathers them
  // into its top byte, byte m to bit m, without carries. Each mask's members are then written in
  // groups of 8 without testing each bit: a row has tens of members per 64 vertices at large k,
  // and a per-member loop exit mispredicts once per mask. Entries past a mask's count are
  // overwritten by the next one; kSlack keeps them inside row_.
  index_t* extract(index_t* row, bool clear) {
    index_t* end = row;
    std::uint8_t* flags = flags_.data();
    for (std::size_t block = 0; block < flags_.size(); block += 64) {
      std::uint64_t bits = 0;
      for (int part = 0; part < 8; ++part) {
        std::uint64_t eight;
        std::memcpy(&eight, flags + block + 8 * part, sizeof eight);
        bits |= ((eight * 0x0102040810204080ULL) >> 56) << (8 * part);
      }
      if (clear) std::memset(flags + block, 0, 64);
      const auto base = static_cast<index_t>(block);
      const int count = std::popcount(bits);
      for (int group = 0; group < count; group += 8)
        for (int u = 0; u < 8; ++u) {
          end[group + u] = base + std::countr_zero(bits);
          bits &= bits - 1;
        }
      end += count;
    }
    return end;
  }

  std::vector<std::uint8_t> flags_;  // 0 or 1 per vertex, padded to a multiple of 64
  std::vector<index_t> row_;         // one row's members (at most 2 (n - 1)) plus kSlack
};

}  // namespace

CsrGraph adopt_rows(std::vector<count_t> row_start, std::vector<index_t> column) {
  // Boost's CSR keeps exactly these two arrays (its public m_forward member); handing them over
  // avoids the per-arc push_back of the edges_are_sorted constructor. A test checks the result
  // against that constructor.
  CsrGraph graph;
  graph.m_forward.m_rowstart = std::move(row_start);
  graph.m_forward.m_column = std::move(column);
  return graph;
}

LayerGraph build_knn_graph(const NeighbourLists& lists, index_t k, GraphRule rule) {
  const index_t n = lists.size();
  validate_k(k, n);
  if (k > lists.k_max())
    throw Error("geometry", "k = " + std::to_string(k) + " exceeds the neighbour lists' k_max = " +
                                std::to_string(lists.k_max()));

  LayerGraph graph;
  graph.rule = rule;
  graph.k = k;
  // The undirected rules start from N_k(i); baptista-r from the tie-keeping N+_k(i).
  const bool keep_ties = rule == GraphRule::baptista_r;
  const OutRows out_rows(lists, k, keep_ties);
  const ReverseRows reverse = reverse_rows(out_rows);
  const std::size_t arcs = reverse.column.size();

  std::vector<count_t> start{0}, arc_start;
  std::vector<index_t> column, arc_column;
  start.reserve(static_cast<std::size_t>(n) + 1);
  column.reserve(rule == GraphRule::knn_mutual ? arcs : 2 * arcs);
  if (keep_ties) {
    arc_start = {0};
    arc_start.reserve(static_cast<std::size_t>(n) + 1);
    arc_column.reserve(arcs);
  }
  RowBuilder row(n);
  for (index_t i = 0; i < n; ++i) {
    const auto out = out_rows.row(i);
    if (rule == GraphRule::knn_mutual) {
      row.append_intersection(out, reverse.row(i), column);
    } else if (keep_ties) {
      // Under baptista-r the arcs are N+_k(i) themselves; geodesics ignore direction (adjacency).
      row.append_union(out, reverse.row(i), column, &arc_column);
      arc_start.push_back(static_cast<count_t>(arc_column.size()));
    } else {
      row.append_union(out, reverse.row(i), column);
    }
    start.push_back(static_cast<count_t>(column.size()));
  }
  graph.adjacency = adopt_rows(std::move(start), std::move(column));
  if (keep_ties) graph.arcs = adopt_rows(std::move(arc_start), std::move(arc_column));
  return graph;
}

}  // namespace ricci::geometry
