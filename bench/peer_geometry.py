"""The same per-network geometry with the tools researchers use today, side by side with ricci-query.

  /usr/bin/python3 bench/peer_geometry.py RICCI_QUERY STACK.h5 K_LIST [--peers scipy,igraph]
                                          [--scipy-layers N] [--torch-layers N]
                                          [--threads T]

Peer routes, one thread each:
  scipy   what the reference Python scripts do: for every layer and k, sklearn.neighbors.kneighbors_graph
          -> symmetrise (union) -> Forman curvature from degrees -> scipy.sparse.csgraph.shortest_path
          (unweighted) -> g = sum over unordered pairs.
  igraph  the engine of the reference R code, given every advantage: kNN once per layer at the largest k
          (sklearn NearestNeighbors) and sliced for smaller k, then python-igraph builds the simple
          union graph, checks connectivity and sums all-pairs BFS distances in C
          (average_path_length x pairs, no distance matrix in Python).
  torch   what a researcher with a GPU writes, run on the CPU: per layer one distance matrix
          (torch.cdist) and topk for the kNN lists, then per k a dense 0/1 adjacency, Forman from its
          degrees, and all-pairs BFS as repeated dense matrix products (frontier @ A), n x n floats.
          Uses --threads T threads (torch.set_num_threads); ricci-query gets the same --threads.
ricci-query analyze runs as a separate process on the same file (its time includes start-up and HDF5
reading). Every (k, layer) Ric and g of every peer is compared with ricci-query's.
--scipy-layers N (--torch-layers N) times scipy (torch) on the first N layers only and scales its time to all layers (stated as
such in the output): the full scipy route on 11 layers takes ~20 minutes."""
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core for both sides
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
from scipy.sparse.csgraph import connected_components, shortest_path  # noqa: E402
from sklearn.neighbors import NearestNeighbors, kneighbors_graph  # noqa: E402


