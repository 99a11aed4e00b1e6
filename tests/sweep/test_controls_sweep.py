"""Untrained controls and residual networks end to end under mpirun (docs/method.md §6):

* [sweep] controls = untrained puts each trained run's untrained twin in the next row; the trained
  rows equal a sweep without controls, and the untrained rows equal a sweep of 0 epochs, bit for bit
  (the same initial network, and controls do not perturb training);
* residual-W networks: the blocks after the first add a non-negative ReLU branch to their input;
* `ricci-query controls` against means and a paired t-test (scipy.stats.ttest_rel) computed here
  from the stored datasets; `summary` sets the controls aside; `validate` accepts the file;
* bad values of the new keys: exit 2 and one line.

  /usr/bin/python3 tests/sweep/test_controls_sweep.py RICCI_SWEEP WORKDIR
"""
import json
import os
import subprocess
import sys

import h5py
import numpy as np
from scipy import stats

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from sweep_harness import ENV, check, failures, fresh_path  # noqa: E402

SWEEP, WORK = sys.argv[1], sys.argv[2]
QUERY = os.path.join(os.path.dirname(SWEEP), "ricci-query")  # built next to ricci-sweep
os.makedirs(WORK, exist_ok=True)

# Timing, placement and the checksum that covers them differ between executions.
VOLATILE = {"train_seconds", "geometry_seconds", "rank", "checksum", "id", "untrained",
            # schema 6: where, when and in how many attempts a run ran
            "host", "slurm_job_id", "slurm_restart_count", "started_at", "ended_at", "attempts"}
BASE = ["--sweep.problems", "synthetic-a", "--sweep.depths", "5", "--sweep.seeds", "0-2",
        "--geometry.k", "10,40", "--output.store_activations", "true",
        # 3 epochs reach ~0.6 test accuracy: a threshold the trained runs beat and the untrained ones
        # (~0.5) need not
        "--problem.synthetic-a.threshold", "0.55"]
DEFAULTS = {"--sweep.architectures": "narrow,residual-25", "--train.epochs": "3"}


def job(**changes):
    """BASE with DEFAULTS, a key given as sweep_controls="untrained" replacing or adding one."""
    keys = dict(DEFAULTS)
    keys.update({"--" + k.replace("_", ".", 1): v for k, v in changes.items()})
    return BASE + [item for pair in keys.items() for item in pair]


def sweep(name, arguments, np_=3):
    path = fresh_path(WORK, name)
    r = subprocess.run(["mpirun", "-np", str(np_), SWEEP] + arguments + ["--out", path, "--force"],
                       env=ENV, capture_output=True, text=True, timeout=300)
    check(r.returncode == 0, f"{name}: exit {r.returncode}: {r.stderr[-800:]!r}")
    return path


def rows(path, wanted):
    """Every per-run value of the runs `wanted` (row indices), keyed by dataset, in that order."""
    out = {}
    with h5py.File(path, "r") as f:
        for group in ("runs", "flow", "history"):
            for key in f[group]:
                if key not in VOLATILE:
                    out[f"{group}/{key}"] = f[group][key][()][wanted]
        for i, run in enumerate(wanted):
            group = f["run_data"][f"r{run:06d}"]
            for key in group:
                out[f"run_data/{i}/{key}"] = group[key][()]
    return out


def same(a, b, label):
    bad = sorted(a.keys() ^ b.keys())
    for key in a.keys() & b.keys():
        x, y = a[key], b[key]
        if x.shape != y.shape or not (np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f"
                                      else np.array_equal(x, y)):
            bad.append(key)
    check(not bad, f"{label}: {', '.join(bad[:8])} differ")


def query(*args):
    r = subprocess.run([QUERY] + list(args), capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"ricci-query {' '.join(args)}: exit {r.returncode}: {r.stderr!r}")
    return r.stdout


