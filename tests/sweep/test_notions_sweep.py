"""A sweep that stores every curvature notion and the follow-up's local coefficients (schema 5's
/notions and /local, docs/method.md §3-§4), end to end on a tiny CSV problem:

* the stored per-notion values equal `ricci-query analyze` on the run's stored activations, and the
  numpy oracles (tests/oracle/local_coefficients.py, curvature_bruteforce.py) on run 0, per-node
  O_t(x), eta_t(x) and rho(x) (store_nodes) included;
* --resume with another notion list or local setting is refused; --reanalyze with the notion keys
  gives the same values;
* exact Ollivier is computed only at geometry.ollivier_k and NaN elsewhere;
* 1 and 3 ranks give identical files; `ricci-query validate` accepts the file and rejects a
  corrupted /notions or /local value; layers = all keeps /flow the hidden layers' values;
* bad geometry keys exit 2 with one line naming the key and value;
* `ricci-query local` and `layers-profile` against the means computed here from the datasets.

  /usr/bin/python3 tests/sweep/test_notions_sweep.py RICCI_SWEEP WORKDIR
"""
import json
import math
import os
import random
import shutil
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
import bruteforce_geometry as brute  # noqa: E402
import compare_results  # noqa: E402
import curvature_bruteforce as cb  # noqa: E402
import local_coefficients as oracle  # noqa: E402
from sweep_harness import ENV, check, failures, fresh_path  # noqa: E402

SWEEP, WORK = sys.argv[1], sys.argv[2]
QUERY = os.path.join(os.path.dirname(SWEEP), "ricci-query")
os.makedirs(WORK, exist_ok=True)
NOTIONS = ["forman", "augmented-forman", "ollivier-approx", "ollivier"]
KS = [4, 7]


def fresh(name):
    return fresh_path(WORK, name)


def run(cmd, timeout=300):
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)


random.seed(14)
csv = os.path.join(WORK, "rings.csv")
with open(csv, "w") as f:
    f.write("x,y,label\n")
    for i in range(150):
        r = 1.0 + (i % 2) + random.uniform(-0.2, 0.2)
        a = random.uniform(0, 2 * math.pi)
        f.write(f"{r * math.cos(a):.5f},{r * math.sin(a):.5f},{i % 2}\n")

BASE = ["--sweep.problems", "csv:" + csv, "--sweep.architectures", "narrow", "--sweep.depths", "4",
        "--sweep.seeds", "0-2", "--train.epochs", "3", "--geometry.k", ",".join(map(str, KS)),
        "--output.store_nodes", "true"]
NOTION_KEYS = ["--geometry.curvatures", ",".join(NOTIONS), "--geometry.local", "true",
               "--geometry.ollivier_k", str(KS[0])]

# --- 1 and 3 ranks: identical files, valid.
one = fresh("notions-1.h5")
r = run(["mpirun", "-np", "1", SWEEP] + BASE + NOTION_KEYS + ["--out", one])
check(r.returncode == 0, f"-np 1: exit {r.returncode}: {r.stderr[-800:]}")
three = fresh("notions-3.h5")
r = run(["mpirun", "-np", "3", SWEEP] + BASE + NOTION_KEYS + ["--out", three])
check(r.returncode == 0, f"-np 3: exit {r.returncode}: {r.stderr[-800:]}")
if failures:
    sys.exit(1)
for key in compare_results.differences(compare_results.contents(one), compare_results.contents(three)):
    check(False, f"-np 1 vs -np 3: {key} differs")
r = run([QUERY, "validate", one])
check(r.returncode == 0, f"validate rejects the notions file: {r.stdout}{r.stderr}")

with h5py.File(one, "r") as f:
    check(f.attrs["schema_version"] >= 5, "schema_version is below 5, which brought the notions")
    names = f.attrs["notions"].decode().split(",")
    check(names == NOTIONS, f"notions attribute {names}")
    check(f.attrs["layer_list"].decode() == "hidden", "layer_list is not hidden")
    check(int(f.attrs["local"]) == 1, "local is not 1")
    data = {key: f[key][()] for group in ("notions", "local", "flow") for key in
            (f"{group}/{name}" for name in f[group])}
    n_test = int(f["runs/n_test"][0])
    depth = int(f["runs/depth"][0])
    layers = [f[f"run_data/r000000/layer_{l:02d}"][()].astype(np.float64) for l in range(1, depth + 1)]
    nodes = {key: f[f"run_data/r000000/{key}"][()] for key in ("local_scalar", "local_expansion", "local_rho")}
    status = f["runs/status"][()]
