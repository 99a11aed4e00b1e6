"""An R-free emulation, in numpy/scipy, of what the paper's reference R script (fMNIST_kNN_RCoef_eval.r,
run in R with igraph and cccd) computes for the `baptista-r` convention (docs/method.md §2, §3 "Connectivity
under baptista-r", §4).

It is written from the script's steps, at the level of its dense n x n matrices: it builds each distance
matrix with np.inf for unreachable pairs, subtracts consecutive ones with IEEE arithmetic, sums rows leaving
out NaN, drops NaN rows, takes means and sums. It never reasons in terms of connected components, so it is
independent of the component-based formulation the C++ engine may use. It shares no code with the engine.

Step by step (R step -> function here):

  cccd::nng(x, k = k)                     -> nng(): arc i -> j iff j != i and d(i, j) <= the (k+1)-th
                                             smallest entry of row i of the distance matrix, self
                                             included (= d_k(i) over the others); ties are kept.
  one graph per hidden layer 1..L, plus    -> stack_tables(): graphs[0] is the inputs' graph when the
  one on the raw test inputs                 stack has inputs (the R script always has them).
  igraph::degree(g)  (mode "all")         -> degree(): in-degree + out-degree.
  4 - outer(D, D, "+") masked by the      -> forman_rows(): per-node sum over out-arcs; Ric_l is their
  directed adjacency, then row sums          total (the script's per-layer "FR" total).
  igraph::distances(g)  (mode "all",      -> distances(): unweighted BFS in the undirected graph, np.inf
  unweighted)                                where unreachable (scipy.sparse.csgraph).
  distances(g_t) - distances(g_{t-1})     -> np.subtract on float matrices: inf - inf = nan,
                                             inf - x = inf, x - inf = -inf.
  row sums with sum(x, na.rm = TRUE)      -> row_sums_na_rm(): NaN entries left out; a row holding +inf
                                             and -inf sums to NaN (as R's sum does).
  aggregate(ssr ~ layer + mod, ., mean)   -> group_mean(): the formula interface applies na.omit, so NaN
                                             rows are dropped before the mean; a group whose rows are
                                             ALL NaN does not appear in the result at all.
  models with a mean == -Inf or +Inf are  -> Transition.excludes: the stack is excluded (its rows leave
  removed from both data frames              both the distance and the curvature tables).
  aggregate(ssr ~ layer + mod, ., sum)    -> group_sum(): eta of the transition (NaN rows dropped again);
                                             finite, or NaN when +inf and -inf rows both remain.
  the same on the curvature rows          -> Ric per layer.
  the "layer skip" cor.test: distance     -> pooled_pairs() / pearson_complete(): the change out of
  sums without layer 1, curvature sums       hidden layer l (transition l -> l+1) paired with Ric_l,
  without the last layer                     l = 1..L-1; cor.test keeps complete cases only and
                                             refuses fewer than 3 (here: NaN); a zero standard
                                             deviation gives NA (here: NaN).

Transition numbering follows `ricci-query analyze --format json`: transition 0 is input -> hidden layer 1
(present only when the stack has inputs), transition l is hidden layer l -> l+1 (l = 1..L-1). The R script
numbers the same transitions 1..L in its data frame's `layer` column (its layer 1 is input -> hidden 1).

Where R itself breaks, and what the emulation reports instead (decided here, documented for the tests):

* A (transition, model) group whose rows are ALL NaN (every point both loses and gains reachability, e.g.
  components {A u B}, {C u D} followed by {A u C}, {B u D}) vanishes from R's aggregate output. If that is
  the input transition (the script's layer 1), nothing else changes: those rows are removed by the
  "layer != 1" selection anyway, and the two vectors of the correlation stay aligned. If it is a hidden
  transition, the distance sums have fewer rows than the curvature sums and R's cor.test stops with
  "'x' and 'y' must have the same length" (had the lengths matched by accident, the pairs would be
  misaligned). The emulation reports eta = NaN for such a transition (no rows, no sum), does not exclude
  the stack for it, and leaves that pair out of every correlation - the same as a NaN eta from rows of both
  signs. ricci-query reports the same.
* If no model has a row left at the input transition (e.g. one model whose input transition is all NaN),
  `which(layer == 1)` is empty and the script's `x[-which(layer == 1)]` is an EMPTY vector, not all of x,
  so cor.test stops with the same length message; the emulation pools the hidden transitions as usual.
* The script pools models of one depth only: it drops the curvature of the largest layer number over all
  models, so a shallower model would keep its last layer and misalign the pairs. The emulation pairs each
  stack's own layers, whatever the depths.
* The script needs at least two accepted models (its data-frame loops run over 2:m); the emulation pools
  any number, one included.
* The R script always has the raw inputs; a stack without them has no transition 0 here.
* When every model is removed R's final aggregate fails ("no rows to aggregate"); the pooled coefficient
  is NaN here.
* Per-stack rho (what ricci-query reports per stack; the R script only pools): Pearson over one stack's
  complete pairs, NaN for an excluded stack, and defined from 2 pairs as docs/method.md §4 defines a
  run's rho for L >= 3 (cor.test itself wants 3).

Distances: the script uses the Euclidean distance (proxy::dist); docs/method.md §2 ranks by the squared
distance. Both give the same neighbour sets whenever sqrt does not merge two distinct squared distances,
which holds for the small-integer coordinates of the test stacks; the squared distance is used here.
"""
import math

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from bruteforce_geometry import squared_distances  # the §2 distance: one definition for the oracles

