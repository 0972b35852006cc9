#!/usr/bin/env bash
# Reproduces the least-squares experiments of Wu et al. 2024 (Fig. 1, 3, 4 and
# Tiki-Taka on the same problems) with aimcsim and prints Markdown tables of the
# asymptotic errors (mean of f - f* over the last 20 steps, as the authors
# compute it). Usage: scripts/reproduce-least-squares.sh [BUILD_DIR] > table.md
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
exe="$build/sim/aimcsim"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cfg=configs/experiments

error_of() { grep '^asymptotic error' "$1/summary.txt" | awk '{print $3}'; }
run() { local dir="$out/$1"; shift; "$exe" run "$@" --quiet --force -o "$dir" > /dev/null; error_of "$dir"; }

echo "### Fig. 1: Digital vs Analog SGD, tau = 3 (asymptotic f - f*)"
echo
echo "| alpha | Digital SGD | Analog SGD | ratio |"
echo "|---|---|---|---|"
for lr in 0.2 0.1 0.05 0.03; do
  d=$(run "f1d$lr" $cfg/ls-fig1.yaml -p experiment.algorithm=digital_sgd -p experiment.lr=$lr)
  a=$(run "f1a$lr" $cfg/ls-fig1.yaml -p experiment.algorithm=analog_sgd -p experiment.lr=$lr)
  echo "| $lr | $d | $a | $(awk -v a="$a" -v d="$d" 'BEGIN{printf "%.2f", a/d}') |"
done
echo
echo "### Fig. 3: the discrete-time model against the pulse level (asymptotic f - f*)"
echo
echo "| tau | states | expected model | pulse level | pulse / model |"
echo "|---|---|---|---|---|"
for tau in 1 1.5 2 2.5; do
  for dw in paper fine; do
    if [ $dw = paper ]; then step=$(awk -v t=$tau 'BEGIN{printf "%.17g", t/300}'); states=600; else step=0.0001; states=$(awk -v t=$tau 'BEGIN{printf "%d", 2*t/0.0001}'); fi
    common="$cfg/ls-fig3.yaml -p device.w_max=$tau -p device.w_min=-$tau -p device.dw_min=$step"
    e=$(run "f3e$tau$dw" $common -p update.pulse_type=expected)
    p=$(run "f3p$tau$dw" $common)
    echo "| $tau | $states | $e | $p | $(awk -v a="$p" -v d="$e" 'BEGIN{printf "%.3f", a/d}') |"
  done
done
echo
echo "### Fig. 4 (left): the floor falls as tau grows (alpha 0.1, sigma^2 0.1)"
echo
echo "| tau | Analog SGD | Digital SGD |"
echo "|---|---|---|"
d=$(run f4d $cfg/ls-fig4.yaml -p experiment.algorithm=digital_sgd)
for tau in 2 3 5 10 20 50; do
  a=$(run "f4t$tau" $cfg/ls-fig4.yaml -p device.w_max=$tau -p device.w_min=-$tau)
  echo "| $tau | $a | $d |"
done
echo
echo "### Fig. 4 (middle): the floor rises with sigma^2 (tau 2, alpha 0.1)"
echo
echo "| sigma^2 | Analog SGD | Digital SGD |"
echo "|---|---|---|"
for s2 in 0.001 0.01 0.1 1; do
  s=$(awk -v v=$s2 'BEGIN{printf "%.17g", sqrt(v)}')
  a=$(run "f4s$s2" $cfg/ls-fig4.yaml -p least_squares.sigma_g=$s)
  dd=$(run "f4sd$s2" $cfg/ls-fig4.yaml -p least_squares.sigma_g=$s -p experiment.algorithm=digital_sgd)
  echo "| $s2 | $a | $dd |"
done
echo
echo "### Fig. 4 (right): the floor does not depend on W0 (tau 2, alpha 0.1, 400 steps)"
echo
echo "| W0 | Analog SGD |"
echo "|---|---|"
for w0 in -1.5 -0.5 0 0.5 1.5; do
  echo "| $w0 | $(run "f4w$w0" $cfg/ls-fig4.yaml -p least_squares.w0=$w0) |"
done
echo
echo "### Tiki-Taka on the Fig. 4 problem: no floor (tau 2, sigma^2 0.1; steps 20/alpha)"
echo
echo "| alpha | Digital SGD | Analog SGD | Tiki-Taka |"
echo "|---|---|---|---|"
tt="-p experiment.algorithm=tiki_taka -p tiki_taka.fast_lr=0.1 -p tiki_taka.n_reads_per_transfer=50 -p fast_device.preset=ald -p fast_device.w_max=2 -p fast_device.w_min=-2 -p fast_device.dw_min=0.0001 -p fast_update.desired_bl=5000 -p transfer_forward.preset=perfect"
for lr in 0.02 0.01 0.005 0.0025; do
  steps=$(awk -v a=$lr 'BEGIN{printf "%d", 20/a}')
  d=$(run "ttd$lr" $cfg/ls-fig4.yaml -p experiment.algorithm=digital_sgd -p experiment.lr=$lr -p experiment.steps=$steps)
  a=$(run "tta$lr" $cfg/ls-fig4.yaml -p experiment.lr=$lr -p experiment.steps=$steps)
  t=$(run "ttt$lr" $cfg/ls-fig4.yaml $tt -p experiment.lr=$lr -p experiment.steps=$steps)
  echo "| $lr | $d | $a | $t |"
done
