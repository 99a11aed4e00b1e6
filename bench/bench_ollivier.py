"""Exact Ollivier-Ricci curvature of every edge of one layer's kNN graph: ricci-sweep's integer transport
(bench_ollivier) against the follow-up's route, POT's ot.emd2 per edge, in one run, same graph, one core.

  /usr/bin/python3 bench/bench_ollivier.py BENCH_OLLIVIER [--n 1000] [--k 50] [--rule union]
                   [--data mixture|relu] [--idleness 0] [--repeats 5] [--pot-edges all|N] [--seed 13]

Data: a seeded Gaussian mixture (4 clusters in 10-D) or a ReLU layer (relu(X W1) W2, 10-D input,
50 wide). The graph is built once per side: bench_ollivier builds it in C++ (exact kNN); this script
builds the same graph with the numpy brute force of tests/oracle and checks the edge count.
Two POT routes, one core each (the follow-up's own code spreads the edges over a process pool):
  follow-up  the per-edge steps of the follow-up's ricci_curvatures.py: all-pairs hops once
             (csgraph.dijkstra, unweighted), then per edge the neighbour indices from sparse CSR row slices,
             the cost matrix filled entry by entry in Python, ot.emd2 on uniform weight lists;
  lean       the same transport with numpy fancy indexing for the cost submatrix and arrays for the weights
             (the fastest POT route we know; ot.emd2 itself dominates).
--pot-edges N runs the POT routes on the first N edges only and scales their time to all edges (stated in
the output); kappa is compared on every edge POT ran.
Ours: best of --repeats calls of edge_curvature (wall and thread CPU time; all five notions are printed)."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import ot  # noqa: E402
from scipy.sparse import csr_matrix, triu  # noqa: E402
from scipy.sparse.csgraph import dijkstra, shortest_path  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "oracle"))
import bruteforce_geometry  # noqa: E402


def points(kind, n, seed):
    rng = np.random.default_rng(seed)
    if kind == "mixture":
        sizes = [n // 4 + (1 if c < n % 4 else 0) for c in range(4)]
        return np.vstack([rng.normal(size=(s, 10)) + 3 * rng.normal(size=10) for s in sizes])
    x = rng.normal(size=(n, 10))
    hidden = np.maximum(0, x @ rng.normal(size=(10, 50)) / np.sqrt(10))
    return np.maximum(0, hidden @ rng.normal(size=(50, 50)) / np.sqrt(50))


def pot_route(A, alpha, limit):
    """Returns (kappa per edge for the first `limit` edges, APSP seconds, per-edge loop seconds,
    APSP + loop CPU seconds of this process)."""
    cpu = time.process_time()
    start = time.perf_counter()
    dist = shortest_path(csr_matrix(A.astype(np.float64)), unweighted=True, directed=False)
    apsp = time.perf_counter() - start
    neighbours = [np.flatnonzero(A[i]) for i in range(A.shape[0])]
    edges = [(i, j) for i in range(A.shape[0]) for j in neighbours[i] if j > i][:limit]
    start = time.perf_counter()
    kappa = []
    for i, j in edges:
        src, dst = neighbours[i], neighbours[j]
        a = np.full(len(src), (1 - alpha) / len(src))
        b = np.full(len(dst), (1 - alpha) / len(dst))
        if alpha > 0:
            src, dst = np.append(src, i), np.append(dst, j)
            a, b = np.append(a, alpha), np.append(b, alpha)
        kappa.append(1 - ot.emd2(a, b, dist[np.ix_(src, dst)]))
    return np.array(kappa), apsp, time.perf_counter() - start, time.process_time() - cpu


def followup_route(A, limit):
    """The follow-up's per-edge steps (see the module docstring), on one core."""
    cpu = time.process_time()
    start = time.perf_counter()
    graph = csr_matrix(A.astype(np.float64))
    apsp = dijkstra(csgraph=graph, directed=False, unweighted=True)
    upper = triu(graph, k=1)
    edges = np.vstack(upper.nonzero()).T[:limit]
    kappa = []
    for i, j in edges:
        around_i, around_j = graph[i].indices, graph[j].indices
        cost = np.array([[apsp[u, v] for v in around_j] for u in around_i])
        kappa.append(1 - ot.emd2([1 / len(around_i)] * len(around_i), [1 / len(around_j)] * len(around_j), cost))
    order = {(int(i), int(j)): e for e, (i, j) in enumerate(edges)}
    return order, np.array(kappa), time.perf_counter() - start, time.process_time() - cpu