# ---------------------------------------------------------------------------------------------------------
# Graphs (cccd::nng, igraph::degree, igraph::distances)


def nng(X, k):
    """cccd::nng(X, k): row i of the adjacency marks every j whose distance is <= the (k+1)-th smallest of
    row i's distances (the point itself, at distance 0, is the first), then the diagonal is cleared.
    Returns the 0/1 directed adjacency (int) with A[i, j] = 1 for the arc i -> j."""
    D = squared_distances(X)
    n = D.shape[0]
    if not 1 <= k <= n - 1:
        raise ValueError(f"k = {k} outside 1..{n - 1}")
    A = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        threshold = np.sort(D[i])[k]  # R: sort(dx[i, ])[k + 1]
        A[i, D[i] <= threshold] = 1
    np.fill_diagonal(A, 0)
    return A


def degree(A):
    """igraph::degree(g): mode "all" on a directed graph = out-degree + in-degree."""
    return A.sum(axis=1) + A.sum(axis=0)


def forman_rows(A):
    """The per-node Forman total of the script: (4 - D_i - D_j) kept where the directed adjacency has an
    arc i -> j, zero elsewhere, summed along rows (out-arcs)."""
    D = degree(A)
    F = 4 - np.add.outer(D, D)
    F[A == 0] = 0
    return F.sum(axis=1)


def distances(A):
    """igraph::distances(g): mode "all" (direction ignored), unweighted, Inf when unreachable."""
    undirected = ((A + A.T) > 0).astype(np.float64)
    return shortest_path(csr_matrix(undirected), method="D", directed=False, unweighted=True)


# ---------------------------------------------------------------------------------------------------------
# The distance table of one stack (the script's Ric1 / sc2 lists)


def row_sums_na_rm(C):
    """apply(C, 1, function(x) sum(x, na.rm = TRUE)): NaN entries are left out of each row's sum. The sum
    of a row holding +inf and -inf is NaN, as in R."""
    with np.errstate(invalid="ignore"):
        return np.array([np.sum(row[~np.isnan(row)]) for row in C], dtype=np.float64)


def group_mean(rows):
    """One group of aggregate(ssr ~ layer + mod, data, mean): NaN rows dropped (na.omit). None when no row is
    left (R: the group is absent from the aggregate's output)."""
    kept = rows[~np.isnan(rows)]
    if kept.size == 0:
        return None
    with np.errstate(invalid="ignore"):
        return float(np.mean(kept))


def group_sum(rows):
    """One group of aggregate(ssr ~ layer + mod, data, sum), NaN rows dropped. None when absent."""
    kept = rows[~np.isnan(rows)]
    if kept.size == 0:
        return None
    with np.errstate(invalid="ignore"):
        return float(np.sum(kept))


class Transition:
    """One transition t: the difference matrix, its row sums and what the script's aggregates make of it."""

    def __init__(self, index, gamma_before, gamma_after):
        self.index = index
        with np.errstate(invalid="ignore"):
            self.difference = np.subtract(gamma_after, gamma_before)  # IEEE: inf - inf = nan
        self.rows = row_sums_na_rm(self.difference)
        self.mean = group_mean(self.rows)
        self.total = group_sum(self.rows)
        # The script removes a model whose mean is "-Inf" or "Inf" at some transition.
        self.excludes = self.mean is not None and math.isinf(self.mean)

    @property
    def eta(self):
        """The transition's total as the pooled correlation sees it: NaN when the group is absent or NaN."""
        return math.nan if self.total is None else self.total


def layer_geometry(A, gamma):
    """The per-layer figures ricci-query also reports (docs/method.md §3 under baptista-r)."""
    n = A.shape[0]
    finite = np.isfinite(gamma)
    unreachable_ordered = int((~finite).sum())
    # components: the distinct reachability rows
    components = len({tuple(row) for row in finite})
    return {
        "edges": int(A.sum()),
        "components": components,
        "unreachable_pairs": unreachable_ordered // 2,
        "g": int(gamma.sum()) if unreachable_ordered == 0 else None,
        "n": n,
    }


