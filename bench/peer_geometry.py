"""The same per-network geometry with the tools researchers use today, side by side with ricci-query.

  /usr/bin/python3 bench/peer_geometry.py RICCI_QUERY STACK.h5 K_LIST [--skip-peer]

Peer route (what the reference Python/R scripts do, in scipy/sklearn): for every layer and k,
sklearn.neighbors.kneighbors_graph -> symmetrise (union) -> Forman curvature from degrees ->
scipy.sparse.csgraph.shortest_path(unweighted) -> g = sum over unordered pairs. ricci-query analyze
runs as a separate process on the same file (its time includes start-up and HDF5 reading); every
(k, layer) Ric and g is compared between the two."""
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
from sklearn.neighbors import kneighbors_graph  # noqa: E402


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


def main():
    ricci_query, path, ks = sys.argv[1], sys.argv[2], [int(k) for k in sys.argv[3].split(",")]
    with h5py.File(path, "r") as f:
        names = sorted(n for n in f if n.startswith("layer_"))
        stack = [np.asarray(f[n], dtype=np.float64) for n in names]
    print(f"stack {path}: n = {stack[0].shape[0]}, {len(stack)} layers, k = {ks}")

    t0 = time.perf_counter()
    proc = subprocess.run([ricci_query, "analyze", path, "--k", sys.argv[3], "--format", "json"],
                          capture_output=True, text=True, check=True)
    ours_s = time.perf_counter() - t0
    ours = {r["k"]: r for r in json.loads(proc.stdout)["results"]}
    print(f"ricci-query analyze (whole process, 1 core): {ours_s:.2f} s")
    if "--skip-peer" in sys.argv:
        return

    t0 = time.perf_counter()
    peer = {k: [peer_layer(X, k) for X in stack] for k in ks}
    peer_s = time.perf_counter() - t0
    print(f"scipy/sklearn (kneighbors_graph + csgraph.shortest_path, 1 thread): {peer_s:.1f} s")
    print(f"ratio: {peer_s / ours_s:.0f}x")

    same = total = 0
    for k in ks:
        for l, (ric, g) in enumerate(peer[k]):
            mine = ours[k]["layers"][l]
            total += 1
            if mine["ric"] == ric and mine["g"] == g:
                same += 1
            else:
                print(f"  differs at k={k} layer {l + 1}: ricci-query Ric={mine['ric']} g={mine['g']}, "
                      f"peer Ric={ric} g={g} (sklearn breaks distance ties differently)")
    print(f"identical Ric and g in {same} of {total} (k, layer) cells")


if __name__ == "__main__":
    main()
