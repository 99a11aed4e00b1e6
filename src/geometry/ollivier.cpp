// Exact Ollivier–Ricci curvature of every edge of an undirected graph (docs/method.md §3).
//
// kappa(i, j) = 1 - W1(mu_i, mu_j), mu_i = alpha*delta_i + (1 - alpha)*uniform(N(i)), ground cost
// the hop distance. The supports lie in N(i) + i and N(j) + j, so every cost is 0, 1, 2 or 3.
// Scaled by L = d_i*d_j the uniform parts are integers (d_j units on each neighbour of i, d_i on
// each neighbour of j) and the problem becomes an integer transportation problem, solved exactly
// here:
//
// * Mass common to both measures stays in place (for a metric cost some optimal plan does this), so
//   what is left is a transport from sources S to disjoint sinks T with costs 1, 2 or 3.
// * Primal-dual min-cost flow in two phases, because every cost is 1, 2 or 3 and a pair at cost 3
//   is always available. Phase 1: a maximum flow over cost-1 pairs (greedy, most constrained sinks
//   and sources first, completed by bipartite augmentation); any flow on cost-1 pairs only is a
//   min-cost flow of its value. Its final, failing search backward from the sinks with demand
//   reaches sinks R_T and sources R_A (a Koenig cover); the potentials phi(a) = [a in R_A] on
//   sources and phi(t) = 1 + [t in R_T] on sinks are feasible for the residual graph: c(a, t) +
//   phi(a) - phi(t) >= 0 for every pair (a cost-1 pair from outside R_A into R_T would have been
//   searched), and = 0 on every flow arc (flow from R_A goes into R_T, flow into R_T comes from
//   R_A). Sources with supply lie outside R_A (phi 0), sinks with demand inside R_T (phi 2), so
//   every augmenting path costs >= 2, and exactly 2 iff all its pairs are tight: cost-1 pairs
//   inside R_A x R_T or outside both, cost-2 pairs from outside R_A into R_T. Phase 2: a maximum
//   flow over these tight pairs, continued from the phase-1 flow (which lies on them); augmenting
//   along tight arcs keeps the potentials feasible, so every unit costs 2 and afterwards every
//   augmenting path costs >= 3. No pair costs more than 3, so the rest goes at 3. With F1 and F2
//   the two maximum flows and M the mass to move, W = F1 + 2 (F2 - F1) + 3 (M - F2). No
//   shortest-path labels are ever computed. (The plain threshold sum, F2 taken over all pairs at
//   distance <= 2, is not exact: it ignores that a cost-1 unit can block two cost-2 units.)
// * Costs come from bitsets over i's closed neighbourhood: reach[w] holds which of N(i) + i are
//   adjacent to w; u ~ v iff u in reach[v], d(u, v) = 2 iff u in reach[w] for some w ~ v.
//
// Idleness alpha > 0: the extra alpha mass sits on i (source) and j (sink). Scaled, it is
// R = alpha/(1 - alpha)*L units. The optimal cost of a transportation problem is piecewise linear
// in R with breakpoints only at integers (transportation bases are unimodular: every basic flow is
// an integer affine function of R with slope 0 or +-1), so it is solved exactly at floor(R) and
// ceil(R) and interpolated. The only roundings are R's and the final double arithmetic.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <sstream>
#include <utility>
#include <vector>

#include "ricci/core/error.hpp"
#include "ricci/geometry/curvature.hpp"

