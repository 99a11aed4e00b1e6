"""Every curvature notion of docs/method.md §3 on small kNN graphs, edge by edge: the C++ library (through
the test tool edge_curvature_dump) against the numpy/scipy brute force of curvature_bruteforce.py.
Usage: test_curvature_notions.py EDGE_CURVATURE_DUMP WORKDIR"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bruteforce_geometry  # noqa: E402
import curvature_bruteforce as cb  # noqa: E402


def dump(tool, path, k, rule, notion, alpha=None):
    args = [tool, path, str(k), rule, notion] + ([repr(alpha)] if alpha is not None else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout.split("\n")
    rows = [line.split() for line in out if line]
    return [(int(i), int(j)) for i, j, _ in rows], [float(v) for _, _, v in rows]


def point_sets():
    rng = np.random.default_rng(13)
    gauss = rng.normal(size=(36, 3))
    # A ReLU layer: many points collapse onto the same activation (duplicates, ties at distance 0).
    relu = np.maximum(0, rng.normal(size=(40, 4)) @ rng.normal(size=(4, 3)) - 0.3)
    relu = np.round(relu, 1)
    # Two well-separated clusters joined only through the union rule.
    clusters = np.vstack([rng.normal(size=(15, 2)), rng.normal(size=(15, 2)) + 6])
    return {"gauss": gauss, "relu": relu, "clusters": clusters}


def sparse_points():
    """Enough points at k = 3 that the library walks sorted rows instead of bit rows (it uses bit
    rows only when n/64 words are at most the mean degree): the other code path of the closed-form
    notions."""
    return np.random.default_rng(29).normal(size=(260, 2))


def main():
    tool, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    failures, checked = [], 0
    sets = [(name, X, (3, 6), True) for name, X in point_sets().items()]
    sets.append(("sparse", sparse_points(), (3,), False))
    for name, X, ks, with_ollivier in sets:
        path = os.path.join(workdir, name + ".csv")
        np.savetxt(path, X, delimiter=",", fmt="%.17g")
        for k in ks:
            for rule in ("union", "mutual"):
                _, A, _, _ = bruteforce_geometry.graph(X, k, rule)
                expected_edges = cb.edges(A)
                n, arcs = A.shape[0], int(A.sum())
                if not with_ollivier and (n + 63) // 64 * n <= arcs:
                    failures.append(f"{name} k={k} {rule}: dense enough for bit rows, not the sparse path")
                cases = [(notion, None, f(A), 1e-12) for notion, f in cb.NOTIONS.items()]
                # HiGHS solves the transport in floating point: 1e-9 (test_ollivier_pot.py holds 1e-12).
                if with_ollivier:
                    cases += [("ollivier", None, cb.ollivier(A, 0.0), 1e-9),
                              ("ollivier", 0.3, cb.ollivier(A, 0.3), 1e-9)]
                for notion, alpha, want, tol in cases:
                    got_edges, got = dump(tool, path, k, rule, notion, alpha)
                    where = f"{name} k={k} {rule} {notion} alpha={alpha}"
                    if got_edges != expected_edges:
                        failures.append(f"{where}: edge lists differ")
                        continue
                    for (i, j), g, w in zip(got_edges, got, want):
                        checked += 1
                        if not abs(g - w) <= tol:
                            failures.append(f"{where} edge {i}-{j}: library {g!r}, brute force {w!r}")
    # A bad notion and a bad idleness: one line naming the value, exit 2.
    bad = subprocess.run([tool, path, "3", "union", "olivier"], capture_output=True, text=True)
    if bad.returncode != 2 or "'olivier'" not in bad.stderr or bad.stderr.count("\n") != 1:
        failures.append(f"unknown notion: rc {bad.returncode}, stderr {bad.stderr!r}")
    bad = subprocess.run([tool, path, "3", "union", "ollivier", "1"], capture_output=True, text=True)
    if bad.returncode != 2 or "idleness 1 " not in bad.stderr:
        failures.append(f"idleness 1: rc {bad.returncode}, stderr {bad.stderr!r}")
    for f in failures[:20]:
        print("FAIL", f)
    print(f"{checked} edge values checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
