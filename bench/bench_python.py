"""The cost of calling the engine from Python: ricci_flow.analyze on a stack's arrays against ricci-query analyze
on the same stack's file, interleaved, one core each, with the same numbers checked.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/bench_python.py build/release/apps/ricci-query \
        /tmp/ricci-bench-A.h5 [--k 10,20,...] [--repeats 5]

Stack A of bench/RESULTS.md §1 is what bench/run_geometry.sh (bench_geometry --n 2000 --layers 5 --width 50)
writes to /tmp/ricci-bench-A.h5. Timed: the whole ricci-query process (start-up, HDF5 read, the geometry, JSON
output), ricci_flow.analyze on the layers as stored (float32: one conversion to float64 inside the call) and on
C-ordered float64 copies (read in place). Compared: analyze's time with the process's, best of the repeats; and
what the module adds to the geometry's own time: the conversion of float32 layers to float64 (timed alone, as
numpy does it inside the call) and the building of the result after the last layer (timed from the last
progress callback to the return).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import time

import h5py
import numpy as np

import ricci_flow

FASHION_MNIST_GRID = "10,20,30,50,90,100,120,150,250,350,500"


def read_stack(path):
    with h5py.File(path, "r") as f:
        names = sorted(n for n in f if n.startswith("layer_") and n != "layer_00")
        return [f[n][()] for n in names]


def same_numbers(got, want):
    """Every k's coefficient, every layer's g and Ric, the pooled values and k*."""
    for g, w in zip(got["results"], want["results"]):
        for a, b in [(g["rho"], w["rho"])] + [(x[f], y[f]) for x, y in zip(g["layers"], w["layers"])
                                               for f in ("g", "ric", "edges")]:
            if (a is None) != (b is None) or (a is not None and not math.isclose(a, b, rel_tol=1e-12)):
                return False
    return got["pooled"] == want["pooled"] and got["k_star"] == want["k_star"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ricci_query")
    parser.add_argument("stack")
    parser.add_argument("--k", default=FASHION_MNIST_GRID)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    stored = read_stack(args.stack)
    as_float64 = [np.ascontiguousarray(X, dtype=np.float64) for X in stored]
    ks = [int(k) for k in args.k.split(",")]
    command = [args.ricci_query, "analyze", args.stack, "--k", args.k, "--format", "json", "--progress", "never"]
    print("stack %s: n = %d, %d layers, widths %s, dtype %s; k = %s"
          % (args.stack, len(stored[0]), len(stored), [X.shape[1] for X in stored], stored[0].dtype, args.k))

    times = {"ricci-query process": [], "ricci_flow.analyze (as stored)": [], "ricci_flow.analyze (float64)": []}
    conversion, results = [], []
    cli = None
    for repeat in range(args.repeats + 1):  # the first round warms caches and is not counted
        start = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True, check=True)
        cli_time = time.perf_counter() - start
        cli = json.loads(run.stdout)
        last_layer = []
        start = time.perf_counter()
        module = ricci_flow.analyze(stored, k=ks, progress=lambda done, total: last_layer.append(time.perf_counter()))
        end = time.perf_counter()
        stored_time = end - start
        start = time.perf_counter()
        [np.ascontiguousarray(X, dtype=np.float64) for X in stored]
        conversion_time = time.perf_counter() - start
        start = time.perf_counter()
        module64 = ricci_flow.analyze(as_float64, k=ks)
        float64_time = time.perf_counter() - start
        if not (same_numbers(module, cli) and same_numbers(module64, cli)):
            raise SystemExit("bench_python: ricci_flow and ricci-query differ")
        if repeat:
            for name, t in zip(times, (cli_time, stored_time, float64_time)):
                times[name].append(t)
            conversion.append(conversion_time)
            results.append(end - last_layer[-1])
    best_cli = min(times["ricci-query process"])
    for name, values in times.items():
        best = min(values)
        print("%-32s best %.3f s  median %.3f s  (%d runs)%s"
              % (name, best, statistics.median(values), len(values),
                 "" if name.startswith("ricci-query") else "  %+.1f%% against the process" % (100 * (best / best_cli - 1))))
    geometry = min(times["ricci_flow.analyze (as stored)"]) - min(conversion) - min(results)
    print("inside analyze (as stored): float32 -> float64 conversion %.4f s, result building %.4f s: %.2f%% over "
          "the geometry's %.3f s" % (min(conversion), min(results), 100 * (min(conversion) + min(results)) / geometry,
                                     geometry))
    print("same numbers: yes (rho, g, Ric, edges of every k and layer; pooled; k* = %s)" % cli["k_star"])


if __name__ == "__main__":
    main()