namespace ricci::geometry {

namespace {

using Word = std::uint64_t;

// Degrees as index_t: the transport's masses and supports are indexed by them.
struct Rows : AdjacencyRows {
  using AdjacencyRows::AdjacencyRows;
  index_t degree(index_t i) const { return static_cast<index_t>(AdjacencyRows::degree(i)); }
};

bool test_bit(const Word* bits, int a) { return (bits[a >> 6] >> (a & 63)) & 1U; }
void set_bit(Word* bits, int a) { bits[a >> 6] |= Word{1} << (a & 63); }
void clear_bit(Word* bits, int a) { bits[a >> 6] &= ~(Word{1} << (a & 63)); }

class TransportSolver {
 public:
  TransportSolver(const Rows& rows, index_t n)
      : rows_(rows), source_slot_(static_cast<std::size_t>(n), -1) {
    index_t max_degree = 0;
    for (index_t v = 0; v < n; ++v) max_degree = std::max(max_degree, rows.degree(v));
    max_words_ = (max_degree + 1 + 63) / 64;
    reach_.assign(static_cast<std::size_t>(n) * static_cast<std::size_t>(max_words_), 0);
    two_hop_.assign(reach_.size(), 0);
    two_hop_known_.assign(static_cast<std::size_t>(n), 0);
  }

  // Sources are the slots of N(i) (in row order) and i itself (the last slot).
  void begin_vertex(index_t i) {
    i_ = i;
    d_i_ = rows_.degree(i);
    words_ = (d_i_ + 1 + 63) / 64;
    source_vertex_.assign(rows_.row(i).begin(), rows_.row(i).end());
    source_vertex_.push_back(i);
    for (int a = 0; a <= d_i_; ++a) {
      const index_t u = source_vertex_[a];
      source_slot_[u] = a;
      for (index_t w : rows_.row(u)) {
        Word* bits = reach(w);
        if (!touched(w)) touched_.push_back(w);
        set_bit(bits, a);
      }
    }
  }

  void end_vertex() {
    for (index_t w : touched_) std::fill_n(reach(w), words_, Word{0});
    touched_.clear();
    for (index_t u : source_vertex_) source_slot_[u] = -1;
    for (index_t v : two_hop_touched_) two_hop_known_[v] = 0;
    two_hop_touched_.clear();
  }

  // The exact minimum cost, in units of (hop distance) x (mass unit), of moving d_j units from each
  // neighbour of i and `extra` from i onto d_i units on each neighbour of j and `extra` on j.
  count_t transport_cost(index_t j, count_t extra) {
    // The bitset loops run over the words of i's closed neighbourhood; with the count a
    // compile-time constant (1-4 words: degrees below 256) they unroll into registers.
    switch (words_) {
      case 1:
        return solve<1>(j, extra);
      case 2:
        return solve<2>(j, extra);
      case 3:
        return solve<3>(j, extra);
      case 4:
        return solve<4>(j, extra);
      default:
        return solve<0>(j, extra);
    }
  }

 private:
  // Bitset words of the current i: kWords when it is given at compile time.
  template <int kWords>
  int words() const {
    if constexpr (kWords > 0)
      return kWords;
    else
      return words_;
  }

