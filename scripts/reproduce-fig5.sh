#!/usr/bin/env bash
# Reproduces the Fig. 5 table of Wu et al. 2024 for one network: Digital SGD,
# Analog SGD and Tiki-Taka at three values of tau, several seeds, with the test
# accuracy computed as the authors do (the mean over seeds of the test accuracy,
# averaged over the last 5 epochs; +- the std over seeds averaged the same way),
# plus energy and simulated time per training sample by phase and the wall time.
# Usage: scripts/reproduce-fig5.sh fcn|cnn [EPOCHS] [SEEDS] [JOBS] > table.md
# Environment:
#   CONFIG=FILE   the network's config (default configs/experiments/NET.yaml, the
#                 authors' settings; NET-aimcsim.yaml is aimcsim's own mapping)
#   DATA=NAME     the IDX set under data/ (default mnist: `aimcsim data mnist
#                 data/mnist`; fashion-mnist: `aimcsim data fashion-mnist
#                 data/fashion-mnist`, the size of the authors' MNIST)
#   TAUS="0.6"    the taus to run (default the paper's: FCN 0.7 0.78 0.8, CNN 0.6 0.7 0.8)
#   AIMCSIM=PATH  another build (a long reproduction keeps its binary while the tree is rebuilt)
# A config whose device.construction_seed is 10 follows the authors' scripts,
# which fix the device draw at 10 for SGD and at 123 for Tiki-Taka.
# Runs go to runs/fig5-NET[-VARIANT][-DATA]-eEPOCHS/ALGORITHM-TAU-SEED and checkpoint every epoch:
# rerunning the script after an interruption (Ctrl-C, a reboot) skips the runs
# that finished and resumes the others from their last epoch, bit-identical to
# runs never stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
net=${1:?fcn or cnn}
epochs=${2:-80}
seeds=${3:-3}
jobs=${4:-2}
exe=${AIMCSIM:-build/release/sim/aimcsim} # AIMCSIM=PATH runs another build
config=${CONFIG:-configs/experiments/$net.yaml}
data=${DATA:-mnist}
variant=$(basename "$config" .yaml)
variant=${variant#"$net"}
out=runs/fig5-$net$variant$([ "$data" = mnist ] || echo "-$data")-e$epochs
mkdir -p "$out"
if [ "$net" = fcn ]; then taus="0.7 0.78 0.8"; else taus="0.6 0.7 0.8"; fi
taus=${TAUS:-$taus}
authors_seeds=0
"$exe" config --dump "$config" | grep -A200 '^device:' | grep -m1 '^  construction_seed:' | grep -q ' 10$' &&
  authors_seeds=1

commands=()
for seed in $(seq 1 "$seeds"); do
  commands+=("digital_sgd 0 $seed")
  for tau in $taus; do
    commands+=("analog_sgd $tau $seed" "tiki_taka $tau $seed")
  done
done
run_one() {
  local algorithm=$1 tau=$2 seed=$3 dir="$out/$1-$2-$3"
  [ -f "$dir/wall_seconds" ] && return 0 # written once a run has completed
  if [ -f "$dir/checkpoint.bin" ]; then
    "$exe" run --resume "$dir" --quiet --threads 1 > /dev/null || return $?
  else
    local device=()
    # Digital SGD (tau 0 in the table) keeps the config's device, which it does not use.
    [ "$tau" != 0 ] && device=(-p device.w_max="$tau" -p device.w_min=-"$tau" -p fast_device.w_max="$tau" -p fast_device.w_min=-"$tau")
    [ "$algorithm" = tiki_taka ] && [ "$authors_seeds" = 1 ] &&
      device+=(-p device.construction_seed=123 -p fast_device.construction_seed=123)
    "$exe" run "$config" --quiet --force --threads 1 --seed "$seed" -o "$dir" \
      --checkpoint-every 1epochs -p experiment.algorithm="$algorithm" -p experiment.epochs="$epochs" "${device[@]}" \
      -p data.train_images="data/$data/train-images-idx3-ubyte.gz" -p data.train_labels="data/$data/train-labels-idx1-ubyte.gz" \
      -p data.test_images="data/$data/t10k-images-idx3-ubyte.gz" -p data.test_labels="data/$data/t10k-labels-idx1-ubyte.gz" \
      > /dev/null || return $?
  fi
  # The wall time of the whole run (result.json's wall_s continues across resumes).
  python3 -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["wall_s"]))' "$dir/result.json" > "$dir/wall_seconds"
}
export -f run_one
export out net epochs exe config data authors_seeds
printf '%s\n' "${commands[@]}" | xargs -P "$jobs" -L 1 bash -c 'run_one "$@" || exit 255' _

python3 - "$out" "$net" "$taus" "$seeds" "$epochs" <<'PY'
import csv, statistics, sys, os
out, net, taus, seeds, epochs = sys.argv[1], sys.argv[2], sys.argv[3].split(), int(sys.argv[4]), int(sys.argv[5])
def accuracies(alg, tau, seed):
    rows = list(csv.DictReader(open(f"{out}/{alg}-{tau}-{seed}/metrics.csv")))
    return [float(r["test_accuracy"]) * 100 for r in rows]
def summary_value(alg, tau, seed, label):
    for line in open(f"{out}/{alg}-{tau}-{seed}/summary.txt"):
        if line.strip().startswith(label):
            return float(line.split()[1])
    return float("nan")
def cell(alg, tau):
    runs = [accuracies(alg, tau, s) for s in range(1, seeds + 1)]
    last = min(len(r) for r in runs)
    means, stds = [], []
    for e in range(max(0, last - 5), last):
        values = [r[e] for r in runs]
        means.append(statistics.mean(values))
        stds.append(statistics.stdev(values) if len(values) > 1 else 0.0)
    return f"{statistics.mean(means):.2f} +- {statistics.mean(stds):.2f}"
def cost(alg, tau):
    d = f"{out}/{alg}-{tau}-1"
    text = open(f"{d}/summary.txt").read().splitlines()
    get = lambda key: next((l for l in text if l.strip().startswith(key)), "")
    energy = get("energy").split()
    per_sample = energy[4] if len(energy) > 4 else "n/a"
    time_line = get("simulated time").split()
    latency = time_line[5] if len(time_line) > 5 else "n/a"
    phases = []
    for phase in ("forward", "backward", "update", "transfer", "digital"):
        parts = [l for l in text if l.strip().startswith(phase) and "J per" in l]
        if parts: phases.append(f"{phase[0]} {float(parts[0].split()[1]):.3g}")
    wall = open(f"{d}/wall_seconds").read().strip()
    return per_sample, latency, ", ".join(phases), wall
print(f"| {net.upper()} | " + " | ".join(f"tau = {t}" for t in taus) + " |")
print("|---|" + "---|" * len(taus))
print("| Digital SGD | " + cell("digital_sgd", "0") + " |" + " |" * (len(taus) - 1))
for alg, name in (("analog_sgd", "Analog SGD"), ("tiki_taka", "Tiki-Taka")):
    print(f"| {name} | " + " | ".join(cell(alg, t) for t in taus) + " |")
print()
print("| run (seed 1) | energy per sample [J] | latency per sample [s] | energy per sample by phase [J] | wall [s] |")
print("|---|---|---|---|---|")
for alg in ("analog_sgd", "tiki_taka"):
    for t in taus:
        e, l, p, w = cost(alg, t)
        print(f"| {alg} tau {t} | {e} | {l} | {p} | {w} |")
print(f"| digital_sgd | n/a | n/a | n/a | {open(f'{out}/digital_sgd-0-1/wall_seconds').read().strip()} |")
PY
