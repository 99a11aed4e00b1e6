"""Runs in flight, lost runs, failure classes and the attempts table, end to end under mpirun
(schema 6). Failures are made on purpose with the RICCI_INJECT_FAULT testing hook:

* node loss: a worker SIGKILLs itself right after marking a run running (crash:R); mpirun ends
  non-zero and the file holds that run as `running`; --resume prints every running run as lost
  (id, rank, host), re-runs exactly them and the pending ones, and the final numbers equal a clean
  sweep's (h5py, every dataset but the where/when columns);
* a transient failure injected once is retried at once and the attempts table holds both attempts;
  one injected more often than --max-attempts leaves the run failed/transient, a plain --resume
  leaves it so, --redo transient re-runs it;
* a deterministic failure is not retried automatically, nor by --redo transient; --redo failed and
  --retry-failed (its older name) re-run it;
* a clean stop (SIGUSR1) leaves no run marked running;
* a schema 5 file resumes without gaining the schema 6 datasets;
* bad --redo / --max-attempts values: exit 2 and one line.

  /usr/bin/python3 tests/sweep/test_failures_sweep.py RICCI_SWEEP WORKDIR
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import compare_results  # noqa: E402
from sweep_harness import ENV, check, failures, fresh_path  # noqa: E402

SWEEP, WORK = sys.argv[1], sys.argv[2]
QUERY = os.path.join(os.path.dirname(SWEEP), "ricci-query")  # built next to ricci-sweep
os.makedirs(WORK, exist_ok=True)

# The codes of /runs/status, /runs/failure and /attempts/outcome (results_schema/layout.json).
PENDING, DONE, FAILED, RUNNING = 0, 1, 2, 3
NONE, DETERMINISTIC, TRANSIENT, LOST = 0, 1, 2, 3
O_RUNNING, O_DONE, O_DETERMINISTIC, O_TRANSIENT, O_LOST, O_INTERRUPTED = 0, 1, 2, 3, 4, 5
JOB = ["--sweep.problems", "synthetic-a", "--sweep.architectures", "narrow,bottleneck",
       "--sweep.depths", "5", "--sweep.seeds", "0-2", "--train.epochs", "2", "--geometry.k", "10,40"]
RUNS = 6


def sweep(path, *extra, np_=3, fault=None, timeout=120):
    env = dict(ENV)
    env.pop("RICCI_INJECT_FAULT", None)
    if fault:
        env["RICCI_INJECT_FAULT"] = fault
    return subprocess.run(["mpirun", "-np", str(np_), SWEEP] + JOB + ["--out", path] + list(extra),
                          env=env, capture_output=True, text=True, timeout=timeout)


def table(path):
    with h5py.File(path, "r") as f:
        out = {f"runs/{k}": f["runs"][k][()] for k in f["runs"]}
        out.update({f"attempts/{k}": f["attempts"][k][()] for k in f["attempts"]})
        return out


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def validates(path):
    r = subprocess.run([QUERY, "validate", path], capture_output=True, text=True, timeout=60)
    return r.returncode == 0 or print(r.stdout, r.stderr)


def same_numbers(path, reference, label, older=False):
    """Every dataset but timings and placement equals the clean sweep's (compare_results.VOLATILE
    lists them: rank, host, SLURM job, start and end, attempts, the checksum that covers them).
    older: `path` is of an older schema; the datasets it lacks are not compared."""
    mine, clean = compare_results.contents(path), compare_results.contents(reference)
    if older:
        clean = {key: value for key, value in clean.items() if key in mine}
    for key in compare_results.differences(clean, mine):
        check(False, f"{label}: {key} differs from a clean sweep")


reference = fresh_path(WORK, "clean.h5")
r = sweep(reference)
check(r.returncode == 0, f"clean sweep: exit {r.returncode}: {r.stderr[-800:]}")
t = table(reference)
check(bool((t["runs/status"] == DONE).all()), "clean sweep: not every run is done")
check(bool((t["runs/attempts"] == 1).all()), f"clean sweep: attempts {t['runs/attempts']}, not all 1")
check(bool((t["runs/failure"] == NONE).all()), "clean sweep: a failure class is set")
check(bool((t["attempts/outcome"][:, 0] == O_DONE).all() and (t["attempts/outcome"][:, 1:] == -1).all()),
      f"clean sweep: attempts table outcomes {t['attempts/outcome']}")
host = socket.gethostname()
check(all(text(h) == host for h in t["runs/host"]), f"clean sweep: hosts {t['runs/host']} are not {host}")
now = time.time()
started, ended = t["runs/started_at"], t["runs/ended_at"]
check(bool(((now - 600 < started) & (started <= ended) & (ended <= now + 1)).all()),
      f"clean sweep: started_at {started} / ended_at {ended} are not times of the last minutes")
check(bool(np.array_equal(t["attempts/started_at"][:, 0], started)), "clean sweep: attempt 1 starts elsewhen than the run")
check(set(t["runs/rank"].tolist()) <= {1, 2}, f"clean sweep: ranks {t['runs/rank']} are not the workers 1, 2")
print("clean: done", flush=True)

# --- (a) Node loss: a worker kills itself with SIGKILL once run LOST_RUN is marked running.
LOST_RUN = 2
killed = fresh_path(WORK, "killed.h5")
r = sweep(killed, fault=f"crash:{LOST_RUN}")
check(r.returncode != 0, "mpirun exited 0 although a worker was killed")
check(validates(killed), "ricci-query validate rejects the file left by a killed worker")
t = table(killed)
status = t["runs/status"]
running = sorted(np.nonzero(status == RUNNING)[0].tolist())
check(LOST_RUN in running, f"the killed worker's run {LOST_RUN} is not running: statuses {status}")
# The other worker was ended by mpirun: its run in flight is running too (SIGKILL) or back to
# pending (SIGTERM, a clean stop); nothing else is running.
check(len(running) <= 2, f"more runs running than workers: {running}")
for i in running:
    check(int(t["runs/rank"][i]) in (1, 2) and text(t["runs/host"][i]) == host,
          f"running run {i}: rank {t['runs/rank'][i]} host {t['runs/host'][i]!r}")
    check(t["attempts/outcome"][i, 0] == O_RUNNING, f"running run {i}: attempt 1 is {t['attempts/outcome'][i, 0]}")
done_before = np.nonzero(status == DONE)[0].tolist()
to_run = RUNS - len(done_before)
# Queries count a running run as not done (summary: among the pending).
r = subprocess.run([QUERY, "summary", killed], capture_output=True, text=True, timeout=60)
check(r.returncode == 0 and f"{len(done_before)} done, 0 failed, {to_run} pending" in r.stdout,
      f"summary of the killed file:\n{r.stdout}{r.stderr}")
started_before = t["runs/started_at"].copy()

r = sweep(killed, "--resume")
check(r.returncode == 0, f"--resume after the kill: exit {r.returncode}: {r.stderr[-800:]}")
reported = {}
for line in r.stdout.splitlines():
    m = re.search(r"lost run (\d+) \(([^)]*)\): attempt (\d+) on rank (\d+), host (\S+), SLURM job (\S+), started (\S+)", line)
    if m:
        reported[int(m.group(1))] = m
check(sorted(reported) == running, f"--resume reported lost runs {sorted(reported)}, the file had {running} running:\n{r.stdout}")
for i, m in reported.items():
    check(int(m.group(4)) == int(t["runs/rank"][i]) and m.group(5).rstrip(",") == host,
          f"lost run {i}: reported rank {m.group(4)} host {m.group(5)}, the file says {t['runs/rank'][i]} {t['runs/host'][i]!r}")
    check("synthetic-a" in m.group(2) and m.group(7).endswith("Z"), f"lost run {i}: identity or time missing: {m.group(0)}")
check(f"{to_run} to run" in r.stdout, f"--resume does not re-run exactly the {to_run} runs not done:\n{r.stdout}")
after = table(killed)
check(bool((after["runs/status"] == DONE).all()), f"after --resume: statuses {after['runs/status']}")
for i in done_before:  # done before the kill: not run again
    check(after["runs/started_at"][i] == started_before[i] and after["runs/attempts"][i] == 1,
          f"run {i} was done before the kill but ran again")
for i in running:
    check(after["runs/attempts"][i] == 2, f"lost run {i}: attempts {after['runs/attempts'][i]}, not 2")
    check(list(after["attempts/outcome"][i, :3]) == [O_LOST, O_DONE, -1], f"lost run {i}: outcomes {after['attempts/outcome'][i]}")
    check(text(after["attempts/message"][i, 0]).startswith("lost: attempt 1 on rank"), f"lost run {i}: message {after['attempts/message'][i, 0]!r}")
    check(after["runs/failure"][i] == NONE, f"lost run {i}, re-run and done, keeps failure class {after['runs/failure'][i]}")
check(validates(killed), "ricci-query validate rejects the resumed file")
same_numbers(killed, reference, "killed + resumed")
print(f"lost: done ({running} lost, {len(done_before)} done before)", flush=True)

# --- (b) Transient failures are retried at once, each attempt recorded; (c) a deterministic one is
# not. One sweep: run 1 fails transiently once, run 4 five times (more than 3 attempts), run 3 always.
path = fresh_path(WORK, "failing.h5")
FAULTS = "transient:1,transient:4:5,deterministic:3"
r = sweep(path, np_=2, fault=FAULTS)
check(r.returncode == 0, f"failing sweep: exit {r.returncode}: {r.stderr[-800:]}")
t = table(path)
check(t["runs/status"][1] == DONE and t["runs/attempts"][1] == 2 and t["runs/failure"][1] == NONE,
      f"run 1 (one transient failure): status {t['runs/status'][1]} attempts {t['runs/attempts'][1]}")
check(list(t["attempts/outcome"][1, :3]) == [O_TRANSIENT, O_DONE, -1], f"run 1: outcomes {t['attempts/outcome'][1]}")
check("injected transient failure" in text(t["attempts/message"][1, 0]) and text(t["attempts/message"][1, 1]) == "",
      f"run 1: messages {t['attempts/message'][1]}")
check(bool(t["attempts/ended_at"][1, 0] <= t["attempts/started_at"][1, 1]), "run 1: attempt 2 began before attempt 1 ended")
check("run 1 (synthetic-a/narrow/5 seed 1) done at attempt 2" in r.stdout, f"the retry of run 1 is not reported:\n{r.stdout}")
check(t["runs/status"][4] == FAILED and t["runs/failure"][4] == TRANSIENT and t["runs/attempts"][4] == 3,
      f"run 4 (5 transient failures, 3 attempts): status {t['runs/status'][4]} failure {t['runs/failure'][4]} attempts {t['runs/attempts'][4]}")
check(list(t["attempts/outcome"][4, :4]) == [O_TRANSIENT] * 3 + [-1], f"run 4: outcomes {t['attempts/outcome'][4]}")
# ricci-query attempts lists exactly the recorded rows of the table, as h5py reads them.
q = subprocess.run([QUERY, "attempts", path, "--format", "json"], capture_output=True, text=True, timeout=60)
check(q.returncode == 0, f"ricci-query attempts: exit {q.returncode}: {q.stderr!r}")
listed = json.loads(q.stdout)["attempts"] if q.returncode == 0 else []
recorded = [(run, a) for run in range(t["attempts/outcome"].shape[0])
            for a in range(t["attempts/outcome"].shape[1]) if t["attempts/outcome"][run, a] >= 0]
check([(x["run"], x["attempt"] - 1) for x in listed] == recorded, f"attempts rows {[(x['run'], x['attempt']) for x in listed]}")
for x in listed:
    run, a = x["run"], x["attempt"] - 1
    check(x["host"] == text(t["attempts/host"][run, a]) and x["message"] == text(t["attempts/message"][run, a])
          and x["rank"] == t["attempts/rank"][run, a], f"attempts row {x}")
q = subprocess.run([QUERY, "attempts", path, "--run", "4"], capture_output=True, text=True, timeout=60)
rows_of_4 = [line.split() for line in q.stdout.splitlines()[2:]]
check(q.returncode == 0 and [row[:2] for row in rows_of_4] == [["4", "1"], ["4", "2"], ["4", "3"]]
      and all("transient" in row for row in rows_of_4), f"ricci-query attempts --run 4: {q.stdout!r}")
q = subprocess.run([QUERY, "attempts", path, "--run", "999"], capture_output=True, text=True, timeout=60)
check(q.returncode == 2 and "--run 999" in q.stderr, f"ricci-query attempts --run 999: {q.returncode} {q.stderr!r}")
check(t["runs/status"][3] == FAILED and t["runs/failure"][3] == DETERMINISTIC and t["runs/attempts"][3] == 1,
      f"run 3 (deterministic): status {t['runs/status'][3]} failure {t['runs/failure'][3]} attempts {t['runs/attempts'][3]}")
check(list(t["attempts/outcome"][3, :2]) == [O_DETERMINISTIC, -1], f"run 3: outcomes {t['attempts/outcome'][3]}")
check("injected deterministic failure" in text(t["runs/error"][3]), f"run 3: error {t['runs/error'][3]!r}")
check(validates(path), "ricci-query validate rejects the failing sweep's file")

r = sweep(path, "--resume", np_=2, fault=FAULTS)  # without --redo: failed runs stay failed
t = table(path)
check(r.returncode == 0 and t["runs/attempts"][4] == 3 and t["runs/attempts"][3] == 1,
      f"a plain --resume re-ran a failed run: attempts {t['runs/attempts']}")
# The machine recovered (run 4's fault gone); run 3 still fails the same way.
r = sweep(path, "--resume", "--redo", "transient,lost", np_=2, fault="deterministic:3")
t = table(path)
check(r.returncode == 0 and t["runs/status"][4] == DONE and t["runs/attempts"][4] == 4,
      f"--redo transient: exit {r.returncode}, run 4 status {t['runs/status'][4]} attempts {t['runs/attempts'][4]}: {r.stderr[-500:]}")
check(list(t["attempts/outcome"][4]) == [O_TRANSIENT] * 3 + [O_DONE], f"run 4 after --redo: outcomes {t['attempts/outcome'][4]}")
check(t["runs/attempts"][3] == 1, "--redo transient,lost re-ran a deterministic failure")
r = sweep(path, "--resume", "--redo", "failed", np_=2, fault="deterministic:3")
t = table(path)
check(r.returncode == 0 and t["runs/attempts"][3] == 2 and t["runs/status"][3] == FAILED,
      f"--redo failed: run 3 attempts {t['runs/attempts'][3]} status {t['runs/status'][3]}")
r = sweep(path, "--resume", "--retry-failed", np_=2)  # the older name; the fault is gone
t = table(path)
check(r.returncode == 0 and t["runs/attempts"][3] == 3 and t["runs/status"][3] == DONE,
      f"--retry-failed: run 3 attempts {t['runs/attempts'][3]} status {t['runs/status'][3]}: {r.stderr[-300:]}")
same_numbers(path, reference, "failures retried and re-run")
# --max-attempts 1: no automatic retry.
path = fresh_path(WORK, "once.h5")
r = sweep(path, "--max-attempts", "1", np_=2, fault="transient:1")
t = table(path)
check(r.returncode == 0 and t["runs/status"][1] == FAILED and t["runs/attempts"][1] == 1,
      f"--max-attempts 1: run 1 status {t['runs/status'][1]} attempts {t['runs/attempts'][1]}")
print("transient and deterministic: done", flush=True)

# --- A file of schema 5 (made here from a clean one: its schema 6 datasets removed, every run
# pending) resumes without gaining any of them; retries still happen within the session.
path = fresh_path(WORK, "older.h5")
with open(reference, "rb") as source, open(path, "wb") as copy:
    copy.write(source.read())
with h5py.File(path, "r+") as f:
    del f["attempts"]
    for key in ("host", "slurm_job_id", "slurm_restart_count", "started_at", "ended_at", "failure", "attempts"):
        del f["runs"][key]
    f.attrs["schema_version"] = np.int64(5)
    f["runs/status"][:] = PENDING
    before = sorted(f["runs"].keys())
r = sweep(path, "--resume", np_=2, fault="transient:1")
check(r.returncode == 0, f"--resume of a schema 5 file: exit {r.returncode}: {r.stderr[-800:]}")
with h5py.File(path, "r") as f:
    check("attempts" not in f and sorted(f["runs"].keys()) == before and f.attrs["schema_version"] == 5,
          f"--resume of a schema 5 file added datasets: {sorted(f['runs'].keys())}")
    check(bool((f["runs/status"][()] == DONE).all()), f"schema 5 file: statuses {f['runs/status'][()]}")
check(validates(path), "ricci-query validate rejects the resumed schema 5 file")
same_numbers(path, reference, "a schema 5 file resumed", older=True)
print("older file: done", flush=True)

# --- A clean stop leaves no run marked running (runs in flight go back to pending).
path = fresh_path(WORK, "stopped.h5")
env = dict(ENV)
env.pop("RICCI_INJECT_FAULT", None)
LONGER = [{"0-2": "0-19", "2": "30"}.get(word, word) for word in JOB]  # 40 runs of 30 epochs
proc = subprocess.Popen(["mpirun", "-np", "3", SWEEP] + LONGER + ["--out", path],
                        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
seen_running = False
deadline = time.time() + 60
while time.time() < deadline and not seen_running:
    try:
        with h5py.File(path, "r") as f:
            seen_running = bool((f["runs/status"][()] == RUNNING).any())
    except (OSError, KeyError):
        pass
    time.sleep(0.05)
check(seen_running, "no run was ever seen running")
proc.send_signal(signal.SIGUSR1)  # mpirun forwards SIGUSR1 to the ranks
try:
    proc.communicate(timeout=60)
except subprocess.TimeoutExpired:
    proc.kill()
    proc.communicate()
    check(False, "mpirun did not stop within 60 s of SIGUSR1")
t = table(path)
check(not (t["runs/status"] == RUNNING).any(), f"a clean stop left runs running: {t['runs/status']}")
# A run abandoned in flight (most often one is) has its attempt recorded as interrupted, and is pending.
latest = [t["attempts/outcome"][i, max(int(t["runs/attempts"][i]), 1) - 1] for i in range(len(t["runs/status"]))]
for i, outcome in enumerate(latest):
    if outcome == O_INTERRUPTED:
        check(t["runs/status"][i] == PENDING, f"run {i}: interrupted but status {t['runs/status'][i]}")
print(f"stop: {sum(o == O_INTERRUPTED for o in latest)} runs interrupted in flight", flush=True)
check(validates(path), "ricci-query validate rejects the stopped file")
print("stop: done", flush=True)

# --- Bad values: exit 2 and one line naming the option.
for args, expected in ((["--resume", "--redo", "everything"], "--redo 'everything'"),
                       (["--redo", "failed"], "--redo needs --resume"),
                       (["--retry-failed"], "--retry-failed needs --resume"),
                       (["--resume", "--max-attempts", "0"], "--max-attempts 0")):
    r = subprocess.run([SWEEP] + JOB + ["--out", os.path.join(WORK, "never.h5")] + args, env=env,
                       capture_output=True, text=True, timeout=60)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and len(lines) == 1 and expected in lines[0],
          f"{args}: exit {r.returncode}, stderr {r.stderr!r}")
r = subprocess.run([SWEEP] + JOB + ["--out", fresh_path(WORK, "bad-fault.h5")], capture_output=True, text=True,
                   timeout=60, env=dict(env, RICCI_INJECT_FAULT="crash:x"))
check(r.returncode != 0 and "RICCI_INJECT_FAULT: 'crash:x'" in r.stderr, f"a malformed RICCI_INJECT_FAULT: exit {r.returncode}: {r.stderr!r}")
print("errors: done", flush=True)

sys.exit(1 if failures else 0)
