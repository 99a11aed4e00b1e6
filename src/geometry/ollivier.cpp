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
// * Successive shortest paths. Any flow on cost-1 pairs only is optimal for its value, so a greedy
//   cost-1 flow (most constrained sinks first) starts it and bipartite augmentation over cost-1
//   pairs makes it a maximum one: every path of cost 1 is found. No path of cost 1 being left,
//   direct cost-2 pairs are shortest paths and are pushed greedily too. Then shortest-path labels,
//   which are small (sources 0..2, sinks 1..3), come from a label-correcting pass over bitsets, and
//   every still-valid tree path of the current shortest length is augmented before the labels are
//   recomputed (tight arcs stay tight). The shortest length never exceeds 3 (every source-sink
//   pair is at most 3 apart), so once it is 3 the rest of the mass goes at cost 3 without search.
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
#include <cassert>
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
constexpr int unreached = 100;

struct Rows {
  const std::vector<count_t>& start;
  const std::vector<index_t>& column;
  explicit Rows(const CsrGraph& g) : start(g.m_forward.m_rowstart), column(g.m_forward.m_column) {}
  std::span<const index_t> row(index_t i) const {
    return {column.data() + start[i], static_cast<std::size_t>(start[i + 1] - start[i])};
  }
  index_t degree(index_t i) const { return static_cast<index_t>(start[i + 1] - start[i]); }
};

bool test_bit(const Word* bits, int a) { return (bits[a >> 6] >> (a & 63)) & 1U; }
void set_bit(Word* bits, int a) { bits[a >> 6] |= Word{1} << (a & 63); }
void clear_bit(Word* bits, int a) { bits[a >> 6] &= ~(Word{1} << (a & 63)); }