  template <int kWords>
  count_t solve(index_t j, count_t extra) {
    const int nw = words<kWords>();
    const index_t d_j = rows_.degree(j);
    supply_.assign(static_cast<std::size_t>(d_i_) + 1, d_j);
    supply_[d_i_] = extra;
    sink_vertex_.clear();
    demand_.clear();
    for (index_t v : rows_.row(j)) {
      sink_vertex_.push_back(v);
      demand_.push_back(d_i_);
    }
    sink_vertex_.push_back(j);
    demand_.push_back(extra);
    // Common mass stays where it is.
    for (std::size_t b = 0; b < sink_vertex_.size(); ++b) {
      const int a = source_slot_[sink_vertex_[b]];
      if (a < 0) continue;
      const count_t kept = std::min(supply_[a], demand_[b]);
      supply_[a] -= kept;
      demand_[b] -= kept;
    }
    // Participants: sources and sinks with mass left; only they can carry flow.
    participating_.assign(static_cast<std::size_t>(nw), 0);
    remaining_ = 0;
    for (int a = 0; a <= d_i_; ++a)
      if (supply_[a] > 0) {
        set_bit(participating_.data(), a);
        remaining_ += supply_[a];
      }
    has_supply_ = participating_;
    sinks_.clear();
    for (std::size_t b = 0; b < sink_vertex_.size(); ++b)
      if (demand_[b] > 0) sinks_.push_back(Sink{sink_vertex_[b], demand_[b]});
    const int m = static_cast<int>(sinks_.size());
    adjacent_.resize(static_cast<std::size_t>(m * nw));
    within2_.resize(static_cast<std::size_t>(m * nw));
    within2_known_.assign(static_cast<std::size_t>(m), 0);
    for (int t = 0; t < m; ++t) {
      const Word* bits = reach(sinks_[t].vertex);
      for (int w = 0; w < nw; ++w) adjacent_[t * nw + w] = bits[w] & participating_[w];
    }
    arcs_.clear();
    sink_words_ = (m + 63) / 64;
    flow_sinks_.assign(static_cast<std::size_t>((d_i_ + 1) * sink_words_), 0);
    if (arc_at_.size() < static_cast<std::size_t>((d_i_ + 1) * m))
      arc_at_.resize(static_cast<std::size_t>((d_i_ + 1) * m), 0);
    count_t cost = 0;

    greedy<kWords>(1, cost);
    augment<kWords>(1, cost);
    if (remaining_ > 0) {
      // The failing search of phase 1 left the reached sets; they fix the tight pairs of phase 2.
      reached_sources_.resize(static_cast<std::size_t>(nw));
      for (int w = 0; w < nw; ++w) reached_sources_[w] = participating_[w] & ~unvisited_[w];
      reached_sinks_.assign(sink_seen_.begin(), sink_seen_.end());  // bits over sinks
      // Direct cost-2 pairs between a source with supply and a sink with demand are tight.
      greedy<kWords>(2, cost);
      augment<kWords>(2, cost);
      cost += 3 * remaining_;
      remaining_ = 0;
    }
    return cost;
  }

  struct Sink {
    index_t vertex;
    count_t demand;
  };
  struct Arc {
    int source, sink;
    count_t flow;
  };

  Word* two_hop(index_t v) {
    return two_hop_.data() + static_cast<std::size_t>(v) * static_cast<std::size_t>(max_words_);
  }
  Word* reach(index_t w) {
    return reach_.data() + static_cast<std::size_t>(w) * static_cast<std::size_t>(max_words_);
  }
  bool touched(index_t w) {
    const Word* bits = reach(w);
    for (int k = 0; k < words_; ++k)
      if (bits[k]) return true;
    return false;
  }

  template <int kWords>
  const Word* adjacent(int t) const {
    return adjacent_.data() + t * words<kWords>();
  }
  // Participating sources within distance 2 of sink t (adjacent ones included), computed once per
  // edge. The unmasked set depends on i and the sink's vertex only, not on j, so it is cached
  // across the edges of i: neighbourhoods of neighbouring j overlap.
  template <int kWords>
  const Word* within2(int t) {
    const int nw = words<kWords>();
    Word* bits = within2_.data() + t * nw;
    if (!within2_known_[t]) {
      const index_t v = sinks_[t].vertex;
      Word* cached = two_hop(v);
      if (!two_hop_known_[v]) {
        std::copy_n(reach(v), nw, cached);
        for (index_t w : rows_.row(v)) {
          const Word* r = reach(w);
          for (int k = 0; k < nw; ++k) cached[k] |= r[k];
        }
        two_hop_known_[v] = 1;
        two_hop_touched_.push_back(v);
      }
      for (int k = 0; k < nw; ++k) bits[k] = cached[k] & participating_[k];
      within2_known_[t] = 1;
    }
    return bits;
  }

