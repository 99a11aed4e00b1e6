"""Sharded sweeps end to end under mpirun (ricci-sweep --shard i/n, ricci-query merge):

* shards 1/3, 2/3, 3/3 of a job (run with different rank counts) each run a disjoint part of the
  plan, together all of it, about equally many runs each; each shard's file keeps the whole plan's
  rows (the others pending, without /run_data groups), names its shard, validates and answers
  queries;
* merged, they equal one unsharded sweep of the job in every dataset but timings, placement and
  the table checksum that covers them (walked generically over the whole file), and validate;
* two shards merged leave the third's runs pending (and say so); --resume of the merged file with
  the unsharded job finishes it to the same numbers;
* refusals, one line and exit 2, nothing left behind: shards of different jobs, the same shard
  twice, different shard counts, an existing OUT without --force, a file that is not a results
  file, a whole sweep's file; bad --shard values; --resume of a shard file with another shard.

  /usr/bin/python3 tests/sweep/test_shards_sweep.py RICCI_SWEEP WORKDIR
"""
import fcntl
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from sweep_harness import ENV, check, failures, fresh_path  # noqa: E402

SWEEP, WORK = sys.argv[1], sys.argv[2]
QUERY = os.path.join(os.path.dirname(SWEEP), "ricci-query")  # built next to ricci-sweep
os.makedirs(WORK, exist_ok=True)

# Differ between executions: timings, placement (rank, host, process, times) and /runs/checksum,
# which covers them. Everything else, /runs/data_checksum included, must be identical.
VOLATILE_NAMES = {"train_seconds", "geometry_seconds", "rank", "checksum", "session"}
VOLATILE_WORDS = ("host", "time", "seconds", "pid", "slurm", "started", "ended", "attempt")

JOB = ["--sweep.problems", "synthetic-a", "--sweep.architectures", "narrow",
       "--sweep.depths", "2,3", "--sweep.seeds", "0-2", "--train.epochs", "3",
       "--geometry.k", "10,20", "--output.store_activations", "true"]


def run(args, timeout=300):
    return subprocess.run(args, env=ENV, capture_output=True, text=True, timeout=timeout)


def sweep(name, job, extra=(), np_=2, fresh=True, expect=0):
    path = fresh_path(WORK, name) if fresh else os.path.join(WORK, name)
    r = run(["mpirun", "-np", str(np_), SWEEP] + job + ["--out", path] + list(extra))
    check(r.returncode == expect,
          f"{name}: exit {r.returncode}, expected {expect}: {r.stderr[-800:]!r} {r.stdout[-400:]!r}")
    return path, r


def query(*args):
    return run([QUERY] + list(args), timeout=120)


def contents(path):
    """Every dataset of the file but the volatile ones, by path (a generic walk: datasets added by
    later schema versions are compared too)."""
    out = {}

    def visit(name, item):
        if not isinstance(item, h5py.Dataset):
            return
        leaf = name.rsplit("/", 1)[-1]
        if leaf in VOLATILE_NAMES or any(w in leaf for w in VOLATILE_WORDS):
            return
        out[name] = item[()]

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return out


def differences(a, b):
    bad = sorted(a.keys() ^ b.keys())
    for key in a.keys() & b.keys():
        x, y = a[key], b[key]
        equal = x.shape == y.shape and (
            np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(x, y))
        if not equal:
            bad.append(key)
    return bad


def status(path):
    with h5py.File(path, "r") as f:
        return f["runs/status"][()]


def attribute(path, name):
    with h5py.File(path, "r") as f:
        value = f.attrs.get(name, b"")
    return value.decode() if isinstance(value, bytes) else str(value)


def groups(path):
    with h5py.File(path, "r") as f:
        return set(f["run_data"].keys()) if "run_data" in f else set()


def valid(path, label):
    r = query("validate", path)
    check(r.returncode == 0, f"{label}: validate exit {r.returncode}: {r.stdout[-600:]!r}")


def refused(args, label, wanted, code=2):
    r = query(*args) if args[0] == "merge" else run(args)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == code, f"{label}: exit {r.returncode}, expected {code}: {r.stderr!r}")
    check(len(lines) == 1 and wanted in r.stderr, f"{label}: want one line with {wanted!r}: "
          f"{r.stderr!r}")


# --- the unsharded reference and the three shards --------------------------------------------
whole, _ = sweep("whole.h5", JOB, np_=2)
runs = len(status(whole))
check(runs == 6, f"the job plans {runs} runs, expected 6")

