"""The R-free emulation (r_reference_emulation.py) against the reference pipeline run in R itself
(reference_pipeline.R: the same igraph/aggregate/cor.test calls as the paper's script), on every designed
stack of baptista_r_cases.py, each alone and pooled: the removed models, every per-(transition, model) mean
and sum that R's aggregate keeps (and which groups it drops), every Ric, every cor.test estimate or refusal.
Exit code 77 (skipped) when Rscript or the igraph package is missing.
Usage: test_r_reference.py WORKDIR"""
import math
import os
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baptista_r_cases as cases_module  # noqa: E402
import r_reference_emulation as emu  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKDIR = sys.argv[1]
KS = cases_module.KS

rscript = shutil.which("Rscript")
if rscript is None:
    print("SKIP: Rscript not found (Debian: apt-get install r-base-core r-cran-igraph)")
    sys.exit(77)
probe = subprocess.run([rscript, "-e", "suppressPackageStartupMessages(library(igraph)); "
                        "cat(R.version.string, '/ igraph', as.character(packageVersion('igraph')))"],
                       capture_output=True, text=True)
if probe.returncode != 0:
    print("SKIP: the R package igraph is not installed (Debian: r-cran-igraph)")
    sys.exit(77)
print("using", probe.stdout.strip())

cases = cases_module.all_cases()
by_name = {c.name: c for c in cases}
for case in cases:
    cases_module.verify(case)

# The stacks as CSV. The R script always has the raw inputs; for a stack without them, layer 1 stands in
# for the inputs: its "inputs -> layer 1" difference is then 0 (or NaN, Inf - Inf) entry by entry, its rows
# are finite and it never removes the model, and the layer-skip correlation drops that transition anyway -
# exactly the emulation's "no transition 0".
shutil.rmtree(WORKDIR, ignore_errors=True)
os.makedirs(WORKDIR)
for case in cases:
    folder = os.path.join(WORKDIR, case.name)
    os.makedirs(folder)
    layers = [case.inputs if case.inputs is not None else case.layers[0]] + list(case.layers)
    for number, X in enumerate(layers):
        np.savetxt(os.path.join(folder, "layer_%02d.csv" % number),
                   np.asarray(X, dtype=case.dtype).astype(np.float64), delimiter=",", fmt="%.17g")
with open(os.path.join(WORKDIR, "ks.txt"), "w") as f:
    f.write("\n".join(map(str, KS)) + "\n")

# The script pools models of one depth only (its "last layer" is the largest layer number of all models),
# so the pools group the stacks by depth. all_rows_nan_hidden is pooled on its own with one other stack:
# R stops there (see below).
depth6 = [c.name for c in cases if len(c.layers) == 6 and c.name != "all_rows_nan_hidden"]
depth5 = [c.name for c in cases if len(c.layers) == 5]
pools = {"pool_depth6": depth6, "pool_depth5": depth5, "pool_all_rows_nan_hidden": ["connected", "all_rows_nan_hidden"]}
runs = {c.name: [c.name] for c in cases}
runs.update(pools)
with open(os.path.join(WORKDIR, "runs.txt"), "w") as f:
    for name, stacks in runs.items():
        f.write(" ".join([name] + stacks) + "\n")

proc = subprocess.run([rscript, "--vanilla", os.path.join(HERE, "reference_pipeline.R"), WORKDIR],
                      capture_output=True, text=True)
if proc.returncode != 0:
    print(proc.stderr)
    print(f"FAIL Rscript exit {proc.returncode}")
    sys.exit(1)


def number(text):
    return math.nan if text in ("NA", "NaN") else float(text)


means, excluded, sums, rics, rhos = {}, {}, {}, {}, {}
for line in proc.stdout.splitlines():
    kind, run, k, *rest = line.split("\t")
    k = int(k)
    if kind == "MEAN":
        means[(run, k, rest[0], int(rest[1]))] = number(rest[2])
    elif kind == "EXCL":
        excluded[(run, k, rest[0])] = rest[1] == "1"
    elif kind == "ETA":
        sums[(run, k, rest[0], int(rest[1]))] = number(rest[2])
    elif kind == "RIC":
        rics[(run, k, rest[0], int(rest[1]))] = number(rest[2])
    elif kind == "RHO":
        rhos[(run, k)] = rest[0]

