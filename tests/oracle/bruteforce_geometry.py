"""An independent, deliberately naive implementation of docs/method.md §2-4 (dense matrices, Python BFS,
scipy's pearsonr). It shares no code with the C++ engine and is only meant for small n."""
import collections
import math

import numpy as np
from scipy import stats


def squared_distances(X):
    """Squared Euclidean distance accumulated in double over the coordinates in order (docs/method.md §2)."""
    X = np.asarray(X, dtype=np.float64)
    D = np.zeros((X.shape[0], X.shape[0]))
    for c in range(X.shape[1]):
        diff = X[:, c][:, None] - X[:, c][None, :]
        D += diff * diff
    return D


def neighbour_order(D, i):
    """Other points of i by (distance, index)."""
    n = D.shape[0]
    others = np.array([j for j in range(n) if j != i])
    return others[np.lexsort((others, D[i, others]))]


def graph(X, k, rule):
    """Returns (arc matrix M summed for curvature, undirected adjacency A, degree vector, edge count)."""
    D = squared_distances(X)
    n = D.shape[0]
    M = np.zeros((n, n), dtype=bool)
    for i in range(n):
        order = neighbour_order(D, i)
        if rule == "baptista-r":
            kth = D[i, order[k - 1]]
            M[i, [j for j in range(n) if j != i and D[i, j] <= kth]] = True
        else:
            M[i, order[:k]] = True
    if rule == "union":
        A = M | M.T
    elif rule == "mutual":
        A = M & M.T
    else:
        A = M | M.T
    if rule == "baptista-r":
        degree = M.sum(axis=1) + M.sum(axis=0)
        return M, A, degree, int(M.sum())
    return np.triu(A, 1), A, A.sum(axis=1), int(np.triu(A, 1).sum())


def bfs_distances(A, s):
    n = A.shape[0]
    dist = [-1] * n
    dist[s] = 0
    queue = collections.deque([s])
    while queue:
        v = queue.popleft()
        for u in np.nonzero(A[v])[0]:
            if dist[u] < 0:
                dist[u] = dist[v] + 1
                queue.append(u)
    return dist


def layer(X, k, rule):
    arcs, A, degree, edges = graph(X, k, rule)
    ric = int(sum(4 - degree[i] - degree[j] for i, j in zip(*np.nonzero(arcs))))
    n = A.shape[0]
    rows = [bfs_distances(A, s) for s in range(n)]
    unreachable = sum(1 for i in range(n) for j in range(i + 1, n) if rows[i][j] < 0)
    # components by labelling
    label = [-1] * n
    components = 0
    for s in range(n):
        if label[s] < 0:
            for v, d in enumerate(rows[s]):
                if d >= 0:
                    label[v] = components
            components += 1
    if components == 1:
        g = sum(rows[i][j] for i in range(n) for j in range(i + 1, n))
        if rule == "baptista-r":
            g *= 2
    else:
        g = None
    return {"edges": edges, "components": components, "unreachable_pairs": unreachable, "ric": ric, "g": g}


def coefficient(layers):
    L = len(layers)
    out = {"rho": None, "z": None, "fisher": None, "p": None, "reason": None}
    if any(lay["g"] is None for lay in layers):
        out["reason"] = "disconnected"
        return out
    if L < 3:
        out["reason"] = "too-few-layers"
        return out
    eta = np.array([layers[l + 1]["g"] - layers[l]["g"] for l in range(L - 1)], dtype=float)
    ric = np.array([layers[l]["ric"] for l in range(L - 1)], dtype=float)
    if np.all(eta == eta[0]) or np.all(ric == ric[0]):
        out["reason"] = "zero-variance"
        return out
    r, p = stats.pearsonr(eta, ric)
    out["rho"] = float(r)
    if L < 4:
        out["reason"] = "too-few-layers"
        return out
    out["p"] = float(p)
    if L < 5:
        out["reason"] = "too-few-layers"
        return out
    if abs(r) >= 1:
        out["reason"] = "perfect-correlation"
        return out
    out["z"] = math.atanh(r) / math.sqrt(L - 4)
    out["fisher"] = math.atanh(r) * math.sqrt(L - 4)
    return out


def analyze(stack, ks, rule):
    results = []
    for k in ks:
        layers = [dict(layer=l + 1, **layer(X, k, rule)) for l, X in enumerate(stack)]
        results.append(dict(k=k, layers=layers, **coefficient(layers)))
    return {"n": stack[0].shape[0], "layers": len(stack), "results": results}
