#!/usr/bin/env bash
# The paper's accuracy table: share of runs above threshold per problem x architecture x depth, 10 seeds.
#   bench/run_accuracy_table.sh [BUILD_DIR] [SEEDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
"$build/bench/bench_train" --problems synthetic-a,synthetic-b,synthetic-c,fmnist-sandal-boot,fmnist-shirt-coat \
  --architectures narrow,wide,bottleneck --depths 5,11 --seeds "${2:-10}" --csv /tmp/ricci-accuracy.csv
