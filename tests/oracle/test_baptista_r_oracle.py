"""`ricci-query analyze --convention baptista-r --format json` against the R-free emulation of the reference R
pipeline (r_reference_emulation.py), on the designed stacks of baptista_r_cases.py: connected, split the same
way everywhere, split at a layer, merge at a layer, merge at the input transition (with and without
layer_00), split and merge at one transition (NaN eta), all rows NaN, and integer ReLU stacks with ties.
Each stack alone, then all of them pooled in one call (several files), then three of them pooled from one
file (several --group). Integers are compared exactly, reals to 1e-12.
Usage: test_baptista_r_oracle.py RICCI_QUERY WORKDIR"""
import json
import math
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baptista_r_cases as cases_module  # noqa: E402
import r_reference_emulation as emu  # noqa: E402

RICCI_QUERY, WORKDIR = sys.argv[1], sys.argv[2]
os.makedirs(WORKDIR, exist_ok=True)
KS = cases_module.KS

failures = []
checked = 0


def fail(where, message):
    failures.append(f"{where}: {message}")


def same_int(where, key, got, want):
    global checked
    checked += 1
    if want is None:
        if got is not None:
            fail(where, f"{key} = {got!r}, emulation null")
    elif not isinstance(got, (int, float)) or isinstance(got, bool) or got != want:
        fail(where, f"{key} = {got!r}, emulation {want!r}")


def same_real(where, key, got, want):
    """NaN (or None) in the emulation is null in the JSON."""
    global checked
    checked += 1
    if want is None or (isinstance(want, float) and math.isnan(want)):
        if got is not None:
            fail(where, f"{key} = {got!r}, emulation NaN (null)")
    elif not isinstance(got, (int, float)) or isinstance(got, bool) or not math.isclose(
            got, want, rel_tol=1e-12, abs_tol=1e-12):
        fail(where, f"{key} = {got!r}, emulation {want!r}")


def write_stack(path, group, case):
    with h5py.File(path, "a") as f:
        target = f if group == "/" else f.require_group(group)
        for number, X in enumerate(case.graphs(), start=0 if case.inputs is not None else 1):
            target.create_dataset("layer_%02d" % number, data=np.asarray(X, dtype=case.dtype))


def compare_stack(where, got, case, want_per_k):
    """One stack's JSON object (header and results) against the emulation's per-k results."""
    if got.get("n") != case.layers[0].shape[0] or got.get("layers") != len(case.layers):
        fail(where, f"header n={got.get('n')} layers={got.get('layers')}, want "
                    f"{case.layers[0].shape[0]}, {len(case.layers)}")
    results = got.get("results")
    if not isinstance(results, list) or [r.get("k") for r in results] != KS:
        fail(where, f"results for k = {[r.get('k') for r in results] if isinstance(results, list) else results}")
        return
    for rg, rw in zip(results, want_per_k):
        at = f"{where} k={rw['k']}"
        if len(rg.get("layers", [])) != len(rw["layers"]):
            fail(at, f"{len(rg.get('layers', []))} layers, want {len(rw['layers'])}")
            continue
        for lg, lw in zip(rg["layers"], rw["layers"]):
            same_int(at, f"layer {lw['layer']} number", lg.get("layer"), lw["layer"])
            for key in ("edges", "components", "unreachable_pairs", "ric", "g"):
                same_int(at, f"layer {lw['layer']} {key}", lg.get(key), lw[key])
        if rw["input"] is None:
            if rg.get("input") is not None:
                fail(at, f"input = {rg.get('input')!r}, the stack has no layer_00")
        elif not isinstance(rg.get("input"), dict):
            fail(at, f"input = {rg.get('input')!r}, want the layer_00 figures")
        else:
            for key in ("edges", "components", "unreachable_pairs"):
                same_int(at, f"input {key}", rg["input"].get(key), rw["input"][key])
        if rg.get("excluded") is not rw["excluded"]:
            fail(at, f"excluded = {rg.get('excluded')!r}, emulation {rw['excluded']}")
        same_int(at, "excluded_at", rg.get("excluded_at"), rw["excluded_at"])
        want_by = "reachability-changed" if rw["excluded"] else None
        if rg.get("excluded_by") != want_by:
            fail(at, f"excluded_by = {rg.get('excluded_by')!r}, want {want_by!r}")
        if rw["excluded"]:
            # an excluded stack has no coefficient; its eta may hold infinities, which JSON cannot
            if rg.get("rho") is not None:
                fail(at, f"rho = {rg.get('rho')!r} for an excluded stack")
            continue
        eta = rg.get("eta")
        if not isinstance(eta, list) or len(eta) != len(rw["eta"]):
            fail(at, f"eta = {eta!r}, emulation {rw['eta']}")
        else:
            for l, (eg, ew) in enumerate(zip(eta, rw["eta"]), start=1):
                if math.isnan(ew):
                    same_real(at, f"eta_{l}", eg, ew)
                else:
                    same_int(at, f"eta_{l}", eg, ew)
        if rw["eta_input"] is None or math.isnan(rw["eta_input"]):
            same_real(at, "eta_input", rg.get("eta_input"), math.nan)
        else:
            same_int(at, "eta_input", rg.get("eta_input"), rw["eta_input"])
        same_real(at, "rho", rg.get("rho"), rw["rho"])


