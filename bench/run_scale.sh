#!/usr/bin/env bash
# A results file of 100,000 runs (issue 15's scale check), one run, nothing else on the machine:
#   1. creation: the time from start until the sweep's first line (the file exists, every dataset
#      allocated), and the size, without and with per-run activation groups;
#   2. filling: 100,000 tiny runs (a 64-point CSV problem, 0 epochs, depth 2, k = 5) on WORKERS workers,
#      runs per second; with activations only the first FILL_SECONDS, then a clean stop;
#   3. querying the full file: wall time and peak memory of ricci-query summary, validate, runs and
#      status (GNU time).
#   bench/run_scale.sh [BUILD_DIR] [WORKERS] [RUNS]      (defaults: build/release, 2, 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build/release}")
workers=${2:-2}
runs=${3:-100000}
fill_seconds=${FILL_SECONDS:-60}
work=${BENCH_WORK:-/tmp/ricci-bench-scale}
sweep="$build/apps/ricci-sweep" query="$build/apps/ricci-query"
mkdir -p "$work"
cd "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - <<'PY'
import numpy as np
rng = np.random.default_rng(0)
x = rng.normal(size=(64, 3))
with open("tiny.csv", "w") as f:
    f.write("a,b,c,label\n")
    for row, label in zip(x, (x[:, 0] > 0).astype(int)):
        f.write("%.6f,%.6f,%.6f,%d\n" % (row[0], row[1], row[2], label))
PY
for activations in false true; do
  cat > "scale-$activations.ini" <<EOF
[sweep]
name = scale
problems = csv:tiny.csv
architectures = narrow
depths = 2
seeds = 0-$((runs - 1))
[train]
epochs = 0
[geometry]
k = 5
[output]
store_activations = $activations
store_nodes = false
EOF
done

seconds_since() { printf "%.2f" "$(echo "$(date +%s.%N) - $1" | bc)"; }

for activations in false true; do
  out="scale-$activations.h5"
  rm -f "$out" "$out.lock" "$out".*
  log="scale-$activations.log"
  start=$(date +%s.%N)
  mpirun -np $((workers + 1)) "$sweep" --job "scale-$activations.ini" --out "$out" --progress-seconds 30 >"$log" 2>&1 &
  pid=$!
  until [ -s "$log" ] || ! kill -0 $pid 2>/dev/null; do sleep 0.2; done
  created=$(seconds_since "$start")
  echo; echo "== store_activations = $activations: created in ${created} s, $(du -h --apparent-size "$out" | cut -f1) ($(du -h "$out" | cut -f1) on disk)"
  if [ "$activations" = true ]; then
    sleep "$fill_seconds"
    kill -TERM $pid
  fi
  wait $pid || true
  total=$(seconds_since "$start")
  /usr/bin/python3 - "$out" "$created" "$total" <<'PY'
import sys, h5py
path, created, total = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
with h5py.File(path, "r") as f:
    done = int((f["runs/status"][()] == 1).sum())
print(f"filled {done} runs in {total - created:.0f} s after creation: {done / (total - created):.0f} runs/s")
PY
  echo "size now: $(du -h --apparent-size "$out" | cut -f1)"
  for command in summary validate "runs --where status=done" status; do
    [ "$command" = status ] && ! "$query" status --help >/dev/null 2>&1 && continue
    /usr/bin/time -f "%e s, %M KiB peak" -o time.txt "$query" $command "$out" >/dev/null 2>&1 || true
    printf "  ricci-query %-26s %s\n" "$command" "$(cat time.txt)"
  done
done
