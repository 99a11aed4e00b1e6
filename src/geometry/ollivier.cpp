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
//   is always available. Phase 1: a maximum flow over cost-1 pairs (a greedy pass, the most
//   constrained sinks first and low-degree sources first, completed by Dinic's rounds: layered
//   breadth-first search, blocking flow); any flow on cost-1 pairs only is a min-cost flow of its
//   value. Its final, failing search backward from the sinks with demand reaches sinks R_T and
//   sources R_A (a Koenig cover); the potentials phi(a) = [a in R_A] on
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
//   Sinks, flows and the search's levels are bitsets too (over N(j) + j). The loops over their
//   words have the word counts as template parameters (1-4 words over N(i) + i, 1-2 over
//   N(j) + j; a generic width beyond), so they unroll into registers.
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

// out |= every row that for_each_row hands to its callback. With the width a compile-time constant
// the sum stays in registers: out and the rows could alias as far as the compiler knows, which
// would otherwise force a store and a reload per row.
template <int kCount, class ForEachRow>
void or_rows(Word* out, int count, ForEachRow&& for_each_row) {
  if constexpr (kCount > 0) {
    Word sum[kCount];
    for (int k = 0; k < kCount; ++k) sum[k] = out[k];
    for_each_row([&sum](const Word* row) {
      for (int k = 0; k < kCount; ++k) sum[k] |= row[k];
    });
    for (int k = 0; k < kCount; ++k) out[k] = sum[k];
  } else {
    for_each_row([out, count](const Word* row) {
      for (int k = 0; k < count; ++k) out[k] |= row[k];
    });
  }
}

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

  // Sources are the slots of N(i) (ordered as below) and i itself (the last slot).
  void begin_vertex(index_t i) {
    i_ = i;
    d_i_ = rows_.degree(i);
    words_ = (d_i_ + 1 + 63) / 64;
    // Slots by increasing degree: bits are visited in slot order, so the greedy offers every sink
    // its low-degree sources first. Those have the fewest sinks to choose from, and a careless
    // order lets other sinks use them up; on the ReLU layer this cuts the augmenting paths left
    // to Dinic's rounds. (Only the speed depends on the order: any max flow gives the same cost.)
    source_vertex_.assign(rows_.row(i).begin(), rows_.row(i).end());
    std::sort(source_vertex_.begin(), source_vertex_.end(), [this](index_t u, index_t v) {
      return std::pair(rows_.degree(u), u) < std::pair(rows_.degree(v), v);
    });
    source_vertex_.push_back(i);
    for (int a = 0; a <= d_i_; ++a) {
      const index_t u = source_vertex_[a];
      source_slot_[u] = a;
      for (index_t w : rows_.row(u)) set_bit(reach(w), a);
    }
  }

  void end_vertex() {
    // The rows set in begin_vertex, found the same way.
    for (index_t u : source_vertex_) {
      source_slot_[u] = -1;
      for (index_t w : rows_.row(u)) std::fill_n(reach(w), words_, Word{0});
    }
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
        return solve_sinks<1>(j, extra);
      case 2:
        return solve_sinks<2>(j, extra);
      case 3:
        return solve_sinks<3>(j, extra);
      case 4:
        return solve_sinks<4>(j, extra);
      default:
        return solve_sinks<0>(j, extra);
    }
  }

 private:
  // The same for the bitsets over the sinks (at most d_j + 1 of them).
  template <int kWords>
  count_t solve_sinks(index_t j, count_t extra) {
    switch ((rows_.degree(j) + 1 + 63) / 64) {
      case 1:
        return solve<kWords, 1>(j, extra);
      case 2:
        return solve<kWords, 2>(j, extra);
      default:
        return solve<kWords, 0>(j, extra);
    }
  }

  // Bitset words of the current i: kWords when it is given at compile time.
  template <int kWords>
  int words() const {
    if constexpr (kWords > 0)
      return kWords;
    else
      return words_;
  }

  template <int kWords, int kSinkWords>
  count_t solve(index_t j, count_t extra) {
    const int nw = words<kWords>();
    const index_t d_j = rows_.degree(j);
    supply_.assign(static_cast<std::size_t>(d_i_) + 1, d_j);
    supply_[d_i_] = extra;
    // Common mass stays where it is. The sinks are N(j) and j; a sink's vertex that is also a
    // source (a common neighbour, i, or j) keeps what both sides have, the rest of the sink goes
    // into sinks_ if positive (branch-free compaction: written always, kept if positive), and a
    // source left without mass stops participating: only participants can carry flow. i is in
    // N(j), so i's slot (with `extra`, perhaps 0) is always looked at.
    participating_.assign(static_cast<std::size_t>(nw), ~Word{0});
    if ((d_i_ + 1) % 64) participating_[nw - 1] = (Word{1} << ((d_i_ + 1) % 64)) - 1;
    sinks_.resize(static_cast<std::size_t>(d_j) + 1);
    count_t kept_total = 0;
    int m = 0;
    const auto add_sink = [&](index_t v, count_t demand) {
      if (const int a = source_slot_[v]; a >= 0) {
        const count_t kept = std::min(supply_[a], demand);
        supply_[a] -= kept;
        demand -= kept;
        kept_total += kept;
        if (supply_[a] == 0) clear_bit(participating_.data(), a);
      }
      sinks_[m] = Sink{v, demand};
      m += demand > 0;
    };
    for (index_t v : rows_.row(j)) add_sink(v, d_i_);
    add_sink(j, extra);
    sinks_.resize(static_cast<std::size_t>(m));
    remaining_ = count_t{d_i_} * d_j + extra - kept_total;
    has_supply_ = participating_;
    adjacent_.resize(static_cast<std::size_t>(m * nw));
    within2_.resize(static_cast<std::size_t>(m * nw));
    within2_known_.assign(static_cast<std::size_t>(m), 0);
    for (int t = 0; t < m; ++t) {
      const Word* bits = reach(sinks_[t].vertex);
      for (int w = 0; w < nw; ++w) adjacent_[t * nw + w] = bits[w] & participating_[w];
    }
    arcs_.clear();
    sink_words_ = kSinkWords > 0 ? kSinkWords : (m + 63) / 64;
    has_demand_.assign(static_cast<std::size_t>(sink_words_), 0);
    for (int t = 0; t < m; t += 64)  // every sink in sinks_ has some
      has_demand_[t / 64] = m - t >= 64 ? ~Word{0} : (Word{1} << (m - t)) - 1;
    flow_sinks_.assign(static_cast<std::size_t>((d_i_ + 1) * sink_words_), 0);
    dense_arcs_ = (d_i_ + 1) * m <= kDenseArcLimit;
    if (!dense_arcs_) {
      arc_into_.assign(static_cast<std::size_t>(m), -1);
      arc_next_into_.clear();
    } else if (arc_at_.size() < static_cast<std::size_t>((d_i_ + 1) * m))
      arc_at_.resize(static_cast<std::size_t>((d_i_ + 1) * m), 0);
    count_t cost = 0;

    greedy<kWords, kSinkWords>(1, cost);
    augment<kWords, kSinkWords>(1, cost);
    if (remaining_ > 0) {
      // The failing search of phase 1 left the reached sets; they fix the tight pairs of phase 2.
      reached_sources_.resize(static_cast<std::size_t>(nw));
      for (int w = 0; w < nw; ++w) reached_sources_[w] = participating_[w] & ~unvisited_[w];
      reached_sinks_.assign(sink_seen_.begin(), sink_seen_.end());  // bits over sinks
      tight_.resize(static_cast<std::size_t>(m * nw));
      tight_known_.assign(static_cast<std::size_t>(m), 0);
      // Direct cost-2 pairs between a source with supply and a sink with demand are tight.
      greedy<kWords, kSinkWords>(2, cost);
      augment<kWords, kSinkWords>(2, cost);
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

  template <int kWords, int kSinkWords>
  const Word* adjacent(int t) const {
    return adjacent_.data() + t * words<kWords>();
  }
  // Participating sources within distance 2 of sink t (adjacent ones included), computed once per
  // edge. The unmasked set depends on i and the sink's vertex only, not on j, so it is cached
  // across the edges of i: neighbourhoods of neighbouring j overlap.
  template <int kWords, int kSinkWords>
  const Word* within2(int t) {
    const int nw = words<kWords>();
    Word* bits = within2_.data() + t * nw;
    if (!within2_known_[t]) {
      const index_t v = sinks_[t].vertex;
      Word* cached = two_hop(v);
      if (!two_hop_known_[v]) {
        std::copy_n(reach(v), nw, cached);
        or_rows<kWords>(cached, nw, [&](auto&& add) {
          for (index_t w : rows_.row(v)) add(reach(w));
        });
        two_hop_known_[v] = 1;
        two_hop_touched_.push_back(v);
      }
      for (int k = 0; k < nw; ++k) bits[k] = cached[k] & participating_[k];
      within2_known_[t] = 1;
    }
    return bits;
  }

  // One arc per (source, sink) pair, found through a dense table indexed by the pair while that
  // stays small (d_i x d_j entries; it is not cleared between edges: an entry is valid only if it
  // names an arc of this edge that names the pair back, and the arcs of this edge are exactly
  // arcs_[0, size)), else through the list of the sink's arcs (a sink receives from few sources).
  static constexpr int kDenseArcLimit = 1 << 20;
  int find_arc(int a, int t) const {
    if (dense_arcs_) {
      const int id = arc_at_[static_cast<std::size_t>(a * static_cast<int>(sinks_.size()) + t)];
      if (id < static_cast<int>(arcs_.size()) && arcs_[id].source == a && arcs_[id].sink == t)
        return id;
      return -1;
    }
    for (int id = arc_into_[t]; id >= 0; id = arc_next_into_[id])
      if (arcs_[id].source == a) return id;
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
    const int id = static_cast<int>(arcs_.size());
    if (dense_arcs_) {
      arc_at_[static_cast<std::size_t>(a * static_cast<int>(sinks_.size()) + t)] = id;
    } else {
      arc_next_into_.push_back(arc_into_[t]);
      arc_into_[t] = id;
    }
    arcs_.push_back(Arc{a, t, amount});
    set_bit(flow_sinks(a), t);
  }

  // Pushes along every direct pair of cost `c` between a source with supply and a sink with demand.
  template <int kWords, int kSinkWords>
  void greedy(int c, count_t& cost) {
    const int nw = words<kWords>();
    const int m = static_cast<int>(sinks_.size());
    // Sinks with the fewest candidate sources first: they are the ones a careless order starves,
    // and every starved unit costs an augmenting path later.
    // A counting sort: the number of options is at most d_i + 1.
    // Only the sinks with demand (all of them in phase 1, few in phase 2) are counted.
    const int sw = kSinkWords > 0 ? kSinkWords : sink_words_;
    options_.assign(static_cast<std::size_t>(m), 0);
    bucket_.assign(static_cast<std::size_t>(d_i_) + 3, 0);
    for (int v = 0; v < sw; ++v)
      for (Word bits = has_demand_[v]; bits; bits &= bits - 1) {
        const int t = v * 64 + std::countr_zero(bits);
        const Word* candidates =
            c == 1 ? adjacent<kWords, kSinkWords>(t) : within2<kWords, kSinkWords>(t);
        int options = 0;
        for (int w = 0; w < nw; ++w) options += std::popcount(candidates[w] & has_supply_[w]);
        options_[t] = options;
        if (options > 0) ++bucket_[options + 1];
      }
    for (std::size_t b = 1; b < bucket_.size(); ++b) bucket_[b] += bucket_[b - 1];
    order_.resize(static_cast<std::size_t>(bucket_.back()));
    for (int v = 0; v < sw; ++v)
      for (Word bits = has_demand_[v]; bits; bits &= bits - 1) {
        const int t = v * 64 + std::countr_zero(bits);
        if (options_[t] > 0) order_[bucket_[options_[t]]++] = t;
      }
    // Sources in slot order, i.e. by increasing degree (begin_vertex). (Sources with the fewest
    // candidate sinks of this edge first, in classes by the bit width of the count, saved
    // augmentations of the old one-path-per-source search; with Dinic's rounds counting them per
    // edge costs more than the augmentations they save, the static degree order does not.)
    for (int t : order_) {
      if (remaining_ == 0) break;
      const Word* candidates =
          c == 1 ? adjacent<kWords, kSinkWords>(t) : within2<kWords, kSinkWords>(t);
      for (int w = 0; w < nw && sinks_[t].demand > 0; ++w) {
        for (Word bits = candidates[w] & has_supply_[w]; bits && sinks_[t].demand > 0;
             bits &= bits - 1) {
          const int a = w * 64 + std::countr_zero(bits);
          const count_t amount = std::min(supply_[a], sinks_[t].demand);
          new_arc(a, t, amount);  // no flow on cost-c pairs before: no arc to look up
          take(a, t, amount);
          cost += c * amount;
        }
      }
    }
  }

  void take(int a, int t, count_t amount) {
    supply_[a] -= amount;
    if (supply_[a] == 0) clear_bit(has_supply_.data(), a);
    sinks_[t].demand -= amount;
    if (sinks_[t].demand == 0) clear_bit(has_demand_.data(), t);
    remaining_ -= amount;
  }

  // The sources that phase `phase` may route into sink t: for phase 1 its cost-1 pairs; for phase 2
  // the tight pairs of the cover potentials (see the top of the file). A sink in R_T has no cost-1
  // pair outside R_A, so within2 outside R_A holds only cost-2 pairs.
  template <int kWords, int kSinkWords>
  const Word* admissible_sources(int phase, int t) {
    const int nw = words<kWords>();
    const Word* near = adjacent<kWords, kSinkWords>(t);
    if (phase == 1) return near;
    // Fixed for the whole of phase 2 (the cover does not change): computed once per sink.
    Word* out = tight_.data() + t * nw;
    if (tight_known_[t]) return out;
    tight_known_[t] = 1;
    if (test_bit(reached_sinks_.data(), t)) {
      const Word* two = within2<kWords, kSinkWords>(t);
      for (int w = 0; w < nw; ++w)
        out[w] = (near[w] & reached_sources_[w]) | (two[w] & ~reached_sources_[w]);
    } else {
      for (int w = 0; w < nw; ++w) out[w] = near[w] & ~reached_sources_[w];
    }
    return out;
  }

  // Completes the flow to a maximum one over the admissible pairs of `phase` (Dinic). Every flow
  // arc is admissible (phase 1 only ever uses cost-1 pairs; phase 2 only tight ones, and phase-1
  // flow is tight), so a residual path runs from a sink with demand to a source with supply over
  // admissible pairs (sink <- source, new flow) and flow arcs (source -> sink, flow rerouted). Each
  // round is a breadth-first search in bit operations, level by level: sink level l reaches the
  // unvisited sources admissible to any of its sinks (source level l), which reach through their
  // flow arcs the sinks not yet seen (sink level l + 1); it stops at the first source level that
  // holds a source with supply, L. Then a blocking flow on the layered graph: depth-first paths
  // from level-0 sinks, a node with no way on removed from its level for the rest of the round
  // (the current-arc rule: it cannot regain one, since within a round residual arcs of the layered
  // graph only disappear), each path augmented by the least of the root's demand, the end source's
  // supply and the rerouted flows, which removes at least one of them. A round whose search finds
  // no source with supply ends it: every sink it saw (R_T) and source it reached (R_A) is left in
  // sink_seen_ and, as the complement, unvisited_.
  template <int kWords, int kSinkWords>
  void augment(int phase, count_t& cost) {
    const int nw = words<kWords>();
    const int sw = kSinkWords > 0 ? kSinkWords : sink_words_;
    const int m = static_cast<int>(sinks_.size());
    path_sink_.resize(static_cast<std::size_t>(m) + 1);
    path_source_.resize(static_cast<std::size_t>(m) + 1);
    while (remaining_ > 0) {
      // Layered search.
      unvisited_.assign(participating_.begin(), participating_.end());
      sink_seen_.assign(static_cast<std::size_t>(sw), 0);
      level_sinks_.assign(has_demand_.begin(), has_demand_.end());
      std::copy_n(level_sinks_.data(), sw, sink_seen_.data());
      level_sources_.clear();
      int last = -1;  // L, the level of the sources with supply
      for (int level = 0;; ++level) {
        const Word* frontier = level_sinks_.data() + level * sw;
        level_sources_.resize(static_cast<std::size_t>((level + 1) * nw), 0);
        Word* reached = level_sources_.data() + level * nw;
        or_rows<kWords>(reached, nw, [&](auto&& add) {
          for (int v = 0; v < sw; ++v)
            for (Word bits = frontier[v]; bits; bits &= bits - 1)
              add(admissible_sources<kWords, kSinkWords>(phase, v * 64 + std::countr_zero(bits)));
        });
        Word any = 0, supplied = 0;
        for (int w = 0; w < nw; ++w) {
          reached[w] &= unvisited_[w];
          unvisited_[w] &= ~reached[w];
          any |= reached[w];
          supplied |= reached[w] & has_supply_[w];
        }
        if (supplied) {
          last = level;
          break;
        }
        if (!any) break;
        level_sinks_.resize(static_cast<std::size_t>((level + 2) * sw), 0);
        Word* next = level_sinks_.data() + (level + 1) * sw;
        or_rows<kSinkWords>(next, sw, [&](auto&& add) {
          for (int w = 0; w < nw; ++w)
            for (Word bits = reached[w]; bits; bits &= bits - 1)
              add(flow_sinks(w * 64 + std::countr_zero(bits)));
        });
        Word fresh = 0;
        for (int v = 0; v < sw; ++v) {
          next[v] &= ~sink_seen_[v];
          sink_seen_[v] |= next[v];
          fresh |= next[v];
        }
        if (!fresh) break;
      }
      if (last < 0) return;
      // Blocking flow. level_sinks_ and level_sources_ now serve as the alive sets; at level L
      // only sources with supply end a path. First, backward from L, every node without a way on
      // is dropped, so the depth-first paths do not wander into the (many) dead ends.
      for (int w = 0; w < nw; ++w) level_sources_[last * nw + w] &= has_supply_[w];
      for (int level = last; level >= 0; --level) {
        Word* sinks = level_sinks_.data() + level * sw;
        const Word* sources = level_sources_.data() + level * nw;
        for (int v = 0; v < sw; ++v)
          for (Word bits = sinks[v]; bits; bits &= bits - 1) {
            const int t = v * 64 + std::countr_zero(bits);
            if (first_common<kWords>(admissible_sources<kWords, kSinkWords>(phase, t), sources,
                                     nw) < 0)
              clear_bit(sinks, t);
          }
        if (level == 0) break;
        Word* before = level_sources_.data() + (level - 1) * nw;
        for (int w = 0; w < nw; ++w)
          for (Word bits = before[w]; bits; bits &= bits - 1) {
            const int a = w * 64 + std::countr_zero(bits);
            if (first_common<kSinkWords>(flow_sinks(a), sinks, sw) < 0) clear_bit(before, a);
          }
      }
      blocking_flow<kWords, kSinkWords>(phase, last, cost);
    }
  }

  // The first set bit of `a & b` over `count` words, or -1.
  template <int kCount>
  static int first_common(const Word* a, const Word* b, int count) {
    const int words = kCount > 0 ? kCount : count;
    for (int w = 0; w < words; ++w)
      if (const Word bits = a[w] & b[w]) return w * 64 + std::countr_zero(bits);
    return -1;
  }

  // A blocking flow on the layered graph of augment's search, level_sinks_ and level_sources_
  // serving as the alive sets: the path is path_sink_[0] <- path_source_[0] -> path_sink_[1] <- ...
  // <- path_source_[last], the last one a source with supply.
  template <int kWords, int kSinkWords>
  void blocking_flow(int phase, int last, count_t& cost) {
    const int nw = words<kWords>();
    const int sw = kSinkWords > 0 ? kSinkWords : sink_words_;
    Word* alive_sinks = level_sinks_.data();
    Word* alive_sources = level_sources_.data();
    for (int v = 0; v < sw; ++v) {
      while (alive_sinks[v]) {
        const int root = v * 64 + std::countr_zero(alive_sinks[v]);
        path_sink_[0] = root;
        int level = 0;
        bool at_sink = true;
        for (;;) {
          if (at_sink) {
            // On to an alive source of this level admissible to the sink.
            const int t = path_sink_[level];
            const int a = first_common<kWords>(admissible_sources<kWords, kSinkWords>(phase, t),
                                               alive_sources + level * nw, nw);
            if (a < 0) {
              clear_bit(alive_sinks + level * sw, t);
              if (level == 0) break;
              --level;  // the source before t tries its other sinks
              at_sink = false;
              continue;
            }
            path_source_[level] = a;
            if (level == last) {
              // Back to just before the first part of the path that the push used up.
              const int resume = push_path(last, phase, nw, cost);
              if (resume < 0) break;  // the root's demand is met
              level = resume;
              at_sink = level == last;  // the end source is spent: its sink tries another
              continue;
            }
            at_sink = false;
          } else {
            // On to an alive sink of the next level that the source sends flow to.
            const int a = path_source_[level];
            const int next =
                first_common<kSinkWords>(flow_sinks(a), alive_sinks + (level + 1) * sw, sw);
            if (next < 0) {
              clear_bit(alive_sources + level * nw, a);
              at_sink = true;  // the sink before a tries its other sources
              continue;
            }
            path_sink_[++level] = next;
            at_sink = true;
          }
        }
      }
    }
  }

  // Augments the path of blocking_flow by as much as it carries, and drops from the alive sets
  // the root if its demand is met and the end if its supply is spent (saturated flow arcs leave
  // flow_sinks_ in remove_flow). New flow pairs join sinks and sources of the same level, so they
  // never add an arc to the layered graph. Returns where the search goes on: -1 if the root is
  // done; else the level of the source before the first saturated flow arc (it tries its other
  // sinks), or `last` if none saturated (the end source is spent; its sink tries another).
  int push_path(int last, int phase, int nw, count_t& cost) {
    const int root = path_sink_[0], end = path_source_[last];
    count_t amount = std::min(sinks_[root].demand, supply_[end]);
    for (int level = 1; level <= last; ++level)
      amount = std::min(amount, arcs_[find_arc(path_source_[level - 1], path_sink_[level])].flow);
    for (int level = 0; level <= last; ++level) {
      add_flow(path_source_[level], path_sink_[level], amount);
      if (level > 0) remove_flow(find_arc(path_source_[level - 1], path_sink_[level]), amount);
    }
    take(end, root, amount);
    cost += phase * amount;
    if (supply_[end] == 0) clear_bit(level_sources_.data() + last * nw, end);
    if (sinks_[root].demand == 0) {
      clear_bit(level_sinks_.data(), root);
      return -1;
    }
    for (int level = 1; level <= last; ++level)
      if (!test_bit(flow_sinks(path_source_[level - 1]), path_sink_[level])) return level - 1;
    return last;
  }

  const Rows& rows_;
  std::vector<int> source_slot_;  // vertex -> source slot of the current i, or -1
  std::vector<Word> reach_;       // n x max_words_ bits
  std::vector<Word> two_hop_;     // n x max_words_ bits: cached unmasked within2 of a vertex
  std::vector<char> two_hop_known_;
  std::vector<index_t> two_hop_touched_;
  int max_words_ = 1, words_ = 1;
  index_t i_ = 0, d_i_ = 0;
  std::vector<index_t> source_vertex_;
  std::vector<count_t> supply_;
  std::vector<Sink> sinks_;
  std::vector<Word> participating_, has_supply_, adjacent_, within2_;
  std::vector<char> within2_known_;
  std::vector<Arc> arcs_;
  std::vector<int> arc_into_, arc_next_into_;  // per sink its latest arc, per arc the one before
  std::vector<int> arc_at_;  // (source, sink) -> arc id while dense_arcs_, see find_arc
  bool dense_arcs_ = true;
  std::vector<Word> flow_sinks_;  // per source: bits over the sinks it sends flow to
  int sink_words_ = 1;
  std::vector<Word> level_sinks_, level_sources_;  // augment's layers, then the alive sets
  std::vector<int> path_sink_, path_source_;
  std::vector<Word> unvisited_;
  std::vector<Word> sink_seen_, has_demand_;  // bits over sinks
  std::vector<int> order_, options_, bucket_;
  std::vector<Word> reached_sources_;  // phase 1's final search
  std::vector<Word> tight_;            // per sink: the sources of its tight pairs in phase 2
  std::vector<char> tight_known_;
  std::vector<Word> reached_sinks_;  // bits over sinks
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