def peer_layer(X, k):
    A = kneighbors_graph(X, k, mode="connectivity", include_self=False)
    A = A.maximum(A.T).tocsr()
    deg = np.asarray(A.sum(axis=1)).ravel()
    rows, cols = A.nonzero()
    upper = rows < cols
    ric = int(np.sum(4 - deg[rows[upper]] - deg[cols[upper]]))
    ncomp, _ = connected_components(A, directed=False)
    if ncomp > 1:
        return ric, None
    D = shortest_path(A, method="D", unweighted=True, directed=False)
    return ric, int(D.sum() // 2)


def igraph_layer_cells(X, ks):
    import igraph
    n = X.shape[0]
    # kneighbors() without a query set leaves each point out of its own list.
    neighbours = NearestNeighbors(n_neighbors=max(ks)).fit(X).kneighbors(return_distance=False)
    cells = []
    for k in ks:
        rows = np.repeat(np.arange(n), k)
        cols = neighbours[:, :k].ravel()
        graph = igraph.Graph(n=n, edges=np.column_stack([rows, cols]).tolist(), directed=False)
        graph.simplify(multiple=True, loops=True)
        deg = np.array(graph.degree())
        edges = np.array(graph.get_edgelist())
        ric = int(np.sum(4 - deg[edges[:, 0]] - deg[edges[:, 1]]))
        if not graph.is_connected():
            cells.append((ric, None))
            continue
        pairs = n * (n - 1) // 2
        cells.append((ric, int(round(graph.average_path_length(directed=False) * pairs))))
    return cells


def torch_layer_cells(X, ks, threads):
    import torch
    torch.set_num_threads(threads)
    x = torch.from_numpy(X)
    n = x.shape[0]
    d = torch.cdist(x, x).fill_diagonal_(float("inf"))
    # stable sort: equal distances keep the smaller index first, as ricci-query's tie rule.
    neighbours = torch.sort(d, dim=1, stable=True).indices[:, :max(ks)]
    cells = []
    for k in ks:
        a = torch.zeros(n, n, dtype=torch.float32)
        a.scatter_(1, neighbours[:, :k], 1.0)
        a = torch.maximum(a, a.T)
        deg = a.sum(1).long()  # exact integer degrees: a float32 sum of Forman terms rounds
        i, j = torch.triu(a, 1).nonzero(as_tuple=True)
        ric = int((4 - deg[i] - deg[j]).sum().item())
        visited = torch.eye(n, dtype=torch.bool)
        frontier = torch.eye(n, dtype=torch.float32)
        total, level = 0, 0
        while True:
            level += 1
            reached = ((frontier @ a) > 0) & ~visited
            count = int(reached.sum().item())
            if count == 0:
                break
            total += level * count
            visited |= reached
            frontier = reached.float()
        connected = bool(visited.all().item())
        cells.append((ric, total // 2 if connected else None))
    return cells


def compare(name, ours, peer, ks, layers):
    same = total = 0
    for k_index, k in enumerate(ks):
        for l in range(layers):
            ric, g = peer[l][k_index]
            mine = ours[k]["layers"][l]
            total += 1
            if mine["ric"] == ric and mine["g"] == g:
                same += 1
            else:
                print(f"  {name} differs at k={k} layer {l + 1}: ricci-query Ric={mine['ric']} g={mine['g']}, "
                      f"{name} Ric={ric} g={g} (a different tie order among equidistant neighbours)")
    print(f"  {name}: identical Ric and g in {same} of {total} (k, layer) cells")


def main():
    ricci_query, path, ks = sys.argv[1], sys.argv[2], [int(k) for k in sys.argv[3].split(",")]
    peers = ["scipy", "igraph"]
    scipy_layers = None
    threads = 1
    torch_layers = None
    rest = sys.argv[4:]
    for i, arg in enumerate(rest):
        if arg == "--torch-layers":
            torch_layers = int(rest[i + 1])
        if arg == "--threads":
            threads = int(rest[i + 1])
        if arg == "--peers":
            peers = rest[i + 1].split(",") if rest[i + 1] else []
        if arg == "--scipy-layers":
            scipy_layers = int(rest[i + 1])
    with h5py.File(path, "r") as f:
        names = sorted(n for n in f if n.startswith("layer_"))
        stack = [np.asarray(f[n], dtype=np.float64) for n in names]
    n, layers = stack[0].shape[0], len(stack)
    print(f"stack {path}: n = {n}, {layers} layers, k = {ks}")

    t0 = time.perf_counter()
    proc = subprocess.run([ricci_query, "analyze", path, "--k", sys.argv[3], "--format", "json",
                           "--threads", str(threads)], capture_output=True, text=True, check=True)
    ours_s = time.perf_counter() - t0
    ours = {r["k"]: r for r in json.loads(proc.stdout)["results"]}
    print(f"ricci-query analyze (whole process, {threads} thread(s)): {ours_s:.2f} s")

    if "torch" in peers:
        timed = min(torch_layers or layers, layers)
        t0 = time.perf_counter()
        cells = [torch_layer_cells(X, ks, threads) for X in stack[:timed]]
        torch_s = (time.perf_counter() - t0) * layers / timed
        note = "" if timed == layers else f" (measured on {timed} of {layers} layers, scaled to {layers})"
        print(f"PyTorch on the CPU (distance matrix + dense-product BFS, {threads} thread(s)): "
              f"{torch_s:.1f} s{note}   ratio {torch_s / ours_s:.0f}x")
        compare("torch", ours, cells, ks, timed)

    if "igraph" in peers:
        t0 = time.perf_counter()
        cells = [igraph_layer_cells(X, ks) for X in stack]
        igraph_s = time.perf_counter() - t0
        print(f"python-igraph (kNN once at k_max + igraph BFS in C, 1 thread): {igraph_s:.1f} s   "
              f"ratio {igraph_s / ours_s:.0f}x")
        compare("igraph", ours, cells, ks, layers)

    if "scipy" in peers:
        timed = min(scipy_layers or layers, layers)
        t0 = time.perf_counter()
        cells = [[peer_layer(X, k) for k in ks] for X in stack[:timed]]
        scipy_s = (time.perf_counter() - t0) * layers / timed
        note = "" if timed == layers else f" (measured on {timed} of {layers} layers, scaled to {layers})"
        print(f"scipy/sklearn (kneighbors_graph + csgraph.shortest_path, 1 thread): {scipy_s:.1f} s{note}   "
              f"ratio {scipy_s / ours_s:.0f}x")
        compare("scipy", ours, cells, ks, timed)


if __name__ == "__main__":
    main()
