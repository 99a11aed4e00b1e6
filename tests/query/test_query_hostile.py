"""ricci-query on malformed, corrupted and crafted results files (issue 11: #4, #9, #11, #13, #15,
and the checksums of schema version 3): one line naming the file and exit 2 (validate: a list and
exit 3), never a crash, a hang or a silently wrong number.

  /usr/bin/python3 tests/query/test_query_hostile.py RICCI_QUERY RICCI_SWEEP WORKDIR
"""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

QUERY, SWEEP, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(WORK, exist_ok=True)
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           HDF5_USE_FILE_LOCKING="FALSE")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL", message, flush=True)


def query(*args):
    return subprocess.run([QUERY, *args], capture_output=True, text=True, timeout=60, env=ENV)


def refused(label, r, *words):
    """Exit 2, one line on stderr naming what it must, nothing on stdout."""
    ok = r.returncode == 2 and r.stderr.count("\n") == 1 and all(w in r.stderr for w in words)
    check(ok, f"{label}: exit {r.returncode}, stderr {r.stderr!r}, stdout {r.stdout[:200]!r}")


def copy(name):
    path = os.path.join(WORK, name)
    shutil.copy(BASE, path)
    return path


# ------------------------------------------------------------------ a small file of this build
BASE = os.path.join(WORK, "base.h5")
for p in (BASE, BASE + ".lock"):
    if os.path.exists(p):
        os.remove(p)
r = subprocess.run([SWEEP, "--sweep.problems", "synthetic-a", "--sweep.architectures", "narrow",
                    "--sweep.depths", "5", "--sweep.seeds", "0-1", "--train.epochs", "1",
                    "--geometry.k", "6", "--out", BASE], capture_output=True, text=True,
                   timeout=300, env=ENV)
if r.returncode != 0:
    print(r.stdout, r.stderr)
    sys.exit(1)
SUBCOMMANDS = [["summary"], ["runs"], ["layers", "--run", "0"], ["association"],
               ["analyze", "--run", "0", "--k", "6"]]
r = query("validate", BASE)
check(r.returncode == 0 and "version 6" in r.stdout, f"base file valid: {r.stdout} {r.stderr}")
with h5py.File(BASE, "r") as f:
    check(f.attrs["schema_version"] == 6, "schema version 6")
    check(int(f["runs/checksum"][0]) != 0, "/runs/checksum written")
    check(int(f["runs/data_checksum"][0]) != 0, "/runs/data_checksum written")
    N = f["runs/status"].shape[0]
# The 1.10 format: superblock version 2 or 3 checksums itself (byte 8 of the file).
with open(BASE, "rb") as f:
    check(f.read(9)[8] >= 2, "the superblock is of a checksummed version")

# ------------------------------------------------------------------ #4 zero layers
path = copy("zero_layers.h5")
with h5py.File(path, "r+") as f:
    for name in ["edges", "components", "unreachable_pairs", "g", "ric"]:
        del f["flow/" + name]
        f.create_dataset("flow/" + name, shape=(N, 1, 0), dtype="f8")
for sub in SUBCOMMANDS[:4] + [["validate"]]:
    r = query(sub[0], path, *sub[1:])
    if sub[0] == "validate":
        check(r.returncode in (2, 3) and "zero_layers.h5" in r.stdout + r.stderr,
              f"#4 zero layers validate: {r.returncode} {r.stdout} {r.stderr}")
    else:
        refused(f"#4 zero layers {sub[0]}", r, "zero_layers.h5", "0 layers")

# ------------------------------------------------------------------ #4/#11 a huge declared layer count
path = copy("huge_layers.h5")
with h5py.File(path, "r+") as f:
    for name in ["edges", "components", "unreachable_pairs", "g", "ric"]:
        del f["flow/" + name]
        # chunked, never written: a few bytes on disk declaring 2^62 layers
        f.create_dataset("flow/" + name, shape=(N, 1, 2**62), dtype="f8", chunks=(1, 1, 1024))