check(bool((status == 1).all()), "not every run is done")
N = status.size

# exact Ollivier only at ollivier_k: NaN (and reason -1) at the other k.
o = NOTIONS.index("ollivier")
check(bool(np.isfinite(data["notions/ric"][:, 0, o, :depth]).all()), "ollivier missing at its k")
check(bool(np.isnan(data["notions/ric"][:, 1, o, :]).all()), "ollivier set outside ollivier_k")
check(bool((data["notions/reason"][:, 1, o] == -1).all()), "ollivier reason outside ollivier_k is not -1")
check(bool(np.isnan(data["local/mean"][:, 1, o]).all()), "ollivier local mean outside ollivier_k")
check(bool(np.isnan(nodes["local_rho"][1, o]).all()), "ollivier rho(x) outside ollivier_k")
check(nodes["local_scalar"].shape == (len(KS), len(NOTIONS), depth - 1, n_test), f"local_scalar shape {nodes['local_scalar'].shape}")
# Forman's notion values are /flow's under layers = hidden.
check(np.array_equal(data["notions/ric"][:, :, 0, :], data["flow/ric"], equal_nan=True), "forman /notions/ric != /flow/ric")
check(np.array_equal(data["notions/rho"][:, :, 0], data["flow/rho"], equal_nan=True), "forman /notions/rho != /flow/rho")


def close(a, b, tol=1e-9):
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        none_a = a is None or (isinstance(a, float) and math.isnan(a))
        none_b = b is None or (isinstance(b, float) and math.isnan(b))
        return none_a and none_b
    return abs(a - b) <= tol * max(1.0, abs(b))


def nan_or(x):
    x = float(x)
    return None if math.isnan(x) else x


# --- against ricci-query analyze on the stored activations, every run.
for notions, ks in ((NOTIONS[:3], KS), (["ollivier"], KS[:1])):
    for i in range(N):
        r = run([QUERY, "analyze", one, "--run", str(i), "--k", ",".join(map(str, ks)), "--curvature",
                 ",".join(notions), "--local", "--format", "json"])
        check(r.returncode == 0, f"analyze run {i}: {r.stderr}")
        if r.returncode:
            continue
        result = json.loads(r.stdout)
        for s, at_k in enumerate(result["results"]):
            for name in notions:
                c = NOTIONS.index(name)
                for l, layer in enumerate(at_k["layers"]):
                    check(close(data["notions/ric"][i, s, c, l], layer["curvature"][name]),
                          f"run {i} k {ks[s]} {name}: Ric layer {l + 1}")
                g = at_k["global"][name]
                for field in ("rho", "z", "fisher", "p"):
                    check(close(nan_or(data[f"notions/{field}"][i, s, c]), g[field]), f"run {i} k {ks[s]} {name}: {field}")
                loc = at_k["local"][name]
                for field in ("mean", "negative_share", "defined", "undefined", "unreachable"):
                    check(close(nan_or(data[f"local/{field}"][i, s, c]), loc[field]), f"run {i} k {ks[s]} {name}: local {field}")
                for t, value in enumerate(loc["layer_rho"]):
                    check(close(nan_or(data["local/layer_rho"][i, s, c, t]), value), f"run {i} k {ks[s]} {name}: rho({t})")
print("analyze: done", flush=True)


# --- against the numpy oracles on run 0 at the first k: Forman and augmented Forman.
def oracle_notion(kappa_of):
    def layer_graph(X, k, rule):
        _, A, _, _ = brute.graph(np.asarray(X, dtype=np.float64), k, rule)
        kappa = np.zeros(A.shape)
        for (a, b), value in zip(cb.edges(A), kappa_of(A)):
            kappa[a, b] = kappa[b, a] = value
        distances = np.array([brute.bfs_distances(A, s) for s in range(A.shape[0])])
        return A, kappa, distances
    return layer_graph


