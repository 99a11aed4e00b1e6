"""`ricci-query analyze --format json` against the brute-force oracle, to 1e-9, on activation stacks with
exact duplicates, distance ties, disconnected clusters, collapsed layers and 11 layers, for the union,
mutual and baptista-r conventions (baptista-r: per-layer values only; its coefficient is checked by
test_baptista_r_oracle.py). Usage: test_analyze_oracle.py RICCI_QUERY WORKDIR"""
import json
import math
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bruteforce_geometry as oracle  # noqa: E402

RICCI_QUERY, WORKDIR = sys.argv[1], sys.argv[2]
os.makedirs(WORKDIR, exist_ok=True)


def relu_stack(rng, X, widths, dtype):
    stack, H = [], X
    for w in widths:
        W = rng.normal(0, 1.0 / math.sqrt(H.shape[1]), (H.shape[1], w))
        b = rng.normal(0, 0.3, w)
        H = np.maximum(H @ W + b, 0)
        stack.append(H.astype(dtype))
    return stack


def cases():
    rng = np.random.default_rng(20241125)
    # 11 layers of small-integer lattice points: many exact duplicates and distance ties.
    lattice = [rng.integers(0, 3, size=(48, 3 + l % 3)).astype(np.float64) for l in range(11)]
    yield "lattice11", lattice, [1, 3, 5, 12]
    # Three far-apart clusters: disconnected at small k, connected once k reaches into the next cluster.
    centres = np.array([[0, 0], [100, 0], [0, 100]], dtype=float)
    clusters = []
    for l in range(6):
        pts = np.concatenate([c + rng.normal(0, 1 + l, (15, 2)) for c in centres])
        clusters.append(pts)
    yield "clusters6", clusters, [2, 4, 20]
    # ReLU network activations stored as float32, with dead units and collapsed points, 11 layers.
    X = rng.normal(0, 1, (70, 4))
    yield "relu11_f32", relu_stack(rng, X, [8, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2], np.float32), [2, 6, 15]
    # A layer where every point collapses onto one ReLU output (all distances 0).
    base = relu_stack(rng, rng.normal(0, 1, (40, 3)), [6, 6, 6, 6], np.float64)
    base.insert(2, np.zeros((40, 5)))
    yield "collapsed5", base, [3, 10]
    # Too few layers for z (L = 4) and for p (L = 3).
    yield "four_layers", relu_stack(rng, rng.normal(0, 1, (50, 3)), [6, 5, 4, 3], np.float64), [4, 9]
    yield "three_layers", relu_stack(rng, rng.normal(0, 1, (50, 3)), [6, 5, 4], np.float64), [4]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


failures = []
checked = 0
for name, stack, ks in cases():
    path = os.path.join(WORKDIR, name + ".h5")
    with h5py.File(path, "w") as f:
        grp = f.create_group("acts")
        for l, X in enumerate(stack):
            grp.create_dataset("layer_%02d" % (l + 1), data=X)
    for convention, extra in (("union", ["--graph", "union"]), ("mutual", ["--graph", "mutual"]),
                              ("baptista-r", ["--convention", "baptista-r"])):
        cmd = [RICCI_QUERY, "analyze", path, "--group", "/acts", "--k", ",".join(map(str, ks)),
               "--format", "json"] + extra
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            failures.append(f"{name}/{convention}: exit {proc.returncode}: {proc.stderr.strip()}")
            continue
        got = json.loads(proc.stdout)
        want = oracle.analyze([np.asarray(X, dtype=np.float64) for X in stack], ks, convention)
        if not {"n", "layers", "results"} <= set(got) or got["n"] != want["n"] or got["layers"] != want["layers"]:
            failures.append(f"{name}/{convention}: header {got.get('n')},{got.get('layers')} != {want['n']},{want['layers']}")
        for rg, rw in zip(got["results"], want["results"]):
            where = f"{name}/{convention}/k={rw['k']}"
            if list(rg)[:7] != ["k", "layers", "rho", "z", "fisher", "p", "reason"]:
                failures.append(f"{where}: keys {list(rg)}")
            for lg, lw in zip(rg["layers"], rw["layers"]):
                for key in ("layer", "edges", "components", "unreachable_pairs", "ric", "g"):
                    checked += 1
                    if lg[key] != lw[key]:
                        failures.append(f"{where} layer {lw['layer']}: {key} = {lg[key]}, oracle {lw[key]}")
            if convention == "baptista-r":
                # Its coefficient follows the reference R code's transitions, which this oracle
                # does not model: test_baptista_r_oracle.py checks it against the R emulation.
                continue
            for key in ("rho", "z", "fisher", "p"):
                checked += 1
                if not close(rg[key], rw[key]):
                    failures.append(f"{where}: {key} = {rg[key]}, oracle {rw[key]}")
            if rg["reason"] != rw["reason"]:
                failures.append(f"{where}: reason = {rg['reason']}, oracle {rw['reason']}")
        # the table view renders the same run
        table = subprocess.run([c if c != "json" else "table" for c in cmd], capture_output=True, text=True)
        if table.returncode != 0 or "rho" not in table.stdout:
            failures.append(f"{name}/{convention}: table view failed: {table.stderr.strip()}")

for line in failures:
    print("FAIL", line)
print(f"{checked} values compared, {len(failures)} failures")
sys.exit(1 if failures else 0)