for sub in SUBCOMMANDS[:4]:
    r = query(sub[0], path, *sub[1:])
    refused(f"#4 2^62 layers {sub[0]}", r, "huge_layers.h5", "/flow/")
r = query("validate", path)
check(r.returncode in (2, 3) and "huge_layers.h5" in r.stdout + r.stderr,
      f"#4 2^62 layers validate: {r.returncode} {r.stdout} {r.stderr}")

# #11: a small file declaring a 10^6 x 10^6 chunked activation layer
path = os.path.join(WORK, "huge_stack.h5")
with h5py.File(path, "w") as f:
    f.create_dataset("layer_01", shape=(10**6, 10**6), dtype="f4", chunks=(64, 64))
check(os.path.getsize(path) < 100000, "the crafted stack is small")
r = query("analyze", path, "--k", "3")
refused("#11 huge stack", r, "huge_stack.h5", "layer_01", "[1000000, 1000000]")

# ------------------------------------------------------------------ #4 a flipped metadata byte
# Every byte of the root group's object header (where the root attributes live) is checksummed in
# the 1.10 format: a flip is an error naming the file, never a crash or "valid".
data = open(BASE, "rb").read()
offset = data.find(b"OHDR")  # the first object header: the root group's, with its attributes
check(offset > 0, "found the root object header")
for delta in (8, 40):
    path = os.path.join(WORK, f"flip_{delta}.h5")
    flipped = bytearray(data)
    flipped[offset + delta] ^= 0xFF
    open(path, "wb").write(bytes(flipped))
    for sub in SUBCOMMANDS + [["validate"]]:
        r = query(sub[0], path, *sub[1:])
        refused(f"#4 flipped byte {offset + delta} {sub[0]}", r, f"flip_{delta}.h5")

# ------------------------------------------------------------------ checksums: torn / flipped rows
path = copy("flipped_row.h5")
with h5py.File(path, "r+") as f:
    f["flow/ric"][1, 0, 2] += 2.0
r = query("validate", path)
check(r.returncode == 3 and "run 1" in r.stdout and "/runs/checksum" in r.stdout,
      f"flipped row named by validate: {r.returncode} {r.stdout} {r.stderr}")
refused("flipped row refused by summary", query("summary", path), "flipped_row.h5", "run 1",
        "/runs/checksum")

path = copy("flipped_data.h5")
with h5py.File(path, "r+") as f:
    f["run_data/r000000/layer_03"][4, 1] += 0.5
r = query("validate", path)
check(r.returncode == 3 and "run 0" in r.stdout and "/runs/data_checksum" in r.stdout,
      f"flipped activation named by validate: {r.returncode} {r.stdout} {r.stderr}")

# ------------------------------------------------------------------ #15 data never written
path = copy("unwritten.h5")
with h5py.File(path, "r+") as f:
    for name in f["run_data/r000001"]:
        d = f["run_data/r000001/" + name]
        d[...] = np.zeros(d.shape, d.dtype)
r = query("analyze", path, "--run", "1", "--k", "6")
refused("#15 analyze --run of unwritten data (schema 3)", r, "unwritten.h5", "run 1",
        "/runs/data_checksum")
# the same in a version-2 file: no checksum, every output 0
with h5py.File(path, "r+") as f:
    f.attrs["schema_version"] = np.int64(2)
    del f["runs/checksum"]
    del f["runs/data_checksum"]
r = query("analyze", path, "--run", "1", "--k", "6")
refused("#15 analyze --run of unwritten data (schema 2)", r, "unwritten.h5", "run 1",
        "never written")
r = query("analyze", path, "--run", "0", "--k", "6")
check(r.returncode == 0, f"schema 2 file: run 0 analyzes: {r.stderr}")
check(query("summary", path).returncode == 0, "a version-2 file without checksums is read")

# ------------------------------------------------------------------ #15 out-of-range stored values
path = copy("out_of_range.h5")
with h5py.File(path, "r+") as f:
    f["flow/edges"][0, 0, 1] = 1e300
    f["runs/checksum"][0] = 0  # not what this test is about: keep the reader's check out of it
    f.attrs["schema_version"] = np.int64(2)
    del f["runs/checksum"]
    del f["runs/data_checksum"]
