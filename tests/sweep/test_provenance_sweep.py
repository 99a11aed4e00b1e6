"""Provenance in the results file (schema 6) end to end under mpirun:

* the root attributes 'builds', 'sessions', 'created', 'completed' and the column /runs/session,
  against facts gathered here independently: `git rev-parse HEAD` and `git diff` of the source tree
  (skipped without .git), the compiler, build type and library versions CMake found, the SHA-256 of
  the ricci-sweep executable, this host and the SLURM job id handed to the ranks;
* a --resume adds one session, and the runs it re-ran name it in /runs/session;
* `ricci-query provenance` (json: parsed and compared; table and csv: the facts appear, each
  session's ranks and threads_per_rank among them, none for sessions recorded before those were; a
  CSV problem's file with the SHA-256 computed here; an older file: what it lacks is named);
* --resume warns, in one line naming the field, when the stored build differs (simulated by
  editing 'builds' with h5py), and stays silent when it does not;
* the lock file records host, pid and SLURM job, and a refused second sweep shows them;
* on a file system without flock (a preloaded flock() failing with ENOSYS) ricci-query reads and
  ricci-sweep writes without HDF5_USE_FILE_LOCKING (the sweep warns that it has no lock), while
  HDF5_USE_FILE_LOCKING=TRUE, strict locking, fails there: the simulation is real.

  /usr/bin/python3 tests/sweep/test_provenance_sweep.py RICCI_SWEEP WORKDIR SOURCE_DIR \
      COMPILER_ID COMPILER_VERSION BUILD_TYPE HDF5_VERSION EIGEN_VERSION BOOST_VERSION FLOCK_SHIM
"""
import csv as csv_module
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from sweep_harness import ENV, check, failures, fresh_path  # noqa: E402

(SWEEP, WORK, SOURCE, COMPILER_ID, COMPILER_VERSION, BUILD_TYPE, HDF5_VERSION, EIGEN_VERSION,
 BOOST_VERSION, FLOCK_SHIM) = sys.argv[1:11]
QUERY = os.path.join(os.path.dirname(SWEEP), "ricci-query")
os.makedirs(WORK, exist_ok=True)
JOB_ID = "4242"
# No HDF5_USE_FILE_LOCKING: the sweep sets HDF5's locking to best effort itself.
RUN_ENV = {k: v for k, v in ENV.items() if k != "HDF5_USE_FILE_LOCKING"}
JOB = ["--sweep.problems", "synthetic-a", "--sweep.architectures", "narrow", "--sweep.depths", "5",
       "--sweep.seeds", "0-3", "--train.epochs", "1", "--geometry.k", "6",
       "--output.store_activations", "false"]


def sweep(path, *extra):
    # -x hands the SLURM job id to the ranks only: mpirun itself must not think it runs under SLURM.
    r = subprocess.run(["mpirun", "-np", "3", "-x", f"SLURM_JOB_ID={JOB_ID}", SWEEP] + JOB +
                       ["--out", path] + list(extra), env=RUN_ENV, capture_output=True, text=True,
                       timeout=300)
    return r


def query(*args):
    return subprocess.run([QUERY] + list(args), capture_output=True, text=True, timeout=120)


def attributes(path):
    with h5py.File(path, "r") as f:
        out = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        out["/runs/session"] = f["runs/session"][()]
        out["/runs/status"] = f["runs/status"][()]
    return out


def git(*args):
    return subprocess.run(["git", "-C", SOURCE] + list(args), capture_output=True, timeout=60)


path = fresh_path(WORK, "provenance.h5")
r = sweep(path)
check(r.returncode == 0, f"create: exit {r.returncode}: {r.stderr[-800:]!r}")
a = attributes(path)
check(a["schema_version"] == 6, f"schema_version {a['schema_version']}")
builds, sessions = json.loads(a["builds"]), json.loads(a["sessions"])
check(len(builds) == 1 and len(sessions) == 1, f"{len(builds)} builds, {len(sessions)} sessions")
build, session = builds[0], sessions[0]

