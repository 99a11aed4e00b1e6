"""ricci-query's results-file subcommands against an independent numpy/scipy implementation of
docs/method.md §4, on a results file written here with h5py straight from results_schema/layout.json
(not with the project's writer).

  /usr/bin/python3 tests/query/test_query_results.py RICCI_QUERY WORKDIR
"""
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
from scipy import stats

QUERY, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL", message, flush=True)


def close(a, b, tol=1e-9):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(b))


def query(*args):
    return subprocess.run([QUERY, *args], capture_output=True, text=True, timeout=120)


def nan_to_none(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


# ---------------------------------------------------------------- the file, written independently
rng = np.random.default_rng(20261125)
PROBLEMS = {"alpha": {"k": [5, 10, 20], "threshold": 0.9, "n": 40},
            "beta": {"k": [10, 30], "threshold": 0.8, "n": 50}}
ARCHS, DEPTHS, SEEDS = ["narrow", "wide"], [5, 7], range(6)
K, L, E = 3, 7, 4
runs = []
for problem, spec in PROBLEMS.items():
    for arch in ARCHS:
        for depth in DEPTHS:
            for seed in SEEDS:
                runs.append(dict(problem=problem, architecture=arch, depth=depth, seed=seed,
                                 threshold=spec["threshold"], n=spec["n"], k=spec["k"]))
N = len(runs)


def coefficient(g, ric):
    """docs/method.md §4 per run: (rho, z, fisher, p, reason code)."""
    nan = float("nan")
    if np.isnan(g).any():
        return nan, nan, nan, nan, 1
    layers = len(g)
    eta, r = np.diff(g), ric[:-1]
    if eta.std() == 0 or r.std() == 0:
        return nan, nan, nan, nan, 3
    rho = float(np.corrcoef(eta, r)[0, 1])
    m = layers - 1
    t = abs(rho) * math.sqrt((m - 2) / (1 - rho * rho))
    p = float(2 * stats.t.sf(t, m - 2))
    if abs(rho) >= 1:
        return rho, nan, nan, p, 4
    scale = math.sqrt(layers - 4)
    return rho, math.atanh(rho) / scale, math.atanh(rho) * scale, p, 0


status = np.zeros(N, np.int8)
acc = np.full(N, np.nan)
errors = [b""] * N
kk = np.full((N, K), -1, np.int32)
edges, comps, unreach, ric, g = (np.full((N, K, L), np.nan) for _ in range(5))
rho, z, fisher, p = (np.full((N, K), np.nan) for _ in range(4))
reason = np.full((N, K), -1, np.int8)
epochs = np.zeros(N, np.int32)
loss = np.full((N, E), np.nan)
for i, run in enumerate(runs):
    kk[i, :len(run["k"])] = run["k"]
    if i % 17 == 5:
        status[i], errors[i] = 2, b"training diverged at epoch 3, batch 7: loss is nan"
        epochs[i], loss[i, :3] = 3, [0.7, 0.6, 0.5]
        continue
    if i == N - 1:
        continue  # pending
    status[i] = 1
    # Accuracies straddle the threshold; a few land exactly on it (not above: not accepted).
    acc[i] = run["threshold"] + rng.choice([-0.05, 0.0, 0.01, 0.03, 0.06])
    epochs[i], loss[i] = E, [0.7, 0.5, 0.4, 0.3]
    d = run["depth"]
    for s, k in enumerate(run["k"]):
        base = rng.integers(2000, 4000)
        gs = base - np.cumsum(rng.integers(0, 300, d)) + rng.integers(0, 40, d) * (k // 5)
        rs = rng.integers(-60, 40, d) - k
        cs = np.ones(d)
        if rng.random() < 0.15:  # a disconnected layer
            cs[rng.integers(d)] = 2
        for l in range(d):
            edges[i, s, l] = run["n"] * k - rng.integers(0, 20)
            comps[i, s, l] = cs[l]
            unreach[i, s, l] = 0 if cs[l] == 1 else 17
            ric[i, s, l] = rs[l]
            g[i, s, l] = gs[l] if cs[l] == 1 else np.nan
        rho[i, s], z[i, s], fisher[i, s], p[i, s], reason[i, s] = coefficient(g[i, s, :d], ric[i, s, :d])

path = os.path.join(WORK, "results.h5")
with h5py.File(path, "w") as f:
    f.attrs["schema_version"] = np.int64(1)
    f.attrs["store_activations"] = np.int64(1)
    f.attrs["store_nodes"] = np.int64(0)
    for name in ("job", "job_without_paths", "tool", "tool_version", "graph"):
        f.attrs[name] = np.bytes_("union" if name == "graph" else "written by test_query_results.py")
    r = f.create_group("runs")
    r["id"] = np.arange(N, dtype=np.int64)
    r["problem"] = np.array([x["problem"] for x in runs], dtype="S256")
    r["architecture"] = np.array([x["architecture"] for x in runs], dtype="S64")
    r["depth"] = np.array([x["depth"] for x in runs], dtype=np.int32)
    r["seed"] = np.array([x["seed"] for x in runs], dtype=np.uint64)
    r["threshold"] = np.array([x["threshold"] for x in runs])
    r["n_test"] = np.array([x["n"] for x in runs], dtype=np.int32)
    r["status"] = status
    r["test_accuracy"] = acc
    r["train_accuracy"] = np.where(status == 1, 0.99, np.nan)
    r["val_accuracy"] = np.where(status == 1, 0.98, np.nan)
    r["train_seconds"] = np.where(status == 1, 1.5, np.nan)
    r["geometry_seconds"] = np.where(status == 1, 0.25, np.nan)
    r["epochs"] = epochs
    r["rank"] = np.where(status == 0, -1, 1).astype(np.int32)
    r["error"] = np.array(errors, dtype="S512")
    fl = f.create_group("flow")
    fl["k"] = kk
    for name, arr in (("edges", edges), ("components", comps), ("unreachable_pairs", unreach), ("ric", ric), ("g", g),
                      ("rho", rho), ("z", z), ("fisher", fisher), ("p", p)):
        fl[name] = arr
    fl["reason"] = reason
    h = f.create_group("history")
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        h[name] = loss
    # Activations for every run (what analyze --run reads): a small 3-layer-deep random stack, depth layers.
    act_rng = np.random.default_rng(7)
    for i, run in enumerate(runs):
        grp = f.create_group(f"run_data/r{i:06d}")
        for l in range(run["depth"]):
            grp[f"layer_{l + 1:02d}"] = act_rng.normal(size=(run["n"], 4)).astype(np.float32)
        grp["labels"] = (np.arange(run["n"]) % 2).astype(np.uint8)
        grp["probability"] = np.full(run["n"], 0.5, np.float32)

# ---------------------------------------------------------------- the expected numbers, by brute force
groups = []
for problem in PROBLEMS:
    for arch in ARCHS:
        for depth in DEPTHS:
            groups.append((problem, arch, depth))


def above(i):
    return status[i] == 1 and acc[i] > runs[i]["threshold"]


def slot(i, k):
    hits = np.nonzero(kk[i] == k)[0]
    return int(hits[0]) if len(hits) else None


def accepted_at(i, k):
    s = slot(i, k)
    return above(i) and s is not None and not np.isnan(g[i, s, :runs[i]["depth"]]).any()


expected_groups = []
tot = dict(finished=0, below=0, above_k=0, disc=0, defined=0, neg=0)
for problem, arch, depth in groups:
    members = [i for i, x in enumerate(runs) if (x["problem"], x["architecture"], x["depth"]) == (problem, arch, depth)]
    grid = sorted({k for i in members for k in runs[i]["k"]})
    pooled = []
    for k in grid:
        eta_all, ric_all = [], []
        acc_runs = [i for i in members if accepted_at(i, k)]
        for i in acc_runs:
            s = slot(i, k)
            eta_all += list(np.diff(g[i, s, :depth]))
            ric_all += list(ric[i, s, :depth - 1])
        value = None
        if len(eta_all) >= 2 and np.std(eta_all) > 0 and np.std(ric_all) > 0:
            value = float(np.corrcoef(eta_all, ric_all)[0, 1])
        pooled.append({"k": k, "rho": value, "accepted": len(acc_runs)})
    defined = [x for x in pooled if x["rho"] is not None]
    k_star = min(defined, key=lambda x: (x["rho"], x["k"]))["k"] if defined else None
    at = [i for i in members if k_star is not None and accepted_at(i, k_star)]
    rhos = [rho[i, slot(i, k_star)] for i in at if not np.isnan(rho[i, slot(i, k_star)])]
    done = int(sum(status[i] == 1 for i in members))
    failed = int(sum(status[i] == 2 for i in members))
    accepted = int(sum(above(i) for i in members))
    expected_groups.append({
        "problem": problem, "architecture": arch, "depth": depth, "runs": len(members), "done": done, "failed": failed,
        "accepted": accepted, "pooled": pooled, "k_star": k_star,
        "at_k_star": {"mean_rho": float(np.mean(rhos)) if rhos else None,
                      "median_rho": float(np.median(rhos)) if rhos else None,
                      "negative_share": float(np.mean(np.array(rhos) < 0)) if rhos else None},
        "_at": at})
    tot["finished"] += done + failed
    tot["below"] += done + failed - accepted
    if k_star is not None:
        tot["above_k"] += accepted
        tot["disc"] += accepted - len(at)
    tot["defined"] += len(rhos)
    tot["neg"] += int(sum(r < 0 for r in rhos))
expected_totals = {"below_threshold_share": tot["below"] / tot["finished"],
                   "disconnected_share": tot["disc"] / tot["above_k"],
                   "negative_share": tot["neg"] / tot["defined"]}
check(tot["disc"] > 0 and tot["below"] > 0, "the test file should exercise disconnected and below-threshold runs")

# ---------------------------------------------------------------- summary
r = query("summary", path, "--format", "json")
check(r.returncode == 0, f"summary: exit {r.returncode}: {r.stderr}")
summary = json.loads(r.stdout)
check(len(summary["groups"]) == len(expected_groups), "summary: group count")
for got, want in zip(summary["groups"], expected_groups):
    name = f"{want['problem']}/{want['architecture']}/{want['depth']}"
    for key in ("problem", "architecture", "depth", "runs", "done", "failed", "accepted", "k_star"):
        check(got[key] == want[key], f"summary {name}: {key} {got[key]} != {want[key]}")
    check(len(got["pooled"]) == len(want["pooled"]), f"summary {name}: pooled length")
    for gp, wp in zip(got["pooled"], want["pooled"]):
        check(gp["k"] == wp["k"] and gp["accepted"] == wp["accepted"], f"summary {name} k={wp['k']}: accepted {gp} vs {wp}")
        check(close(gp["rho"], wp["rho"]), f"summary {name} k={wp['k']}: pooled rho {gp['rho']} != {wp['rho']}")
    for key in ("mean_rho", "median_rho", "negative_share"):
        check(close(got["at_k_star"][key], want["at_k_star"][key]), f"summary {name}: {key} {got['at_k_star'][key]} != {want['at_k_star'][key]}")
for key, value in expected_totals.items():
    check(close(summary["totals"][key], value), f"summary totals: {key} {summary['totals'][key]} != {value}")

# CSV round trip: the long table carries the same numbers as the JSON, exactly.
r = query("summary", path, "--format", "csv")
rows = list(csv.DictReader(io.StringIO(r.stdout)))
check(len(rows) == sum(len(x["pooled"]) for x in summary["groups"]), "summary csv: one row per group and k")
flat = [(gr, pl) for gr in summary["groups"] for pl in gr["pooled"]]
for row, (gr, pl) in zip(rows, flat):
    check(row["problem"] == gr["problem"] and int(row["depth"]) == gr["depth"] and int(row["k"]) == pl["k"], f"summary csv: row {row}")
    check((float(row["pooled_rho"]) if row["pooled_rho"] else None) == pl["rho"], f"summary csv: pooled_rho {row['pooled_rho']} vs {pl['rho']}")
    check(int(row["accepted_k"]) == pl["accepted"], "summary csv: accepted_k")
    check((int(row["k_star"]) if row["k_star"] else None) == gr["k_star"], "summary csv: k_star")
    check(int(row["is_k_star"]) == int(gr["k_star"] == pl["k"]), "summary csv: is_k_star")
    for key in ("mean_rho", "median_rho", "negative_share"):
        check((float(row[key]) if row[key] else None) == gr["at_k_star"][key], f"summary csv: {key}")
r = query("summary", path)
check(r.returncode == 0 and "pooled coefficient per k" in r.stdout and "paper" in r.stdout, "summary table")

# ---------------------------------------------------------------- association (Table S2)
rows_used = sorted(i for gr in expected_groups for i in gr["_at"]
                   if not np.isnan(z[i, slot(i, gr["k_star"])]))
k_star_of = {i: gr["k_star"] for gr in expected_groups for i in gr["_at"]}
zs = np.array([z[i, slot(i, k_star_of[i])] for i in rows_used])
ys = np.array([acc[i] for i in rows_used])
columns = [np.ones(len(rows_used)), zs]
names = ["intercept", "z"]
for key, levels in (("problem", sorted(PROBLEMS)), ("architecture", sorted(ARCHS)), ("depth", sorted(DEPTHS))):
    present = sorted({runs[i][key] for i in rows_used})
    for level in present[1:]:
        columns.append(np.array([1.0 if runs[i][key] == level else 0.0 for i in rows_used]))
        names.append(f"{key}={level}")
X = np.column_stack(columns)
beta, *_ = np.linalg.lstsq(X, ys, rcond=None)
resid = ys - X @ beta
df = len(ys) - X.shape[1]
cov = resid @ resid / df * np.linalg.inv(X.T @ X)
se = np.sqrt(np.diag(cov))
tvals = beta / se
pvals = 2 * stats.t.sf(np.abs(tvals), df)
sp = stats.spearmanr([rho[i, slot(i, k_star_of[i])] for i in rows_used], ys)

r = query("association", path, "--format", "json")
check(r.returncode == 0, f"association: exit {r.returncode}: {r.stderr}")
assoc = json.loads(r.stdout)
check(assoc["n"] == len(rows_used), f"association: n {assoc['n']} != {len(rows_used)}")
check([t["name"] for t in assoc["terms"]] == names, f"association: terms {[t['name'] for t in assoc['terms']]} != {names}")
for j, term in enumerate(assoc["terms"]):
    for key, want in (("coefficient", beta[j]), ("std_error", se[j]), ("t", tvals[j]), ("p", pvals[j])):
        check(close(term[key], float(want), 1e-7), f"association {term['name']}: {key} {term[key]} != {want}")
check(close(assoc["z"]["t"], float(tvals[1]), 1e-7), "association: z term")
check(close(assoc["spearman"]["rho"], float(sp.statistic)) and close(assoc["spearman"]["p"], float(sp.pvalue), 1e-7),
      f"association: spearman {assoc['spearman']} vs {sp}")
r = query("association", path, "--format", "csv")
terms_csv = list(csv.DictReader(io.StringIO(r.stdout)))
for row, term in zip(terms_csv, assoc["terms"]):
    check(row["term"] == term["name"] and float(row["coefficient"]) == term["coefficient"] and float(row["p"]) == term["p"],
          f"association csv round trip: {row} vs {term}")

# ---------------------------------------------------------------- runs
r = query("runs", path, "--format", "json", "--where", "problem=beta", "--where", "status=done,failed")
check(r.returncode == 0, f"runs: {r.stderr}")
listed = json.loads(r.stdout)["runs"]
want_ids = [i for i, x in enumerate(runs) if x["problem"] == "beta" and status[i] in (1, 2)]
check([x["id"] for x in listed] == want_ids, "runs --where: wrong selection")
for x in listed:
    i = x["id"]
    check(x["k"] == runs[i]["k"], f"runs {i}: k")
    check(all(close(nan_to_none(a), nan_to_none(b)) for a, b in zip(x["rho"], rho[i, :len(runs[i]['k'])])), f"runs {i}: rho")
    check(x["status"] == ("done" if status[i] == 1 else "failed"), f"runs {i}: status")
    check(x["error"] == errors[i].decode(), f"runs {i}: error")
r = query("runs", path, "--format", "csv", "--where", "problem=beta", "--where", "status=done,failed")
table = list(csv.DictReader(io.StringIO(r.stdout)))
check([int(row["id"]) for row in table] == want_ids, "runs csv: ids")
for row, x in zip(table, listed):
    for s, k in enumerate(x["k"]):
        got = float(row[f"rho_k{k}"]) if row[f"rho_k{k}"] else None
        check(got == x["rho"][s], f"runs csv round trip: run {x['id']} rho_k{k}")
        got = float(row[f"z_k{k}"]) if row[f"z_k{k}"] else None
        check(got == x["z"][s], f"runs csv round trip: run {x['id']} z_k{k}")
    check(float(row["test_accuracy"] or "nan") == (x["test_accuracy"] if x["test_accuracy"] is not None else float("nan"))
          or x["test_accuracy"] is None, "runs csv: accuracy")
r = query("runs", path, "--where", "accepted=true", "--format", "json")
check([x["id"] for x in json.loads(r.stdout)["runs"]] == [i for i in range(N) if above(i)], "runs --where accepted=true")

# ---------------------------------------------------------------- layers
done_run = next(i for i in range(N) if status[i] == 1 and runs[i]["depth"] == 7)
r = query("layers", path, "--run", str(done_run), "--format", "json")
check(r.returncode == 0, f"layers: {r.stderr}")
lay = json.loads(r.stdout)
check([x["k"] for x in lay["results"]] == runs[done_run]["k"], "layers: k list")
for s, res in enumerate(lay["results"]):
    d = runs[done_run]["depth"]
    check(len(res["layers"]) == d, "layers: layer count")
    for l, row in enumerate(res["layers"]):
        want_eta = g[done_run, s, l + 1] - g[done_run, s, l] if l + 1 < d else float("nan")
        check(close(row["eta"], nan_to_none(want_eta)), f"layers: eta at k={res['k']} layer {l + 1}")
        check(close(row["g"], nan_to_none(g[done_run, s, l])) and row["ric"] == ric[done_run, s, l], "layers: g, ric")
r = query("layers", path, "--run", str(done_run), "--k", str(runs[done_run]["k"][1]), "--format", "csv")
rows = list(csv.DictReader(io.StringIO(r.stdout)))
check(len(rows) == runs[done_run]["depth"] and all(int(x["k"]) == runs[done_run]["k"][1] for x in rows), "layers --k csv")

# ---------------------------------------------------------------- analyze --run
r1 = query("analyze", path, "--run", str(done_run), "--k", "3,5", "--format", "json")
r2 = query("analyze", path, "--group", f"/run_data/r{done_run:06d}", "--k", "3,5", "--format", "json")
check(r1.returncode == 0 and r1.stdout == r2.stdout, f"analyze --run differs from --group: {r1.stderr}")
r = query("analyze", path, "--run", str(done_run), "--k", "3,5", "--format", "csv")
check(r.returncode == 0 and len(list(csv.DictReader(io.StringIO(r.stdout)))) == 2 * runs[done_run]["depth"], "analyze csv rows")

# ---------------------------------------------------------------- validate
r = query("validate", path)
check(r.returncode == 0, f"validate on a valid file: exit {r.returncode}: {r.stdout}{r.stderr}")


def corrupted(name, change, expected):
    bad = os.path.join(WORK, f"bad-{name}.h5")
    shutil.copy(path, bad)
    with h5py.File(bad, "r+") as f:
        change(f)
    r = query("validate", bad, "--format", "json")
    out = json.loads(r.stdout) if r.stdout else {"problems": []}
    check(r.returncode == 3 and any(expected in x for x in out["problems"]),
          f"validate {name}: exit {r.returncode}, problems {out['problems'][:3]}, expected '{expected}'")


def set_item(dataset, index, value):
    def change(f):
        a = f[dataset][()]
        a[index] = value
        f[dataset][...] = a
    return change


first_done = int(np.nonzero(status == 1)[0][0])
# A schema 1 file: its statuses are 0, 1 and 2 (3, running, arrived with schema 6).
corrupted("status", set_item("runs/status", 3, 7), "status 7 is not 0, 1 or 2")
corrupted("running before schema 6", set_item("runs/status", 3, 3), "status 3 is not 0, 1 or 2")
corrupted("rho", set_item("flow/rho", (first_done, 0), 0.123), "disagrees with the value recomputed")
corrupted("padding", set_item("flow/g", (first_done, 0, L - 1), 5.0), "beyond the run's depth but not NaN")
corrupted("k-padding", set_item("flow/k", (first_done, 0), -1), "follows -1 padding")
corrupted("missing", lambda f: f.__delitem__("flow/z"), "dataset /flow/z is missing")
corrupted("type", lambda f: (f["runs"].__delitem__("depth"), f["runs"].create_dataset("depth", data=np.full(N, 5.0))),
          "/runs/depth has type float64, expected int32")
corrupted("activations", lambda f: f.__delitem__(f"run_data/r{first_done:06d}/layer_01"), "layer_01 is missing")

# ---------------------------------------------------------------- errors: one line, exit 2
activations_only = os.path.join(WORK, "activations.h5")
with h5py.File(activations_only, "w") as f:
    f["layer_01"] = np.zeros((5, 2))
pending_run = N - 1
error_cases = [
    (["summary", os.path.join(WORK, "missing.h5")], "does not exist"),
    (["summary", activations_only], "not a ricci-sweep results file"),
    (["runs", path, "--where", "colour=red"], "unknown key 'colour'"),
    (["runs", path, "--where", "status=finished"], "'finished' is not one of"),
    (["layers", path, "--run", str(N + 5)], f"run {N + 5} does not exist"),
    (["layers", path, "--run", str(done_run), "--k", "11"], "has no k = 11"),
    (["layers", path, "--run", str(pending_run)], "has not run yet"),
    (["layers", path], "--run is required"),
    (["analyze", path, "--run", str(pending_run), "--k", "3"], "has not run yet"),
    (["analyze", path, "--run", "5", "--group", "/x", "--k", "3"], "give one"),
    (["summary", path, "--format", "xml"], "'xml' is not one of"),
    (["validate", os.path.join(WORK, "missing.h5")], "does not exist"),
]
for args, expected in error_cases:
    r = query(*args)
    check(r.returncode == 2 and expected in r.stderr and r.stderr.count("\n") == 1,
          f"{' '.join(args[:1] + args[2:])}: exit {r.returncode}, stderr {r.stderr!r}, expected {expected!r}")

# ---------------------------------------------------------------- a file before schema 5
# It has one notion, forman, read from /flow, and no local coefficients: local and layers-profile
# say so in one line.
for sub in ("local", "layers-profile"):
    r = query(sub, path)
    check(r.returncode == 2 and r.stderr.count("\n") == 1 and "has no local coefficients" in r.stderr,
          f"{sub} of a schema 1 file: exit {r.returncode}: {r.stderr!r}")

# ---------------------------------------------------------------- figures render
plot = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "plot_results.py")
figures = os.path.join(WORK, "figures")
r = subprocess.run([sys.executable, plot, path, figures, "--query", QUERY], capture_output=True, text=True, timeout=300)
check(r.returncode == 0, f"plot_results.py: exit {r.returncode}: {r.stderr[-800:]}")
for name in ("pooled_vs_k.png", "eta_vs_ric.png", "accuracy_vs_z.png", "layer_profiles.png"):
    png = os.path.join(figures, name)
    check(os.path.exists(png) and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n", f"plot_results.py did not write {name}")

print(f"{len(failures)} failed" if failures else "all query checks passed")
sys.exit(1 if failures else 0)
