#!/usr/bin/env bash
# Training benchmark, one run: seconds per epoch and test accuracy on fmnist-sandal-boot, 784 -> 50 x 5 -> 1,
# batch 32, RMSprop, raw pixels, one thread, ricci-sweep's Eigen trainer next to PyTorch on CPU.
#   bench/run_training.sh [BUILD_DIR] [SEEDS] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
seeds=${2:-5}
epochs=${3:-50}
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; one thread each"
"$build/bench/bench_train" --problems fmnist-sandal-boot --architectures wide --depths 5 --seeds "$seeds" --epochs "$epochs"
OMP_NUM_THREADS=1 /usr/bin/python3 bench/peer_train_torch.py --problem fmnist-sandal-boot --depth 5 --seeds "$seeds" --epochs "$epochs"
