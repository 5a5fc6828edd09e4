// Bias step on WebAssembly SIMD: b (N) += sum over the n rows of G (n, N), four columns at a time.
// Compiled only with -msimd128; ref::colsum_add is its definition (same order of additions).
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>

namespace mnist::kernels::wasmsimd {

inline void colsum_add(int n, int N, const float* G, float* b) {
  int j = 0;
  for (; j + 4 <= N; j += 4) {
    v128_t s = wasm_v128_load(b + j);
    for (int r = 0; r < n; ++r) s = wasm_f32x4_add(s, wasm_v128_load(G + std::size_t(r) * N + j));
    wasm_v128_store(b + j, s);
  }
  for (; j < N; ++j)
    for (int r = 0; r < n; ++r) b[j] += G[std::size_t(r) * N + j];
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