// The first set bit of x & y, or -1.
int first_common(const Word* x, const Word* y, int words) {
  for (int w = 0; w < words; ++w)
    if (Word both = x[w] & y[w]) return w * 64 + std::countr_zero(both);
  return -1;
}

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
    participating_.assign(static_cast<std::size_t>(words_), 0);
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
    adjacent_.resize(static_cast<std::size_t>(m * words_));
    within2_.resize(static_cast<std::size_t>(m * words_));
    within2_known_.assign(static_cast<std::size_t>(m), 0);
    for (int t = 0; t < m; ++t) {
      const Word* bits = reach(sinks_[t].vertex);
      for (int w = 0; w < words_; ++w) adjacent_[t * words_ + w] = bits[w] & participating_[w];
    }
    arcs_.clear();
    arc_head_.assign(static_cast<std::size_t>(m), -1);
    out_head_.assign(static_cast<std::size_t>(d_i_) + 1, -1);
    count_t cost = 0;

    // Cost-1 pairs, greedily: a flow on cost-1 pairs only is a min-cost flow of its value.
    greedy(1, cost);
    augment_cost1(cost);
    // No path of cost 1 is left, so direct cost-2 pairs are shortest paths now and stay so (lengths
    // never decrease).
    if (remaining_ > 0) greedy(2, cost);
    while (remaining_ > 0) {
      compute_labels();
      int best = unreached;
      for (int t = 0; t < m; ++t)
        if (sinks_[t].demand > 0) best = std::min(best, sink_label_[t]);
      if (best >= 3) {  // never more than 3: every remaining pair is at most 3 apart
        cost += 3 * remaining_;
        remaining_ = 0;
        break;
      }
      for (int t = 0; t < m && remaining_ > 0; ++t)
        if (sinks_[t].demand > 0 && sink_label_[t] == best) augment_if_valid(t, best, cost);
    }
    return cost;
  }

 private:
  struct Sink {
    index_t vertex;
    count_t demand;
  };
  struct Arc {
    int source, sink, cost;
    count_t flow;
    int next;      // next arc into the same sink
    int next_out;  // next arc out of the same source
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

  const Word* adjacent(int t) const { return adjacent_.data() + t * words_; }
  // Participating sources within distance 2 of sink t (adjacent ones included), computed once per
  // edge. The unmasked set depends on i and the sink's vertex only, not on j, so it is cached
  // across the edges of i: neighbourhoods of neighbouring j overlap.
  const Word* within2(int t) {
    Word* bits = within2_.data() + t * words_;
    if (!within2_known_[t]) {
      const index_t v = sinks_[t].vertex;
      Word* cached = two_hop(v);
      if (!two_hop_known_[v]) {
        std::copy_n(reach(v), words_, cached);
        for (index_t w : rows_.row(v)) {
          const Word* r = reach(w);
          for (int k = 0; k < words_; ++k) cached[k] |= r[k];
        }
        two_hop_known_[v] = 1;
        two_hop_touched_.push_back(v);
      }
      for (int k = 0; k < words_; ++k) bits[k] = cached[k] & participating_[k];
      within2_known_[t] = 1;
    }
    return bits;
  }
  int pair_cost(int a, int t) {
    if (test_bit(adjacent(t), a)) return 1;
    return test_bit(within2(t), a) ? 2 : 3;
  }

  // One arc per (source, sink) pair: the arcs into a sink are few, so a scan finds it.
  void add_flow(int a, int t, int c, count_t amount) {
    for (int id = arc_head_[t]; id >= 0; id = arcs_[id].next)
      if (arcs_[id].source == a) {
        arcs_[id].flow += amount;
        return;
      }
    arcs_.push_back(Arc{a, t, c, amount, arc_head_[t], out_head_[a]});
    arc_head_[t] = out_head_[a] = static_cast<int>(arcs_.size()) - 1;
  }

  // Pushes along every direct pair of cost `c` between a source with supply and a sink with demand.
  void greedy(int c, count_t& cost) {
    const int m = static_cast<int>(sinks_.size());
    // Sinks with the fewest candidate sources first: they are the ones a careless order starves,
    // and every starved unit costs an augmenting path later.
    // A counting sort: the number of options is at most d_i + 1.
    options_.assign(static_cast<std::size_t>(m), 0);
    bucket_.assign(static_cast<std::size_t>(d_i_) + 3, 0);
    for (int t = 0; t < m; ++t) {
      if (sinks_[t].demand == 0) continue;
      const Word* candidates = c == 1 ? adjacent(t) : within2(t);
      int options = 0;
      for (int w = 0; w < words_; ++w) options += std::popcount(candidates[w] & has_supply_[w]);
      options_[t] = options;
      if (options > 0) ++bucket_[options + 1];
    }
    for (std::size_t b = 1; b < bucket_.size(); ++b) bucket_[b] += bucket_[b - 1];
    order_.resize(static_cast<std::size_t>(bucket_.back()));
    for (int t = 0; t < m; ++t)
      if (options_[t] > 0) order_[bucket_[options_[t]]++] = t;
    for (int t : order_) {
      if (remaining_ == 0) break;
      const Word* candidates = c == 1 ? adjacent(t) : within2(t);
      for (int w = 0; w < words_ && sinks_[t].demand > 0; ++w) {
        Word bits = candidates[w] & has_supply_[w];
        while (bits && sinks_[t].demand > 0) {
          const int a = w * 64 + std::countr_zero(bits);
          bits &= bits - 1;
          const count_t amount = std::min(supply_[a], sinks_[t].demand);
          add_flow(a, t, c, amount);
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
    remaining_ -= amount;
  }

  // Completes the cost-1 flow to a maximum one. While all flow is on cost-1 pairs, a residual path
  // of cost 1 uses cost-1 pairs forward and flow arcs backward only, so this is plain bipartite
  // augmentation: a breadth-first search backward from the sinks with demand, every root found
  // augmented while its path is still in the residual graph; a search that augments nothing ends.
  void augment_cost1(count_t& cost) {
    const int m = static_cast<int>(sinks_.size());
    for (bool augmented = true; augmented && remaining_ > 0;) {
      augmented = false;
      unvisited_.assign(participating_.begin(), participating_.end());
      sink_seen_.assign(static_cast<std::size_t>(m), 0);
      source_next_.assign(static_cast<std::size_t>(d_i_) + 1, -1);
      sink_next_.assign(static_cast<std::size_t>(m), -1);
      queue_.clear();
      for (int t = 0; t < m; ++t)
        if (sinks_[t].demand > 0) {
          queue_.push_back(t);
          sink_seen_[t] = 1;
        }
      for (std::size_t head = 0; head < queue_.size() && remaining_ > 0; ++head) {
        const int t = queue_[head];
        const Word* candidates = adjacent(t);
        for (int w = 0; w < words_; ++w) {
          Word bits = candidates[w] & unvisited_[w];
          unvisited_[w] &= ~bits;
          for (; bits; bits &= bits - 1) {
            const int a = w * 64 + std::countr_zero(bits);
            source_next_[a] = t;
            if (supply_[a] > 0) {
              augmented |= augment_cost1_path(a, cost);
              continue;
            }
            for (int id = out_head_[a]; id >= 0; id = arcs_[id].next_out) {
              const int next = arcs_[id].sink;
              if (arcs_[id].flow == 0 || sink_seen_[next]) continue;
              sink_seen_[next] = 1;
              sink_next_[next] = id;
              queue_.push_back(next);
            }
          }
        }
      }
    }
  }

  // Root -> source_next_ -> (sink_next_ arc back to its source) -> ... -> a sink with demand.
  bool augment_cost1_path(int root, count_t& cost) {
    count_t amount = supply_[root];
    int a = root, t;
    for (;;) {
      t = source_next_[a];
      const int id = sink_next_[t];
      if (id < 0) break;
      if (arcs_[id].flow == 0) return false;
      amount = std::min(amount, arcs_[id].flow);
      a = arcs_[id].source;
    }
    amount = std::min(amount, sinks_[t].demand);
    if (amount == 0) return false;
    for (a = root;;) {
      t = source_next_[a];
      add_flow(a, t, 1, amount);
      const int id = sink_next_[t];
      if (id < 0) break;
      arcs_[id].flow -= amount;
      a = arcs_[id].source;
    }
    take(root, t, amount);
    cost += amount;
    return true;
  }

  // Shortest-path labels from the sources with supply in the residual graph (Bellman-Ford on a
  // bipartite graph whose labels take 4 values, so a handful of rounds). Parents form a tree:
  // a label changes only when it strictly decreases.
  void compute_labels() {
    const int m = static_cast<int>(sinks_.size());
    source_label_.assign(static_cast<std::size_t>(d_i_) + 1, unreached);
    source_parent_.assign(static_cast<std::size_t>(d_i_) + 1, -1);
    for (int a = 0; a <= d_i_; ++a)
      if (supply_[a] > 0) source_label_[a] = 0;
    sink_label_.assign(static_cast<std::size_t>(m), unreached);
    sink_parent_.assign(static_cast<std::size_t>(m), -1);
    level_.assign(static_cast<std::size_t>(3 * words_), 0);
    for (int a = 0; a <= d_i_; ++a)
      if (source_label_[a] == 0) set_bit(level_.data(), a);
    changed_sources_.assign(static_cast<std::size_t>(words_), 0);
    for (bool first = true; first || !changed_sinks_.empty(); first = false) {
      changed_sinks_.clear();
      const Word* level0 = level_.data();
      const Word* level1 = level0 + words_;
      const Word* level2 = level1 + words_;
      for (int t = 0; t < m; ++t) {
        int& label = sink_label_[t];
        if (label <= 1) continue;
        // After the first round a sink can only improve through a source whose label changed.
        if (!first && first_common(within2(t), changed_sources_.data(), words_) < 0) continue;
        int parent;
        if ((parent = first_common(adjacent(t), level0, words_)) >= 0) {
          label = 1;
        } else if (label <= 2) {
          continue;
        } else if ((parent = first_common(adjacent(t), level1, words_)) >= 0 ||
                   (parent = first_common(within2(t), level0, words_)) >= 0) {
          label = 2;
        } else if (label <= 3) {
          continue;
        } else if ((parent = first_common(adjacent(t), level2, words_)) >= 0 ||
                   (parent = first_common(within2(t), level1, words_)) >= 0 ||
                   (parent = first_common(participating_.data(), level0, words_)) >= 0) {
          label = 3;
        } else {
          continue;
        }
        sink_parent_[t] = parent;
        changed_sinks_.push_back(t);
      }
      // Only a sink whose label just fell can lower a source's label (through its flow arcs).
      std::fill(changed_sources_.begin(), changed_sources_.end(), Word{0});
      for (int t : changed_sinks_)
        for (int id = arc_head_[t]; id >= 0; id = arcs_[id].next) {
          const Arc& arc = arcs_[id];
          if (arc.flow == 0) continue;
          const int label = sink_label_[t] - arc.cost;
          assert(label >= 0 && label <= 2);  // sinks 1..3, arcs 1..3, no negative distances
          int& old = source_label_[arc.source];
          if (label < old) {
            // Levels change at once, so the next round's sinks see it.
            if (old <= 2) clear_bit(level_.data() + old * words_, arc.source);
            set_bit(level_.data() + label * words_, arc.source);
            old = label;
            set_bit(changed_sources_.data(), arc.source);
            source_parent_[arc.source] = id;
          }
        }
    }
  }

  // Augments along the label tree's path to sink t if every step of it is still in the residual
  // graph: its arcs are tight, so it is a shortest path of length `length`.
  void augment_if_valid(int t, int length, count_t& cost) {
    count_t amount = sinks_[t].demand;
    path_.clear();
    for (int at = t;;) {
      const int a = sink_parent_[at];
      // Parents set on strict decreases form a tree (no negative cycles); guard the invariant.
      if (a < 0 || path_.size() > sinks_.size())
        throw Error("geometry", "internal error: Ollivier transport labels do not form a tree");
      path_.push_back(Step{a, at, -1});
      if (supply_[a] > 0) {
        amount = std::min(amount, supply_[a]);
        break;
      }
      const int id = source_parent_[a];
      if (id < 0 || arcs_[id].flow == 0) return;
      path_.back().back_arc = id;
      amount = std::min(amount, arcs_[id].flow);
      at = arcs_[id].sink;
    }
    for (const Step& step : path_) {
      add_flow(step.source, step.sink, pair_cost(step.source, step.sink), amount);
      if (step.back_arc >= 0) arcs_[step.back_arc].flow -= amount;
    }
    const int root = path_.back().source;
    supply_[root] -= amount;
    if (supply_[root] == 0) clear_bit(has_supply_.data(), root);
    sinks_[t].demand -= amount;
    remaining_ -= amount;
    cost += length * amount;
  }

  struct Step {
    int source, sink, back_arc;  // forward source -> sink, then back along back_arc (if >= 0)
  };

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
  std::vector<Word> participating_, has_supply_, adjacent_, within2_, level_;
  std::vector<char> within2_known_;
  std::vector<Arc> arcs_;
  std::vector<int> arc_head_;
  std::vector<int> source_label_, source_parent_, sink_label_, sink_parent_;
  std::vector<Step> path_;
  std::vector<int> changed_sinks_;
  std::vector<int> out_head_, source_next_, sink_next_, queue_;
  std::vector<Word> unvisited_;
  std::vector<char> sink_seen_;
  std::vector<Word> changed_sources_;
  std::vector<int> order_, options_, bucket_;
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
