#!/usr/bin/env bash
# Builds the WebAssembly module twice from the top-level CMakeLists.txt under emcmake: with SIMD in
# build-wasm/ and without in build-wasm-nosimd/, then copies the .mjs/.wasm pairs to web/generated/,
# where the worker imports them (gitignored). Debian's emscripten needs NODE_PATH (see TOOLCHAIN.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs

build() {  # build <dir> <simd ON|OFF>
  if [ ! -f "$1/CMakeCache.txt" ]; then
    emcmake cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=Release -DMNIST_WASM_SIMD="$2" >/dev/null
  fi
  cmake --build "$1" --target mnist_wasm -j "$(nproc)"
}
build build-wasm ON
build build-wasm-nosimd OFF

mkdir -p web/generated
for f in build-wasm/mnist_simd.mjs build-wasm/mnist_simd.wasm \
         build-wasm-nosimd/mnist_nosimd.mjs build-wasm-nosimd/mnist_nosimd.wasm; do
  cmp -s "$f" "web/generated/$(basename "$f")" || cp "$f" web/generated/
done
