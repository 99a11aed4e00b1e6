#!/usr/bin/env bash
# Geometry benchmark, one run: ricci-sweep's engine (library and whole ricci-query process) next to
# scipy/sklearn on the same 2,000-point, 5-layer, 50-wide ReLU activation stack and the Fashion-MNIST k grid.
#   bench/run_geometry.sh [BUILD_DIR]      (default build/release; --skip-peer to omit the minutes-long peer)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
stack=${STACK:-/tmp/ricci-bench-stack.h5}
grid=10,20,30,50,90,100,120,150,250,350,500
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; one core used"
"$build/bench/bench_geometry" "$stack" --n 2000 --layers 5 --width 50 --k "$grid" --repeats 3
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peer_geometry.py "$build/apps/ricci-query" "$stack" "$grid" "${@:2}"