# The build against what CMake and git say.
check(build["compiler"] == f"{COMPILER_ID} {COMPILER_VERSION}", f"compiler {build['compiler']!r}")
check(build["build_type"] == BUILD_TYPE, f"build type {build['build_type']!r}")
check(build["compile_flags"] != "" and build["instruction_set"] != "", f"flags {build!r}")
libraries = build["libraries"]
check(libraries["hdf5"] == HDF5_VERSION, f"hdf5 {libraries['hdf5']!r} != {HDF5_VERSION!r}")
check(libraries["eigen"] == EIGEN_VERSION, f"eigen {libraries['eigen']!r} != {EIGEN_VERSION!r}")
check(libraries["boost"] == BOOST_VERSION, f"boost {libraries['boost']!r} != {BOOST_VERSION!r}")
# "mpirun (Open MPI) 4.1.4": the MPI the test runs under is the one the sweep reports.
mpirun = subprocess.run(["mpirun", "--version"], capture_output=True, text=True, env=RUN_ENV).stdout
found = re.search(r"\(Open MPI\) (\S+)", mpirun)
check(found is not None and libraries["mpi"] == f"Open MPI v{found.group(1)}",
      f"mpi {libraries['mpi']!r}, mpirun --version {mpirun[:80]!r}")
with open(SWEEP, "rb") as f:
    check(build["executable_sha256"] == hashlib.sha256(f.read()).hexdigest(), "executable sha256")
if os.path.exists(os.path.join(SOURCE, ".git")):
    head = git("rev-parse", "HEAD").stdout.decode().strip()
    diff = git("--no-pager", "diff", "--no-color", "--no-ext-diff", "--binary", "HEAD").stdout
    # A tree edited after the build differs from the binary's: rebuild before testing.
    check(build["commit"] == head, f"commit {build['commit']} != HEAD {head} (rebuild?)")
    check(build["dirty"] == ("true" if diff else "false"), f"dirty {build['dirty']} (rebuild?)")
    if diff:
        check(build["diff_sha256"] == hashlib.sha256(diff).hexdigest(), "diff sha256 (rebuild?)")
else:
    print("skip: the source tree has no .git; commit comparison skipped", flush=True)

# The session and the times.
check(session["action"] == "create" and session["host"] == socket.gethostname(),
      f"session {session!r}")
check(session["slurm_job_id"] == JOB_ID, f"slurm job {session['slurm_job_id']!r}")
check(session["build"] == build["id"] and session["commit"] == build["commit"], "session's build")
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
check(iso.match(session["start"]) and iso.match(session["end"]) and session["start"] <= session["end"],
      f"session times {session['start']!r} {session['end']!r}")
check(a["created"] == session["start"], f"created {a['created']!r}")
check(iso.match(a["completed"]) and a["completed"] >= a["created"], f"completed {a['completed']!r}")
check(list(a["/runs/session"]) == [0] * 4, f"/runs/session {a['/runs/session']}")

# The lock file names its last holder.
with open(path + ".lock") as f:
    owner = f.read()
check(re.match(rf"^pid \d+ on {re.escape(socket.gethostname())}, SLURM job {JOB_ID}, since "
               r"\d{4}-\d\d-\d\dT", owner), f"lock file text {owner!r}")

# Two runs pending again, then --resume: one more session, which wrote those two runs; same build,
# so no warning.
with h5py.File(path, "r+") as f:
    f["runs/status"][1] = 0
    f["runs/status"][3] = 0
r = sweep(path, "--resume")
check(r.returncode == 0, f"resume: exit {r.returncode}: {r.stderr[-800:]!r}")
check("differs" not in r.stdout + r.stderr, f"same build, yet a warning: {r.stdout[-600:]!r}")
a = attributes(path)
sessions = json.loads(a["sessions"])
check(len(sessions) == 2 and sessions[1]["action"] == "resume", f"sessions {sessions!r}")
check(len(json.loads(a["builds"])) == 1, "the same build is recorded once")
check(list(a["/runs/session"]) == [0, 1, 0, 1], f"/runs/session {a['/runs/session']}")

# ricci-query provenance, json: the counts per session from /runs/session and /runs/status.
q = query("provenance", path, "--format", "json")
check(q.returncode == 0, f"provenance json: {q.stderr!r}")
report = json.loads(q.stdout)
check(report["builds"] == json.loads(a["builds"]), "provenance json builds")
check(report["created"] == a["created"] and report["completed"] == a["completed"], "times")
for s in range(2):
    mine = a["/runs/session"] == s
    done = int(np.sum(mine & (a["/runs/status"] == 1)))
    failed = int(np.sum(mine & (a["/runs/status"] == 2)))
    got = report["sessions"][s]
    check((got["runs_done"], got["runs_failed"]) == (done, failed),
          f"session {s}: {got['runs_done']}/{got['runs_failed']} != {done}/{failed}")
    # mpirun -np 3, and the job's default threads_per_rank.
    check((got.get("ranks"), got.get("threads_per_rank")) == (3, 1),
          f"session {s}: ranks {got.get('ranks')!r}, threads_per_rank {got.get('threads_per_rank')!r}")
