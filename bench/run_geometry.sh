#!/usr/bin/env bash
# Geometry benchmark, one run: ricci-sweep's engine (library stages and the whole ricci-query process)
# next to python-igraph and scipy/sklearn on the same ReLU activation stacks, one core each:
#   A  n = 2,000, 5 layers x 50, the Fashion-MNIST k grid
#   B  n = 2,000, 11 layers x 50, the Fashion-MNIST k grid (scipy timed on 2 of 11 layers and scaled)
#   C  n = 1,000, 11 layers x 50, the synthetic k grid
#   bench/run_geometry.sh [BUILD_DIR] [--quick]     (--quick: ricci-sweep only, no peers)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
peers=scipy,igraph
[ "${2:-}" = "--quick" ] && peers=""
fmnist=10,20,30,50,90,100,120,150,250,350,500
synthetic=6,7,9,10,15,18,20,30,50,90,100,120,140,150,160,180,200
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; one core used"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
bench_case() {  # name n layers grid [peer options]
  local stack=/tmp/ricci-bench-$1.h5
  echo; echo "== $1: n = $2, $3 layers x 50"
  rm -f "$stack"
  "$build/bench/bench_geometry" "$stack" --n "$2" --layers "$3" --width 50 --k "$4" --repeats 3
  /usr/bin/python3 bench/peer_geometry.py "$build/apps/ricci-query" "$stack" "$4" --peers "$peers" "${@:5}"
}
bench_case A 2000 5 "$fmnist"
bench_case B 2000 11 "$fmnist" --scipy-layers 2
bench_case C 1000 11 "$synthetic"
