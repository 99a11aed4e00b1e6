"""End-to-end tests of ricci-sweep under mpirun (every subprocess has a timeout: no test can hang).

  /usr/bin/python3 tests/sweep/test_sweep.py RICCI_SWEEP WORKDIR [ranks|resume|errors|signal]...
"""
import hashlib
import os
import resource
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import compare_results  # noqa: E402
from sweep_harness import ENV, check, failures  # noqa: E402

SWEEP, WORK = sys.argv[1], sys.argv[2]
QUERY = os.path.join(os.path.dirname(SWEEP), "ricci-query")  # built next to ricci-sweep
WHICH = sys.argv[3:] or ["ranks", "resume", "errors", "signal", "files"]
os.makedirs(WORK, exist_ok=True)


def write(name, text):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def sweep(args, np_=None, timeout=300):
    cmd = ([ "mpirun", "-np", str(np_), SWEEP] if np_ else [SWEEP]) + args
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)


def fresh(path):
    for p in (path, path + ".lock"):
        if os.path.exists(p):
            os.remove(p)
    return path


def same(a, b, label):
    for key in compare_results.differences(a, b):
        check(False, f"{label}: {key} differs")


contents = compare_results.contents


def h5dump_reads(path):
    return subprocess.run(["h5dump", "-H", path], capture_output=True, timeout=60).returncode == 0


def validates(path):
    """The writer and results_schema/ agree: ricci-query validate finds nothing."""
    r = subprocess.run([QUERY, "validate", path], capture_output=True, text=True, timeout=120)
    return r.returncode == 0 or print(r.stdout, r.stderr)


def md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


JOB = """[sweep]
problems = synthetic-a, synthetic-c
architectures = narrow, bottleneck
depths = 5
seeds = 0-2
[train]
epochs = 4
[geometry]
k = 10,40
[output]
store_nodes = true
"""

if "ranks" in WHICH:
    job = write("ranks.ini", JOB)
    reference = None
    for ranks in (1, 2, 3, 4):
        out = fresh(os.path.join(WORK, f"ranks{ranks}.h5"))
        r = sweep(["--job", job, "--out", out], np_=ranks)
        check(r.returncode == 0, f"-np {ranks}: exit {r.returncode}: {r.stderr[-500:]}")
        if r.returncode != 0:
            continue
        check(h5dump_reads(out), f"-np {ranks}: h5dump cannot read the file")
        check(validates(out), f"-np {ranks}: ricci-query validate rejects the file")
        c = contents(out)
        check(bool((c["runs/status"] == 1).all()), f"-np {ranks}: not every run is done")
        if reference is None:
            reference = c
        else:
            same(reference, c, f"-np 1 vs -np {ranks}")
    print("ranks: done", flush=True)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "long_job.ini")) as f:
    LONG_JOB = f.read()


