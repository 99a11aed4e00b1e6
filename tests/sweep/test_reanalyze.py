"""ricci-sweep --reanalyze end to end under mpirun: a re-analysis of a sweep's stored activations
equals a fresh sweep made with the new geometry settings, on 1 and 2 workers, after a resume, and
bad input is refused with one line (every subprocess has a timeout: no test can hang).

  /usr/bin/python3 tests/sweep/test_reanalyze.py RICCI_SWEEP WORKDIR
"""
import hashlib
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import compare_results  # noqa: E402
from sweep_harness import ENV, check, failures, fresh_path  # noqa: E402

SWEEP, WORK = sys.argv[1], sys.argv[2]
QUERY = os.path.join(os.path.dirname(SWEEP), "ricci-query")  # built next to ricci-sweep
os.makedirs(WORK, exist_ok=True)


def sweep(args, np_=None, timeout=120):
    cmd = (["mpirun", "-np", str(np_), SWEEP] if np_ else [SWEEP]) + args
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)


def fresh(name):
    return fresh_path(WORK, name)


def ok(r, label):
    check(r.returncode == 0, f"{label}: exit {r.returncode}: {r.stderr[-500:]!r}")
    return r.returncode == 0


def refused(r, expected, label, under_mpirun=False):
    """Exit 2 and one line; under mpirun every rank reaches the verdict, rank 0 alone prints it
    (mpirun adds its banner and its own exit status)."""
    if under_mpirun:
        check(r.returncode != 0 and r.stderr.count("ricci-sweep:") == 1,
              f"{label}: exit {r.returncode}, expected one line from rank 0 ({r.stderr!r})")
    else:
        check(r.returncode == 2, f"{label}: exit {r.returncode}, expected 2 ({r.stderr!r})")
        check(r.stderr.count("\n") == 1, f"{label}: expected one line on stderr, got {r.stderr!r}")
    check(expected in r.stderr, f"{label}: stderr {r.stderr.strip()!r} lacks {expected!r}")


def validates(path):
    r = subprocess.run([QUERY, "validate", path], capture_output=True, text=True, timeout=60)
    return r.returncode == 0 or print(r.stdout, r.stderr)


def md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


def same(a_path, b_path, label):
    """Every dataset but timings, rank and the table checksum (which covers them) is identical."""
    bad = compare_results.differences(compare_results.contents(a_path), compare_results.contents(b_path))
    check(not bad, f"{label}: {', '.join(bad)} differ")


# Two problems, two architectures, two seeds (8 runs, ~1 s of training each): the source keeps its
# activations and uses graph = union with one k grid; the re-analyses change the graph rule, the
# convention and the k grid.
JOB = ["--sweep.problems", "synthetic-a,synthetic-c", "--sweep.architectures", "narrow,bottleneck",
       "--sweep.depths", "5", "--sweep.seeds", "0-1", "--train.epochs", "2",
       "--output.store_activations", "true"]
SOURCE_GEOMETRY = ["--geometry.graph", "union", "--geometry.k", "10,40"]
MUTUAL = ["--geometry.graph", "mutual", "--geometry.k", "6,20,30"]
BAPTISTA = ["--geometry.convention", "baptista-r", "--geometry.k", "12"]

source = fresh("source.h5")
ok(sweep(JOB + SOURCE_GEOMETRY + ["--out", source], np_=3), "source sweep")
source_md5 = md5(source)

# The references: fresh sweeps that train again under the new settings.
references = {}
for label, geometry in (("mutual", MUTUAL), ("baptista-r", BAPTISTA)):
    references[label] = fresh(f"fresh-{label}.h5")
    ok(sweep(JOB + geometry + ["--out", references[label]], np_=3), f"fresh {label} sweep")