shards, members = [], []
for i, np_ in ((1, 1), (2, 3), (3, 2)):
    path, r = sweep(f"shard{i}.h5", JOB, ["--shard", f"{i}/3"], np_=np_)
    shards.append(path)
    s = status(path)
    mine = set(np.flatnonzero(s == 1))
    members.append(mine)
    check(set(np.flatnonzero(s != 0)) == mine, f"shard {i}/3: a run failed: {s}")
    check(attribute(path, "shard") == f"{i}/3", f"shard {i}/3: attribute shard is "
          f"{attribute(path, 'shard')!r}")
    check(groups(path) == {f"r{run:06d}" for run in mine},
          f"shard {i}/3: /run_data holds {sorted(groups(path))}, expected its runs {sorted(mine)}")
    check(f"shard {i}/3" in r.stdout, f"shard {i}/3: the log does not name the shard: {r.stdout!r}")
    valid(path, f"shard {i}/3")
    for sub in ("summary", "runs"):
        q = query(sub, path)
        check(q.returncode == 0, f"shard {i}/3: ricci-query {sub} exit {q.returncode}: {q.stderr!r}")
    if i == 2:
        dry = run([SWEEP] + JOB + ["--shard", f"{i}/3", "--dry-run"])
        check(f"shard {i}/3: {len(mine)} of these runs" in dry.stdout,
              f"shard {i}/3: --dry-run does not count its runs: {dry.stdout[-300:]!r}")
sizes = [len(m) for m in members]
check(sum(sizes) == runs and set().union(*members) == set(range(runs)),
      f"the shards' runs {members} are not a partition of the {runs} runs")
check(max(sizes) - min(sizes) <= 1, f"unbalanced shards: {sizes} runs")

# Deterministic: the same shard run again (other rank count) runs the same runs.
again, _ = sweep("shard2-again.h5", JOB, ["--shard", "2/3"], np_=1)
check(set(np.flatnonzero(status(again) == 1)) == members[1], "shard 2/3 ran other runs the second time")

# --- merge all three: the same numbers as the unsharded sweep ---------------------------------
merged = fresh_path(WORK, "merged.h5")
r = query("merge", merged, shards[2], shards[0], shards[1])
check(r.returncode == 0, f"merge: exit {r.returncode}: {r.stderr!r}")
check("merged 3 of 3 shards" in r.stdout and "6 done" in r.stdout and "0 pending" in r.stdout,
      f"merge report: {r.stdout!r}")
bad = differences(contents(whole), contents(merged))
check(not bad, f"merged differs from the unsharded sweep: {', '.join(bad[:8])}")
check(attribute(merged, "shard") == "", f"merged: attribute shard is {attribute(merged, 'shard')!r}")
check(attribute(merged, "job_without_paths") == attribute(whole, "job_without_paths"),
      "merged: the job differs from the unsharded sweep's")
valid(merged, "merged")
check(not os.path.exists(merged + ".merging"), "merge left its temporary file")

# Provenance: every shard's sessions, in shard order and marked with their shard; each run names a
# session of the shard that ran it; each build once; created with the first shard, complete.
sessions = json.loads(attribute(merged, "sessions"))
check([x["shard"] for x in sessions] == ["1/3", "2/3", "3/3"],
      f"merged sessions {[x.get('shard') for x in sessions]}, expected one per shard in order")
with h5py.File(merged, "r") as f:
    session_of = f["runs/session"][()]
for i, mine in enumerate(members):
    for run_id in mine:
        check(sessions[session_of[run_id]]["shard"] == f"{i + 1}/3",
              f"merged run {run_id} (shard {i + 1}/3) names session {session_of[run_id]}")
builds = json.loads(attribute(merged, "builds"))
check(len(builds) == 1 and all(x["build"] == builds[0]["id"] for x in sessions),
      f"merged builds {[b['id'] for b in builds]}: one build wrote every shard")
check(attribute(merged, "created") == min(attribute(p, "created") for p in shards),
      f"merged created {attribute(merged, 'created')!r}")
check(attribute(merged, "completed") == max(x["end"] for x in sessions),
      f"merged completed {attribute(merged, 'completed')!r}, sessions ended {[x['end'] for x in sessions]}")

# --- two of three: the third's runs stay pending; --resume finishes them ----------------------
partial = fresh_path(WORK, "partial.h5")
r = query("merge", partial, shards[0], shards[2])
check(r.returncode == 0, f"partial merge: exit {r.returncode}: {r.stderr!r}")
check("merged 2 of 3 shards" in r.stdout and f"{sizes[1]} pending" in r.stdout
      and "run shard 2/3" in r.stdout, f"partial merge report: {r.stdout!r}")
