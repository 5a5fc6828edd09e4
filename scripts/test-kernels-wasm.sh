#!/usr/bin/env bash
# Runs the kernel tester (tests/wasm/kernels_check.cpp, no GoogleTest) on the WebAssembly SIMD kernels:
# built with em++ -O2 -msimd128 (and pthreads) for Node and run there; with --native also built and run natively.
# Exits non-zero on any mismatch against the scalar reference. Output goes to build-kernels/.
set -euo pipefail
# Node output as .cjs: package.json says "type": "module" and Emscripten's node output is CommonJS.
cd "$(dirname "$0")/.."
out=build-kernels
mkdir -p "$out"
export NODE_PATH=/usr/share/nodejs  # Debian's emscripten finds acorn there (TOOLCHAIN.md)
flags=(-std=c++17 -Wall -Wextra -Iinclude -isystem /usr/include/eigen3)
# As the CMake option of the same name: npm test sets MNIST_WERROR=ON, so a warning fails it.
case "${MNIST_WERROR:-OFF}" in ON | on | 1 | TRUE | true | YES | yes) flags+=(-Werror) ;; esac

if [[ "${1:-}" == "--native" ]]; then
  g++ "${flags[@]}" -O2 -march=native -fno-math-errno tests/wasm/kernels_check.cpp -o "$out/kernels_check"
  "$out/kernels_check"
fi
# SINGLE_FILE embeds the .wasm: Node 20's fetch cannot load Emscripten 3.1.6's plain file path. Built
# with pthreads (Node's worker threads), so the threaded steps are checked too: the heap is fixed, as
# memory growth with pthreads slows every JS access to it; EXIT_RUNTIME makes main's result the exit code;
# the threads' script (.worker.js) is CommonJS, which package.json's "type" says here.
echo '{ "type": "commonjs" }' >"$out/package.json"
em++ "${flags[@]}" -O2 -msimd128 -pthread -sUSE_PTHREADS=1 -sPTHREAD_POOL_SIZE=2 -sENVIRONMENT=node,worker \
  -sINITIAL_MEMORY=256MB -sEXIT_RUNTIME=1 -sSINGLE_FILE=1 tests/wasm/kernels_check.cpp -o "$out/kernels_check.cjs"
node "$out/kernels_check.cjs"