# 1. Re-analysis on 1 and 2 workers (and the baptista-r convention) equals the fresh sweep.
for label, geometry, ranks in (("mutual", MUTUAL, 2), ("mutual", MUTUAL, 3), ("baptista-r", BAPTISTA, 3)):
    out = fresh(f"re-{label}-{ranks}.h5")
    r = sweep(["--reanalyze", source, "--out", out] + geometry, np_=ranks)
    if not ok(r, f"re-analysis {label} -np {ranks}"):
        continue
    check(validates(out), f"re-analysis {label} -np {ranks}: ricci-query validate rejects it")
    same(references[label], out, f"re-analysis {label} -np {ranks} vs fresh sweep")
    with h5py.File(out, "r") as f, h5py.File(source, "r") as s:
        check(f.attrs["reanalysis_of"].decode() == os.path.abspath(source),
              f"reanalysis_of is {f.attrs['reanalysis_of']!r}")
        check(f.attrs["data_identity"] == s.attrs["data_identity"], "the data identity is not the source's")
        # training is copied, timings included; the fresh sweep trained again
        check(np.array_equal(f["runs/train_seconds"][()], s["runs/train_seconds"][()]),
              "train_seconds is not the source's")
        check(bool((f["runs/status"][()] == 1).all()), "not every re-analysed run is done")
    with h5py.File(references[label], "r") as f:
        check(f.attrs["reanalysis_of"].decode() == "", "a fresh sweep names a source")
check(md5(source) == source_md5, "re-analysis changed its source")

# 2. Resume: runs left pending (as a stop leaves them) are measured by --resume; the file ends up
# as the uninterrupted one. A complete file resumes with nothing to run.
out = fresh("resumed.h5")
ok(sweep(["--reanalyze", source, "--out", out] + MUTUAL, np_=2), "re-analysis to resume")
with h5py.File(out, "r+") as f:
    f["runs/status"][[1, 4, 6]] = 0
r = sweep(["--reanalyze", source, "--out", out, "--resume"] + MUTUAL, np_=3)
if ok(r, "--resume of a re-analysis"):
    check("resumed" in r.stdout and "3 to run" in r.stdout, f"--resume output: {r.stdout!r}")
    same(references["mutual"], out, "stopped + resumed re-analysis vs fresh sweep")
    check(validates(out), "ricci-query validate rejects the resumed re-analysis")
r = sweep(["--reanalyze", source, "--out", out, "--resume"] + MUTUAL)
check(r.returncode == 0 and "0 to run" in r.stdout, f"resume of a complete re-analysis: {r.stdout!r} {r.stderr!r}")

# 3. Runs not done in the source are recorded failed, naming the source run.
partial = os.path.join(WORK, "partial-source.h5")
shutil.copyfile(source, partial)
with h5py.File(partial, "r+") as f:
    f["runs/status"][2] = 0
out = fresh("re-partial.h5")
r = sweep(["--reanalyze", partial, "--out", out] + MUTUAL, np_=2)
if ok(r, "re-analysis of a source with a pending run"):
    with h5py.File(out, "r") as f:
        status, error = f["runs/status"][()], f["runs/error"][()]
    check(list(status) == [1, 1, 2, 1, 1, 1, 1, 1], f"statuses {list(status)}")
    check(f"{partial} run 2 is pending" in error[2].decode(), f"error of run 2: {error[2]!r}")
    check(validates(out), "ricci-query validate rejects the re-analysis with a failed run")

# 4. Bad input: one line, exit 2, nothing written.
no_activations = fresh("no-activations.h5")
ok(sweep(["--sweep.problems", "synthetic-a", "--sweep.architectures", "narrow", "--sweep.depths", "5",
          "--train.epochs", "1", "--geometry.k", "6", "--output.store_activations", "false",
          "--out", no_activations]), "sweep without activations")
out = fresh("refused.h5")
refused(sweep(["--reanalyze", no_activations, "--out", out] + MUTUAL), "store_activations = false",
        "source without activations")
