#!/usr/bin/env bash
# Installs the Debian 12 packages aimcsim needs to build, test and run, skipping
# those already present. Uses sudo when not run as root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libsystemc-dev libyaml-dev zlib1g-dev librandom123-dev libopenblas-dev
  libgtest-dev libbenchmark-dev libcjson-dev libopenmpi-dev openmpi-bin
  dataset-fashion-mnist gtkwave gnuplot-nox
  valgrind
  # The fuzz preset: clang, its libFuzzer and sanitizer runtimes, its OpenMP.
  clang libclang-rt-14-dev libomp-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
