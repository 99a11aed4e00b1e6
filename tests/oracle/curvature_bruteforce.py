"""The follow-up's curvature notions (docs/method.md §3 "Extended curvatures") written naively from the
definitions: dense 0/1 adjacency matrices, Python loops, breadth-first hop distances and scipy's LP solver
for the optimal transport. Shares no code with the C++ engine; meant for small graphs."""
import collections

import numpy as np
from scipy import optimize


def edges(A):
    """Undirected edges (i, j), i < j, by i then j: the C++ edge order."""
    n = A.shape[0]
    return [(i, j) for i in range(n) for j in range(i + 1, n) if A[i, j]]


def hop_distances(A):
    """All-pairs hop distances by breadth-first search (inf when unreachable)."""
    n = A.shape[0]
    neighbours = [np.flatnonzero(A[i]) for i in range(n)]
    dist = np.full((n, n), np.inf)
    for s in range(n):
        dist[s, s] = 0
        queue = collections.deque([s])
        while queue:
            u = queue.popleft()
            for v in neighbours[u]:
                if dist[s, v] == np.inf:
                    dist[s, v] = dist[s, u] + 1
                    queue.append(v)
    return dist


def forman(A):
    d = A.sum(axis=1)
    return [4 - d[i] - d[j] for i, j in edges(A)]


def triangles(A, i, j):
    return int(np.sum(A[i] & A[j]))


def augmented_forman(A):
    d = A.sum(axis=1)
    return [4 - d[i] - d[j] + 3 * triangles(A, i, j) for i, j in edges(A)]


def ollivier_approx(A):
    d = A.sum(axis=1).astype(float)
    out = []
    for i, j in edges(A):
        t = triangles(A, i, j)
        dmax, dmin = max(d[i], d[j]), min(d[i], d[j])
        base = 1 - 1 / d[i] - 1 / d[j]
        out.append(0.5 * t / dmax - 0.5 * (max(0.0, base - t / dmin) + max(0.0, base - t / dmax) - t / dmax))
    return out


def balanced_forman(A):
    """docs/method.md §3: the reference loop over every vertex k (i and j included)."""
    Ai = A.astype(np.int64)
    A2 = Ai @ Ai
    d = Ai.sum(axis=1)
    n = A.shape[0]
    out = []
    for i, j in edges(A):
        dmax, dmin = max(d[i], d[j]), min(d[i], d[j])
        sharp, lam = 0, 0
        for k in range(n):
            p = Ai[k, j] * (A2[i, k] - Ai[i, k])
            q = Ai[i, k] * (A2[k, j] - Ai[k, j])
            for value in (p, q):
                if value > 0:
                    sharp += 1
                    lam = max(lam, value)
        value = 2 / dmax + 2 / dmin - 2 + (2 / dmax + 1 / dmin) * A2[i, j]
        if lam > 0:
            value += sharp / (dmax * lam)
        out.append(value)
    return out


def neighbour_measure(A, x, alpha):
    """mu_x^alpha as {vertex: mass}: alpha on x, (1 - alpha)/deg(x) on each neighbour."""
    nbrs = np.flatnonzero(A[x])
    mu = {int(v): (1 - alpha) / len(nbrs) for v in nbrs}
    if alpha > 0:
        mu[x] = mu.get(x, 0) + alpha
    return mu


def transport_lp(mu, nu, dist):
    """W1(mu, nu) with ground cost dist, as a linear programme (scipy's HiGHS)."""
    src, dst = sorted(mu), sorted(nu)
    cost = np.array([[dist[u, v] for v in dst] for u in src]).ravel()
    rows, rhs = [], []
    for a in range(len(src)):
        row = np.zeros((len(src), len(dst)))
        row[a, :] = 1
        rows.append(row.ravel())
        rhs.append(mu[src[a]])
    for b in range(len(dst)):
        row = np.zeros((len(src), len(dst)))
        row[:, b] = 1
        rows.append(row.ravel())
        rhs.append(nu[dst[b]])
    result = optimize.linprog(cost, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=(0, None), method="highs")
    assert result.status == 0, result.message
    return result.fun


def ollivier(A, alpha=0.0):
    dist = hop_distances(A)
    return [1 - transport_lp(neighbour_measure(A, i, alpha), neighbour_measure(A, j, alpha), dist)
            for i, j in edges(A)]


NOTIONS = {
    "forman": forman,
    "augmented-forman": augmented_forman,
    "balanced-forman": balanced_forman,
    "ollivier-approx": ollivier_approx,
}
