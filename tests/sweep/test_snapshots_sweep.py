"""Snapshots during training end to end under mpirun (docs/method.md §6):

* a sweep with [geometry] snapshot_epochs = 0,1,3 leaves every other dataset as a sweep without
  snapshots leaves it, bit for bit (snapshots do not perturb training);
* the snapshot at epoch e is the network trained for e epochs: its coefficients and test accuracy
  equal a separate sweep of e epochs (epoch 0: the untrained network, also the untrained twin's);
* `ricci-query dynamics` (one run, and per group) against the stored datasets; `validate` accepts
  the files; bad values of the key: exit 2 and one line.

  /usr/bin/python3 tests/sweep/test_snapshots_sweep.py RICCI_SWEEP WORKDIR
"""
import json
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from sweep_harness import ENV, check, failures, fresh_path  # noqa: E402

SWEEP, WORK = sys.argv[1], sys.argv[2]
QUERY = os.path.join(os.path.dirname(SWEEP), "ricci-query")  # built next to ricci-sweep
os.makedirs(WORK, exist_ok=True)

BASE = ["--sweep.problems", "synthetic-a", "--sweep.architectures", "narrow", "--sweep.depths", "5",
        "--sweep.seeds", "0-1", "--geometry.k", "10,40", "--output.store_activations", "true"]
VOLATILE = {"train_seconds", "geometry_seconds", "rank", "checksum", "session",
            # schema 6: where, when and in how many attempts a run ran
            "host", "slurm_job_id", "slurm_restart_count", "started_at", "ended_at", "attempts"}


def sweep(name, extra, np_=3):
    path = fresh_path(WORK, name)
    r = subprocess.run(["mpirun", "-np", str(np_), SWEEP] + BASE + extra + ["--out", path, "--force"],
                       env=ENV, capture_output=True, text=True, timeout=300)
    check(r.returncode == 0, f"{name}: exit {r.returncode}: {r.stderr[-800:]!r}")
    return path


def contents(path, groups=("runs", "flow", "history", "notions", "local")):
    with h5py.File(path, "r") as f:
        out = {f"{g}/{k}": f[g][k][()] for g in groups for k in f[g] if k not in VOLATILE}
        for run in f["run_data"]:
            for key in f["run_data"][run]:
                out[f"run_data/{run}/{key}"] = f["run_data"][run][key][()]
    return out


def equal(x, y):
    return x.shape == y.shape and (np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f"
                                   else np.array_equal(x, y))


def query(*args):
    r = subprocess.run([QUERY] + list(args), capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"ricci-query {' '.join(args)}: exit {r.returncode}: {r.stderr!r}")
    return r.stdout


# Two notions and the local coefficients, so that the snapshots' per-notion datasets are filled.
NOTIONS = ["--geometry.curvatures", "forman,augmented-forman", "--geometry.local", "true"]
snap = sweep("snapshots.h5", ["--train.epochs", "3", "--geometry.snapshot_epochs", "0,1,3",
                              "--sweep.controls", "untrained"] + NOTIONS)
plain = sweep("plain.h5", ["--train.epochs", "3", "--sweep.controls", "untrained"] + NOTIONS)
one = sweep("one-epoch.h5", ["--train.epochs", "1"] + NOTIONS, np_=2)
zero = sweep("zero-epochs.h5", ["--train.epochs", "0"] + NOTIONS, np_=2)

# The same sweep on one and on four workers (one run each): identical, snapshots included.
ALL_GROUPS = ("runs", "flow", "history", "notions", "local", "snapshots")
for workers in (1, 4):
    other = sweep(f"snapshots-{workers}.h5", ["--train.epochs", "3", "--geometry.snapshot_epochs", "0,1,3",
                                              "--sweep.controls", "untrained"] + NOTIONS, np_=workers + 1)
    a, b = contents(snap, groups=ALL_GROUPS), contents(other, groups=ALL_GROUPS)
    bad = sorted(k for k in a.keys() | b.keys() if k not in a or k not in b or not equal(a[k], b[k]))
    check(not bad, f"2 and {workers} workers differ: {', '.join(bad[:8])}")

