"""Walltime-aware dispatch and live status end to end under mpirun:

* --deadline: with the testing hook RICCI_SWEEP_TEST_RUN_SECONDS every run counts as taking 2000 s,
  so under --deadline +30m (1800 s, default margin 60 s) the first run starts (nothing measured
  yet: no prediction) and no later run is predicted to fit: the sweep stops handing out, exits 3
  saying it stopped for the deadline with 5 runs left, and leaves no half-written run; --resume
  then finishes to the same numbers as an uninterrupted sweep (timing, placement and checksum
  columns aside);
* the status file OUT.status.json parses and its counts equal the file's statuses;
* `ricci-query status` on a file a running sweep holds open (its ranks stopped with SIGSTOP while
  it reads, without HDF5_USE_FILE_LOCKING=FALSE), and on the finished file;
* bad --deadline / --deadline-margin values: exit 2 and one line naming the value.

  /usr/bin/python3 tests/sweep/test_deadline_sweep.py RICCI_SWEEP WORKDIR
"""
import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from sweep_harness import ENV, check, failures, fresh_path  # noqa: E402

SWEEP, WORK = sys.argv[1], sys.argv[2]
QUERY = os.path.join(os.path.dirname(SWEEP), "ricci-query")  # built next to ricci-sweep
os.makedirs(WORK, exist_ok=True)
ENV.pop("SLURM_JOB_END_TIME", None)  # a test run inside a SLURM job must not inherit its deadline
# One group (problem, architecture, depth): after the first run every run's prediction is that run's
# time, so the hand-out does not depend on the plan's estimates of other groups.
JOB = ["--sweep.problems", "synthetic-a", "--sweep.architectures", "narrow", "--sweep.depths", "3",
       "--sweep.seeds", "0-5", "--train.epochs", "2", "--geometry.k", "10"]
# Columns that differ between executions of the same job: wall times, placement, and the checksum
# that covers them (and any per-run time or host column a later schema adds).
VOLATILE_WORDS = ("seconds", "rank", "checksum", "host", "time", "start", "end", "job", "attempt", "session")


def fresh(name):
    path = fresh_path(WORK, name)
    for extra in (path + ".status.json",):
        if os.path.exists(extra):
            os.remove(extra)
    return path


def sweep(arguments, np_=2, env=ENV):
    return subprocess.run(["mpirun", "-np", str(np_), SWEEP] + JOB + arguments, env=env,
                          capture_output=True, text=True, timeout=300)


def contents(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Dataset) and not any(w in name.split("/")[-1]
                                                          for w in VOLATILE_WORDS):
                out[name] = item[()]
        f.visititems(visit)
    return out


def same(a, b, label):
    bad = sorted(a.keys() ^ b.keys())
    for key in a.keys() & b.keys():
        x, y = a[key], b[key]
        equal = (np.array_equal(x, y, equal_nan=True) if getattr(x, "dtype", None) is not None
                 and x.dtype.kind == "f" else np.array_equal(x, y))
        if not equal:
            bad.append(key)
    check(not bad, f"{label}: {', '.join(bad[:8])} differ")


def statuses(path):
    with h5py.File(path, "r") as f:
        return (f["runs/status"][()], [p.decode() if isinstance(p, bytes) else p
                                       for p in f["runs/problem"][()]])


def status_json_matches(path, label):
    """The status file parses and its counts equal the results file's statuses."""
    with open(path + ".status.json") as f:
        live = json.load(f)
    status, problems = statuses(path)
    counts = live["counts"]
    check(counts["total"] == len(status), f"{label}: status file total {counts['total']}")
    check(counts["done"] == int((status == 1).sum()), f"{label}: status file done {counts['done']}")
    check(counts["failed"] == int((status == 2).sum()), f"{label}: status file failed")
    check(counts["pending"] == int((status == 0).sum()), f"{label}: status file pending")
    for entry in live["problems"]:
        mine = [s for s, p in zip(status, problems) if p == entry["problem"]]
        check(entry["total"] == len(mine) and entry["done"] == sum(1 for s in mine if s == 1),
              f"{label}: status file's {entry['problem']} counts {entry}")
    return live


reference = fresh("reference.h5")
r = sweep(["--out", reference], np_=2)
check(r.returncode == 0, f"uninterrupted sweep: exit {r.returncode}: {r.stderr[-500:]}")

# 1. The deadline stops the hand-out: 1 run done, 5 left, exit 3, nothing half-written.
out = fresh("deadline.h5")
hook = dict(ENV, RICCI_SWEEP_TEST_RUN_SECONDS="2000")
r = sweep(["--out", out, "--deadline", "+30m", "--progress-seconds", "0.2"], np_=2, env=hook)
check(r.returncode == 3, f"deadline sweep: exit {r.returncode} (want 3): {r.stderr[-500:]}")
check("stopped for the deadline" in r.stdout and "5 runs left" in r.stdout,
      f"deadline sweep did not say it stopped for the deadline with 5 runs left: {r.stdout[-600:]!r}")
status, _ = statuses(out)
check(int((status == 1).sum()) == 1 and int((status == 0).sum()) == 5,
      f"deadline sweep left statuses {status.tolist()} (want one done, five pending)")
with h5py.File(out, "r") as f:
    pending = status == 0
    for key in ("runs/test_accuracy", "runs/geometry_seconds", "flow/rho"):
        values = f[key][()][pending]
        check(np.isnan(values).all(), f"a pending run of the deadline sweep has {key} written")