s = status(partial)
check(set(np.flatnonzero(s == 0)) == members[1] and set(np.flatnonzero(s == 1)) ==
      members[0] | members[2], f"partial merge statuses: {s}")
check(groups(partial) == {f"r{run:06d}" for run in members[0] | members[2]},
      f"partial merge groups: {sorted(groups(partial))}")
valid(partial, "partial merge")
refused([SWEEP] + JOB + ["--out", partial, "--resume", "--shard", "2/3"],
        "resume of a merged file with --shard", "resume it without --shard")
_, r = sweep("partial.h5", JOB, ["--resume"], np_=3, fresh=False)
check("resumed" in r.stdout and f"{sizes[1]} to run" in r.stdout, f"resume of the partial merge: {r.stdout!r}")
bad = differences(contents(whole), contents(partial))
check(not bad, f"the resumed partial merge differs from the unsharded sweep: {', '.join(bad[:8])}")
valid(partial, "resumed partial merge")

# --- resume of a shard file: only with its own shard -------------------------------------------
refused([SWEEP] + JOB + ["--out", shards[0], "--resume"],
        "resume of a shard without --shard", "resume it with --shard 1/3")
refused([SWEEP] + JOB + ["--out", shards[0], "--resume", "--shard", "2/3"],
        "resume of shard 1/3 as 2/3", "resume it with --shard 1/3")
refused([SWEEP] + JOB + ["--out", whole, "--resume", "--shard", "1/3"],
        "resume of a whole sweep with --shard", "resume it without --shard")
_, r = sweep("shard1.h5", JOB, ["--resume", "--shard", "1/3"], np_=1, fresh=False)
check("resumed" in r.stdout and "0 to run" in r.stdout, f"resume of a finished shard: {r.stdout!r}")

# --- bad --shard values -----------------------------------------------------------------------
for value in ("0/3", "4/3", "a/b", "1/3/4"):  # the rest: tests/io/test_shards.cpp
    refused([SWEEP] + JOB + ["--out", os.path.join(WORK, "never.h5"), "--shard", value],
            f"--shard {value!r}", "--shard")
check(not os.path.exists(os.path.join(WORK, "never.h5")), "a bad --shard created a file")

# --- merge refusals -----------------------------------------------------------------------------
OTHER = [{"0-2": "0-1"}.get(word, word) for word in JOB]  # another job: 2 seeds, 4 runs
other, _ = sweep("other.h5", OTHER, ["--shard", "2/3"], np_=1)
half, _ = sweep("half.h5", JOB, ["--shard", "1/2"], np_=1)
twin = os.path.join(WORK, "shard1-copy.h5")
shutil.copyfile(shards[0], twin)
text = os.path.join(WORK, "notes.h5")
with open(text, "w") as f:
    f.write("not a results file\n")
target = fresh_path(WORK, "refused.h5")
refused(["merge", target, shards[0], other], "shards of different jobs", "not a shard of the same sweep")
refused(["merge", target, shards[0], twin], "the same shard twice", "are both shard 1/3")
refused(["merge", target, shards[1], half], "different shard counts", "share their count")
refused(["merge", target, shards[0], text], "a text file", "notes.h5")
refused(["merge", target, shards[0], whole], "a whole sweep's file", "is not a shard")
refused(["merge", target], "no shards", "shard files")
# A shard whose sweep still runs (its lock file held) is refused, naming the holder.
with open(shards[0] + ".lock", "r+") as held:
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    refused(["merge", target, shards[0], shards[1]], "a shard in use", "in use by a running sweep")
check(not os.path.exists(target) and not os.path.exists(target + ".merging"),
      "a refused merge left a file behind")
refused(["merge", merged, shards[0], shards[1], shards[2]], "existing OUT without --force",
        "already exists")
r = query("merge", merged, shards[0], shards[1], shards[2], "--force")
check(r.returncode == 0, f"merge --force: exit {r.returncode}: {r.stderr!r}")
r = query("merge", shards[0], shards[0], shards[1], "--force")
check(r.returncode == 2 and "is one of the shard files" in r.stderr,
      f"OUT named as a shard: exit {r.returncode}: {r.stderr!r}")
check(attribute(shards[0], "shard") == "1/3", "a refused merge changed a shard file")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("sharded sweeps: OK")
