// Bias step on WebAssembly SIMD: b (N) += sum over the n rows of G (n, N), four columns at a time.
// Compiled only with -msimd128; ref::colsum_add is its definition (same order of additions).
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>

namespace mnist::kernels::wasmsimd {

// Only columns [j_begin, j_end) of b are updated (j_end < 0: N), so threads can split the columns.
inline void colsum_add(int n, int N, const float* G, float* b, int j_begin = 0, int j_end = -1) {
  if (j_end < 0) j_end = N;
  int j = j_begin;
  for (; j + 4 <= j_end; j += 4) {
    v128_t s = wasm_v128_load(b + j);
    for (int r = 0; r < n; ++r) s = wasm_f32x4_add(s, wasm_v128_load(G + std::size_t(r) * N + j));
    wasm_v128_store(b + j, s);
  }
  for (; j < j_end; ++j)
    for (int r = 0; r < n; ++r) b[j] += G[std::size_t(r) * N + j];
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