both = sweep("controls.h5", job(sweep_controls="untrained"))
trained_only = sweep("trained.h5", job())
untrained_only = sweep("untrained.h5", job(train_epochs="0"), np_=2)

with h5py.File(both, "r") as f:
    untrained = f["runs/untrained"][()]
    epochs = f["runs/epochs"][()]
    status = f["runs/status"][()]
    n = len(untrained)
check(n == 12 and list(untrained) == [0, 1] * 6, f"controls.h5: /runs/untrained = {list(untrained)}")
check(all(status == 1), f"controls.h5: status {list(status)}")
check(all(epochs[untrained == 1] == 0) and all(epochs[untrained == 0] == 3), f"epochs {list(epochs)}")
trained_rows = [i for i in range(n) if untrained[i] == 0]
untrained_rows = [i for i in range(n) if untrained[i] == 1]
same(rows(both, trained_rows), rows(trained_only, list(range(6))), "trained rows vs a sweep without controls")
# The 0-epoch file's history axis has one column, the controls file's three: compared apart.
without_history = lambda values: {k: v for k, v in values.items() if not k.startswith("history/")}
same(without_history(rows(both, untrained_rows)), without_history(rows(untrained_only, list(range(6)))),
     "untrained rows vs a sweep of 0 epochs")
with h5py.File(both, "r") as f:
    check(np.isnan(f["history/loss"][()][untrained_rows]).all(), "untrained rows have no history")
with h5py.File(untrained_only, "r") as f:
    check(f["history/loss"].shape[1] == 1 and np.isnan(f["history/loss"][()]).all(),
          "a 0-epoch sweep keeps one NaN history column")
    check(np.isfinite(f["runs/test_accuracy"][()]).all(), "untrained runs have a test accuracy")

# Residual blocks after the first: layer l = layer l-1 + relu(branch), so the step is non-negative
# (float32 activations stored as float32, the sums exact to a rounding).
with h5py.File(both, "r") as f:
    arch = [a.decode() if isinstance(a, bytes) else a for a in f["runs/architecture"][()]]
    for run in range(n):
        g = f["run_data"][f"r{run:06d}"]
        steps = [g[f"layer_{l:02d}"][()] - g[f"layer_{l - 1:02d}"][()] for l in range(2, 6)]
        smallest = min(s.min() for s in steps)
        if arch[run] == "residual-25":
            check(smallest >= -1e-5, f"run {run} residual-25: a block's step is {smallest} < 0")
        else:
            check(smallest < -1e-3, f"run {run} {arch[run]}: its layers look residual")

for path in (both, trained_only, untrained_only):
    check(subprocess.run([QUERY, "validate", path], capture_output=True, timeout=60).returncode == 0,
          f"validate {path}")

