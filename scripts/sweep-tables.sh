#!/usr/bin/env bash
# Runs the ADC sweeps of docs/sweeps.md ("ADC resolution and sharing") and
# prints their Markdown tables and Pareto fronts, as the page records them:
#
#   scripts/sweep-tables.sh [BUILD_DIR] > tables.md
#
# The sweeps go to runs/adc and runs/adc-fcn (a rerun keeps the points that
# completed with the same configuration; remove the directories to start over
# after the cost model changed: the kept points would still hold the old
# energies). The FCN sweep needs the MNIST files (`aimcsim data mnist
# data/mnist`, docs/data.md); they are made when missing. The figures go to
# runs/adc/plots and runs/adc-fcn/plots when gnuplot is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
exe="$build/sim/aimcsim"
[ -f data/mnist/train-images-idx3-ubyte.gz ] || "$exe" data mnist data/mnist > /dev/null

for sweep in adc:adc-bits-x-sharing adc-fcn:adc-bits-x-sharing-fcn; do
  dir=runs/${sweep%%:*}
  file=configs/sweeps/${sweep#*:}.yaml
  "$exe" sweep "$file" -o "$dir" -j 2 > /dev/null
  if command -v gnuplot > /dev/null; then "$exe" plot "$dir" > /dev/null; fi
  echo "### \`$file\`"
  echo
  "$exe" plot "$dir" --table
  echo
done
