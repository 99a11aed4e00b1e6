#!/usr/bin/env bash
# The README's test command: installs what is needed, builds the Release tree and an
# AddressSanitizer + UBSan tree, runs the whole ctest suite in both, and ends with a 30-second
# libFuzzer smoke run of every parser (clang-14 tree build/fuzz; docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-deps.sh
# SLURM for the sbatch test; where it cannot be installed, that test reports SKIPPED with the reason.
scripts/install-deps.sh slurmctld slurmd slurm-client munge || echo "test.sh: SLURM packages unavailable; the SLURM test will be skipped"
# R and igraph for the check of the baptista-r emulation against the reference code's own lines in R
# (tests/oracle/test_r_reference.py); where they cannot be installed, that test reports SKIPPED.
scripts/install-deps.sh r-base-core r-cran-igraph || echo "test.sh: R packages unavailable; the R check will be skipped"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "== Release build"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DRICCI_NATIVE=ON >/dev/null
cmake --build build/release -j"$jobs"
(cd build/release && ctest --output-on-failure -j"$jobs")

echo "== AddressSanitizer + UBSan build"
cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
      -DRICCI_SANITIZE=ON -DRICCI_BUILD_BENCH=OFF >/dev/null
cmake --build build/sanitize -j"$jobs"
# Open MPI's own allocations are not ours to police; our leaks show up in the non-MPI tests.
# The sanitizer tree skips SLURM and the long kill/resume sweeps (Release runs both) to keep CI short.
(cd build/sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j"$jobs" -LE "slurm|long")

echo "== libFuzzer smoke run (clang-14, ASan + UBSan)"
# 30 s per harness, as many at once as there are cores; a crash, leak, timeout or OOM fails CI.
scripts/fuzz.sh 30