def stack_tables(inputs, layers, k):
    """Everything the script computes for one model at one k: graphs, distance matrices, curvature rows
    and the transition tables. `inputs` may be None (no transition 0)."""
    graphs = ([nng(inputs, k)] if inputs is not None else []) + [nng(X, k) for X in layers]
    gammas = [distances(A) for A in graphs]
    offset = 1 if inputs is not None else 0
    hidden_graphs, hidden_gammas = graphs[offset:], gammas[offset:]
    transitions = []
    if inputs is not None:
        transitions.append(Transition(0, gammas[0], gammas[1]))
    for l in range(1, len(layers)):
        transitions.append(Transition(l, hidden_gammas[l - 1], hidden_gammas[l]))
    forman = [forman_rows(A) for A in hidden_graphs]
    return {
        "graphs": hidden_graphs,
        "gammas": hidden_gammas,
        "input_graph": graphs[0] if inputs is not None else None,
        "input_gamma": gammas[0] if inputs is not None else None,
        "transitions": transitions,
        "forman_rows": forman,
    }


# ---------------------------------------------------------------------------------------------------------
# Correlations (cor.test)


def pearson_complete(x, y, minimum=3):
    """cor.test(x, y)$estimate for Pearson: complete cases only; fewer than `minimum` (R: 3) -> NaN
    (R stops with "not enough finite observations"); a zero standard deviation -> NaN (R: NA)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if x.size < minimum:
        return math.nan
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy = float(np.dot(dx, dx)), float(np.dot(dy, dy))
    if sxx == 0.0 or syy == 0.0:
        return math.nan
    return float(np.dot(dx, dy) / math.sqrt(sxx * syy))


def analyze_stack(inputs, layers, k):
    """One stack at one k: exclusion, eta per transition, Ric per layer, per-stack rho, per-layer figures."""
    tables = stack_tables(inputs, layers, k)
    transitions = tables["transitions"]
    excluding = [t.index for t in transitions if t.excludes]
    by_index = {t.index: t for t in transitions}
    L = len(layers)
    eta = [by_index[l].eta for l in range(1, L)]
    ric = [int(rows.sum()) for rows in tables["forman_rows"]]
    excluded = bool(excluding)
    pairs_eta, pairs_ric = eta, ric[: L - 1]
    result = {
        "k": k,
        "excluded": excluded,
        "excluded_at": excluding[0] if excluding else None,
        "excluding_transitions": excluding,
        "eta": eta,
        "eta_input": by_index[0].eta if inputs is not None else None,
        "has_input": inputs is not None,
        "ric": ric,
        # docs/method.md §4: a run's rho needs L >= 3 layers, i.e. 2 pairs (the R script has no
        # per-run rho; its cor.test would want 3).
        "rho": math.nan if excluded else pearson_complete(pairs_eta, pairs_ric, minimum=2),
        "pairs": (pairs_eta, pairs_ric),
        "transition_means": {t.index: t.mean for t in transitions},
        "transition_totals": {t.index: t.total for t in transitions},
        "layers": [dict(layer_geometry(A, g), layer=l + 1, ric=ric[l])
                   for l, (A, g) in enumerate(zip(tables["graphs"], tables["gammas"]))],
        "input": (layer_geometry(tables["input_graph"], tables["input_gamma"])
                  if inputs is not None else None),
    }
    return result


def pooled_coefficient(stack_results):
    """The script's "layer skip" cor.test over the models that are not removed: all their (eta_l, Ric_l)
    pairs, l = 1..L-1, concatenated without centring each model, complete cases only.
    Returns (rho, number of stacks kept)."""
    xs, ys, kept = [], [], 0
    for r in stack_results:
        if r["excluded"]:
            continue
        kept += 1
        xs.extend(r["pairs"][0])
        ys.extend(r["pairs"][1])
    return pearson_complete(xs, ys), kept


def k_star(pooled):
    """The k with the most negative pooled coefficient, the smaller k on an exact tie; None when every
    coefficient is NaN. `pooled` is a list of (k, rho)."""
    best = None
    for k, rho in sorted(pooled):
        if math.isnan(rho):
            continue
        if best is None or rho < best[1]:
            best = (k, rho)
    return None if best is None else best[0]


def analyze(stacks, ks):
    """stacks: list of (inputs or None, [X_1 .. X_L]). Returns {"stacks": [[per-k result] per stack],
    "pooled": [{"k", "rho", "stacks"}], "k_star"}."""
    per_stack = [[analyze_stack(inputs, layers, k) for k in ks] for inputs, layers in stacks]
    pooled = []
    for i, k in enumerate(ks):
        rho, kept = pooled_coefficient([results[i] for results in per_stack])
        pooled.append({"k": k, "rho": rho, "stacks": kept})
    return {"stacks": per_stack, "pooled": pooled,
            "k_star": k_star([(p["k"], p["rho"]) for p in pooled])}