  // One arc per (source, sink) pair, found through arc_at_ without clearing it between edges: an
  // entry is valid only if it names an arc of this edge that names the pair back (a stale entry
  // cannot, since arcs of this edge are exactly arcs_[0, size)).
  int find_arc(int a, int t) const {
    const int id = arc_at_[static_cast<std::size_t>(a * static_cast<int>(sinks_.size()) + t)];
    if (id < static_cast<int>(arcs_.size()) && arcs_[id].source == a && arcs_[id].sink == t)
      return id;
    return -1;
  }
  Word* flow_sinks(int a) { return flow_sinks_.data() + a * sink_words_; }
  void add_flow(int a, int t, count_t amount) {
    if (const int id = find_arc(a, t); id >= 0)
      arcs_[id].flow += amount;
    else
      new_arc(a, t, amount);
    set_bit(flow_sinks(a), t);
  }
  void remove_flow(int id, count_t amount) {
    Arc& arc = arcs_[id];
    arc.flow -= amount;
    if (arc.flow == 0) clear_bit(flow_sinks(arc.source), arc.sink);
  }
  void new_arc(int a, int t, count_t amount) {
    arc_at_[static_cast<std::size_t>(a * static_cast<int>(sinks_.size()) + t)] =
        static_cast<int>(arcs_.size());
    arcs_.push_back(Arc{a, t, amount});
    set_bit(flow_sinks(a), t);
  }

  // Pushes along every direct pair of cost `c` between a source with supply and a sink with demand.
  template <int kWords>
  void greedy(int c, count_t& cost) {
    const int nw = words<kWords>();
    const int m = static_cast<int>(sinks_.size());
    // Sinks with the fewest candidate sources first: they are the ones a careless order starves,
    // and every starved unit costs an augmenting path later.
    // A counting sort: the number of options is at most d_i + 1.
    options_.assign(static_cast<std::size_t>(m), 0);
    bucket_.assign(static_cast<std::size_t>(d_i_) + 3, 0);
    for (int t = 0; t < m; ++t) {
      if (sinks_[t].demand == 0) continue;
      const Word* candidates = c == 1 ? adjacent<kWords>(t) : within2<kWords>(t);
      int options = 0;
      for (int w = 0; w < nw; ++w) options += std::popcount(candidates[w] & has_supply_[w]);
      options_[t] = options;
      if (options > 0) ++bucket_[options + 1];
    }
    for (std::size_t b = 1; b < bucket_.size(); ++b) bucket_[b] += bucket_[b - 1];
    order_.resize(static_cast<std::size_t>(bucket_.back()));
    for (int t = 0; t < m; ++t)
      if (options_[t] > 0) order_[bucket_[options_[t]]++] = t;
    // Sources with the fewest candidate sinks first, for the same reason; a coarse order (by the
    // bit width of the count) does nearly as well as a sort. (Sources in slot order: 2x the
    // augmentations on the ReLU layer; a full sort per sink: as slow as the augmentations it
    // saves.) The counts are kept bit-sliced, plane k holding bit k of every source's count, so
    // counting is a ripple-carry add of each sink's candidate set and the classes are plane masks:
    // no per-bit scatter.
    const int planes = static_cast<int>(std::bit_width(static_cast<unsigned>(m)));
    source_class_.assign(static_cast<std::size_t>(planes * nw), 0);
    Word* count_planes = source_class_.data();
    for (int t : order_) {
      const Word* candidates = c == 1 ? adjacent<kWords>(t) : within2<kWords>(t);
      for (int w = 0; w < nw; ++w) {
        Word carry = candidates[w] & has_supply_[w];
        for (int k = 0; carry && k < planes; ++k) {
          Word& plane = count_planes[k * nw + w];
          const Word both = plane & carry;
          plane ^= carry;
          carry = both;
        }
      }
    }
    // Class k: the sources whose count has its highest set bit at k (in place, from the top).
    for (int w = 0; w < nw; ++w) {
      Word higher = 0;
      for (int k = planes - 1; k >= 0; --k) {
        Word& plane = count_planes[k * nw + w];
        plane &= ~higher;
        higher |= plane;
      }
    }
    for (int t : order_) {
      if (remaining_ == 0) break;
      const Word* candidates = c == 1 ? adjacent<kWords>(t) : within2<kWords>(t);
      for (int k = 0; k < planes && sinks_[t].demand > 0; ++k) {
        const Word* in_class = source_class_.data() + k * nw;
        for (int w = 0; w < nw && sinks_[t].demand > 0; ++w) {
          for (Word bits = candidates[w] & has_supply_[w] & in_class[w];
               bits && sinks_[t].demand > 0; bits &= bits - 1) {
            const int a = w * 64 + std::countr_zero(bits);
            const count_t amount = std::min(supply_[a], sinks_[t].demand);
            new_arc(a, t, amount);  // no flow on cost-c pairs before: no arc to look up
            take(a, t, amount);
            cost += c * amount;
          }
        }
      }
    }
  }