a, b = contents(snap), contents(plain)
bad = sorted(k for k in a.keys() | b.keys() if k not in a or k not in b or not equal(a[k], b[k]))
check(not bad, f"snapshots perturbed the sweep: {', '.join(bad[:8])} differ")

with h5py.File(snap, "r") as f:
    epoch = f["snapshots/epoch"][()]
    rho = f["snapshots/rho"][()]
    test_accuracy = f["snapshots/test_accuracy"][()]
    train_accuracy = f["snapshots/train_accuracy"][()]
    untrained = f["runs/untrained"][()]
    final_rho = f["flow/rho"][()]
    notion_rho = f["snapshots/notion_rho"][()]
    local_mean = f["snapshots/local_mean"][()]
trained = [i for i in range(len(untrained)) if not untrained[i]]
check(epoch.shape[1] == 3, f"snapshot axis {epoch.shape}")
for i in range(len(untrained)):
    want = [0, -1, -1] if untrained[i] else [0, 1, 3]
    check(list(epoch[i]) == want, f"run {i}: snapshot epochs {list(epoch[i])}, expected {want}")
with h5py.File(one, "r") as f1, h5py.File(zero, "r") as f0:
    for j, i in enumerate(trained):
        check(equal(rho[i, 1], f1["flow/rho"][j]), f"run {i}: epoch-1 snapshot rho {rho[i, 1]} vs a 1-epoch sweep {f1['flow/rho'][j]}")
        check(test_accuracy[i, 1] == f1["runs/test_accuracy"][j], f"run {i}: epoch-1 test accuracy")
        check(train_accuracy[i, 1] == f1["runs/train_accuracy"][j], f"run {i}: epoch-1 train accuracy")
        check(equal(rho[i, 0], f0["flow/rho"][j]), f"run {i}: epoch-0 snapshot vs a 0-epoch sweep")
        check(test_accuracy[i, 0] == f0["runs/test_accuracy"][j], f"run {i}: epoch-0 test accuracy")
        check(equal(rho[i, 0], final_rho[i + 1]), f"run {i}: epoch-0 snapshot vs its untrained twin")
        check(equal(rho[i, 2], final_rho[i]), f"run {i}: last snapshot vs /flow/rho")
        check(equal(notion_rho[i, 1], f1["notions/rho"][j]), f"run {i}: epoch-1 notion rho")
        check(equal(local_mean[i, 1], f1["local/mean"][j]), f"run {i}: epoch-1 local mean")
        check(equal(local_mean[i, 0], f0["local/mean"][j]), f"run {i}: epoch-0 local mean")
        check(np.isfinite(local_mean[i]).all(), f"run {i}: local means {local_mean[i]}")

for path in (snap, plain, one, zero):
    r = subprocess.run([QUERY, "validate", path], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"validate {path}: {r.stdout} {r.stderr}")

got = json.loads(query("dynamics", snap, "--run", "0", "--format", "json"))
check([row["epoch"] for row in got["rows"]] == [0, 1, 3], f"dynamics --run 0 epochs {got['rows']}")
for s, row in enumerate(got["rows"]):
    check(row["test_accuracy"] == test_accuracy[0, s] and equal(np.array(row["rho"], float), rho[0, s]),
          f"dynamics --run 0 snapshot {s}: {row}")
    for n, notion in enumerate(["forman", "augmented-forman"]):
        for what, stored in (("rho", notion_rho), ("local_mean", local_mean)):
            check(equal(np.array(row["notions"][notion][what], float), stored[0, s, :, n]),
                  f"dynamics --run 0 snapshot {s}: {notion} {what}")
