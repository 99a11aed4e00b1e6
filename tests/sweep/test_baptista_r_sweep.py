"""A baptista-r sweep end to end: every done run's transitions, exclusion and coefficient equal the
R-free emulation of the reference R pipeline (tests/oracle/r_reference_emulation.py) on the run's
stored activations, the input layer's graph is measured in every run, the file validates, and
summary, runs and association name the exclusion rule of the convention.

The emulation sees the hidden layers only (the sweep does not store the inputs), so the input ->
layer 1 transition is checked for its shape here and against the emulation by
tests/oracle/test_baptista_r_oracle.py, through the same geometry code.

  /usr/bin/python3 tests/sweep/test_baptista_r_sweep.py RICCI_SWEEP WORKDIR
"""
import json
import math
import os
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import r_reference_emulation as emu  # noqa: E402
from sweep_harness import ENV, check, failures  # noqa: E402

SWEEP, WORK = sys.argv[1], sys.argv[2]
QUERY = os.path.join(os.path.dirname(SWEEP), "ricci-query")
os.makedirs(WORK, exist_ok=True)


def same_real(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


out = os.path.join(WORK, "baptista.h5")
for p in (out, out + ".lock"):
    if os.path.exists(p):
        os.remove(p)
# Small k on 1,000 points after 2 epochs: graphs split and merge between layers, so runs are kept,
# excluded and given NaN transitions.
JOB = ["--sweep.problems", "synthetic-a,synthetic-c", "--sweep.architectures", "narrow",
       "--sweep.depths", "5", "--sweep.seeds", "0-1", "--train.epochs", "2",
       "--geometry.convention", "baptista-r", "--geometry.k", "3,6,12",
       "--output.store_activations", "true"]
r = subprocess.run(["mpirun", "-np", "3", SWEEP] + JOB + ["--out", out], env=ENV,
                   capture_output=True, text=True, timeout=240)
check(r.returncode == 0, f"sweep: exit {r.returncode}: {r.stderr[-500:]!r}")
if r.returncode != 0:
    sys.exit(1)

v = subprocess.run([QUERY, "validate", out], capture_output=True, text=True, timeout=60)
check(v.returncode == 0, f"validate: {v.stdout} {v.stderr}")

seen = {"kept": 0, "excluded": 0, "nan_eta": 0, "excluded_at_input": 0}
with h5py.File(out, "r") as f:
    check(f.attrs["graph"].decode() == "baptista-r", f"graph attribute {f.attrs['graph']!r}")
    status, depth = f["runs/status"][()], f["runs/depth"][()]
    ks, eta, ric = f["flow/k"][()], f["flow/eta"][()], f["flow/ric"][()]
    excluded_at, rho, reason = f["flow/excluded_at"][()], f["flow/rho"][()], f["flow/reason"][()]
    input_components = f["flow/input_components"][()]
    reason_names = dict(zip(*[iter(f["flow/reason"].attrs["codes"].decode().replace(",", "").split())] * 2))
    for run in range(len(status)):
        if status[run] != 1:
            check(False, f"run {run} is not done")
            continue
        group = f["run_data/r%06d" % run]
        layers = [group["layer_%02d" % (l + 1)][()].astype(np.float64) for l in range(depth[run])]
        for s, k in enumerate(ks[run]):
            if k < 0:
                continue
            at = f"run {run} k={k}"
            check(input_components[run, s] >= 1, f"{at}: input layer not measured")
            want = emu.analyze_stack(None, layers, int(k))
            L = depth[run]
            check([int(x) for x in ric[run, s, :L]] == want["ric"], f"{at}: Ric {ric[run, s, :L]} != {want['ric']}")
            if excluded_at[run, s] == 0:
                # Excluded by the inputs -> layer 1 transition, which the emulation cannot see here.
                seen["excluded_at_input"] += 1
                check(math.isinf(eta[run, s, 0]), f"{at}: excluded at 0 but eta_0 = {eta[run, s, 0]}")
                check(math.isnan(rho[run, s]), f"{at}: excluded but rho = {rho[run, s]}")
                continue
            want_at = -1 if want["excluded_at"] is None else want["excluded_at"]
            check(excluded_at[run, s] == want_at, f"{at}: excluded_at {excluded_at[run, s]} != {want_at}")
            if want["excluded"]:
                seen["excluded"] += 1
                check(reason_names[str(reason[run, s])] == "reachability-changed",
                      f"{at}: reason {reason[run, s]}")
                check(math.isnan(rho[run, s]), f"{at}: excluded but rho = {rho[run, s]}")
                continue
            seen["kept"] += 1
            for l in range(1, L):
                got, expected = eta[run, s, l], want["eta"][l - 1]
                seen["nan_eta"] += math.isnan(expected)
                check(same_real(got, expected), f"{at}: eta_{l} = {got}, emulation {expected}")
            check(same_real(rho[run, s], want["rho"]), f"{at}: rho {rho[run, s]} != {want['rho']}")
print("cases seen:", seen)
check(seen["kept"] > 0 and seen["excluded"] + seen["excluded_at_input"] > 0,
      f"the job no longer produces both kept and excluded runs: {seen}")

# The listings name the rule.
summary = json.loads(subprocess.run([QUERY, "summary", out, "--format", "json"], capture_output=True,
                                    text=True, timeout=60).stdout)
check(summary["excluded_by"] == "reachability-changed", f"summary excluded_by {summary['excluded_by']!r}")
text = subprocess.run([QUERY, "summary", out], capture_output=True, text=True, timeout=60).stdout
check("reachability changed at k*" in text, "summary text does not name the R rule")
runs = json.loads(subprocess.run([QUERY, "runs", out, "--format", "json"], capture_output=True,
                                 text=True, timeout=60).stdout)
named = {why for row in runs["runs"] for why in row["excluded_by"] if why}
check(named <= {"reachability-changed"} and named, f"runs excluded_by names {named}")

# A file made before schema 4 excluded baptista-r runs by the paper's rule: resuming it would mix the
# two rules, and is refused.
import shutil  # noqa: E402
old = os.path.join(WORK, "schema3.h5")
shutil.copy(out, old)
with h5py.File(old, "r+") as f:
    f.attrs["schema_version"] = np.int32(3)
r = subprocess.run([SWEEP] + JOB + ["--out", old, "--resume"], env=ENV, capture_output=True, text=True,
                   timeout=60)
check(r.returncode == 2 and "schema version 3" in r.stderr and "--reanalyze" in r.stderr,
      f"resume of a schema-3 baptista-r file: exit {r.returncode}: {r.stderr!r}")

for line in failures:
    print("FAIL", line)
sys.exit(1 if failures else 0)