live = status_json_matches(out, "deadline sweep")
check(live["state"] == "stopped for the deadline", f"status file state {live['state']!r}")
check(live["deadline"] is not None and live["deadline_margin_seconds"] == 60,
      f"status file deadline {live['deadline']!r}, margin {live['deadline_margin_seconds']!r}")
check(live["slowest"] and live["slowest"][0]["seconds"] == 2000,
      f"status file slowest runs {live['slowest']!r}")

# 2. --resume without the deadline finishes to the same numbers as the uninterrupted sweep.
r = sweep(["--out", out, "--resume"], np_=3)
check(r.returncode == 0, f"--resume after the deadline: exit {r.returncode}: {r.stderr[-500:]}")
same(contents(reference), contents(out), "deadline + resume vs uninterrupted")
live = status_json_matches(out, "resumed sweep")
check(live["state"] == "finished" and live["eta_seconds"] == 0, f"resumed status file {live['state']!r}, "
      f"ETA {live['eta_seconds']!r}")

# 3. ricci-query status on a file in use, then on the finished file.
busy = fresh("busy.h5")
long_job = ["--sweep.problems", "synthetic-a,synthetic-b", "--sweep.architectures", "narrow",
            "--sweep.depths", "3", "--sweep.seeds", "0-3", "--train.epochs", "50",
            "--geometry.k", "10"]  # 8 runs, 4 per problem
proc = subprocess.Popen(["mpirun", "-np", "2", SWEEP] + long_job +
                        ["--out", busy, "--progress-seconds", "0.2"], env=ENV,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                        start_new_session=True)
deadline = time.time() + 120
while not os.path.exists(busy + ".status.json") and time.time() < deadline:
    time.sleep(0.05)
check(os.path.exists(busy + ".status.json"), "the running sweep wrote no status file in 120 s")
children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                          text=True).stdout.split()
ranks = [int(pid) for pid in children if "ricci-sweep" in open(f"/proc/{pid}/cmdline").read()]
check(len(ranks) == 2, f"expected the 2 ranks of the busy sweep still running, found {len(ranks)}")
for pid in ranks:
    os.kill(pid, signal.SIGSTOP)  # the sweep holds the file open while ricci-query reads it
try:
    plain = {k: v for k, v in os.environ.items() if k != "HDF5_USE_FILE_LOCKING"}
    q = subprocess.run([QUERY, "status", busy, "--format", "json"], env=plain,
                       capture_output=True, text=True, timeout=60)
finally:
    for pid in ranks:
        os.kill(pid, signal.SIGCONT)
check(q.returncode == 0, f"ricci-query status on a file in use: exit {q.returncode}: {q.stderr!r}")
if q.returncode == 0:
    during = json.loads(q.stdout)
    check(during["total"] == 8 and during["done"] + during["failed"] + during["pending"] == 8
          and 0 <= during["running"] <= during["pending"],
          f"ricci-query status during the sweep: {during}")
    check(during["live"] is not None and during["live_fresh"],
          f"ricci-query status did not show the live status: {during.get('live')!r}")
    check([p["total"] for p in during["problems"]] == [4, 4], "per-problem totals during the sweep")
try:
    proc.wait(timeout=240)
except subprocess.TimeoutExpired:
    os.killpg(proc.pid, signal.SIGTERM)
    check(False, "the busy sweep did not finish in 240 s")
check(proc.returncode == 0, f"busy sweep: exit {proc.returncode}")
q = subprocess.run([QUERY, "status", busy, "--format", "json"], capture_output=True, text=True,
                   timeout=60)
after = json.loads(q.stdout) if q.returncode == 0 else {}
status, problems = statuses(busy)
check(after.get("done") == int((status == 1).sum()) and after.get("pending") == 0,
      f"ricci-query status after the sweep: {after} vs statuses {status.tolist()}")
for entry in after.get("problems", []):
    check(entry["done"] == sum(1 for s, p in zip(status, problems) if s == 1 and p == entry["problem"]),
          f"ricci-query status per problem: {entry}")
status_json_matches(busy, "busy sweep")
q = subprocess.run([QUERY, "status", busy], capture_output=True, text=True, timeout=60)
check(q.returncode == 0 and "8 runs, 8 done" in q.stdout and "the sweep ended: finished" in q.stdout,
      f"ricci-query status table: {q.stdout!r} {q.stderr!r}")

# 4. Bad values: exit 2, one line naming the value.
for arguments, word in ((["--deadline", "tomorrow"], "'tomorrow'"),
                        (["--deadline", "+1h", "--deadline-margin", "ten"], "'ten'"),
                        (["--deadline-margin", "5m"], "needs a deadline")):
    r = subprocess.run([SWEEP] + JOB + arguments + ["--out", os.path.join(WORK, "never.h5")],
                       env=ENV, capture_output=True, text=True, timeout=60)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and len(lines) == 1 and word in r.stderr,
          f"{arguments}: exit {r.returncode}, stderr {r.stderr!r}")
bad_env = dict(ENV, SLURM_JOB_END_TIME="soon")
r = subprocess.run([SWEEP] + JOB + ["--out", os.path.join(WORK, "never.h5")], env=bad_env,
                   capture_output=True, text=True, timeout=60)
check(r.returncode == 2 and "SLURM_JOB_END_TIME 'soon'" in r.stderr,
      f"bad SLURM_JOB_END_TIME: exit {r.returncode}, {r.stderr!r}")
check(not os.path.exists(os.path.join(WORK, "never.h5")), "a refused sweep wrote its output")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("deadline sweep: all checks passed")