check(report["lacks"] == [], f"lacks {report['lacks']}")
q = query("provenance", path)
check(q.returncode == 0 and build["commit"] in q.stdout and build["compiler"] in q.stdout and
      a["created"] in q.stdout and "resume" in q.stdout and "lacks" not in q.stdout,
      f"provenance table: {q.stdout!r}")


def session_rows(table_text):
    """The text table under 'sessions:' as dicts (its cells have no spaces)."""
    lines = table_text.split("sessions:\n", 1)[-1].splitlines()
    header = lines[0].split()
    return [dict(zip(header, line.split())) for line in lines[1:] if not line.startswith("this file")]


rows = session_rows(q.stdout) if q.returncode == 0 else []
check(len(rows) == 2 and all((r.get("ranks"), r.get("threads_per_rank")) == ("3", "1") for r in rows),
      f"provenance table's ranks and threads_per_rank: {rows!r}")

q = query("provenance", path, "--format", "csv")
check(q.returncode == 0 and q.stdout.splitlines()[0].startswith("session,action,start,end,host") and
      len(q.stdout.splitlines()) == 3, f"provenance csv: {q.stdout!r}")
rows = list(csv_module.DictReader(io.StringIO(q.stdout))) if q.returncode == 0 else []
check(len(rows) == 2 and all((r.get("ranks"), r.get("threads_per_rank")) == ("3", "1") for r in rows),
      f"provenance csv's ranks and threads_per_rank: {rows!r}")

# Sessions recorded before ranks and threads_per_rank were: nothing shown for them, no failure.
unshaped = os.path.join(WORK, "sessions-without-ranks.h5")
shutil.copyfile(path, unshaped)
with h5py.File(unshaped, "r+") as f:
    stored = json.loads(f.attrs["sessions"].decode())
    for session in stored:
        del session["ranks"], session["threads_per_rank"]
    f.attrs.create("sessions", np.bytes_(json.dumps(stored)))
q = query("provenance", unshaped, "--format", "json")
got = json.loads(q.stdout)["sessions"] if q.returncode == 0 else []
check(len(got) == 2 and not any("ranks" in s or "threads_per_rank" in s for s in got),
      f"provenance json without ranks: exit {q.returncode}, {got!r} {q.stderr!r}")
q = query("provenance", unshaped, "--format", "csv")
rows = list(csv_module.DictReader(io.StringIO(q.stdout))) if q.returncode == 0 else []
check(len(rows) == 2 and all((r["ranks"], r["threads_per_rank"]) == ("", "") for r in rows),
      f"provenance csv without ranks: exit {q.returncode}, {rows!r} {q.stderr!r}")
q = query("provenance", unshaped)
check(q.returncode == 0 and "resume" in q.stdout, f"provenance table without ranks: {q.stdout!r}")

# A different stored build: --resume warns in one line naming what differs.
with h5py.File(path, "r+") as f:
    f["runs/status"][2] = 0
    done_before = int(np.sum(f["runs/status"][()] == 1))
    edited = json.loads(f.attrs["builds"].decode())
    edited[0]["compiler"] = "GNU 0.0.1"
    edited[0]["libraries"]["hdf5"] = "1.0.0"
    f.attrs.create("builds", np.bytes_(json.dumps(edited)))
r = sweep(path, "--resume")
check(r.returncode == 0, f"resume after edit: exit {r.returncode}: {r.stderr[-800:]!r}")
lines = [l for l in (r.stdout + r.stderr).splitlines() if "differs" in l]
check(len(lines) == 1 and "warning" in lines[0] and "compiler GNU 0.0.1 there" in lines[0] and
      "libraries.hdf5 1.0.0 there" in lines[0] and f"{done_before} done run" in lines[0],
      f"warning lines {lines!r}")

