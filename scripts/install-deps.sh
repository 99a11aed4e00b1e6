#!/usr/bin/env bash
# Installs the Debian 12 packages ricci-sweep builds, tests and runs with. Skips apt entirely when
# everything is already installed. Extra package names may be passed as arguments.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools
  libeigen3-dev libboost-graph-dev libboost-program-options-dev libboost-dev
  catch2 nlohmann-json3-dev zlib1g-dev libssl-dev
  python3-h5py python3-numpy python3-scipy python3-matplotlib python3-pot dataset-fashion-mnist
  python3-dev pybind11-dev python3-pybind11 python3-pytest python3-torch
  clang-14 libclang-rt-14-dev libomp-14-dev
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