failures = []
checked = 0


def agree(where, r_value, emu_value):
    """R's number (or None: no such row) against the emulation's (None: no group; NaN: NaN)."""
    global checked
    checked += 1
    if r_value is None or emu_value is None:
        ok = r_value is None and emu_value is None
    elif math.isnan(emu_value) or math.isnan(r_value):
        ok = math.isnan(emu_value) and math.isnan(r_value)
    elif math.isinf(emu_value) or math.isinf(r_value):
        ok = r_value == emu_value
    else:
        ok = math.isclose(r_value, emu_value, rel_tol=1e-12, abs_tol=1e-12)
    if not ok:
        failures.append(f"{where}: R {r_value!r}, emulation {emu_value!r}")


def r_transition(t):
    """The emulation's transition t as R's layer column: inputs -> hidden 1 is 1, hidden t -> t+1 is t+1."""
    return t + 1


def r_stops_on_length(stacks, results):
    """Whether the script's layer-skip cor.test gets columns of different lengths (see the caller)."""
    kept = [(by_name[s], r) for s, r in zip(stacks, results) if not r["excluded"]]
    if not kept:
        return False
    hidden_group_missing = any(r["transition_totals"][t] is None for _, r in kept for t in range(1, len(r["eta"]) + 1))
    # a stack without inputs has the stand-in transition, whose group is always there
    input_group_left = any(c.inputs is None or r["transition_totals"][0] is not None for c, r in kept)
    return hidden_group_missing or not input_group_left


for run, stacks in runs.items():
    for k in KS:
        results = [emu.analyze_stack(by_name[s].inputs, by_name[s].layers, k) for s in stacks]
        for name, r in zip(stacks, results):
            case = by_name[name]
            at = f"{run} k={k} {name}"
            checked += 1
            if excluded.get((run, k, name)) != r["excluded"]:
                failures.append(f"{at}: R removes the model: {excluded.get((run, k, name))}, emulation excluded: {r['excluded']}")
            # R's layer 1 is the stand-in self-transition for a stack without inputs: not compared
            for t in ([0] if case.inputs is not None else []) + list(range(1, len(case.layers))):
                key = (run, k, name, r_transition(t))
                agree(f"{at} mean at transition {t}", means.get(key), r["transition_means"][t])
                if not r["excluded"]:
                    agree(f"{at} sum at transition {t}", sums.get(key), r["transition_totals"][t])
            if not r["excluded"] and case.inputs is None:
                agree(f"{at} stand-in transition", sums.get((run, k, name, 1)), 0.0)
            for l, ric in enumerate(r["ric"], start=1):
                agree(f"{at} Ric_{l}", rics.get((run, k, name, l)), float(ric))
        # the coefficient: per stack for a run of one, pooled otherwise
        rho, kept = emu.pooled_coefficient(results)
        got = rhos.get((run, k), "missing")
        at = f"{run} k={k} rho"
        if r_stops_on_length(stacks, results):
            # R's aggregate drops an all-NaN group: at a hidden transition the distance column is shorter
            # than the curvature column; when no model has an input-transition group left, the script's
            # x[-which(layer == 1)] selects nothing. Either way cor.test stops, where the emulation (and
            # ricci-query) leave that pair out (r_reference_emulation.py, "Where R itself breaks").
            checked += 1
            if got != "ERROR 'x' and 'y' must have the same length":
                failures.append(f"{at}: R {got!r}, emulation {rho!r}; expected R to stop on the length mismatch")
        elif got.startswith("ERROR"):
            # R refuses (fewer than 3 complete pairs, or every model removed): the emulation's NaN
            checked += 1
            if not math.isnan(rho):
                failures.append(f"{at}: R {got!r}, emulation {rho!r}")
        else:
            agree(at, number(got), rho)
        if len(stacks) == 1 and not got.startswith("ERROR"):
            agree(f"{at} (per stack)", number(got), results[0]["rho"])

for line in failures:
    print("FAIL", line)
print(f"{len(runs)} R runs, {checked} values compared, {len(failures)} failures")
sys.exit(1 if failures else 0)
