#!/usr/bin/env bash
# Builds the WebAssembly module three times from the top-level CMakeLists.txt under emcmake: with SIMD in
# build-wasm/, without in build-wasm-nosimd/, and with SIMD and pthreads in build-wasm-threads/, then
# copies the .mjs/.wasm pairs (and the threads' .worker.js, marked for Vite) to web/generated/,
# where the worker imports them (gitignored). Debian's emscripten needs NODE_PATH (see TOOLCHAIN.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs

# MNIST_WERROR=ON|OFF in the environment sets the CMake option (warnings are errors; npm test turns it on);
# unset, a build directory keeps what it was configured with (OFF at first), so nothing is rebuilt for it.
build() {  # build <dir> <simd ON|OFF> <threads ON|OFF>
  if [ ! -f "$1/CMakeCache.txt" ] || [ -n "${MNIST_WERROR:-}" ]; then
    emcmake cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=Release -DMNIST_WASM_SIMD="$2" -DMNIST_WASM_THREADS="$3" \
      ${MNIST_WERROR:+-DMNIST_WERROR="$MNIST_WERROR"} >/dev/null
  fi
  cmake --build "$1" --target mnist_wasm -j "$(nproc)"
}
build build-wasm ON OFF
build build-wasm-nosimd OFF OFF
build build-wasm-threads ON ON

# The threads' worker imports the module from a URL the main thread may pass at run time
# (import(e.data.urlOrBlob)); Vite's dev server cannot resolve it and warns. Mark that one call
# /* @vite-ignore */ (its static fallback, import("./mnist_threads.mjs"), stays analysed), and stop if
# Emscripten's output no longer has it exactly once.
worker=build-wasm-threads/mnist_threads.worker.js
vite_worker=build-wasm-threads/vite/mnist_threads.worker.js
if [ "$(grep -o -F 'import(e.data.urlOrBlob)' "$worker" | wc -l)" != 1 ]; then
  echo "build-wasm: expected one import(e.data.urlOrBlob) in $worker (Emscripten changed?)" >&2
  exit 1
fi
mkdir -p "$(dirname "$vite_worker")"
sed 's|import(e\.data\.urlOrBlob)|import(/* @vite-ignore */ e.data.urlOrBlob)|' "$worker" >"$vite_worker"

mkdir -p web/generated
for f in build-wasm/mnist_simd.mjs build-wasm/mnist_simd.wasm \
         build-wasm-nosimd/mnist_nosimd.mjs build-wasm-nosimd/mnist_nosimd.wasm \
         build-wasm-threads/mnist_threads.mjs build-wasm-threads/mnist_threads.wasm "$vite_worker"; do
  cmp -s "$f" "web/generated/$(basename "$f")" || cp "$f" web/generated/
done