def compare_pooled(where, got, want):
    pooled = got.get("pooled")
    if not isinstance(pooled, list) or [p.get("k") for p in pooled] != KS:
        fail(where, f"pooled = {pooled!r}")
    else:
        for pg, pw in zip(pooled, want["pooled"]):
            same_real(f"{where} pooled k={pw['k']}", "rho", pg.get("rho"), pw["rho"])
            same_int(f"{where} pooled k={pw['k']}", "stacks", pg.get("stacks"), pw["stacks"])
    same_int(where, "k_star", got.get("k_star"), want["k_star"])


def analyze(args):
    cmd = [RICCI_QUERY, "analyze"] + args + ["--k", ",".join(map(str, KS)), "--convention", "baptista-r",
                                             "--format", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, f"exit {proc.returncode}: {proc.stderr.strip()}"
    try:
        return json.loads(proc.stdout), None
    except json.JSONDecodeError as error:
        return None, f"not JSON ({error}): {proc.stdout[:200]!r}"


cases = cases_module.all_cases()
for case in cases:
    cases_module.verify(case)  # the stack has the structure it is named for
paths = {}
for case in cases:
    paths[case.name] = os.path.join(WORKDIR, case.name + ".h5")
    if os.path.exists(paths[case.name]):
        os.remove(paths[case.name])
    write_stack(paths[case.name], "/", case)

# Each stack alone: the single-stack object, with its own pooled coefficient over itself.
for case in cases:
    want = emu.analyze([(case.inputs, case.layers)], KS)
    got, error = analyze([paths[case.name]])
    if error:
        fail(case.name, error)
        continue
    if got.get("convention") != "baptista-r":
        fail(case.name, f"convention = {got.get('convention')!r}")
    compare_stack(case.name, got, case, want["stacks"][0])
    compare_pooled(case.name, got, want)

# All stacks in one call: per-stack objects in order, the pooled coefficient over the kept ones, k*.
want = emu.analyze([(c.inputs, c.layers) for c in cases], KS)
got, error = analyze([paths[c.name] for c in cases])
if error:
    fail("pooled", error)
else:
    stacks = got.get("stacks")
    if got.get("convention") != "baptista-r" or not isinstance(stacks, list) or len(stacks) != len(cases):
        fail("pooled", f"convention {got.get('convention')!r}, {len(stacks) if isinstance(stacks, list) else stacks} stacks")
    else:
        for case, sg, sw in zip(cases, stacks, want["stacks"]):
            if sg.get("file") != paths[case.name] or sg.get("group") != "/":
                fail(f"pooled/{case.name}", f"file {sg.get('file')!r} group {sg.get('group')!r}")
            compare_stack(f"pooled/{case.name}", sg, case, sw)
    compare_pooled("pooled", got, want)

# Several groups of one file.
chosen = [c for c in cases if c.name in ("split_same", "split_and_merge", "relu_5")]
combined = os.path.join(WORKDIR, "combined.h5")
if os.path.exists(combined):
    os.remove(combined)
for c in chosen:
    write_stack(combined, "/" + c.name, c)
want = emu.analyze([(c.inputs, c.layers) for c in chosen], KS)
args = [combined]
for c in chosen:
    args += ["--group", "/" + c.name]
got, error = analyze(args)
if error:
    fail("groups", error)
else:
    stacks = got.get("stacks")
    if not isinstance(stacks, list) or len(stacks) != len(chosen):
        fail("groups", f"stacks = {stacks!r}")
    else:
        for case, sg, sw in zip(chosen, stacks, want["stacks"]):
            if sg.get("group") != "/" + case.name:
                fail(f"groups/{case.name}", f"group {sg.get('group')!r}")
            compare_stack(f"groups/{case.name}", sg, case, sw)
    compare_pooled("groups", got, want)

for line in failures:
    print("FAIL", line)
print(f"{len(cases)} stacks, {checked} values compared, {len(failures)} failures")
sys.exit(1 if failures else 0)
