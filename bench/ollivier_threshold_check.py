"""Is exact Ollivier's transport a sum of threshold max flows? Checks, against POT's ot.emd2, the tempting
decomposition W1 = sum_{c=0}^{2} (M - F_c), F_c the maximum flow of the (scaled, integer) masses over the
pairs at hop distance <= c, on every edge of random kNN graphs (docs/method.md §3). It is only a lower
bound (one plan must be optimal at every threshold at once, and a cost-1 pair can block two cost-2
pairs), so the script counts the edges where it falls short. ricci-sweep does not use it; its exact
method is in src/geometry/ollivier.cpp.
  /usr/bin/python3 bench/ollivier_threshold_check.py [--edges-per-graph 1500]"""
import argparse
import os
import sys

import numpy as np
import ot
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "oracle"))
import bruteforce_geometry  # noqa: E402
import curvature_bruteforce as cb  # noqa: E402


def threshold_sum(supply, demand, cost):
    """sum_{c=0}^{2} (M - F_c) for integer supplies/demands and an integer cost matrix in 0..3."""
    a, b = len(supply), len(demand)
    total = int(supply.sum())
    out = 0
    for c in range(3):
        rows, cols, caps = [], [], []
        for u in range(a):
            rows.append(0), cols.append(1 + u), caps.append(int(supply[u]))
        for v in range(b):
            rows.append(1 + a + v), cols.append(1 + a + b), caps.append(int(demand[v]))
        for u, v in zip(*np.nonzero(cost <= c)):
            rows.append(1 + u), cols.append(1 + a + v), caps.append(total)
        graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(a + b + 2, a + b + 2))
        out += total - maximum_flow(graph, 0, a + b + 1).flow_value
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edges-per-graph", type=int, default=1500)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    graphs = {
        "mixture k=10": (np.vstack([rng.normal(size=(100, 5)) + 3 * rng.normal(size=5) for _ in range(3)]), 10),
        "relu k=15": (np.maximum(0, rng.normal(size=(300, 8)) @ rng.normal(size=(8, 6))), 15),
        "relu ties k=15": (np.round(np.maximum(0, rng.normal(size=(200, 4)) @ rng.normal(size=(4, 3))), 1), 15),
    }
    for name, (X, k) in graphs.items():
        _, A, _, _ = bruteforce_geometry.graph(X, k, "union")
        dist = cb.hop_distances(A)
        edges = cb.edges(A)[: args.edges_per_graph]
        short, worst = 0, 0.0
        for i, j in edges:
            src, dst = np.flatnonzero(A[i]), np.flatnonzero(A[j])
            cost = dist[np.ix_(src, dst)]
            units = len(src) * len(dst)
            exact = ot.emd2(np.full(len(src), 1 / len(src)), np.full(len(dst), 1 / len(dst)), cost) * units
            bound = threshold_sum(np.full(len(src), len(dst)), np.full(len(dst), len(src)), cost.astype(int))
            if bound < exact - 1e-6:
                short += 1
                worst = max(worst, (exact - bound) / units)
            assert bound <= exact + 1e-6, "the threshold sum is a lower bound"
        print(f"{name}: {len(edges)} edges, threshold sum short of ot.emd2 on {short} "
              f"(worst shortfall in W1: {worst:.4f})")


if __name__ == "__main__":
    main()
