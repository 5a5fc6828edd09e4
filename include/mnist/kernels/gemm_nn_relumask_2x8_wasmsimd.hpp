// Hidden-layer error on WebAssembly SIMD: g1 (n, N) = (g2 (n, C) WT (C, N)) masked by a1 (n, N) > 0,
// 2 rows x 8 columns of f32x4 accumulators. The ReLU mask is read from a1, so z1 is never stored.
// Compiled only with -msimd128; ref::gemm_nn_relumask is its definition.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>

namespace mnist::kernels::wasmsimd {

// Rows [0, MR), columns [0, 4 NV) (pointers offset to the tile); same order of operations as the reference.
template <int MR, int NV>
inline void gemm_nn_relumask_tile(int C, int N, const float* g2, const float* WT, const float* a1, float* g1) {
  v128_t acc[MR][NV];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = wasm_f32x4_splat(0.0f);
  for (int c = 0; c < C; ++c) {
    v128_t w[NV];
    for (int v = 0; v < NV; ++v) w[v] = wasm_v128_load(WT + std::size_t(c) * N + 4 * v);
    for (int i = 0; i < MR; ++i) {
      const v128_t gs = wasm_v128_load32_splat(g2 + std::size_t(i) * C + c);
      for (int v = 0; v < NV; ++v) acc[i][v] = wasm_f32x4_add(acc[i][v], wasm_f32x4_mul(gs, w[v]));
    }
  }
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) {
      const v128_t live = wasm_f32x4_gt(wasm_v128_load(a1 + std::size_t(i) * N + 4 * v), zero);
      wasm_v128_store(g1 + std::size_t(i) * N + 4 * v, wasm_v128_and(acc[i][v], live));
    }
}

template <int NV>
inline void gemm_nn_relumask_cols(int n, int C, int N, const float* g2, const float* WT, const float* a1, float* g1) {
  int r = 0;
  for (; r + 2 <= n; r += 2)
    gemm_nn_relumask_tile<2, NV>(C, N, g2 + std::size_t(r) * C, WT, a1 + std::size_t(r) * N, g1 + std::size_t(r) * N);
  for (; r < n; ++r)
    gemm_nn_relumask_tile<1, NV>(C, N, g2 + std::size_t(r) * C, WT, a1 + std::size_t(r) * N, g1 + std::size_t(r) * N);
}

// Only columns [j_begin, j_end) of g1 are written (j_end < 0: N), so threads can split the columns.
inline void gemm_nn_relumask_2x8(int n, int C, int N, const float* g2, const float* WT, const float* a1, float* g1,
                                 int j_begin = 0, int j_end = -1) {
  if (j_end < 0) j_end = N;
  int j = j_begin;
  for (; j + 8 <= j_end; j += 8) gemm_nn_relumask_cols<2>(n, C, N, g2, WT + j, a1 + j, g1 + j);
  for (; j + 4 <= j_end; j += 4) gemm_nn_relumask_cols<1>(n, C, N, g2, WT + j, a1 + j, g1 + j);
  for (; j < j_end; ++j)  // the last columns that do not fill a vector, scalar
    for (int r = 0; r < n; ++r) {
      float s = 0;
      for (int c = 0; c < C; ++c) s += g2[std::size_t(r) * C + c] * WT[std::size_t(c) * N + j];
      g1[std::size_t(r) * N + j] = a1[std::size_t(r) * N + j] > 0 ? s : 0.0f;
    }
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
