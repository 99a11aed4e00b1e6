"""Exact Ollivier-Ricci curvature (docs/method.md §3) against POT's ot.emd2, the follow-up's route: every
edge of random kNN graphs of a few hundred points, several k, idleness 0 and 1/2 (and one non-dyadic
idleness), to 1e-12. Exit code 77 (skipped) without POT (Debian: python3-pot).
Usage: test_ollivier_pot.py EDGE_CURVATURE_DUMP WORKDIR"""
import os
import subprocess
import sys

import numpy as np

try:
    import ot
except ImportError:
    print("POT (python3-pot) is not installed: skipped")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bruteforce_geometry  # noqa: E402
import curvature_bruteforce as cb  # noqa: E402


def pot_curvatures(A, alpha):
    """kappa = 1 - ot.emd2(mu_i, mu_j, hop distances) per edge, as the follow-up computes it."""
    dist = cb.hop_distances(A)
    out = []
    for i, j in cb.edges(A):
        mu, nu = cb.neighbour_measure(A, i, alpha), cb.neighbour_measure(A, j, alpha)
        src, dst = sorted(mu), sorted(nu)
        cost = dist[np.ix_(src, dst)]
        a = np.array([mu[u] for u in src])
        b = np.array([nu[v] for v in dst])
        out.append(1 - ot.emd2(a, b, cost))
    return out


def main():
    tool, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    rng = np.random.default_rng(2023)
    mixture = np.vstack([rng.normal(size=(100, 5)) + 3 * rng.normal(size=5) for _ in range(3)])
    relu = np.maximum(0, rng.normal(size=(250, 8)) @ rng.normal(size=(8, 6)))
    # A narrow ReLU layer rounded to one decimal: many exactly duplicated points (an eighth of them at
    # the origin), so many tied distances and many vertices with equal neighbourhoods, the case where
    # nearly every edge needs the cost-2 phase of the transport.
    ties = np.round(np.maximum(0, rng.normal(size=(200, 4)) @ rng.normal(size=(4, 3))), 1)
    # Two hubs (first and last index) near the origin and points on the unit sphere in 40-D, farther
    # from each other than from the hubs: both hubs neighbour every point (degree 299), so the
    # solver's bitsets over a closed neighbourhood take their generic width (more than 4 words) on
    # the source side (edges from hub 0), the sink side (edges to hub 299) and both.
    sphere = rng.normal(size=(298, 40))
    sphere /= np.linalg.norm(sphere, axis=1, keepdims=True)
    hub = 0.05 * np.eye(40)[:1]
    hubs = np.vstack([hub, sphere, -hub])
    configs = [("mixture", mixture, 5, "union", 0.0), ("mixture", mixture, 12, "union", 0.5),
               ("relu", relu, 20, "union", 0.0), ("relu", relu, 8, "mutual", 0.5),
               ("mixture", mixture, 7, "mutual", 0.0), ("relu", relu, 6, "union", 0.3),
               ("ties", ties, 15, "union", 0.0), ("ties", ties, 10, "union", 0.5),
               ("hubs", hubs, 5, "union", 0.0), ("hubs", hubs, 8, "union", 0.5)]
    failures, checked = [], 0
    for name, X, k, rule, alpha in configs:
        path = os.path.join(workdir, name + ".csv")
        np.savetxt(path, X, delimiter=",", fmt="%.17g")
        _, A, _, _ = bruteforce_geometry.graph(X, k, rule)
        want = pot_curvatures(A, alpha)
        out = subprocess.run([tool, path, str(k), rule, "ollivier", repr(alpha)], check=True,
                             capture_output=True, text=True).stdout.split("\n")
        rows = [line.split() for line in out if line]
        if [(int(i), int(j)) for i, j, _ in rows] != cb.edges(A):
            failures.append(f"{name} k={k} {rule}: edge lists differ")
            continue
        worst = 0.0
        for (i, j, g), w in zip(rows, want):
            checked += 1
            worst = max(worst, abs(float(g) - w))
            if not abs(float(g) - w) <= 1e-12:
                failures.append(f"{name} k={k} {rule} alpha={alpha} edge {i}-{j}: library {g}, POT {w!r}")
        print(f"{name} k={k} {rule} alpha={alpha}: {len(rows)} edges, max |difference| {worst:.2e}")
    for f in failures[:20]:
        print("FAIL", f)
    print(f"{checked} edges checked against ot.emd2, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