  void take(int a, int t, count_t amount) {
    supply_[a] -= amount;
    if (supply_[a] == 0) clear_bit(has_supply_.data(), a);
    sinks_[t].demand -= amount;
    remaining_ -= amount;
  }

  // The sources that phase `phase` may route into sink t: for phase 1 its cost-1 pairs; for phase 2
  // the tight pairs of the cover potentials (see the top of the file). A sink in R_T has no cost-1
  // pair outside R_A, so within2 outside R_A holds only cost-2 pairs.
  template <int kWords>
  const Word* admissible_sources(int phase, int t) {
    const int nw = words<kWords>();
    const Word* near = adjacent<kWords>(t);
    if (phase == 1) return near;
    Word* out = candidates_.data();
    if (test_bit(reached_sinks_.data(), t)) {
      const Word* two = within2<kWords>(t);
      for (int w = 0; w < nw; ++w)
        out[w] = (near[w] & reached_sources_[w]) | (two[w] & ~reached_sources_[w]);
    } else {
      for (int w = 0; w < nw; ++w) out[w] = near[w] & ~reached_sources_[w];
    }
    return out;
  }

  // Completes the flow to a maximum one over the admissible pairs of `phase`. Every flow arc is
  // admissible (phase 1 only ever uses cost-1 pairs; phase 2 only tight ones, and phase-1 flow is
  // tight), so a residual path uses admissible pairs forward and flow arcs backward: a
  // breadth-first search backward from the sinks with demand, every source with supply it finds
  // augmented while its path is still residual; a search that augments nothing ends it, and leaves
  // the reached sinks in sink_seen_ and the unreached sources in unvisited_.
  template <int kWords>
  void augment(int phase, count_t& cost) {
    const int nw = words<kWords>();
    const int m = static_cast<int>(sinks_.size());
    candidates_.resize(static_cast<std::size_t>(nw));
    for (bool augmented = true; augmented && remaining_ > 0;) {
      augmented = false;
      unvisited_.assign(participating_.begin(), participating_.end());
      sink_seen_.assign(static_cast<std::size_t>(sink_words_), 0);
      source_next_.assign(static_cast<std::size_t>(d_i_) + 1, -1);
      sink_next_.assign(static_cast<std::size_t>(m), -1);
      queue_.clear();
      for (int t = 0; t < m; ++t)
        if (sinks_[t].demand > 0) {
          queue_.push_back(t);
          set_bit(sink_seen_.data(), t);
        }
      for (std::size_t head = 0; head < queue_.size() && remaining_ > 0; ++head) {
        const int t = queue_[head];
        const Word* candidates = admissible_sources<kWords>(phase, t);
        for (int w = 0; w < nw; ++w) {
          Word bits = candidates[w] & unvisited_[w];
          unvisited_[w] &= ~bits;
          for (; bits; bits &= bits - 1) {
            const int a = w * 64 + std::countr_zero(bits);
            source_next_[a] = t;
            if (supply_[a] > 0) {
              augmented |= augment_path(a, phase, cost);
              continue;
            }
            // Backward along a's flow arcs to sinks not yet reached.
            const Word* flowing = flow_sinks(a);
            for (int v = 0; v < sink_words_; ++v) {
              Word fresh = flowing[v] & ~sink_seen_[v];
              sink_seen_[v] |= fresh;
              for (; fresh; fresh &= fresh - 1) {
                const int next = v * 64 + std::countr_zero(fresh);
                sink_next_[next] = a;
                queue_.push_back(next);
              }
            }
          }
        }
      }
    }
  }