k = KS[0]
for name, kappa_of in (("forman", cb.forman), ("augmented-forman", cb.augmented_forman)):
    c = NOTIONS.index(name)
    oracle.layer_graph = oracle_notion(kappa_of)
    expected = oracle.local(layers, k, "union")
    check(close(data["local/mean"][0, 0, c], expected["mean"]), f"oracle {name}: local mean")
    check(close(data["local/negative_share"][0, 0, c], expected["negative_share"]), f"oracle {name}: negative share")
    check(data["local/undefined"][0, 0, c] == expected["undefined"], f"oracle {name}: undefined")
    for t, value in enumerate(expected["layer_rho"]):
        check(close(nan_or(data["local/layer_rho"][0, 0, c, t]), value), f"oracle {name}: rho({t})")
    # per point: O_t(x), eta_t(x) (inf where a neighbour is unreachable), rho(x)
    check(np.allclose(nodes["local_scalar"][0, c], expected["O"], rtol=1e-9, atol=1e-12, equal_nan=True),
          f"oracle {name}: O_t(x)")
    check(np.allclose(nodes["local_expansion"][0], expected["eta"], rtol=1e-9, atol=1e-12, equal_nan=True),
          f"oracle {name}: eta_t(x)")
    check(np.allclose(nodes["local_rho"][0, c], expected["rho"], rtol=1e-9, atol=1e-12, equal_nan=True),
          f"oracle {name}: rho(x)")
    ric = []
    for X in layers:
        _, A, _, _ = brute.graph(X, k, "union")
        ric.append(sum(kappa_of(A)))
    check(all(close(data["notions/ric"][0, 0, c, l], ric[l]) for l in range(depth)), f"oracle {name}: Ric per layer")
print("oracle: done", flush=True)

# --- validate rejects a corrupted notion value and a corrupted local value.
# rho is recomputed from /notions/eta and /notions/ric; a local mean must be defined exactly where
# some rho(x) is (the checksum catches both too; the messages show the value rules did).
for key, index, value, says in (("notions/rho", (0, 1, 1), 0.5, "notion augmented-forman: rho"),
                                ("local/mean", (1, 0, 2), math.nan, "notion ollivier-approx: local mean")):
    bad = fresh("corrupted.h5")
    shutil.copy(one, bad)
    with h5py.File(bad, "r+") as f:
        f[key][index] = value
    r = run([QUERY, "validate", bad])
    check(r.returncode == 3 and says in r.stdout, f"validate on a corrupted {key}: exit {r.returncode}: {r.stdout}")

# ... and a notions attribute that does not name the notions axis.
for value, says in (("forman,augmented-forman", "names 2 notions but the notions axis has 4"),
                    ("forman,ricci,ollivier,ollivier-approx", "'ricci'")):
    bad = fresh("corrupted.h5")
    shutil.copy(one, bad)
    with h5py.File(bad, "r+") as f:
        f.attrs["notions"] = np.bytes_(value)
    r = run([QUERY, "validate", bad])
    check(r.returncode == 3 and says in r.stdout, f"validate with notions = {value}: exit {r.returncode}: {r.stdout}{r.stderr}")

# --- layers = all: /flow stays the hidden layers' values, /notions holds the list of depth + 2.
every = fresh("notions-all.h5")
r = run([SWEEP] + BASE + NOTION_KEYS + ["--geometry.layers", "all", "--out", every])
check(r.returncode == 0, f"layers = all: exit {r.returncode}: {r.stderr[-800:]}")
r = run([QUERY, "validate", every])
check(r.returncode == 0, f"validate rejects the layers = all file: {r.stdout}{r.stderr}")
with h5py.File(every, "r") as f:
    check(f.attrs["layer_list"].decode() == "all", "layer_list is not all")
    check(f["notions/ric"].shape[3] == depth + 2, f"list layers {f['notions/ric'].shape}")
    for key in ("flow/ric", "flow/g", "flow/rho", "flow/eta"):
        check(np.array_equal(f[key][()], data[key], equal_nan=True), f"layers = all: {key} differs from layers = hidden")
    check(np.array_equal(f["notions/ric"][:, :, :, 1:depth + 1], data["notions/ric"], equal_nan=True),
          "layers = all: the hidden layers' Ric differ")

# --- --resume with another notion list or local setting is refused, naming the key; the file is
# left as it was.
before = compare_results.contents(one)
for key, value in (("curvatures", "forman,augmented-forman,ollivier"), ("local", "false")):
    keys = list(NOTION_KEYS)
    keys[keys.index("--geometry." + key) + 1] = value
    args = BASE + keys + ["--out", one, "--resume"]
    r = run([SWEEP] + args)
    check(r.returncode == 2 and "holds a different job (geometry." + key in r.stderr,
          f"--resume with {key} = {value}: exit {r.returncode}: {r.stderr!r}")
check(not compare_results.differences(before, compare_results.contents(one)), "a refused --resume changed the file")