for fmt in ("table", "csv", "json"):
    r = query("layers", path, "--run", "0", "--format", fmt)
    check(r.returncode == 0 and "-9223372036854775808" not in r.stdout
          and ("1e+300" in r.stdout or "1e300" in r.stdout),
          f"#15 layers {fmt} prints 1e300: {r.stdout} {r.stderr}")

# ------------------------------------------------------------------ #13 h5py's variable-length UTF-8 strings
path = copy("vlen.h5")
with h5py.File(path, "r+") as f:
    for name in ["problem", "architecture", "error"]:
        values = [v.decode() for v in f["runs/" + name][...]]
        del f["runs/" + name]
        f.create_dataset("runs/" + name, data=values, dtype=h5py.string_dtype("utf-8"))
r = query("runs", path, "--format", "csv")
check(r.returncode == 0 and "synthetic-a" in r.stdout, f"#13 variable-length UTF-8: {r.stderr}")

# ------------------------------------------------------------------ #9 validate's own failures
path = copy("nan_ric.h5")
with h5py.File(path, "r+") as f:
    f["flow/ric"][0, 0, 1] = np.nan
    f["flow/g"][1, 0, 1] = np.inf
r = query("validate", path)
check(r.returncode == 3 and "run 0" in r.stdout and "run 1" in r.stdout,
      f"#9 NaN/inf in ric/g: {r.returncode} {r.stdout} {r.stderr}")

path = copy("huge_depth.h5")
with h5py.File(path, "r+") as f:
    f["runs/depth"][0] = 2**31 - 1
r = query("validate", path)  # the timeout of query() fails the test if it loops
check(r.returncode == 3 and "depth 2147483647" in r.stdout, f"#9 depth 2^31-1: {r.stdout} {r.stderr}")

path = copy("relabelled.h5")
with h5py.File(path, "r+") as f:
    f.attrs["schema_version"] = np.int64(2)
    del f["runs/checksum"]
    del f["runs/data_checksum"]
    del f["flow/g"].attrs["meaning"]
r = query("validate", path)
check(r.returncode == 3 and "meaning" in r.stdout, f"#9 version 2 lacking meaning: {r.stdout}")

path = copy("nan_activation.h5")
with h5py.File(path, "r+") as f:
    f.attrs["schema_version"] = np.int64(2)
    del f["runs/checksum"]
    del f["runs/data_checksum"]
    f["run_data/r000000/layer_02"][3, 0] = np.nan
r = query("validate", path)
check(r.returncode == 3 and "layer_02 row 3 column 0 is NaN" in r.stdout,
      f"#9 NaN activation: {r.stdout} {r.stderr}")

# ------------------------------------------------------------------ #15 activations whose squared distances overflow
path = os.path.join(WORK, "overflow.h5")
with h5py.File(path, "w") as f:
    x = np.random.default_rng(1).random((20, 3))
    x[7, 2] = 1e308
    f["layer_01"] = x
    f["layer_02"] = x
r = query("analyze", path, "--k", "3")
refused("#15 1e308 activation", r, "layer 1 row 7 column 2", "1e+308", "overflow")

# ------------------------------------------------------------------ #17 progress
path = os.path.join(WORK, "progress.h5")
with h5py.File(path, "w") as f:
    x = np.random.default_rng(2).random((30, 3))
    for l in range(1, 6):
        f[f"layer_{l:02d}"] = x * l
plain = query("analyze", path, "--k", "3,5", "--format", "json")
r = query("analyze", path, "--k", "3,5", "--format", "json", "--progress", "always")
check(r.returncode == 0 and r.stderr.count("layer ") == 5 and "layer 5 of 5 done" in r.stderr,
      f"#17 progress lines: {r.stderr}")
check(r.stdout == plain.stdout, "#17 the same results with progress")
check(plain.stderr == "", "#17 no progress for a small stack by default")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
