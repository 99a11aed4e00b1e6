#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/, -DRICCI_FUZZ=ON with clang-14, ASan + UBSan) in
# build/fuzz and fuzzes each for SECONDS (default 30) on a copy of its seed corpus; exits non-zero
# if any harness finds a crash, a leak, a timeout or an out-of-memory input. docs/fuzzing.md has
# the figures and the findings.
#
#   scripts/fuzz.sh [SECONDS] [HARNESS...]
#
# Environment: FUZZ_JOBS harnesses at once (default: the number of cores); FUZZ_ALL=1 also fuzzes
# the harnesses listed in `seeds_only` below (they find a known defect within seconds);
# FUZZ_ARGS extra libFuzzer flags (e.g. -runs=10000000 to count executions instead of seconds).
# Findings are left in build/fuzz/findings/<harness>/ with libFuzzer's log.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
jobs=${FUZZ_JOBS:-$(nproc)}

# Harnesses that crash within seconds on a known, open defect of issue 11 and are therefore only
# replayed on their seeds here (which must still pass), so the smoke run stays a test of the
# others. Remove an entry once its defect is fixed.
declare -A seeds_only=(
  # A mutated HDF5 file whose metadata carry no checksums (user activation files, results files of
  # schema versions 1-2) can crash libhdf5 1.10.8 itself: a heap overflow in H5Aexists, a SEGV in
  # H5Lexists, a 2^64-byte malloc in H5HL_protect (docs/fuzzing.md). Our code cannot stop that; files
  # of schema 3 are checksummed, so accidental corruption is caught. A smoke run that meets one of
  # these within 30 s would fail CI by chance, so these two replay their seeds here.
  [fuzz_activations]="libhdf5 on unchecksummed metadata"
  [fuzz_results]="libhdf5 on unchecksummed metadata"
)

harnesses=(fuzz_job_file fuzz_cli_lists fuzz_idx fuzz_csv fuzz_activations fuzz_results)
[ $# -eq 0 ] || harnesses=("$@")

echo "== fuzz: clang-14 build (build/fuzz)"
CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S . -B build/fuzz -DRICCI_FUZZ=ON \
  -DRICCI_BUILD_TESTS=OFF -DRICCI_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz -j"$(nproc)" --target ricci_fuzzers

work=$(pwd)/build/fuzz/run
rm -rf "$work"
mkdir -p "$work" build/fuzz/findings
# Leaks are findings; Open MPI is not involved (the harnesses never start it). UBSan aborts.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  local h=$1 corpus=$work/$1/corpus findings=build/fuzz/findings/$1/
  mkdir -p "$corpus" "$findings" "$work/$1/tmp"
  cp tests/fuzz/corpus/"$h"/* "$corpus"/
  local args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
              -artifact_prefix="$findings")
  if [ -n "${seeds_only[$h]:-}" ] && [ "${FUZZ_ALL:-0}" != 1 ]; then
    args=(-runs=0 -artifact_prefix="$findings")
    echo "fuzz: $h replays its seeds only (${seeds_only[$h]}, see docs/fuzzing.md)"
  fi
  # The HDF5 harnesses need whole allocation stacks (libhdf5 has no frame pointers) for the
  # suppressions of libhdf5's own leaks to match (tests/fuzz/lsan.supp).
  local asan=$ASAN_OPTIONS
  case $h in
    fuzz_activations | fuzz_results) asan=$asan:fast_unwind_on_malloc=0 ;;
  esac
  # The loaders take paths: each harness writes its inputs under its own TMPDIR.
  TMPDIR=$work/$1/tmp ASAN_OPTIONS=$asan LSAN_OPTIONS=suppressions=$(pwd)/tests/fuzz/lsan.supp \
    build/fuzz/tests/fuzz/"$h" "${args[@]}" ${FUZZ_ARGS:-} "$corpus" >"$work/$h.log" 2>&1
}

pids=() names=()
status=0
for h in "${harnesses[@]}"; do
  run_one "$h" &
  pids+=($!) names+=("$h")
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
done
for i in "${!pids[@]}"; do
  h=${names[$i]}
  if wait "${pids[$i]}"; then result=ok; else result=FAILED status=1; fi
  cp "$work/$h.log" build/fuzz/findings/"$h"/fuzz.log
  stats=$(grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$work/$h.log" |
          sed 's/^stat:://' | tr '\n' ' ' || true)
  echo "fuzz: $h $result ${stats}"
  if [ "$result" != ok ]; then
    grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY|Test unit written' \
      "$work/$h.log" | head -8 || true
  fi
done
exit $status