# --- --reanalyze of a Forman-only sweep with the notion keys gives the notions sweep's values.
plain = fresh("plain.h5")
r = run([SWEEP] + BASE + ["--out", plain])
check(r.returncode == 0, f"plain sweep: exit {r.returncode}: {r.stderr[-500:]}")
again = fresh("reanalysed.h5")
r = run(["mpirun", "-np", "2", SWEEP, "--reanalyze", plain, "--out", again] + NOTION_KEYS)
check(r.returncode == 0, f"--reanalyze with notion keys: exit {r.returncode}: {r.stderr[-500:]}")
if r.returncode == 0:
    mine = compare_results.contents(again)
    for key in [k for k in before if k.startswith(("notions/", "local/", "flow/"))]:
        check(np.array_equal(mine[key], before[key], equal_nan=True), f"--reanalyze: {key} differs from the notions sweep")


# --- ricci-query local and layers-profile against the means computed here from the datasets.
def finite_mean(values):
    values = [v for v in values if math.isfinite(v)]
    return sum(values) / len(values) if values else None


r = run([QUERY, "local", one, "--format", "json"])
check(r.returncode == 0, f"local: {r.stderr}")
groups = json.loads(r.stdout)["groups"] if r.returncode == 0 else []
check(len(groups) == len(KS) * len(NOTIONS) - 1, f"local: {len(groups)} groups")  # no ollivier at the second k
for g in groups:
    s, c = KS.index(g["k"]), NOTIONS.index(g["notion"])
    means = [data["local/mean"][i, s, c] for i in range(N)]
    shares = [data["local/negative_share"][i, s, c] for i in range(N)]
    check(g["runs"] == N, f"local {g['notion']} k {g['k']}: runs {g['runs']}")
    check(close(g["mean_local_rho"], finite_mean(means)), f"local {g['notion']} k {g['k']}: mean")
    check(close(g["mean_negative_share"], finite_mean(shares)), f"local {g['notion']} k {g['k']}: share")
    check(g["undefined_points"] == sum(data["local/undefined"][i, s, c] for i in range(N)),
          f"local {g['notion']} k {g['k']}: undefined points")
r = run([QUERY, "local", one, "--k", str(KS[1]), "--curvature", "augmented-forman", "--format", "csv"])
rows = r.stdout.strip().splitlines()
check(r.returncode == 0 and len(rows) == 2 and rows[0].startswith("problem,architecture,depth,k,notion,runs"),
      f"local --k --curvature csv: {r.stdout!r} {r.stderr!r}")
r = run([QUERY, "local", one, "--curvature", "balanced-forman"])
check(r.returncode == 2 and "stores the notions forman,augmented-forman" in r.stderr, f"local of a notion the file lacks: {r.stderr!r}")
r = run([QUERY, "local", plain])
check(r.returncode == 2 and "has no local coefficients" in r.stderr, f"local of a file without them: {r.stderr!r}")

r = run([QUERY, "layers-profile", one, "--k", str(KS[0]), "--format", "json"])
check(r.returncode == 0, f"layers-profile: {r.stderr}")
for g in (json.loads(r.stdout)["groups"] if r.returncode == 0 else []):
    c = NOTIONS.index(g["notion"])
    check(len(g["profile"]) == depth - 1, f"layers-profile {g['notion']}: {len(g['profile'])} transitions")
    for p in g["profile"]:
        values = [data["local/layer_rho"][i, 0, c, p["transition"]] for i in range(N)]
        check(close(p["mean_layer_rho"], finite_mean(values)) and p["runs"] == sum(math.isfinite(v) for v in values),
              f"layers-profile {g['notion']} transition {p['transition']}")
        check(p["from_layer"] == p["transition"] + 1, "layers-profile: from_layer of the hidden list")
r = run([QUERY, "layers-profile", every, "--k", str(KS[0]), "--curvature", "forman", "--format", "json"])
profile = json.loads(r.stdout)["groups"][0]["profile"] if r.returncode == 0 else []
check(len(profile) == depth + 1 and profile[0]["from_layer"] == 0, f"layers-profile of layers = all: {r.stdout[:300]!r} {r.stderr!r}")
print("query: done", flush=True)

# --- bad keys: exit 2, one line naming the key and value.
for key, value, says in (("curvatures", "forman,ricci", "'ricci'"), ("local", "maybe", "'maybe'"),
                         ("ollivier_idleness", "1", "got 1"), ("ollivier_k", "5", "k = 5"),
                         ("layers", "some", "'some'")):
    args = BASE + ["--geometry.curvatures", "forman,ollivier", "--geometry." + key, value, "--out", fresh("bad.h5")]
    if key == "curvatures":
        args = BASE + ["--geometry.curvatures", value, "--out", fresh("bad.h5")]
    r = run([SWEEP] + args)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and len(lines) == 1 and "geometry." + key in lines[0] and says in lines[0],
          f"bad {key} = {value}: exit {r.returncode}, {r.stderr!r}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("all notion sweep checks passed")
