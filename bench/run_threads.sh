#!/usr/bin/env bash
# Threads and processes on one node (issue 17), one run:
#   1. the full Fashion-MNIST k grid of stack A (n = 2,000, 5 layers x 50) and of n = 10,000 points
#      on 1, 2, 4, ... threads up to the cores of this machine (bench_geometry --threads; every count
#      checked identical to one thread);
#   2. node throughput on many networks: P concurrent one-thread `ricci-query analyze` processes of
#      stack A for P = 1, 2, 4, 8, 16 up to the cores, in networks per second, next to one process on
#      every core;
#   3. the schedule beyond this machine's cores: one-thread task times of stack A and n = 10,000
#      (bench_threads --task-times) replayed on 1..32 ideal threads (bench/project_threads.py), a
#      projection to check against step 1 here, not a measurement;
#   4. n = 50,000 points, 5 layers: the full grid on every core, its peak resident memory and time.
#   bench/run_threads.sh [BUILD_DIR] [--no-50k]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
skip_50k=${2:-}
cores=$(nproc)
fmnist=10,20,30,50,90,100,120,150,250,350,500
counts=1
for c in 2 4 8 16 32 64; do [ "$c" -le "$cores" ] && counts="$counts,$c"; done
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $cores cores, $(free -g | awk '/Mem:/{print $2}') GiB"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

echo; echo "== 1. thread scaling of one network (threads: $counts)"
for spec in "A 2000 3" "10k 10000 1"; do
  set -- $spec
  "$build/bench/bench_geometry" "/tmp/ricci-bench-$1.h5" --n "$2" --layers 5 --width 50 --k "$fmnist" \
    --repeats "$3" --threads "$counts" --boost 0 --extras 0
done

echo; echo "== 2. node throughput: P concurrent one-thread processes of stack A"
"$build/apps/ricci-query" analyze /tmp/ricci-bench-A.h5 --k "$fmnist" --threads 1 > /dev/null
for p in ${counts//,/ }; do
  start=$(date +%s.%N)
  for i in $(seq "$p"); do
    "$build/apps/ricci-query" analyze /tmp/ricci-bench-A.h5 --k "$fmnist" --threads 1 > /dev/null &
  done
  wait
  end=$(date +%s.%N)
  awk -v p="$p" -v s="$start" -v e="$end" \
    'BEGIN { printf "%2d processes: %.2f s wall, %.2f networks/s\n", p, e - s, p / (e - s) }'
done
start=$(date +%s.%N)
"$build/apps/ricci-query" analyze /tmp/ricci-bench-A.h5 --k "$fmnist" --threads "$cores" > /dev/null
end=$(date +%s.%N)
awk -v c="$cores" -v s="$start" -v e="$end" \
  'BEGIN { printf " 1 process on %d threads: %.2f s wall, %.2f networks/s\n", c, e - s, 1 / (e - s) }'

echo; echo "== 3. projected on ideal threads from one-thread task times (not measured)"
for n in 2000 10000; do
  "$build/bench/bench_threads" --n "$n" --k "$fmnist" --repeats 3 --task-times "/tmp/ricci-tasks-$n.txt" > /dev/null
  python3 bench/project_threads.py "/tmp/ricci-tasks-$n.txt" --threads 1,2,4,8,16,32 --in-flight 1
done

[ "$skip_50k" = "--no-50k" ] && exit 0
echo; echo "== 4. n = 50,000 points, 5 layers x 50, the full grid on $cores threads"
"$build/bench/bench_geometry" /tmp/ricci-bench-50k.h5 --n 50000 --layers 5 --width 50 --k 10 \
  --write-only 1
/usr/bin/time -f "peak resident memory: %M KiB, wall %e s" \
  "$build/apps/ricci-query" analyze /tmp/ricci-bench-50k.h5 --k "$fmnist" --threads "$cores" \
  --format json > /tmp/ricci-bench-50k.json