# ricci-query controls against the definition, from the stored datasets.
def check_controls(path, values, options, label):
    """`ricci-query controls PATH OPTIONS` against the pairs and a paired t-test of `values`
    ([runs, k slots]: the measure the options name) computed here."""
    got = json.loads(query("controls", path, "--format", "json", *options))
    with h5py.File(path, "r") as f:
        k = f["flow/k"][()]
        reason = f["flow/reason"][()]
        accuracy = f["runs/test_accuracy"][()]
        threshold = f["runs/threshold"][()]
        seed = f["runs/seed"][()]
        marks = f["runs/untrained"][()]
        archs = [a.decode() if isinstance(a, bytes) else a for a in f["runs/architecture"][()]]
    trained = [i for i in range(len(marks)) if marks[i] == 0]
    untrained_runs = [i for i in range(len(marks)) if marks[i] == 1]
    expected = {}
    for t in trained:
        twin = next(u for u in untrained_runs if archs[u] == archs[t] and seed[u] == seed[t])
        for s in range(k.shape[1]):
            entry = expected.setdefault((archs[t], int(k[t, s])), ([], []))
            # excluded runs have reason disconnected (1)
            if accuracy[t] > threshold[t] and np.isfinite(values[t, s]) and np.isfinite(values[twin, s]) \
                    and reason[t, s] != 1 and reason[twin, s] != 1:
                entry[0].append(values[t, s])
                entry[1].append(values[twin, s])
    check(got["untrained_controls"] == len(untrained_runs) and got["unpaired"] == 0, f"{label}: counts {got}")
    check(len(got["rows"]) == len(expected), f"{label}: rows {len(got['rows'])}, expected {len(expected)}")
    for row in got["rows"]:
        x, y = expected[(row["architecture"], row["k"])]
        where = f"{label} {row['architecture']} k={row['k']}"
        check(row["pairs"] == len(x), f"{where}: pairs {row['pairs']} vs {len(x)}")
        if len(x) >= 2:
            test = stats.ttest_rel(x, y)
            check(abs(row["t"] - test.statistic) <= 1e-9 * max(1, abs(test.statistic)), f"{where}: t {row['t']} vs {test.statistic}")
            check(abs(row["p"] - test.pvalue) <= 1e-9, f"{where}: p {row['p']} vs {test.pvalue}")
            check(abs(row["trained_mean_rho"] - np.mean(x)) <= 1e-12, f"{where}: trained mean")
            check(abs(row["untrained_mean_rho"] - np.mean(y)) <= 1e-12, f"{where}: untrained mean")
    check(any(len(v[0]) >= 2 for v in expected.values()), f"{label}: no k with two or more pairs: the test checks nothing")


with h5py.File(both, "r") as f:
    flow_rho = f["flow/rho"][()]
check_controls(both, flow_rho, [], "controls")

# The same comparison of a notion's global coefficient and of its mean local coefficient.
notions = sweep("controls-local.h5", job(sweep_controls="untrained", sweep_architectures="narrow",
                                         geometry_curvatures="forman,augmented-forman", geometry_local="true"))
with h5py.File(notions, "r") as f:
    names = (f.attrs["notions"].decode() if isinstance(f.attrs["notions"], bytes) else f.attrs["notions"]).split(",")
    augmented = names.index("augmented-forman")
    global_rho, local_mean = f["notions/rho"][()][:, :, augmented], f["local/mean"][()][:, :, augmented]
check_controls(notions, global_rho, ["--curvature", "augmented-forman"], "controls --curvature augmented-forman")
check_controls(notions, local_mean, ["--curvature", "augmented-forman", "--local"], "controls --local")
r = subprocess.run([QUERY, "controls", notions, "--curvature", "ollivier"], capture_output=True, text=True, timeout=60)
check(r.returncode == 2 and "stores the notions forman,augmented-forman" in r.stderr, f"controls --curvature ollivier: {r.returncode} {r.stderr!r}")

summary = json.loads(query("summary", both, "--format", "json"))
check(summary["untrained_controls"] == 6 and sum(g["runs"] for g in summary["groups"]) == 6,
      f"summary sets the controls aside: {summary['untrained_controls']}, groups {[g['runs'] for g in summary['groups']]}")
check("untrained controls are set aside" in query("summary", both), "summary's table mentions the controls")
r = subprocess.run([QUERY, "controls", trained_only], capture_output=True, text=True, timeout=60)
check(r.returncode == 2 and r.stderr.count("\n") == 1 and "no untrained control" in r.stderr,
      f"controls of a file without controls: exit {r.returncode}, {r.stderr!r}")

for key, value, expected_text in (("sweep_controls", "trained", "'trained'"),
                                  ("train_epochs", "-1", "-1"),
                                  ("sweep_architectures", "residual-x", "residual-x")):
    r = subprocess.run([SWEEP] + job(**{key: value}) + ["--out", os.path.join(WORK, "bad.h5")],
                       env=ENV, capture_output=True, text=True, timeout=60)
    check(r.returncode == 2 and r.stderr.count("\n") == 1 and expected_text in r.stderr,
          f"{key} {value}: exit {r.returncode}, stderr {r.stderr!r}")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
