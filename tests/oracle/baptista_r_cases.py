"""Hand-designed activation stacks for the baptista-r connectivity rule (docs/method.md §3 "Connectivity under
baptista-r"), shared by the ricci-query test and the R test.

Each designed layer places the points of every cluster on a small integer grid (point p of a cluster in
cell (p mod cols, p div cols)), the clusters 1000 apart along x. A point's grid neighbours are at distance 1
and every point has at least one, so for any k the kNN graph (ties kept) contains the grid adjacency: each
cluster is connected. Another cluster is at least 1000 away, so as long as k is below every cluster's size
no arc leaves a cluster: the components are exactly the clusters. The order of the points inside a cluster
and the number of grid columns change from layer to layer, so the distances and degrees (hence eta and
Ric) change too. All coordinates are small integers, so every distance is exact and ties are exact.

verify() checks that every graph really has the components the design says, at every k of the case, and
that the emulation sees the intended behaviour (kept / excluded at a transition / NaN eta), so a change of
the generator cannot silently test something else.
"""
import math

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

import r_reference_emulation as emu

KS = [2, 3, 4]


def _order(members, seed):
    """A fixed, seed-dependent shuffle of a cluster's members (pure integer arithmetic, no RNG)."""
    return sorted(members, key=lambda i: ((i * 7919 + seed * 104729 + 17) % 1009, i))


