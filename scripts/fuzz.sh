#!/usr/bin/env bash
# Builds the libFuzzer harnesses (CMake preset `fuzz`: clang, AddressSanitizer,
# UndefinedBehaviorSanitizer) and runs one of them for a while:
#
#   scripts/fuzz.sh NAME [SECONDS] [-- LIBFUZZER_OPTION...]
#
# NAME is a harness of testbench/fuzz (config, idx); SECONDS defaults to 60.
# The seed corpus testbench/fuzz/corpus/NAME (plus, for config, the YAML files
# of configs/ and testbench/config/, and for both the broken inputs of
# testbench/broken/) is only read: inputs that reach new code are written to
# build/fuzz-work/NAME/corpus, which later runs start from, and a crash to
# build/fuzz-work/NAME/crash-<sha1> (a hang: timeout-<sha1>). The exit status
# is libFuzzer's: 0 when the time ran out without a finding.
#
# A crash, step by step (docs/reliability.md, "Fuzzing"):
#   build/fuzz/testbench/fuzz/fuzz_NAME CRASH          # run it once, with the report
#   build/fuzz/testbench/fuzz/fuzz_NAME -minimize_crash=1 -max_total_time=60 \
#       -exact_artifact_path=build/fuzz-work/NAME/minimized CRASH
# then fix the code, add the minimised input as a GoogleTest regression
# (expecting its specific error) and copy it into testbench/fuzz/corpus/NAME.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/fuzz.sh NAME [SECONDS] [-- LIBFUZZER_OPTION...]" >&2
  echo "  NAME: $(ls testbench/fuzz/corpus | tr '\n' ' ')" >&2
  exit 2
}
[ $# -ge 1 ] || usage
name=$1
shift
seconds=60
if [ $# -ge 1 ] && [ "$1" != "--" ]; then
  seconds=$1
  shift
fi
if [ $# -ge 1 ]; then
  [ "$1" = "--" ] || usage
  shift
fi
case $seconds in '' | *[!0-9]*) usage ;; esac
[ -d "testbench/fuzz/corpus/$name" ] || usage

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"

work=build/fuzz-work/$name
mkdir -p "$work/corpus"
seeds=("testbench/fuzz/corpus/$name")
case $name in
  config) seeds+=(configs testbench/config testbench/broken/config) ;;
  idx) seeds+=(testbench/broken/idx) ;;
esac
options=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1 -artifact_prefix="$work/")
if [ -f "testbench/fuzz/$name.dict" ]; then options+=(-dict="testbench/fuzz/$name.dict"); fi

existing=()
for dir in "${seeds[@]}"; do [ -d "$dir" ] && existing+=("$dir"); done
echo "fuzz.sh: fuzz_$name for ${seconds}s; new inputs in $work/corpus"
exec "build/fuzz/testbench/fuzz/fuzz_$name" "${options[@]}" "$@" "$work/corpus" "${existing[@]}"
