// Weight gradient fused with the SGD step on WebAssembly SIMD: W (M, N) = scale W + A (n, M)^T B (n, N),
// register-blocked 2 rows of W x 16 columns; W is read and written once, the product never stored.
// Rows m whose column A[:, m] is all zero are only scaled. The step uses it for the W2 update (A = -lr dz2,
// dense); the W1 update walks the batch's non-zero pixels instead (spmm_tn_sgd_1x16_wasmsimd.hpp).
// Compiled only with -msimd128; ref::gemm_tn_sgd is its definition.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>

namespace mnist::kernels::wasmsimd {

// Ints of scratch the kernel needs: the list of live rows of W.
constexpr std::size_t gemm_tn_sgd_scratch(int M) { return std::size_t(M); }

// One tile: the MR rows ms[0..MR) of W, columns [0, 4 NV) (B and W offset to column j0). Accumulates
// onto scale W in the reference's order, so the results match it bit for bit.
template <int MR, int NV>
inline void gemm_tn_sgd_tile(int n, int M, int N, const int* ms, const float* A, const float* B, float scale,
                             float* W) {
  const v128_t s = wasm_f32x4_splat(scale);
  v128_t acc[MR][NV];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = wasm_f32x4_mul(wasm_v128_load(W + std::size_t(ms[i]) * N + 4 * v), s);
  for (int r = 0; r < n; ++r) {
    const float* br = B + std::size_t(r) * N;
    v128_t bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = wasm_v128_load(br + 4 * v);
    for (int i = 0; i < MR; ++i) {
      const v128_t as = wasm_v128_load32_splat(A + std::size_t(r) * M + ms[i]);
      for (int v = 0; v < NV; ++v) acc[i][v] = wasm_f32x4_add(acc[i][v], wasm_f32x4_mul(as, bv[v]));
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) wasm_v128_store(W + std::size_t(ms[i]) * N + 4 * v, acc[i][v]);
}

// The rows ms[0..MR) of W along columns [j0, j1): the A values they need stay in cache while the tile walks.
template <int MR, int NV>
inline void gemm_tn_sgd_rows(int n, int M, int N, const int* ms, const float* A, const float* B, float scale,
                             float* W, int j0, int j1) {
  int j = j0;
  for (; j + 4 * NV <= j1; j += 4 * NV) gemm_tn_sgd_tile<MR, NV>(n, M, N, ms, A, B + j, scale, W + j);
  for (; j + 4 <= j1; j += 4) gemm_tn_sgd_tile<MR, 1>(n, M, N, ms, A, B + j, scale, W + j);
  for (; j < j1; ++j)  // the last columns that do not fill a vector, scalar
    for (int i = 0; i < MR; ++i) {
      float w = W[std::size_t(ms[i]) * N + j] * scale;
      for (int r = 0; r < n; ++r) w += A[std::size_t(r) * M + ms[i]] * B[std::size_t(r) * N + j];
      W[std::size_t(ms[i]) * N + j] = w;
    }
}

// scratch: gemm_tn_sgd_scratch(M) ints.
// Only columns [j_begin, j_end) of W are touched (j_end < 0: N), so threads can split W by columns, each
// keeping its part of W in its own cache between the forward pass and this update.
template <int MR, int NV>
inline void gemm_tn_sgd(int n, int M, int N, const float* A, const float* B, float scale, float* W, int* scratch,
                        int j_begin = 0, int j_end = -1) {
  if (j_end < 0) j_end = N;
  int live = 0;
  const v128_t s = wasm_f32x4_splat(scale);
  for (int m = 0; m < M; ++m) {
    bool any = false;
    for (int r = 0; r < n; ++r) any |= A[std::size_t(r) * M + m] != 0.0f;
    if (any) {
      scratch[live++] = m;
    } else if (scale != 1.0f) {  // A^T B is zero on this row: only the decay remains
      float* wm = W + std::size_t(m) * N;
      int j = j_begin;
      for (; j + 4 <= j_end; j += 4) wasm_v128_store(wm + j, wasm_f32x4_mul(wasm_v128_load(wm + j), s));
      for (; j < j_end; ++j) wm[j] *= scale;
    }
  }
  int t = 0;
  for (; t + MR <= live; t += MR) gemm_tn_sgd_rows<MR, NV>(n, M, N, scratch + t, A, B, scale, W, j_begin, j_end);
  for (; t < live; ++t) gemm_tn_sgd_rows<1, NV>(n, M, N, scratch + t, A, B, scale, W, j_begin, j_end);
}

// 2 x 16: the best tile in bench/step_bench.cpp, 4 x 8 close behind.
inline void gemm_tn_sgd_2x16(int n, int M, int N, const float* A, const float* B, float scale, float* W, int* scratch,
                             int j_begin = 0, int j_end = -1) {
  gemm_tn_sgd<2, 4>(n, M, N, A, B, scale, W, scratch, j_begin, j_end);
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