group = json.loads(query("dynamics", snap, "--format", "json"))
check([(r["epoch"], r["runs"]) for r in group["rows"]] == [(0, 2), (1, 2), (3, 2)],
      f"dynamics per group: {[(r['epoch'], r['runs']) for r in group['rows']]}")
for s, row in enumerate(group["rows"]):
    want = np.nanmean(rho[trained, s], axis=0)
    check(np.allclose(np.array(row["rho"], float), want, rtol=0, atol=1e-12), f"group epoch {row['epoch']}: {row['rho']} vs {want}")
    check(abs(row["test_accuracy"] - test_accuracy[trained, s].mean()) <= 1e-12, f"group epoch {row['epoch']}: test accuracy")
    want_local = np.nanmean(local_mean[trained, s], axis=0)
    for n, notion in enumerate(["forman", "augmented-forman"]):
        check(np.allclose(np.array(row["notions"][notion]["local_mean"], float), want_local[:, n], rtol=0, atol=1e-12),
              f"group epoch {row['epoch']}: {notion} local mean")
# `local` compares trained runs with their untrained twins by default when the file holds both (the
# group column "training"), and leaves the twins out of groups formed without it.
local = json.loads(query("local", snap, "--format", "json"))
check(sorted({g["training"] for g in local["groups"]}) == ["trained", "untrained"]
      and all(g["runs"] == 2 for g in local["groups"]),
      f"ricci-query local by training: {[(g.get('training'), g['runs']) for g in local['groups']]}")
with h5py.File(snap, "r") as f:
    mean = f["local/mean"][()]
for g in local["groups"]:
    rows = [i for i in range(len(untrained)) if untrained[i] == (g["training"] == "untrained")]
    n = ["forman", "augmented-forman"].index(g["notion"])
    slot = [10, 40].index(g["k"])
    check(abs(g["mean_local_rho"] - np.mean(mean[rows, slot, n])) <= 1e-12,
          f"local {g['training']} {g['notion']} k={g['k']}: {g['mean_local_rho']} vs {np.mean(mean[rows, slot, n])}")
local = json.loads(query("local", snap, "--group", "problem,architecture,depth", "--format", "json"))
check(local["groups"] and all(g["runs"] == 2 and "training" not in g for g in local["groups"]),
      f"ricci-query local --group without training counts the untrained controls: {[g['runs'] for g in local['groups']]}")
# The follow-up's figures of tools/plot_results.py, from the same file.
plot = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "plot_results.py")
figures = os.path.join(WORK, "figures")
r = subprocess.run([sys.executable, plot, snap, figures, "--query", QUERY], capture_output=True, text=True,
                   timeout=180)
check(r.returncode == 0, f"plot_results.py: exit {r.returncode}: {r.stderr[-600:]}")
for name in ("local_by_problem.png", "layer_rho_by_depth.png", "dynamics.png"):
    png = os.path.join(figures, name)
    check(os.path.exists(png) and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n", f"plot_results.py did not write {name}")
r = subprocess.run([QUERY, "dynamics", plain, "--run", "0"], capture_output=True, text=True, timeout=60)
check(r.returncode == 2 and "no snapshot" in r.stderr and r.stderr.count("\n") == 1,
      f"dynamics of a run without snapshots: {r.returncode} {r.stderr!r}")

for value, expected_text in (("0,5", "snapshot epoch 5 is beyond train.epochs = 3"),
                             ("every 0", "0"), ("3,1", "must ascend")):
    r = subprocess.run([SWEEP] + BASE + ["--train.epochs", "3", "--geometry.snapshot_epochs", value,
                                         "--out", os.path.join(WORK, "bad.h5")],
                       env=ENV, capture_output=True, text=True, timeout=60)
    check(r.returncode == 2 and r.stderr.count("\n") == 1 and expected_text in r.stderr,
          f"snapshot_epochs = {value}: exit {r.returncode}, stderr {r.stderr!r}")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