def wait_for_done(path, at_least, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with h5py.File(path, "r") as f:
                if int((f["runs/status"][()] == 1).sum()) >= at_least:
                    return True
        except (OSError, KeyError):
            pass
        time.sleep(0.2)
    return False


if "resume" in WHICH or "signal" in WHICH:
    job = write("long.ini", LONG_JOB)
    reference_path = fresh(os.path.join(WORK, "long-reference.h5"))
    r = sweep(["--job", job, "--out", reference_path], np_=3)
    check(r.returncode == 0, f"uninterrupted long sweep: exit {r.returncode}: {r.stderr[-500:]}")
    reference = contents(reference_path)

if "resume" in WHICH:
    out = fresh(os.path.join(WORK, "killed.h5"))
    proc = subprocess.Popen(["mpirun", "-np", "3", SWEEP, "--job", job, "--out", out], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    check(wait_for_done(out, 3), "the sweep to be killed never finished 3 runs")
    # kill -9 one worker rank (a child of mpirun running ricci-sweep)
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    workers = [pid for pid in children if "ricci-sweep" in open(f"/proc/{pid}/cmdline").read()]
    check(len(workers) == 3, f"expected 3 ranks under mpirun, found {len(workers)}")
    os.kill(int(workers[-1]), signal.SIGKILL)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        check(False, "mpirun did not end after a rank was killed")
    check(proc.returncode != 0, "mpirun exited 0 after a rank was killed")
    check(h5dump_reads(out), "h5dump cannot read the file after kill -9")
    check(validates(out), "ricci-query validate rejects the file after kill -9")
    with h5py.File(out, "r") as f:
        status = f["runs/status"][()]
    done_before = int((status == 1).sum())
    check(0 < done_before < len(status), f"kill -9 left {done_before} of {len(status)} runs done")
    # every run whose status is set is complete: its numbers equal the uninterrupted sweep's
    partial = contents(out)
    for i in np.nonzero(status == 1)[0]:
        for key in ("flow/rho", "flow/g", "flow/ric", "runs/test_accuracy", "history/loss"):
            check(np.array_equal(partial[key][i], reference[key][i], equal_nan=True), f"killed run {i}: {key} differs")
    r = sweep(["--job", job, "--out", out, "--resume"], np_=2)
    check(r.returncode == 0, f"--resume after kill -9: exit {r.returncode}: {r.stderr[-500:]}")
    check("resumed" in r.stdout, "--resume did not say it resumed")
    check(h5dump_reads(out), "h5dump cannot read the resumed file")
    check(validates(out), "ricci-query validate rejects the resumed file")
    same(reference, contents(out), "killed + resumed vs uninterrupted")
    print(f"resume: done ({done_before} runs survived kill -9)", flush=True)

if "signal" in WHICH:
    out = fresh(os.path.join(WORK, "stopped.h5"))
    proc = subprocess.Popen(["mpirun", "-np", "3", SWEEP, "--job", job, "--out", out], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(wait_for_done(out, 2), "the sweep to be stopped never finished 2 runs")
    proc.send_signal(signal.SIGTERM)
    try:
        stdout, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, _ = proc.communicate()
        check(False, "mpirun did not stop within 60 s of SIGTERM")
    check(h5dump_reads(out), "h5dump cannot read the file after SIGTERM")
    r = sweep(["--job", job, "--out", out, "--resume"], np_=2)
    check(r.returncode == 0, f"--resume after SIGTERM: exit {r.returncode}: {r.stderr[-500:]}")
    same(reference, contents(out), "stopped + resumed vs uninterrupted")
    print("signal: done", flush=True)

if "errors" in WHICH:
    base = "[sweep]\nproblems = synthetic-a\narchitectures = narrow\ndepths = 5\nseeds = 0\n[train]\nepochs = 2\n[geometry]\nk = 10\n"
    bad_jobs = {
        "unknown key": (base + "epoch = 5\n", "line 10: unknown key geometry.epoch"),
        "unknown section": (base + "[trian]\nepochs = 5\n", "line 10: unknown section [trian]"),
        "not an integer": (base.replace("epochs = 2", "epochs = fifty"), "line 7, key train.epochs: 'fifty' is not an integer"),
        "negative epochs": (base.replace("epochs = 2", "epochs = -1"), "epochs must be between 0 and 1000000, got -1"),
        "backwards range": (base.replace("seeds = 0", "seeds = 5-2"), "line 5, key sweep.seeds: seed list: range '5-2' runs backwards"),
        "unknown problem": (base.replace("synthetic-a", "synthetic-z"), "line 2, key sweep.problems: unknown problem 'synthetic-z'"),
        "unknown architecture": (base.replace("= narrow", "= huge"), "key sweep.architectures: unknown architecture 'huge'"),
        "unknown optimizer": (base + "[train]\n".replace("[train]\n", "") + "", None),
        "no equals sign": (base + "store_nodes\n", "line 10: expected 'key = value', got 'store_nodes'"),
        "duplicate key": (base.replace("depths = 5\n", "depths = 5\ndepths = 11\n"), "line 5, key sweep.depths: already set on line 4"),
        "k too large": (base.replace("k = 10", "k = 1000"), "k = 1000 is out of range for synthetic-a, which has n_test = 1000"),
        "missing problems": (base.replace("problems = synthetic-a\n", ""), "sweep.problems is required"),
        "bottleneck with even depth": (base.replace("= narrow", "= bottleneck").replace("depths = 5", "depths = 4"), "bottleneck needs an odd depth"),
        "bad learning rate": (base.replace("epochs = 2", "epochs = 2\nlearning_rate = fast"), "key train.learning_rate: 'fast' is not a number"),
        "bad problem key": (base + "[problem.synthetic-a]\nthresh = 0.9\n", "unknown key problem.synthetic-a.thresh"),
        "problem section not in sweep": (base + "[problem.synthetic-b]\nthreshold = 0.9\n", "names a problem that is not in sweep.problems"),
        "knob out of range": (base + "[problem.synthetic-a]\nnoise = -1\n", "line 11, key problem.synthetic-a.noise: synthetic-a: noise must lie in [0, 1000], got -1"),
        "knob the problem lacks": (base + "[problem.synthetic-a]\nmargin = 0.1\n", "line 11, key problem.synthetic-a.margin: synthetic-a has no knob margin"),
    }
    bad_jobs["unknown optimizer"] = (base.replace("epochs = 2", "epochs = 2\noptimizer = sgd"), "key train.optimizer: 'sgd' is not one of: rmsprop, adam")
    existing = os.path.join(WORK, "existing.h5")
    with open(existing, "wb") as f:
        f.write(b"a user's precious results")
    checksum = md5(existing)
    for name, (text, expected) in bad_jobs.items():
        path = write("bad.ini", text)
        r = sweep(["--job", path, "--out", existing, "--force"])
        check(r.returncode == 2, f"{name}: exit {r.returncode}, expected 2")
        check(expected in r.stderr, f"{name}: stderr {r.stderr.strip()!r} lacks {expected!r}")
        check(r.stderr.count("\n") == 1, f"{name}: expected one line on stderr, got {r.stderr!r}")
    # Under mpirun every rank reaches the same verdict; only rank 0 prints it (mpirun adds its banner).
    r = sweep(["--job", path, "--out", existing, "--force"], np_=3)
    check(r.returncode != 0 and r.stderr.count("ricci-sweep:") == 1, f"bad job under mpirun: {r.returncode} {r.stderr!r}")
    check(md5(existing) == checksum, "a rejected job changed an existing file")

    good = write("good.ini", base)
    r = sweep(["--job", good, "--out", existing], np_=2)
    check(r.returncode == 2 and "already exists: pass --resume" in r.stderr, f"existing output: {r.returncode} {r.stderr!r}")
    check(md5(existing) == checksum, "refusing an existing output changed it")
    r = sweep(["--job", good, "--out", existing, "--resume"])
    check(r.returncode == 2 and "cannot resume" in r.stderr, f"resume of a non-results file: {r.returncode} {r.stderr!r}")
    check(md5(existing) == checksum, "refusing to resume changed the file")

    r = sweep(["--job", good, "--out", fresh(os.path.join(WORK, "mnist.h5")), "--sweep.problems", "mnist-1-7"])
    check(r.returncode == 2 and "mnist-1-7 (MNIST) needs the directory" in r.stderr, f"missing MNIST dir: {r.stderr!r}")
    r = sweep(["--job", good, "--out", os.path.join(WORK, "mnist.h5"), "--sweep.problems", "mnist-1-7",
               "--problem.mnist-1-7.data_dir", "/nonexistent"])
    check(r.returncode == 2 and "data directory /nonexistent does not exist" in r.stderr, f"bad MNIST dir: {r.stderr!r}")
    check(not os.path.exists(os.path.join(WORK, "mnist.h5")), "a failed job created its output")

    r = sweep(["--job", good, "--out", existing, "--sweep.frobnicate", "1"])
    check(r.returncode == 2 and "unknown option '--sweep.frobnicate'" in r.stderr, f"unknown option: {r.stderr!r}")

    # A job that differs from the stored one is refused on --resume.
    done = fresh(os.path.join(WORK, "done.h5"))
    check(sweep(["--job", good, "--out", done]).returncode == 0, "small sweep failed")
    checksum_done = md5(done)
    r = sweep(["--job", good, "--out", done, "--resume", "--train.epochs", "3"])
    check(r.returncode == 2 and "holds a different job" in r.stderr, f"different job on resume: {r.stderr!r}")
    check(md5(done) == checksum_done, "refusing a different job changed the file")
    # Other knobs draw other data: refused on --resume. A knob given at its default is the same job.
    r = sweep(["--job", good, "--out", done, "--resume", "--problem.synthetic-a.noise", "0.2"])
    check(r.returncode == 2 and "holds a different job" in r.stderr, f"other knobs on resume: {r.stderr!r}")
    check(md5(done) == checksum_done, "refusing other knobs changed the file")
    r = sweep(["--job", good, "--out", done, "--resume", "--problem.synthetic-a.noise", "0.08"])
    check(r.returncode == 0, f"resume with a knob at its default: exit {r.returncode}: {r.stderr!r}")

    # A second sweep on a file in use refuses to start.
    long_job = write("long2.ini", LONG_JOB)
    busy = fresh(os.path.join(WORK, "busy.h5"))
    first = subprocess.Popen(["mpirun", "-np", "2", SWEEP, "--job", long_job, "--out", busy], env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(wait_for_done(busy, 1), "the first sweep never started")
    r = sweep(["--job", long_job, "--out", busy, "--resume"])
    check(r.returncode == 2 and "is in use by another sweep" in r.stderr, f"concurrent sweep: {r.returncode} {r.stderr!r}")
    # The first sweep is unharmed by the refusal: it still stops cleanly on request (exit 3, runs left)
    # and what it finished is readable. Stopping it keeps this test short in the sanitizer tree.
    first.send_signal(signal.SIGUSR1)  # mpirun forwards SIGUSR1 to the ranks (SIGTERM it turns into a kill)
    try:
        first.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        first.kill()
        first.communicate()
        check(False, "the first sweep did not stop within 120 s of SIGUSR1")
    check(first.returncode in (0, 3), f"the first sweep failed after the refused second one: {first.returncode}")
    check(h5dump_reads(busy), "h5dump cannot read the file of the refused-then-stopped sweep")
    print("errors: done", flush=True)

if "files" in WHICH:
    # The output, its lock and its data: issue 11 defects 1, 2, 5, 7, 8, 12 and 16.
    small = "[sweep]\nproblems = synthetic-a\narchitectures = narrow\ndepths = 5\nseeds = 0-1\n[train]\nepochs = 1\n[geometry]\nk = 6\n[output]\nstore_activations = false\n"

    def remove(path):
        if os.path.lexists(path):
            os.remove(path)

    def one_line(r, label):
        check(r.stderr.count("\n") == 1, f"{label}: expected one line on stderr, got {r.stderr!r}")

    # 2. A lock path that is a symlink (to a file, or dangling) or not a regular file is refused,
    # and nothing behind it is written or created.
    job = write("small.ini", small)
    out = fresh(os.path.join(WORK, "symlinked.h5"))
    victim = write("victim.txt", "precious\n")
    os.symlink(victim, out + ".lock")
    r = sweep(["--job", job, "--out", out])
    check(r.returncode == 2 and "symlinked.h5.lock is a symbolic link" in r.stderr, f"symlinked lock: {r.returncode} {r.stderr!r}")
    one_line(r, "symlinked lock")
    check(open(victim).read() == "precious\n", "a symlinked lock file overwrote its target")
    check(not os.path.exists(out), "a refused lock created the output")
    remove(out + ".lock")
    target = os.path.join(WORK, "dangling-target")
    remove(target)
    os.symlink(target, out + ".lock")
    r = sweep(["--job", job, "--out", out])
    check(r.returncode == 2 and "is a symbolic link" in r.stderr, f"dangling lock symlink: {r.returncode} {r.stderr!r}")
    check(not os.path.exists(target), "a dangling lock symlink created its target")
    remove(out + ".lock")
    os.mkfifo(out + ".lock")
    r = sweep(["--job", job, "--out", out], timeout=60)
    check(r.returncode == 2 and "symlinked.h5.lock is not a regular file" in r.stderr, f"FIFO lock: {r.returncode} {r.stderr!r}")
    remove(out + ".lock")

    # 5. The lock file is never unlinked (an unlink while held lets two sweeps lock two inodes):
    # it keeps its inode across sweeps, and one left behind blocks nothing.
    out = fresh(os.path.join(WORK, "locked.h5"))
    write("locked.h5.lock", "pid 1 on a host that died\n")
    inode = os.stat(out + ".lock").st_ino
    r = sweep(["--job", job, "--out", out])
    check(r.returncode == 0, f"sweep with a stale lock file: exit {r.returncode}: {r.stderr!r}")
    check(os.path.exists(out + ".lock") and os.stat(out + ".lock").st_ino == inode,
          "the lock file was unlinked or replaced (another sweep could lock a second inode)")
    r = sweep(["--job", job, "--out", out, "--resume"])
    check(r.returncode == 0, f"rerun after a sweep: {r.returncode} {r.stderr!r}")

    # 16. A copied or renamed job file without a name is the same job on --resume.
    copy = write("small-copy.ini", small)
    r = sweep(["--job", copy, "--out", out, "--resume"])
    check(r.returncode == 0, f"resume with a copied job file: exit {r.returncode}: {r.stderr!r}")
    # ... also for a file whose stored job names the old file (first release: name stored, compared)
    with h5py.File(out, "r+") as f:
        for name in ("job", "job_without_paths"):
            text = f.attrs[name].decode()
            del f.attrs[name]
            f.attrs[name] = np.bytes_(text.replace("name = small\n", "name = old-name\n"))
        if "data_identity" in f.attrs:
            del f.attrs["data_identity"]  # the first release stored none
        f["runs/status"][1] = 0
    r = sweep(["--job", copy, "--out", out, "--resume"])
    check(r.returncode == 0 and "1 to run" in r.stdout, f"resume of a first-release file: exit {r.returncode}: {r.stdout!r} {r.stderr!r}")

    # 1. --resume on other data is refused, naming the file, and changes nothing.
    import random
    random.seed(5)
    csv = write("d.csv", "x,y,label\n" + "".join(f"{random.random():.4f},{random.random():.4f},{i % 2}\n" for i in range(200)))
    J = ["--sweep.problems", "csv:" + csv, "--sweep.architectures", "narrow", "--sweep.depths", "5",
         "--sweep.seeds", "0-1", "--train.epochs", "1", "--geometry.k", "3", "--output.store_activations", "true"]
    out = fresh(os.path.join(WORK, "data.h5"))
    r = sweep(J + ["--out", out])
    check(r.returncode == 0, f"csv sweep: exit {r.returncode}: {r.stderr!r}")
    with h5py.File(out, "r+") as f:
        f["runs/status"][1] = 0
        identity = f.attrs["data_identity"].decode() if "data_identity" in f.attrs else ""
    check(hashlib.sha256(open(csv, "rb").read()).hexdigest() in identity, f"data_identity lacks the CSV's SHA-256: {identity!r}")
    checksum = md5(out)
    lines = open(csv).read().splitlines(True)
    write("d.csv", "".join(lines[:9]))  # shrunk
    r = sweep(J + ["--out", out, "--resume"])
    check(r.returncode == 2 and csv + " (csv of csv:" in r.stderr and "differs from the data" in r.stderr,
          f"resume on shrunk data: {r.returncode} {r.stderr!r}")
    one_line(r, "resume on shrunk data")
    write("d.csv", "".join(lines).replace("0.", "1.", 1))  # same shape, one value changed
    r = sweep(J + ["--out", out, "--resume"])
    check(r.returncode == 2 and "differs from the data" in r.stderr, f"resume on changed data: {r.returncode} {r.stderr!r}")
    check(md5(out) == checksum, "refusing other data changed the file")
    write("d.csv", "".join(lines))  # the original again
    r = sweep(J + ["--out", out, "--resume"])
    check(r.returncode == 0 and validates(out), f"resume on the same data: {r.returncode} {r.stderr!r}")

    # 7. A job text over 64 KiB is stored and resumable.
    out = fresh(os.path.join(WORK, "long-name.h5"))
    name = "n" * 70000
    r = sweep(["--job", job, "--out", out, "--sweep.name", name])
    check(r.returncode == 0, f"70,000-character name: exit {r.returncode}: {r.stderr[-300:]!r}")
    if r.returncode == 0:
        with h5py.File(out, "r") as f:
            check(("name = " + name) in f.attrs["job"].decode(), "the long job text did not round-trip")
        check(validates(out), "ricci-query validate rejects the file with a long job")
        r = sweep(["--job", job, "--out", out, "--sweep.name", name, "--resume"])
        check(r.returncode == 0, f"resume with a long job: {r.returncode} {r.stderr[-300:]!r}")

    # 7. A failed creation (here: the file size limit) leaves no output, no half-made file, and a
    # lock that does not block the re-run.
    out = fresh(os.path.join(WORK, "failed.h5"))

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    r = subprocess.run([SWEEP, "--job", job, "--out", out], env=ENV, capture_output=True, text=True,
                       timeout=120, preexec_fn=small_files)
    check(r.returncode != 0, "a creation beyond the file size limit succeeded")
    check(not os.path.exists(out) and not os.path.exists(out + ".creating"),
          f"a failed creation left files: {sorted(os.listdir(WORK))}")
    r = sweep(["--job", job, "--out", out])
    check(r.returncode == 0, f"re-run after a failed creation: {r.returncode} {r.stderr!r}")

    # 8. Outputs that cannot be written: one line with the OS's reason, exit 2, before MPI work.
    outdir = os.path.join(WORK, "a-directory.h5")
    os.makedirs(outdir, exist_ok=True)
    r = sweep(["--job", job, "--out", outdir, "--force"], np_=2)
    check(r.returncode == 2 and f"cannot write {outdir}: Is a directory" in r.stderr and "MPI_ABORT" not in r.stderr,
          f"--out DIR --force: {r.returncode} {r.stderr!r}")
    if os.geteuid() != 0:  # root writes regardless of permissions
        ro = os.path.join(WORK, "read-only")
        os.makedirs(ro, exist_ok=True)
        os.chmod(ro, 0o555)
        r = sweep(["--job", job, "--out", os.path.join(ro, "r.h5")])
        check(r.returncode == 2 and "Permission denied" in r.stderr, f"read-only directory: {r.returncode} {r.stderr!r}")
        one_line(r, "read-only directory")
        os.chmod(ro, 0o755)
        done_file = os.path.join(WORK, "data.h5")
        os.chmod(done_file, 0o444)
        r = sweep(J + ["--out", done_file, "--resume"])
        check(r.returncode == 2 and "cannot write" in r.stderr and "Permission denied" in r.stderr,
              f"resume of a read-only file: {r.returncode} {r.stderr!r}")
        os.chmod(done_file, 0o644)

    # 12. Stopping: SIGUSR1 to mpirun (which forwards it; SIGTERM and SIGINT it turns into killing
    # the ranks) and SIGTERM to a sweep without mpirun both end in exit 3 with runs pending.
    long_job = write("long3.ini", LONG_JOB)
    for label, cmd, sig in (("SIGUSR1 to mpirun", ["mpirun", "-np", "2", SWEEP], signal.SIGUSR1),
                            ("SIGTERM without mpirun", [SWEEP], signal.SIGTERM)):
        out = fresh(os.path.join(WORK, "stop.h5"))
        proc = subprocess.Popen(cmd + ["--job", long_job, "--out", out], env=ENV,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(wait_for_done(out, 1), f"{label}: the sweep never finished a run")
        proc.send_signal(sig)
        try:
            stdout, stderr = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
        check(proc.returncode == 3 and "stopped on request" in stdout, f"{label}: exit {proc.returncode} {stderr[-300:]!r}")
    print("files: done", flush=True)

print(f"{len(failures)} failed" if failures else "all sweep checks passed")
sys.exit(1 if failures else 0)
