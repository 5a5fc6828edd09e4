// Second layer on WebAssembly SIMD: z (n, C) = a (n, N) WT (C, N)^T + b (C), with W2 held transposed so
// each logit is a dot product along contiguous memory: 2 rows x 5 classes of f32x4 partial sums, summed
// across lanes at the end. Compiled only with -msimd128; ref::gemm_nt_bias is its definition.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>

namespace mnist::kernels::wasmsimd {

inline float hsum_f32x4(v128_t v) {
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

// Rows [0, RB) of a and z, classes [0, CB) of WT, b and z (pointers offset to the tile).
template <int RB, int CB>
inline void gemm_nt_bias_tile(int N, int C, const float* a, const float* WT, const float* b, float* z) {
  v128_t acc[RB][CB];
  for (int i = 0; i < RB; ++i)
    for (int c = 0; c < CB; ++c) acc[i][c] = wasm_f32x4_splat(0.0f);
  int j = 0;
  for (; j + 4 <= N; j += 4) {
    v128_t av[RB];
    for (int i = 0; i < RB; ++i) av[i] = wasm_v128_load(a + std::size_t(i) * N + j);
    for (int c = 0; c < CB; ++c) {
      const v128_t w = wasm_v128_load(WT + std::size_t(c) * N + j);
      for (int i = 0; i < RB; ++i) acc[i][c] = wasm_f32x4_add(acc[i][c], wasm_f32x4_mul(av[i], w));
    }
  }
  for (int i = 0; i < RB; ++i)
    for (int c = 0; c < CB; ++c) {
      float s = hsum_f32x4(acc[i][c]);
      for (int t = j; t < N; ++t) s += a[std::size_t(i) * N + t] * WT[std::size_t(c) * N + t];
      z[std::size_t(i) * C + c] = s + b[c];
    }
}

template <int RB>
inline void gemm_nt_bias_rows(int N, int C, const float* a, const float* WT, const float* b, float* z) {
  int c = 0;
  for (; c + 5 <= C; c += 5) gemm_nt_bias_tile<RB, 5>(N, C, a, WT + std::size_t(c) * N, b + c, z + c);
  for (; c < C; ++c) gemm_nt_bias_tile<RB, 1>(N, C, a, WT + std::size_t(c) * N, b + c, z + c);
}

inline void gemm_nt_bias_2x5(int n, int N, int C, const float* a, const float* WT, const float* b, float* z) {
  int r = 0;
  for (; r + 2 <= n; r += 2) gemm_nt_bias_rows<2>(N, C, a + std::size_t(r) * N, WT, b, z + std::size_t(r) * C);
  for (; r < n; ++r) gemm_nt_bias_rows<1>(N, C, a + std::size_t(r) * N, WT, b, z + std::size_t(r) * C);
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
