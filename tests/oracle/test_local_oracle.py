"""`ricci-query analyze --local --nodes` against the numpy oracle of docs/method.md §4 "Follow-up coefficients"
(local_coefficients.py), to 1e-9: the local summaries and layer coefficients in the JSON and every per-point
O_l(x), eta_l(x), rho(x) in the --nodes file, for the union and mutual graphs, on stacks with exact
duplicates and ties, layers that split into far-apart clusters (unreachable neighbours), a collapsed layer,
one transition only, and the follow-up's list --layers all (layer_00, hidden layers, output as n and as
n x 1), whose global coefficient is checked against the brute-force oracle over the same list.
Usage: test_local_oracle.py RICCI_QUERY WORKDIR"""
import csv
import json
import math
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bruteforce_geometry as brute  # noqa: E402
import local_coefficients as oracle  # noqa: E402

RICCI_QUERY, WORKDIR = sys.argv[1], sys.argv[2]
os.makedirs(WORKDIR, exist_ok=True)


def relu_stack(rng, X, widths):
    stack, H = [], X
    for w in widths:
        W = rng.normal(0, 1.0 / math.sqrt(H.shape[1]), (H.shape[1], w))
        H = np.maximum(H @ W + rng.normal(0, 0.3, w), 0)
        stack.append(H)
    return stack


def split_layer(rng, n, groups, spread):
    """Points in `groups` far-apart clusters by a random assignment: at small k no edge crosses clusters."""
    label = rng.integers(0, groups, n)
    return np.array([[100.0 * label[i], 0.0] for i in range(n)]) + rng.normal(0, spread, (n, 2))


def cases():
    """(name, hidden layers, input or None, output or None, ks)."""
    rng = np.random.default_rng(13)
    lattice = [rng.integers(0, 3, size=(40, 2 + l % 3)).astype(np.float64) for l in range(5)]
    yield "lattice5", lattice, None, None, [1, 3, 6]
    n = 36
    blob = lambda: rng.normal(0, 1, (n, 3))  # noqa: E731
    yield "splits", [blob(), split_layer(rng, n, 3, 1.0), blob(), split_layer(rng, n, 2, 1.0), blob()], \
        None, None, [2, 4, 15]
    collapsed = relu_stack(rng, rng.normal(0, 1, (30, 3)), [5, 5, 5, 5])
    collapsed.insert(2, np.zeros((30, 4)))
    yield "collapsed", collapsed, None, None, [3, 8]
    yield "one_transition", relu_stack(rng, rng.normal(0, 1, (25, 3)), [6, 4]), None, None, [2, 5]
    X = rng.normal(0, 1, (32, 3))
    hidden = relu_stack(rng, X, [6, 6, 5, 4])
    logits = hidden[-1] @ rng.normal(0, 1, 4)
    yield "all_vector_output", hidden, X, 1 / (1 + np.exp(-logits)), [2, 5]
    yield "all_column_output", hidden, X, (1 / (1 + np.exp(-logits)))[:, None], [3]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def cell(text):
    """A --nodes cell: empty = NaN, inf/-inf, else a number."""
    return math.nan if text == "" else float(text)


def same_value(got, want):
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)