# A second sweep while the file is locked is refused and names the holder.
fd = os.open(path + ".lock", os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
with open(path + ".lock") as f:
    owner = f.read()
r = sweep(path, "--resume")
os.close(fd)
check(r.returncode != 0 and "in use by another sweep" in r.stderr and owner in r.stderr,
      f"locked: exit {r.returncode}: {r.stderr[-600:]!r}")

# An older file (schema 5, without the provenance) prints what it has and names what it lacks.
old = os.path.join(WORK, "schema5.h5")
shutil.copyfile(path, old)
with h5py.File(old, "r+") as f:
    for name in ("builds", "sessions", "created", "completed"):
        del f.attrs[name]
    del f["runs/session"]
    f.attrs["schema_version"] = np.int64(5)
q = query("provenance", old, "--format", "json")
check(q.returncode == 0, f"provenance of schema 5: {q.stderr!r}")
if q.returncode == 0:
    report = json.loads(q.stdout)
    check(set(report["lacks"]) == {"created", "completed", "builds", "sessions", "/runs/session"},
          f"lacks {report['lacks']}")
q = query("provenance", old)
check(q.returncode == 0 and "lacks" in q.stdout and "sessions" in q.stdout, f"table {q.stdout!r}")
q = query("provenance", os.path.join(WORK, "missing.h5"))
check(q.returncode == 2 and len(q.stderr.strip().splitlines()) == 1, f"missing file: {q.stderr!r}")

# A sweep of a CSV file: provenance lists the file with the SHA-256 computed here.
csv = os.path.join(WORK, "points.csv")
rng = np.random.default_rng(3)
with open(csv, "w") as f:
    f.write("x,y,label\n" + "".join(f"{a:.4f},{b:.4f},{i % 2}\n"
                                    for i, (a, b) in enumerate(rng.random((200, 2)))))
csv_out = fresh_path(WORK, "csv.h5")
r = subprocess.run(["mpirun", "-np", "2", SWEEP, "--sweep.problems", "csv:" + csv,
                    "--sweep.architectures", "narrow", "--sweep.depths", "5", "--sweep.seeds", "0",
                    "--train.epochs", "1", "--geometry.k", "3", "--output.store_activations", "false",
                    "--out", csv_out], env=RUN_ENV, capture_output=True, text=True, timeout=300)
check(r.returncode == 0, f"csv sweep: exit {r.returncode}: {r.stderr[-600:]!r}")
q = query("provenance", csv_out, "--format", "json")
with open(csv, "rb") as f:
    digest = hashlib.sha256(f.read()).hexdigest()
files = json.loads(q.stdout)["data_files"] if q.returncode == 0 else []
check(len(files) == 1 and files[0]["sha256"] == digest and files[0]["path"].endswith("points.csv"),
      f"data files {files!r}, expected sha256 {digest}")
q = query("provenance", csv_out)
check(digest in q.stdout, f"provenance table lacks the CSV's SHA-256: {q.stdout!r}")

# No flock: HDF5's best-effort locking and the sweep go on, the sweep saying it has no lock. The
# preload comes before an instrumented binary's ASan runtime (sanitizer trees): allowed here.
asan = ":".join(filter(None, [RUN_ENV.get("ASAN_OPTIONS", ""), "verify_asan_link_order=0"]))
no_flock = dict(RUN_ENV, LD_PRELOAD=FLOCK_SHIM, ASAN_OPTIONS=asan)
q = subprocess.run([QUERY, "validate", path], env=no_flock, capture_output=True, text=True,
                   timeout=120)
check(q.returncode == 0, f"validate without flock: exit {q.returncode}: {q.stderr!r}")
q = subprocess.run([QUERY, "validate", path], env=dict(no_flock, HDF5_USE_FILE_LOCKING="TRUE"),
                   capture_output=True, text=True, timeout=120)
check(q.returncode != 0, "strict HDF5 locking did not fail under the flock preload: no simulation")
unlocked = fresh_path(WORK, "no-flock.h5")
r = subprocess.run(["mpirun", "-np", "2", "-x", f"LD_PRELOAD={FLOCK_SHIM}", "-x", f"ASAN_OPTIONS={asan}",
                    SWEEP] + JOB + ["--out", unlocked], env=RUN_ENV, capture_output=True, text=True,
                   timeout=300)
warned = [l for l in r.stdout.splitlines() if "cannot lock" in l]
check(r.returncode == 0 and len(warned) == 1 and "warning" in warned[0] and "no locks" in warned[0],
      f"sweep without flock: exit {r.returncode}: {warned!r} {r.stderr[-600:]!r}")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