refused(sweep(["--reanalyze", source, "--out", out, "--train.epochs", "3"] + MUTUAL),
        "the command line, key train.epochs: --reanalyze keeps the source's runs and training",
        "override of a training key")
overlay = os.path.join(WORK, "overlay.ini")
with open(overlay, "w") as f:
    f.write("[geometry]\ngraph = mutual\n[output]\nstore_nodes = true\n")
refused(sweep(["--reanalyze", source, "--out", out, "--job", overlay]),
        "overlay.ini line 4, key output.store_nodes: --reanalyze", "overlay job file with an output key")
check(not os.path.exists(out), "a refused re-analysis created its output")
refused(sweep(["--reanalyze", source, "--out", source] + MUTUAL, np_=2), "is the file --reanalyze reads",
        "--out equal to the source", under_mpirun=True)
refused(sweep(["--reanalyze", source, "--out", os.path.join(WORK, ".", "source.h5"), "--force"] + MUTUAL),
        "is the file --reanalyze reads", "--out naming the source another way, with --force")
check(md5(source) == source_md5, "a refused re-analysis changed its source")
existing = references["mutual"]
existing_md5 = md5(existing)
refused(sweep(["--reanalyze", source, "--out", existing] + MUTUAL), "already exists: pass --resume",
        "existing output without --resume")
# a file made by a sweep (or from another source) is not continued by a re-analysis, nor the reverse
refused(sweep(["--reanalyze", source, "--out", existing, "--resume"] + MUTUAL),
        "holds a sweep that trained its runs", "--reanalyze --resume of a trained sweep's file")
refused(sweep(["--reanalyze", partial, "--out", os.path.join(WORK, "re-mutual-2.h5"), "--resume"] + MUTUAL),
        "holds a re-analysis of " + os.path.abspath(source), "--resume from another source")
refused(sweep(JOB + MUTUAL + ["--out", os.path.join(WORK, "re-mutual-2.h5"), "--resume"]),
        "holds a re-analysis of", "a sweep --resume of a re-analysis")
check(md5(existing) == existing_md5, "a refused re-analysis changed an existing file")
refused(sweep(["--reanalyze", os.path.join(WORK, "overlay.ini"), "--out", out] + MUTUAL), "cannot re-analyse",
        "a source that is not a results file")

# 5. --dry-run shows the derived plan; the test inputs are regenerated, so data that changed since
# the source was made are refused (the source's data identity), naming the file.
r = sweep(["--reanalyze", source, "--dry-run"] + MUTUAL)
check(r.returncode == 0 and "re-analysis of " + source in r.stdout and "graph = mutual" in r.stdout
      and "k = 6,20,30" in r.stdout, f"--dry-run: {r.returncode} {r.stdout!r} {r.stderr!r}")
csv = os.path.join(WORK, "d.csv")
rows = "".join(f"{(i * 37 % 101) / 101:.4f},{(i * 53 % 103) / 103:.4f},{i % 2}\n" for i in range(200))
with open(csv, "w") as f:
    f.write("x,y,label\n" + rows)
csv_source = fresh("csv-source.h5")
ok(sweep(["--sweep.problems", "csv:" + csv, "--sweep.architectures", "narrow", "--sweep.depths", "5",
          "--train.epochs", "1", "--geometry.k", "3", "--out", csv_source]), "csv sweep")
with open(csv, "w") as f:
    f.write("x,y,label\n" + rows.replace("0.", "1.", 1))  # same shape, one value changed
out = fresh("re-csv.h5")
refused(sweep(["--reanalyze", csv_source, "--out", out, "--geometry.k", "4"]),
        f"cannot re-analyse {csv_source}: {csv} (csv of csv:", "re-analysis on changed data")
check(not os.path.exists(out), "a re-analysis refused for its data created its output")

print(f"{len(failures)} failed" if failures else "all re-analysis checks passed")
sys.exit(1 if failures else 0)