failures = []
checked = 0
seen = set()  # the reasons and outcomes the cases produced
for name, hidden, inputs, output, ks in cases():
    path = os.path.join(WORKDIR, name + ".h5")
    with h5py.File(path, "w") as f:
        grp = f.create_group("acts")
        for l, X in enumerate(hidden):
            grp.create_dataset("layer_%02d" % (l + 1), data=X)
        if inputs is not None:
            grp.create_dataset("layer_00", data=inputs)
            grp.create_dataset("output", data=output)
    layer_lists = ["hidden"] + (["all"] if inputs is not None else [])
    for layers in layer_lists:
        stack = [np.asarray(X, dtype=np.float64) for X in hidden]
        if layers == "all":
            out = np.asarray(output, dtype=np.float64).reshape(-1, 1)
            stack = [np.asarray(inputs, dtype=np.float64)] + stack + [out]
        for rule in ("union", "mutual"):
            at = f"{name}/{layers}/{rule}"
            nodes = os.path.join(WORKDIR, f"{name}-{layers}-{rule}.csv")
            if os.path.exists(nodes):
                os.remove(nodes)
            cmd = [RICCI_QUERY, "analyze", path, "--group", "/acts", "--k", ",".join(map(str, ks)),
                   "--graph", rule, "--layers", layers, "--local", "--nodes", nodes, "--format", "json"]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                failures.append(f"{at}: exit {proc.returncode}: {proc.stderr.strip()}")
                continue
            got = json.loads(proc.stdout)
            with open(nodes, newline="") as f:
                node_rows = list(csv.DictReader(f))
            for result in got["results"]:
                k = result["k"]
                want = oracle.local(stack, k, rule)
                seen.update(why for why in want["rho_reason"] + want["layer_reason"] if why)
                if want["defined"]:
                    seen.add("defined")
                g = result["local"]["forman"]
                for key in ("defined", "undefined", "unreachable", "reason", "layer_reason"):
                    if g[key] != want[key]:
                        failures.append(f"{at} k={k}: {key} = {g[key]!r}, want {want[key]!r}")
                if not close(g["mean"], want["mean"]):
                    failures.append(f"{at} k={k}: mean = {g['mean']!r}, want {want['mean']!r}")
                # A rho(x) that is 0 in exact arithmetic comes out as 0 or a few ulps either side, in
                # either implementation: the share may count such a point or not.
                defined = [r for r, why in zip(want["rho"], want["rho_reason"]) if why is None]
                if defined and g["negative_share"] is not None:
                    low = sum(r < -1e-12 for r in defined) / len(defined)
                    high = sum(r < 1e-12 for r in defined) / len(defined)
                    if not low - 1e-12 <= g["negative_share"] <= high + 1e-12:
                        failures.append(f"{at} k={k}: negative_share = {g['negative_share']!r}, want "
                                        f"{want['negative_share']!r} (between {low} and {high})")
                elif not close(g["negative_share"], want["negative_share"]):
                    failures.append(f"{at} k={k}: negative_share = {g['negative_share']!r}, "
                                    f"want {want['negative_share']!r}")
                if len(g["layer_rho"]) != len(want["layer_rho"]) or not all(
                        close(a, b) for a, b in zip(g["layer_rho"], want["layer_rho"])):
                    failures.append(f"{at} k={k}: layer_rho = {g['layer_rho']}, want {want['layer_rho']}")
                # The global coefficient and totals over the same list, against the brute-force oracle.
                layers_want = [brute.layer(X, k, rule) for X in stack]
                coefficient = brute.coefficient(layers_want)
                forman = result["global"]["forman"]
                for key in ("rho", "z", "fisher", "p", "reason"):
                    a, b = forman[key], coefficient[key]
                    if (a != b) if isinstance(b, str) or b is None else not close(a, b):
                        failures.append(f"{at} k={k}: global {key} = {a!r}, want {b!r}")
                if [lay["curvature"]["forman"] for lay in result["layers"]] != [lay["ric"] for lay in layers_want]:
                    failures.append(f"{at} k={k}: layer curvature totals differ from the oracle's Ric")
                # Every per-point value of the --nodes file.
                rows = [r for r in node_rows if int(r["k"]) == k and r["notion"] == "forman"]
                transitions = len(stack) - 1
                if len(rows) != transitions * stack[0].shape[0]:
                    failures.append(f"{at} k={k}: {len(rows)} node rows, want {transitions} x {stack[0].shape[0]}")
                    continue
                first = 0 if layers == "all" else 1
                for r in rows:
                    t, x = int(r["layer"]) - first, int(r["point"])
                    for key, value in (("scalar_curvature", want["O"][t, x]), ("local_expansion", want["eta"][t, x]),
                                       ("rho", want["rho"][x])):
                        if not same_value(cell(r[key]), value):
                            failures.append(f"{at} k={k} t={t} x={x}: {key} = {r[key]!r}, want {value!r}")
                    if (r["rho_reason"] or None) != want["rho_reason"][x]:
                        failures.append(f"{at} k={k} x={x}: rho_reason = {r['rho_reason']!r}, "
                                        f"want {want['rho_reason'][x]!r}")
                checked += 1

# The cases must exercise what they are for.
if checked < 20:
    failures.append(f"only {checked} (case, k) results were checked")
wanted = {"defined", "unreachable-neighbour", "isolated-point", "zero-variance", "too-few-transitions"}
if not wanted <= seen:
    failures.append(f"the cases never produced {sorted(wanted - seen)}")

for message in failures[:40]:
    print("FAIL", message)
if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)
print(f"ok: {checked} (stack, list, graph, k) results match the numpy oracle")
