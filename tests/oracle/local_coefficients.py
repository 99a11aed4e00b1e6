"""The follow-up's local and layer Ricci coefficients (docs/method.md §4 "Follow-up coefficients"), written
from the definition with dense matrices and Python BFS: an oracle for small n, sharing no code with the C++
engine. Forman curvature only (the notion every build has).

For a layer list X_1..X_m (graphs G_1..G_m of one rule and k) and each transition t = 1..m-1:
  O_t(x)   = mean of kappa(x, y) over x's edges in G_t (NaN when x has none),
  eta_t(x) = mean over y ~ x in G_t of gamma_{t+1}(x, y) - gamma_t(x, y); inf when some y is unreachable
             from x in G_{t+1}; NaN when x has no neighbour,
  rho(x)   = pearsonr over t of (O_t(x), eta_t(x)); NaN when some eta_t(x) is inf or NaN, with fewer than
             two transitions, or when either series is exactly constant (scipy's rule),
  rho(t)   = pearsonr over the points with a finite eta_t(x); NaN with fewer than two such points or a
             constant series."""
import math
import os
import sys
import warnings

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bruteforce_geometry as brute  # noqa: E402


def follow_up_pearson(x, y):
    """(value, reason): scipy.stats.pearsonr, NaN with 'zero-variance' for an exactly constant series."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.all(x == x[0]) or np.all(y == y[0]):
        return math.nan, "zero-variance"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r, _ = stats.pearsonr(x, y)
    return float(r), None


def layer_graph(X, k, rule):
    """Adjacency (bool n x n), Forman kappa per edge (dense), hop distances (-1 = unreachable)."""
    _, A, degree, _ = brute.graph(np.asarray(X, dtype=np.float64), k, rule)
    n = A.shape[0]
    kappa = np.zeros((n, n))
    for i, j in zip(*np.nonzero(A)):
        kappa[i, j] = 4 - degree[i] - degree[j]
    distances = np.array([brute.bfs_distances(A, s) for s in range(n)])
    return A, kappa, distances


def local(stack, k, rule):
    graphs = [layer_graph(X, k, rule) for X in stack]
    n = stack[0].shape[0]
    transitions = len(stack) - 1
    O = np.full((transitions, n), math.nan)
    eta = np.full((transitions, n), math.nan)
    for t in range(transitions):
        A, kappa, gamma = graphs[t]
        _, _, gamma_next = graphs[t + 1]
        for x in range(n):
            neighbours = np.nonzero(A[x])[0]
            if len(neighbours) == 0:
                continue
            O[t, x] = np.mean([kappa[x, y] for y in neighbours])
            if any(gamma_next[x, y] < 0 for y in neighbours):
                eta[t, x] = math.inf
            else:
                eta[t, x] = np.mean([gamma_next[x, y] - gamma[x, y] for y in neighbours])

    rho = np.full(n, math.nan)
    rho_reason = [None] * n
    for x in range(n):
        if np.any(np.isinf(eta[:, x])):
            rho_reason[x] = "unreachable-neighbour"
        elif np.any(np.isnan(eta[:, x])):
            rho_reason[x] = "isolated-point"
        elif transitions < 2:
            rho_reason[x] = "too-few-transitions"
        else:
            rho[x], rho_reason[x] = follow_up_pearson(O[:, x], eta[:, x])
    defined = [r for r, why in zip(rho, rho_reason) if why is None]
    layer_rho, layer_reason = [], []
    for t in range(transitions):
        keep = np.isfinite(eta[t])
        if keep.sum() < 2:
            value, why = math.nan, "too-few-points"
        else:
            value, why = follow_up_pearson(O[t, keep], eta[t, keep])
        layer_rho.append(value)
        layer_reason.append(why)
    return {
        "mean": float(np.mean(defined)) if defined else None,
        "negative_share": float(np.mean(np.array(defined) < 0)) if defined else None,
        "defined": len(defined),
        "undefined": n - len(defined),
        "unreachable": int(np.sum(np.any(np.isinf(eta), axis=0))) if transitions else 0,
        "reason": None if defined else "no-defined-point",
        "layer_rho": [None if math.isnan(v) else v for v in layer_rho],
        "layer_reason": layer_reason,
        "O": O,
        "eta": eta,
        "rho": rho,
        "rho_reason": rho_reason,
    }
