#!/usr/bin/env bash
# `npm test`: installs what is missing, builds, and runs every test: native GoogleTest through ctest (plain and
# sanitized), brief fuzzing, the WebAssembly module in Node, and the page in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh all
# Every build below treats warnings as errors (the CMake option MNIST_WERROR, and the hand-written em++ line):
# a new warning in the project's code fails the run. npm start and npm run build do not set it: a fresh build
# directory has it off, one configured here keeps it (the scripts pass it only when set, saving a rebuild).
export MNIST_WERROR=ON

echo "== native build and ctest"
scripts/build-native.sh
(cd build-native && ctest --output-on-failure -j "$(nproc)")
echo "== native tests again under AddressSanitizer and UndefinedBehaviorSanitizer"
scripts/test-sanitized.sh
echo "== fuzzing the IDX parser, the model loader and the digit preprocessing (ASan + UBSan), 20 s each"
scripts/fuzz.sh 20
echo "== the WebAssembly SIMD kernels against their scalar references, in Node"
scripts/test-kernels-wasm.sh

echo "== WebAssembly build (SIMD and scalar) into build-wasm/ and build-wasm-nosimd/"
scripts/build-wasm.sh
echo "== embedded data (the subset and the full set: the presets and the bench train on the full set)"
node scripts/build-data.mjs
echo "== typecheck"
node_modules/.bin/tsc -p .
echo "== vitest in Node: the WebAssembly module"
node_modules/.bin/vitest run --config vitest.config.ts
echo "== browser tests: the whole page in headless Chromium"
node_modules/.bin/vitest run --config vitest.browser.config.ts