def bruteforce_edges(A):
    return [(i, j) for i in range(A.shape[0]) for j in np.flatnonzero(A[i]) if j > i]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bench_ollivier")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--rule", default="union", choices=["union", "mutual"])
    parser.add_argument("--data", default="mixture", choices=["mixture", "relu"])
    parser.add_argument("--idleness", type=float, default=0.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pot-edges", default="all")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    X = points(args.data, args.n, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        csv, values = os.path.join(tmp, "points.csv"), os.path.join(tmp, "ollivier.txt")
        np.savetxt(csv, X, delimiter=",", fmt="%.17g")
        out = subprocess.run([args.bench_ollivier, csv, str(args.k), args.rule, repr(args.idleness),
                              str(args.repeats), values], check=True, capture_output=True, text=True)
        ours = json.loads(out.stdout)
        kappa_ours = np.loadtxt(values)
    _, A, _, m = bruteforce_geometry.graph(X, args.k, args.rule)
    assert m == ours["edges"], f"edge counts differ: numpy {m}, C++ {ours['edges']}"
    limit = m if args.pot_edges == "all" else min(m, int(args.pot_edges))
    kappa_pot, apsp, loop, cpu = pot_route(A, args.idleness, limit)
    scaled = loop * m / limit
    pot_total = apsp + scaled
    pot_cpu = apsp / (apsp + loop) * cpu + loop / (apsp + loop) * cpu * m / limit
    diff = np.abs(kappa_pot - kappa_ours[:limit])
    ollivier = ours["ollivier"]
    print(f"machine: {os.uname().nodename}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; one core each side")
    print(f"layer: {args.data}, n = {args.n}, k = {args.k}, {args.rule} graph, {m} edges, idleness {args.idleness}")
    print(f"ricci-sweep exact Ollivier: best {ollivier['best']:.3f} s wall, {ollivier['cpu_best']:.3f} s thread CPU "
          f"(all: {', '.join(f'{s:.3f}' for s in ollivier['all'])})")
    for notion in ("forman", "augmented-forman", "balanced-forman", "ollivier-approx"):
        print(f"  {notion}: best {ours[notion]['best'] * 1e3:.2f} ms")
    scale_note = "" if limit == m else f" (run on {limit} edges, scaled to {m})"
    if args.idleness == 0:
        order, kappa_followup, followup_wall, followup_cpu = followup_route(A, limit)
        ours_by_edge = {edge: e for e, edge in enumerate(bruteforce_edges(A))}
        followup_diff = max(abs(kappa_followup[e] - kappa_ours[ours_by_edge[edge]]) for edge, e in order.items())
        followup_scaled = followup_wall * m / limit
        print(f"POT, the follow-up's route: {followup_scaled:.1f} s{scale_note}, "
              f"{followup_wall / limit * 1e3:.3f} ms per edge, CPU {followup_cpu * m / limit:.1f} s; "
              f"speed-up {followup_scaled / ollivier['best']:.0f}x wall, "
              f"{followup_cpu * m / limit / ollivier['cpu_best']:.0f}x CPU; max |kappa difference| {followup_diff:.2e}")
    print(f"POT, lean route: all-pairs hops {apsp:.2f} s + per-edge loop {scaled:.1f} s{scale_note} = "
          f"{pot_total:.1f} s, {loop / limit * 1e3:.3f} ms per edge, CPU {pot_cpu:.1f} s; "
          f"speed-up {pot_total / ollivier['best']:.0f}x wall, {pot_cpu / ollivier['cpu_best']:.0f}x CPU")
    print(f"kappa: {limit} edges compared, max |ours - POT| = {diff.max():.2e}, "
          f"{int(np.sum(diff <= 1e-12))}/{limit} within 1e-12")
    return 0 if diff.max() <= 1e-12 else 1


if __name__ == "__main__":
    sys.exit(main())