def grid_layer(n, clusters, cols, seed):
    """Coordinates (n x 2) of one designed layer; `clusters` partitions range(n)."""
    assert sorted(i for c in clusters for i in c) == list(range(n)), "clusters must partition the points"
    X = np.zeros((n, 2))
    for c, members in enumerate(clusters):
        width = max(1, min(cols, len(members)))
        for p, i in enumerate(_order(members, seed + 31 * c)):
            X[i] = (1000 * c + p % width, p // width)
    return X


def _spans(*sizes):
    out, start = [], 0
    for s in sizes:
        out.append(list(range(start, start + s)))
        start += s
    return out


class Case:
    """One stack: inputs (or None), hidden layers, the designed partition of every graph (None where the
    design does not fix it), the k grid, and the behaviour the design intends."""

    def __init__(self, name, inputs, layers, partitions, ks, expect, dtype=np.float64, component_counts=None):
        self.name, self.inputs, self.layers, self.ks = name, inputs, layers, ks
        self.partitions = partitions  # [input partition or None] + [hidden partitions], per graph
        self.component_counts = component_counts  # {k: [per graph]} for stacks not designed by partition
        self.expect = expect  # {k: {"excluded_at": t|None, "nan": [transitions with NaN eta]}} or same for all k
        self.dtype = dtype

    def graphs(self):
        return ([self.inputs] if self.inputs is not None else []) + list(self.layers)


def designed(name, n, input_clusters, hidden_clusters, expect, with_inputs=True, ks=KS, cols=None, seed=0):
    cols = cols or [6, 4, 5, 3, 7, 4, 5, 3]
    # the seed also rotates the sequence of grid shapes, so that cases differ in their totals too
    layers = [grid_layer(n, cl, cols[(l + 1 + seed) % len(cols)], seed + 10 * (l + 1))
              for l, cl in enumerate(hidden_clusters)]
    inputs = grid_layer(n, input_clusters, cols[seed % len(cols)], seed) if with_inputs else None
    partitions = ([input_clusters] if with_inputs else []) + list(hidden_clusters)
    return Case(name, inputs, layers, partitions, ks, expect)


def designed_cases():
    n = 24
    one = [list(range(n))]
    halves = _spans(12, 12)
    evens_odds = [list(range(0, n, 2)), list(range(1, n, 2))]
    A, B, C = _spans(8, 8, 8)
    thirds = [A, B, C]
    A4, B4, C4, D4 = _spans(6, 6, 6, 6)
    ab_cd = [A4 + B4, C4 + D4]
    ac_bd = [A4 + C4, B4 + D4]
    yield designed("connected", n, one, [one] * 6, {"excluded_at": None, "nan": []})
    yield designed("connected_no_inputs", n, one, [one] * 5, {"excluded_at": None, "nan": []},
                   with_inputs=False, seed=3)
    # the same partition (evens / odds) in the inputs and every hidden layer: kept, eta within components
    yield designed("split_same", n, evens_odds, [evens_odds] * 6, {"excluded_at": None, "nan": []}, seed=5)
    yield designed("split_same_three", n, thirds, [thirds] * 5, {"excluded_at": None, "nan": []}, seed=6)
    # connected up to layer 3, split from layer 4 on: reachability shrinks at 3 -> 4
    yield designed("split_at_layer", n, one, [one] * 3 + [evens_odds] * 3, {"excluded_at": 3, "nan": []})
    # split in the inputs and layer 1, merged from layer 2 on: reachability grows at 1 -> 2
    yield designed("merge_at_layer", n, halves, [halves] + [one] * 5, {"excluded_at": 1, "nan": []})
    # only the input -> layer 1 transition changes reachability: excluded with the inputs, kept without
    yield designed("merge_at_input", n, thirds, [one] * 5, {"excluded_at": 0, "nan": []}, seed=7)
    yield designed("merge_at_input_no_inputs", n, thirds, [one] * 5, {"excluded_at": None, "nan": []},
                   with_inputs=False, seed=7)
    # split at 2 -> 3 and merged back at 4 -> 5: excluded (first at 2)
    yield designed("split_then_merge", n, one, [one] * 2 + [halves] * 2 + [one] * 2,
                   {"excluded_at": 2, "nan": [], "excluding": [2, 4]})
    # {A u B}, {C} -> {A}, {B u C} at 3 -> 4: rows of A +inf, of B NaN, of C -inf: kept, eta_3 NaN
    yield designed("split_and_merge", n, [A + B, C], [[A + B, C]] * 3 + [[A, B + C]] * 3,
                   {"excluded_at": None, "nan": [3]}, seed=11)
    # the same at the input transition: eta_input NaN, kept
    yield designed("split_and_merge_at_input", n, [A + B, C], [[A, B + C]] * 5,
                   {"excluded_at": None, "nan": [0]}, seed=12)
    # only 4 hidden layers and the NaN at 2 -> 3: two complete pairs left, so no per-stack rho
    yield designed("split_and_merge_two_pairs", n, [A + B, C], [[A + B, C]] * 2 + [[A, B + C]] * 2,
                   {"excluded_at": None, "nan": [2]}, seed=13)
    # every point loses and gains at once ({A u B},{C u D} -> {A u C},{B u D}): every row NaN, R's
    # aggregate loses the group; at the input transition R is unaffected, at a hidden one R stops
    yield designed("all_rows_nan_at_input", n, ab_cd, [ac_bd] * 5, {"excluded_at": None, "nan": [0]}, seed=14)
    yield designed("all_rows_nan_hidden", n, ab_cd, [ab_cd] * 3 + [ac_bd] * 3,
                   {"excluded_at": None, "nan": [3]}, seed=15)


# ---------------------------------------------------------------------------------------------------------
# ReLU stacks with integer weights: exact activations, exact duplicates, dead units, all-zero rows.


def _lcg(seed):
    state = seed
    while True:
        state = (state * 1103515245 + 12345) % 2**31
        yield state >> 16


def relu_layers(variant, widths=(8, 7, 6, 6, 5, 5)):
    """A 6 x 5 grid of 2-D inputs with a third coordinate (x*y mod 3), through ReLU layers whose weights
    are integers in -2..2 and biases in -1..1 from a fixed LCG."""
    X0 = np.array([[x, y, (x * y) % 3] for y in range(5) for x in range(6)], dtype=np.float64)
    draw = _lcg(variant + 1)
    H, layers = X0, []
    for w in widths:
        W = np.array([[(next(draw) % 5) - 2 for _ in range(H.shape[1])] for _ in range(w)], dtype=np.float64)
        b = np.array([(next(draw) % 3) - 1 for _ in range(w)], dtype=np.float64)
        H = np.maximum(H @ W.T + b, 0)
        layers.append(H)
    return X0, layers


# Per variant: components of [inputs, hidden 1..6] at k = 2, 3, 4; duplicate rows and all-zero rows of the
# hidden layers; and the behaviour at each k. Recorded from the design when it was written: if the
# generator changes, these fail first.
RELU = {
    0: dict(components={2: [1, 1, 1, 2, 2, 1, 4], 3: [1, 1, 1, 2, 1, 1, 1], 4: [1, 1, 1, 2, 1, 1, 1]},
            duplicates=[0, 0, 3, 3, 3, 3], zeros=[0, 0, 4, 0, 0, 0],
            expect={2: {"excluded_at": 2}, 3: {"excluded_at": 2}, 4: {"excluded_at": 2}}),
    1: dict(components={2: [1, 1, 1, 1, 2, 3, 3], 3: [1, 1, 1, 1, 1, 2, 2], 4: [1] * 7},
            duplicates=[0, 0, 0, 5, 7, 7], zeros=[0, 0, 0, 3, 2, 0],
            expect={2: {"excluded_at": 3}, 3: {"excluded_at": 4}, 4: {"excluded_at": None, "nan": []}}),
    4: dict(components={2: [1, 1, 1, 1, 3, 2, 3], 3: [1, 1, 1, 1, 1, 1, 2], 4: [1] * 7},
            duplicates=[0, 0, 10, 17, 17, 17], zeros=[0, 0, 7, 0, 0, 0],
            expect={2: {"excluded_at": 3}, 3: {"excluded_at": 5}, 4: {"excluded_at": None, "nan": []}}),
    5: dict(components={2: [1, 1, 1, 1, 1, 1, 3], 3: [1] * 7, 4: [1] * 7},
            duplicates=[2, 2, 2, 2, 2, 2], zeros=[0, 0, 0, 0, 0, 0],
            expect={2: {"excluded_at": 5}, 3: {"excluded_at": None, "nan": []},
                    4: {"excluded_at": None, "nan": []}}),
    7: dict(components={2: [1, 1, 1, 3, 3, 1, 1], 3: [1] * 7, 4: [1] * 7},
            duplicates=[0, 0, 0, 0, 29, 29], zeros=[0, 0, 0, 0, 30, 0],
            expect={2: {"excluded_at": 2}, 3: {"excluded_at": None, "nan": []},
                    4: {"excluded_at": None, "nan": []}}),
    11: dict(components={2: [1, 1, 2, 2, 3, 2, 4], 3: [1, 1, 1, 1, 1, 1, 3], 4: [1] * 7},
             duplicates=[6, 6, 6, 6, 6, 6], zeros=[3, 0, 0, 0, 0, 0],
             expect={2: {"excluded_at": 1}, 3: {"excluded_at": 5}, 4: {"excluded_at": None, "nan": []}}),
}


def relu_cases():
    for variant, spec in RELU.items():
        X0, layers = relu_layers(variant)
        # variant 7 is stored as float32 (its integers are exact there)
        dtype = np.float32 if variant == 7 else np.float64
        case = Case(f"relu_{variant}", X0, layers, None, KS, spec["expect"], dtype=dtype,
                    component_counts=spec["components"])
        case.duplicates, case.zeros = spec["duplicates"], spec["zeros"]
        yield case


def all_cases():
    return list(designed_cases()) + list(relu_cases())


# ---------------------------------------------------------------------------------------------------------
# Verification of the design


def _components(A):
    count, labels = connected_components(csr_matrix(A), directed=True, connection="weak")
    return {frozenset(np.nonzero(labels == c)[0].tolist()) for c in range(count)}


def verify(case):
    """Raises AssertionError when the case does not have the structure and behaviour it claims."""
    for k in case.ks:
        for g, X in enumerate(case.graphs()):
            comps = _components(emu.nng(X, k))
            if case.partitions is not None:
                want = {frozenset(c) for c in case.partitions[g]}
                assert comps == want, f"{case.name} k={k} graph {g}: components {sorted(map(sorted, comps))}"
            else:
                want = case.component_counts[k][g]
                assert len(comps) == want, f"{case.name} k={k} graph {g}: {len(comps)} components, design {want}"
        expect = case.expect.get(k, case.expect) if isinstance(case.expect.get(k), dict) else case.expect
        r = emu.analyze_stack(case.inputs, case.layers, k)
        assert r["excluded_at"] == expect["excluded_at"], f"{case.name} k={k}: excluded_at {r['excluded_at']}"
        if "excluding" in expect:
            assert r["excluding_transitions"] == expect["excluding"], f"{case.name} k={k}: {r['excluding_transitions']}"
        if expect["excluded_at"] is None:
            nan_at = [0] if r["eta_input"] is not None and math.isnan(r["eta_input"]) else []
            nan_at += [l + 1 for l, e in enumerate(r["eta"]) if math.isnan(e)]
            assert nan_at == expect["nan"], f"{case.name} k={k}: NaN eta at {nan_at}, design {expect['nan']}"
    if case.partitions is None:
        dup = [X.shape[0] - len({tuple(row) for row in X}) for X in case.layers]
        zeros = [int((np.abs(X).sum(axis=1) == 0).sum()) for X in case.layers]
        assert dup == case.duplicates, f"{case.name}: duplicate rows {dup}"
        assert zeros == case.zeros, f"{case.name}: zero rows {zeros}"
        # ties: some point keeps more than k neighbours at every k
        for k in case.ks:
            assert any(emu.nng(X, k).sum(axis=1).max() > k for X in case.layers), f"{case.name} k={k}: no tie"
