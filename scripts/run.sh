#!/usr/bin/env bash
# The README's run command: installs what is needed, builds, and runs the default demo into results/.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DRICCI_NATIVE=ON >/dev/null
cmake --build build/release -j"$jobs" >/dev/null

mkdir -p results
stack=results/demo-activations.h5
# A seeded 5-layer, 1,000-point ReLU activation stack (generated once, never overwritten).
[ -e "$stack" ] || build/release/bench/bench_geometry "$stack" --n 1000 --k 10,30 --repeats 1 >/dev/null
build/release/apps/ricci-query analyze "$stack" --k 6,10,20,50,100,200 --format table
