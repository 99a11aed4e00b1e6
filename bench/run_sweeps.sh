#!/usr/bin/env bash
# Whole-system benchmarks, one run, nothing else on the machine:
#   1. strong scaling: the paper's synthetic and Fashion-MNIST jobs (full k grids) on 1 and 2 workers,
#      runs per hour, and where the time goes (training, geometry, the rest = I/O and hand-out);
#   2. the scheduler alone: 64 oversubscribed ranks handing out empty runs;
#   3. peak memory of one rank at n = 10,000 test points (a CSV problem, wide-11, k up to 500).
#   bench/run_sweeps.sh [BUILD_DIR] [SEEDS]     (SEEDS: seed range of the scaling jobs, default 0-1)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
seeds=${2:-0-1}
cores=$(nproc)
work=${BENCH_WORK:-/tmp/ricci-bench-sweeps}
mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
sweep="$build/apps/ricci-sweep"
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $cores cores, $(free -g | awk '/Mem:/ {print $2}') GiB"

echo; echo "== 1. strong scaling (seeds $seeds, store_activations as in the job files)"
for job in paper-synthetic paper-fmnist; do
  for workers in 1 2; do
    out="$work/$job-$workers.h5"
    rm -f "$out" "$out.lock"
    # One process does everything with 1 worker; with 2, rank 0 only hands out (and sleeps).
    np=$([ "$workers" = 1 ] && echo 1 || echo $((workers + 1)))
    start=$(date +%s.%N)
    mpirun -np "$np" "$sweep" --job "jobs/$job.ini" --out "$out" --sweep.seeds "$seeds" --progress-seconds 600 >/dev/null
    end=$(date +%s.%N)
    /usr/bin/python3 - "$out" "$job" "$workers" "$start" "$end" <<'PY'
import sys, h5py, numpy as np
path, job, workers, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
wall = end - start
with h5py.File(path, "r") as f:
    done = int((f["runs/status"][()] == 1).sum())
    train = float(np.nansum(f["runs/train_seconds"][()]))
    geometry = float(np.nansum(f["runs/geometry_seconds"][()]))
busy = wall * workers
rest = max(busy - train - geometry, 0.0)
print(f"{job:16s} {workers} worker(s): {done} runs in {wall:7.1f} s = {done / wall * 3600:7.0f} runs/hour | "
      f"of {busy:.0f} worker-s: training {100 * train / busy:4.1f}%, geometry {100 * geometry / busy:4.1f}%, "
      f"rest (data, HDF5 writes, hand-out, idle tail) {100 * rest / busy:4.1f}%")
PY
  done
done
echo "(geometry splits into kNN, graphs, curvature and BFS as bench/run_geometry.sh reports per network)"

echo; echo "== 2. scheduler alone"
mpirun -np 64 --oversubscribe "$build/bench/bench_scheduler" --runs 200000

echo; echo "== 3. peak memory of one rank, n = 10,000 test points"
csv="$work/n10000.csv"
/usr/bin/python3 - "$csv" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(0)
n = 20000  # test_fraction 0.5 -> 10,000 test points
x = rng.normal(size=(n, 3))
label = (np.linalg.norm(x, axis=1) > 1.5).astype(int)
np.savetxt(sys.argv[1], np.column_stack([x, label]), delimiter=",", header="x,y,z,label", comments="", fmt=["%.6f"] * 3 + ["%d"])
PY
out="$work/n10000.h5"
rm -f "$out" "$out.lock"
/usr/bin/time -f "peak resident memory: %M KiB, wall %e s" "$sweep" --out "$out" --sweep.problems "csv:$csv" \
  --sweep.architectures wide --sweep.depths 11 --sweep.seeds 0 --train.epochs 5 --geometry.k 10,100,500 \
  --output.store_activations true --progress-seconds 600 2>&1 | grep -E "peak|finished"
