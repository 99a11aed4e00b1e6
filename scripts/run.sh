#!/usr/bin/env bash
# The README's run command: installs what is needed, builds, runs jobs/quick.ini with mpirun on all
# cores into results/quick.h5, prints the summary and the accuracy association, and draws the figures
# into results/quick-figures/. Running it again continues (--resume) the same file; it never
# overwrites results.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DRICCI_NATIVE=ON >/dev/null
cmake --build build/release -j"$jobs" >/dev/null

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p results
# One rank per core does the work; rank 0 only dispatches and sleeps between messages, so it runs
# on top of them (--oversubscribe).
status=0
mpirun -np $((jobs + 1)) --oversubscribe build/release/apps/ricci-sweep \
  --job jobs/quick.ini --out results/quick.h5 --resume || status=$?
build/release/apps/ricci-query summary results/quick.h5
echo
build/release/apps/ricci-query association results/quick.h5 || true
echo
/usr/bin/python3 tools/plot_results.py results/quick.h5 results/quick-figures --query build/release/apps/ricci-query
exit $status
