#!/usr/bin/python3
"""How the kNN graphs of trained networks fall apart, and along which lines: per problem, architecture
and depth, at the group's k*, the mean number of connected components of each hidden layer's union kNN
graph (docs/method.md §2) and the share of test points whose component holds one class only.

  /usr/bin/python3 tools/component_purity.py RESULTS.h5 [--runs-per-group N] [--query PATH] [--json]

Reads the stored activations and labels (`store_activations = true`) of the first N runs accepted above
their threshold in each group (not only those connected at k*: the point is to see how the others split),
and k* from `ricci-query summary --format json`. Neighbours are ranked by the exact squared distance with
ties broken by the smaller index, as docs/method.md §2 specifies, with numpy on the full distance matrix
(n <= a few thousand).
"""
import argparse
import json
import subprocess
import sys

import h5py
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ricci_query_path import find_query



def union_knn_components(x, k):
    """Component labels of the union kNN graph of the rows of x."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    sq = np.einsum("ij,ij->i", x, x)
    # Exact squared distances for ranking: the expansion is only a shortlist; re-rank exactly.
    d = sq[:, None] + sq[None, :] - 2.0 * (x @ x.T)
    np.fill_diagonal(d, np.inf)
    shortlist = np.argpartition(d, min(k + 8, n - 2), axis=1)[:, : min(k + 9, n - 1)]
    rows, cols = [], []
    for i in range(n):
        cand = shortlist[i]
        exact = ((x[cand] - x[i]) ** 2).sum(axis=1)
        order = np.lexsort((cand, exact))[:k]
        rows.extend([i] * k)
        cols.extend(cand[order].tolist())
    a = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return connected_components(a + a.T, directed=False)[1]


def purity(labels, components):
    """Share of points whose component holds a single class."""
    pure = 0
    for c in np.unique(components):
        members = components == c
        if len(np.unique(labels[members])) == 1:
            pure += int(members.sum())
    return pure / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--runs-per-group", type=int, default=4)
    parser.add_argument("--query")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    args = parser.parse_args()
    query = find_query(args.query, "component_purity.py")
    r = subprocess.run([query, "summary", args.results, "--format", "json"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"component_purity.py: {r.stderr.strip()}")
    summary = json.loads(r.stdout)
    out = []
    with h5py.File(args.results, "r") as f:
        if not f.attrs.get("store_activations", 0):
            sys.exit(f"component_purity.py: '{args.results}' has no stored activations")
        status, acc, thr = f["runs/status"][()], f["runs/test_accuracy"][()], f["runs/threshold"][()]
        problem, arch, depth = f["runs/problem"][()], f["runs/architecture"][()], f["runs/depth"][()]
        for g in summary["groups"]:
            if g["k_star"] is None:
                continue
            members = [i for i in range(len(status))
                       if status[i] == 1 and acc[i] > thr[i] and problem[i].decode() == g["problem"]
                       and arch[i].decode() == g["architecture"] and depth[i] == g["depth"]]
            members = members[: args.runs_per_group]
            comps = np.zeros(g["depth"])
            pur = np.zeros(g["depth"])
            for run in members:
                grp = f["run_data/r%06d" % run]
                labels = grp["labels"][()]
                for l in range(g["depth"]):
                    c = union_knn_components(grp["layer_%02d" % (l + 1)][()], g["k_star"])
                    comps[l] += c.max() + 1
                    pur[l] += purity(labels, c)
            if members:
                out.append({"problem": g["problem"], "architecture": g["architecture"], "depth": g["depth"],
                            "k_star": g["k_star"], "runs": len(members),
                            "components": (comps / len(members)).round(2).tolist(),
                            "pure_share": (pur / len(members)).round(3).tolist()})
    if args.json:
        print(json.dumps(out))
        return
    print("| problem | architecture | depth | k* | runs | mean components per layer | share of points in one-class components per layer |")
    print("|---|---|---|---|---|---|---|")
    for row in out:
        print(f"| {row['problem']} | {row['architecture']} | {row['depth']} | {row['k_star']} | {row['runs']} | "
              + " ".join(f"{c:g}" for c in row["components"]) + " | "
              + " ".join(f"{p:.2f}" for p in row["pure_share"]) + " |")


if __name__ == "__main__":
    main()
