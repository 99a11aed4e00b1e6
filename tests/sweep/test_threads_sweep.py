"""ricci-sweep's [sweep] threads_per_rank end to end under mpirun: the threads of each run's geometry
are a speed setting, so a sweep with threads_per_rank = 2 stores exactly what one with 1 stores (every
dataset but timings and placement, and every root attribute but the job text and the provenance of its
sessions), a file resumes and re-analyses with another value, the sessions record it, oversubscription
is one warning line, and a bad value is refused with one line naming the key and the value.

  /usr/bin/python3 tests/sweep/test_threads_sweep.py RICCI_SWEEP WORKDIR
"""
import json
import os
import subprocess
import sys

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import compare_results  # noqa: E402
from sweep_harness import ENV, check, failures, fresh_path  # noqa: E402

SWEEP, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)

# Root attributes that record who wrote a file and when, or the job text with its machine-specific keys
# (threads_per_rank among them): everything else must be the same for any thread count.
PROVENANCE = {"job", "sessions", "builds", "created", "completed"}


def sweep(args, np_=None, timeout=180):
    cmd = (["mpirun", "-np", str(np_), SWEEP] if np_ else [SWEEP]) + args
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)


def ok(r, label):
    check(r.returncode == 0, f"{label}: exit {r.returncode}: {r.stderr[-500:]!r}")
    return r.returncode == 0


def attributes(path):
    with h5py.File(path, "r") as f:
        return {key: f.attrs[key] for key in f.attrs}


def same(a_path, b_path, label):
    bad = compare_results.differences(compare_results.contents(a_path), compare_results.contents(b_path))
    check(not bad, f"{label}: {', '.join(bad)} differ")
    a, b = attributes(a_path), attributes(b_path)
    for key in sorted((a.keys() | b.keys()) - PROVENANCE):
        check(key in a and key in b and a[key] == b[key], f"{label}: root attribute {key} differs")


def sessions(path):
    return json.loads(attributes(path)["sessions"])


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


# Two architectures, two seeds, every notion with the local coefficients and per-node values: the
# geometry's every stage with output stored.
JOB = ["--sweep.problems", "synthetic-a", "--sweep.architectures", "narrow,bottleneck", "--sweep.depths", "5",
       "--sweep.seeds", "0-1", "--train.epochs", "2", "--geometry.k", "6,20",
       "--geometry.curvatures", "forman,augmented-forman,ollivier", "--geometry.local", "true",
       "--output.store_nodes", "true", "--output.store_activations", "true"]

one = fresh_path(WORK, "threads-1.h5")
two = fresh_path(WORK, "threads-2.h5")
ok(sweep(JOB + ["--out", one], np_=2), "threads_per_rank = 1")
r = sweep(JOB + ["--sweep.threads_per_rank", "2", "--out", two], np_=2)
if ok(r, "threads_per_rank = 2"):
    same(one, two, "threads_per_rank 2 vs 1")
    a, b = attributes(one), attributes(two)
    check("threads_per_rank" not in text(a["job"]), "the default threads_per_rank is in the job text")
    check("threads_per_rank = 2\n" in text(b["job"]), f"job text lacks threads_per_rank = 2: {text(b['job'])!r}")
    check(a["job_without_paths"] == b["job_without_paths"], "the job text --resume compares differs")
    check([s["threads_per_rank"] for s in sessions(two)] == [2], f"sessions: {sessions(two)}")
    check([s["ranks"] for s in sessions(two)] == [2], f"sessions: {sessions(two)}")

# A resume with another thread count is the same job; the sessions record each count.
    with h5py.File(two, "r+") as f:
        f["runs/status"][[0, 3]] = 0
    r = sweep(JOB + ["--sweep.threads_per_rank", "1", "--out", two, "--resume"], np_=2)
    if ok(r, "--resume with threads_per_rank = 1"):
        check("2 to run" in r.stdout, f"--resume output: {r.stdout!r}")
        same(one, two, "resumed with another thread count vs threads_per_rank = 1")
        check([s["threads_per_rank"] for s in sessions(two)] == [2, 1], f"sessions: {sessions(two)}")

# A re-analysis may set the threads of its machine too, with the same results.
re_one, re_two = fresh_path(WORK, "re-1.h5"), fresh_path(WORK, "re-2.h5")
MUTUAL = ["--geometry.graph", "mutual", "--geometry.k", "5,12"]
ok(sweep(["--reanalyze", one, "--out", re_one] + MUTUAL, np_=2), "re-analysis, threads_per_rank = 1")
if ok(sweep(["--reanalyze", one, "--out", re_two, "--sweep.threads_per_rank", "3"] + MUTUAL, np_=2),
      "re-analysis, threads_per_rank = 3"):
    same(re_one, re_two, "re-analysis with threads_per_rank 3 vs 1")

# Oversubscription: one warning line from rank 0 when workers x threads_per_rank exceeds the cores the
# ranks may run on (a single rank asking for one more thread than this process's cores: always), none
# at one thread per rank.
SMALL = ["--sweep.problems", "synthetic-a", "--sweep.architectures", "narrow", "--sweep.depths", "5",
         "--train.epochs", "1", "--geometry.k", "6"]
cores = len(os.sched_getaffinity(0))
r = sweep(SMALL + ["--sweep.threads_per_rank", str(cores + 1), "--out", fresh_path(WORK, "over.h5")], np_=1)
if ok(r, "oversubscribed sweep"):
    lines = [line for line in r.stdout.splitlines() if "oversubscribed" in line]
    check(len(lines) == 1 and lines[0].startswith("[ricci-sweep] warning: 1 worker ranks x threads_per_rank "),
          f"oversubscription warning: {r.stdout!r}")
r = sweep(SMALL + ["--out", fresh_path(WORK, "not-over.h5")], np_=1)
if ok(r, "sweep at one thread per rank"):
    check("oversubscribed" not in r.stdout, f"a warning at one thread per rank: {r.stdout!r}")
# The README's default: one rank per core plus the dispatcher, which computes nothing: no warning.
r = sweep(SMALL + ["--out", fresh_path(WORK, "dispatcher.h5")], np_=cores + 1)
if ok(r, "sweep with cores + 1 ranks"):
    check("oversubscribed" not in r.stdout, f"the dispatcher counted as a worker: {r.stdout!r}")

# A bad value: exit 2, one line naming the key and the value.
for value in ("0", "-3", "many"):
    r = sweep(SMALL + ["--sweep.threads_per_rank", value, "--out", fresh_path(WORK, "bad.h5")])
    expected = ("'many' is not an integer" if value == "many"
                else f"threads_per_rank must be between 1 and 4096, got {value}")
    check(r.returncode == 2 and r.stderr.count("\n") == 1
          and f"key sweep.threads_per_rank: {expected}" in r.stderr,
          f"threads_per_rank = {value}: exit {r.returncode}, {r.stderr!r}")

print("FAILED:" if failures else "all threads_per_rank checks passed", *failures, sep="\n")
sys.exit(1 if failures else 0)
