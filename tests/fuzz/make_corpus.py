#!/usr/bin/python3
"""Writes the seed corpus of the libFuzzer harnesses (tests/fuzz/corpus/<harness>/): small valid
inputs the fuzzer mutates. Deterministic; run from anywhere with Debian's python3 (h5py, numpy).

    tests/fuzz/make_corpus.py [--sweep PATH_TO_ricci-sweep]

With --sweep, the fuzz_results seeds are written by the sweep itself (mpirun -np 2, two tiny jobs),
so they are results files exactly as the tool writes them; without it they are left as they are.
"""
import argparse
import gzip
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
REPO = os.path.dirname(os.path.dirname(HERE))


def fresh(harness):
    d = os.path.join(CORPUS, harness)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def write(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def job_files():
    d = fresh("fuzz_job_file")
    for name in sorted(os.listdir(os.path.join(REPO, "jobs"))):
        with open(os.path.join(REPO, "jobs", name), "rb") as f:
            write(d, name, f.read())
    write(d, "small.ini", "[sweep]\nproblems = synthetic-a\ndepths = 5\nseeds = 0-2,7\n"
          "[geometry]\nk = 6,10-12\n")
    write(d, "problem.ini", "[sweep]\nproblems = csv:d.csv, mnist:1-7\narchitectures = 8-4-8, bottleneck\n"
          "depths = 3\n[train]\nmode = until-accuracy\ntarget_accuracy = 0.9\n"
          "[problem.csv:d.csv]\nthreshold = 0.5\n[problem.mnist:1-7]\ndata_dir = /nonexistent\n")
    write(d, "flags.ini", "; comment\n[sweep]\nname = x # trailing\nproblems = circles\n[output]\n"
          "store_activations = no\nstore_nodes = on\n[geometry]\ngraph = mutual\nconvention = paper\n")


def cli_lists():
    # First byte: the parser (byte % 6: 0 integer list with minimum byte/6 - 10, 1 index list,
    # 2 name list, 3 bool, 4 double, 5 integer).
    d = fresh("fuzz_cli_lists")
    seeds = {"ints": (60, "0-3,7, 10-12"), "ints_neg": (0, "-5--2,3"), "index": (1, "6,10,20-30"),
             "names": (2, "synthetic-a, csv:x.csv ,narrow"), "bool": (3, "yes"),
             "double": (4, " 1e-3"), "integer": (5, "-42")}
    for name, (selector, text) in seeds.items():
        write(d, name, bytes([selector]) + text.encode())


def idx_bytes(values, dims):
    header = bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", n) for n in dims)
    return header + bytes(values)


def idx_files():
    # First byte: 0 labels file, 1 images file, 2 an idx: problem (two length bytes, images, labels).
    d = fresh("fuzz_idx")
    labels = idx_bytes([0, 1, 1, 0, 1, 0, 0, 1], [8])
    images = idx_bytes([(7 * i) % 256 for i in range(8 * 2 * 3)], [8, 2, 3])
    write(d, "labels", b"\x00" + labels)
    write(d, "labels_gz", b"\x00" + gzip.compress(labels, mtime=0))
    write(d, "images", b"\x01" + images)
    write(d, "images_gz", b"\x01" + gzip.compress(images, mtime=0))
    write(d, "pair", b"\x02" + struct.pack(">H", len(images)) + images + labels)


def csv_files():
    d = fresh("fuzz_csv")
    rows = "".join(f"{(i * 37 % 100) / 100:.2f},{(i * 53 % 100) / 100:.2f},{i % 2}\n" for i in range(8))
    write(d, "basic.csv", "x,y,label\n" + rows)
    write(d, "label_first.csv", "label,a,b,c\ncat,1,2,3\ndog,4,5,6\ncat,-1e3,0.5,7\ndog,2,2,2\n"
          "cat,0,0,1\n")
    write(d, "blank_lines.csv", "f,label\n1.5,0\n\n2.5,1\n3,0\n4,1\n")


def activations():
    d = fresh("fuzz_activations")
    rng = np.random.default_rng(3)

    def stack(name, layers, dtype, group=None):
        path = os.path.join(d, name)
        with h5py.File(path, "w", libver="earliest") as f:
            g = f if group is None else f.create_group(group)
            for i, width in enumerate(layers, 1):
                g.create_dataset(f"layer_{i:02d}", data=rng.standard_normal((6, width)).astype(dtype))

    stack("two_f32.h5", [3, 2], np.float32)
    stack("three_f64.h5", [2, 2, 1], np.float64)
    stack("one_f32.h5", [4], np.float32)
    # The newest file format (checksummed metadata) as well.
    with h5py.File(os.path.join(d, "latest_f64.h5"), "w", libver="latest") as f:
        f.create_dataset("layer_01", data=rng.standard_normal((5, 2)))
        f.create_dataset("layer_02", data=rng.standard_normal((5, 3)))


def results(sweep):
    d = fresh("fuzz_results")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", HDF5_USE_FILE_LOCKING="FALSE",
               ASAN_OPTIONS="detect_leaks=0")
    jobs = {
        # Small: few points (csv), one k, no activations.
        "tiny.h5": ["--sweep.architectures", "narrow", "--sweep.depths", "2", "--sweep.seeds", "0-1",
                    "--train.epochs", "1", "--geometry.k", "3", "--output.store_activations", "false"],
        # Two depths, two k, activations and per-node values stored.
        "acts.h5": ["--sweep.architectures", "4-3", "--sweep.depths", "2", "--sweep.seeds", "0",
                    "--train.epochs", "1", "--geometry.k", "2,3", "--output.store_nodes", "true"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "d.csv")
        with open(csv, "w") as f:
            f.write("x,y,label\n" + "".join(f"{(i * 37 % 100) / 100:.2f},{(i * 53 % 100) / 100:.2f},"
                                            f"{i % 2}\n" for i in range(16)))
        for name, args in jobs.items():
            out = os.path.join(tmp, name)
            subprocess.run(["mpirun", "-np", "2", sweep, "--sweep.problems", "csv:" + csv,
                            "--sweep.name", "fuzz-seed", "--out", out] + args, env=env, check=True,
                           cwd=tmp, stdout=subprocess.DEVNULL)
            shutil.copy(out, os.path.join(d, name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", help="ricci-sweep binary; writes the fuzz_results seeds")
    args = parser.parse_args()
    job_files()
    cli_lists()
    idx_files()
    csv_files()
    activations()
    if args.sweep:
        results(os.path.abspath(args.sweep))
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(CORPUS) for f in fs)
    print(f"corpus: {total} bytes")


if __name__ == "__main__":
    sys.exit(main())