  // Root -> source_next_ -> (sink_next_: the source whose flow reached that sink) -> ... -> a sink
  // with demand: a path of cost `length`, augmented if every back arc still carries flow (earlier
  // paths of the same search may have used it).
  bool augment_path(int root, int length, count_t& cost) {
    count_t amount = supply_[root];
    int a = root, t;
    for (;;) {
      t = source_next_[a];
      const int back = sink_next_[t];
      if (back < 0) break;
      const int id = find_arc(back, t);
      if (id < 0 || arcs_[id].flow == 0) return false;
      amount = std::min(amount, arcs_[id].flow);
      a = back;
    }
    amount = std::min(amount, sinks_[t].demand);
    if (amount == 0) return false;
    for (a = root;;) {
      t = source_next_[a];
      add_flow(a, t, amount);
      const int back = sink_next_[t];
      if (back < 0) break;
      remove_flow(find_arc(back, t), amount);
      a = back;
    }
    take(root, t, amount);
    cost += length * amount;
    return true;
  }

  const Rows& rows_;
  std::vector<int> source_slot_;  // vertex -> source slot of the current i, or -1
  std::vector<Word> reach_;       // n x max_words_ bits
  std::vector<Word> two_hop_;     // n x max_words_ bits: cached unmasked within2 of a vertex
  std::vector<char> two_hop_known_;
  std::vector<index_t> two_hop_touched_;
  std::vector<index_t> touched_;
  int max_words_ = 1, words_ = 1;
  index_t i_ = 0, d_i_ = 0;
  std::vector<index_t> source_vertex_;
  std::vector<count_t> supply_;
  std::vector<index_t> sink_vertex_;
  std::vector<count_t> demand_;
  std::vector<Sink> sinks_;
  std::vector<Word> participating_, has_supply_, adjacent_, within2_, candidates_;
  std::vector<char> within2_known_;
  std::vector<Arc> arcs_;
  std::vector<int> arc_at_;       // (source, sink) -> arc id, see find_arc
  std::vector<Word> flow_sinks_;  // per source: bits over the sinks it sends flow to
  int sink_words_ = 1;
  std::vector<int> source_next_, sink_next_, queue_;
  std::vector<Word> unvisited_;
  std::vector<Word> sink_seen_;  // bits over sinks
  std::vector<int> order_, options_, bucket_;
  std::vector<Word> source_class_, reached_sources_;  // reached_: phase 1's final search
  std::vector<Word> reached_sinks_;                   // bits over sinks
  count_t remaining_ = 0;
};

}  // namespace

std::vector<double> ollivier_edge_curvature(const LayerGraph& graph, double idleness) {
  validate_curvature_options(CurvatureOptions{idleness});
  const Rows rows(graph.adjacency);
  const index_t n = graph.vertex_count();
  TransportSolver solver(rows, n);
  std::vector<double> out;
  out.reserve(rows.column.size() / 2);
  const double beta = 1 - idleness;
  for (index_t i = 0; i < n; ++i) {
    bool begun = false;
    for (index_t j : rows.row(i)) {
      if (j < i) continue;
      if (!begun) {
        solver.begin_vertex(i);
        begun = true;
      }
      const count_t units = count_t{rows.degree(i)} * rows.degree(j);
      const double extra = idleness / beta * static_cast<double>(units);
      if (!(extra < 0x1p40)) {
        std::ostringstream text;
        text << "Ollivier idleness " << idleness << " is too close to 1 for the exact transport ("
             << extra << " idle units on an edge of degrees " << rows.degree(i) << " and "
             << rows.degree(j) << ")";
        throw Error("geometry", text.str());
      }
      const double floor_extra = std::floor(extra);
      const count_t low = static_cast<count_t>(floor_extra);
      double cost = static_cast<double>(solver.transport_cost(j, low));
      if (const double fraction = extra - floor_extra; fraction > 0) {
        const double high = static_cast<double>(solver.transport_cost(j, low + 1));
        cost += fraction * (high - cost);
      }
      out.push_back(1 - beta * cost / static_cast<double>(units));
    }
    if (begun) solver.end_vertex();
  }
  return out;
}

}  // namespace ricci::geometry
