// Fused first layer on WebAssembly SIMD: a (n, N) = relu(x (n, K) W (K, N) + b (N)), register-blocked
// 4 rows x 8 columns of f32x4 accumulators, walking W (row-major, as Params holds it) down K. A row tile
// walks only the k where one of its x is non-zero (MNIST: ~39% of k for 4 images), listed once per call.
// Compiled only with -msimd128; ref::gemm_nn_bias_relu is its definition.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>

namespace mnist::kernels::wasmsimd {

// Ints of scratch the kernel needs: one list of k (count first) per row tile of a block of rows.
constexpr std::size_t gemm_nn_bias_relu_scratch(int n, int K, int MR = 4) {
  return std::size_t((n < 64 ? n : 64) / MR + MR) * std::size_t(K + 1);
}

// Lists, for each row tile (MR rows, then the n % MR rows one by one), the k with a non-zero x in the
// tile: list = {count, k...}. Branch-free; skipping x == 0 leaves the sums as they are (x w = 0 for
// finite w), so results match the reference but for the sign of a zero.
template <int MR>
inline void list_active_k(int n, int K, const float* x, int* lists) {
  int r = 0;
  for (int* list = lists; r < n; list += K + 1) {
    const int rows = r + MR <= n ? MR : 1;
    int count = 0;
    for (int k = 0; k < K; ++k) {
      bool live = false;
      for (int i = 0; i < rows; ++i) live |= x[std::size_t(r + i) * K + k] != 0.0f;
      list[1 + count] = k;
      count += live;
    }
    list[0] = count;
    r += rows;
  }
}

// One tile: rows [0, MR) of x, columns [0, 4 NV) of W, b and a (pointers already offset to the tile),
// over the listed k. Mul then add in k order from b, as the reference.
template <int MR, int NV>
inline void gemm_nn_bias_relu_tile(int K, int N, const float* x, const float* W, const float* b, float* a,
                                   const int* list) {
  v128_t acc[MR][NV];
  for (int v = 0; v < NV; ++v) {
    const v128_t bv = wasm_v128_load(b + 4 * v);
    for (int i = 0; i < MR; ++i) acc[i][v] = bv;
  }
  const int count = list[0];
  for (int t = 1; t <= count; ++t) {
    const int k = list[t];
    const float* wk = W + std::size_t(k) * N;
    v128_t w[NV];
    for (int v = 0; v < NV; ++v) w[v] = wasm_v128_load(wk + 4 * v);
    for (int i = 0; i < MR; ++i) {
      // load32_splat is a load-port broadcast: cheaper than a shuffle out of a loaded x vector.
      const v128_t xs = wasm_v128_load32_splat(x + std::size_t(i) * K + k);
      for (int v = 0; v < NV; ++v) acc[i][v] = wasm_f32x4_add(acc[i][v], wasm_f32x4_mul(xs, w[v]));
    }
  }
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v)
      // pmax(acc, 0) = acc < 0 ? 0 : acc, one maxps on x86 (f32x4.max needs a NaN-fixing sequence).
      wasm_v128_store(a + std::size_t(i) * N + 4 * v, wasm_f32x4_pmax(acc[i][v], zero));
}

// The row tiles of one column slab, in the order list_active_k made their lists.
template <int MR, int NV>
inline void gemm_nn_bias_relu_cols(int n, int K, int N, const float* x, const float* W, const float* b, float* a,
                                   const int* lists) {
  int r = 0;
  for (; r + MR <= n; r += MR, lists += K + 1)
    gemm_nn_bias_relu_tile<MR, NV>(K, N, x + std::size_t(r) * K, W, b, a + std::size_t(r) * N, lists);
  for (; r < n; ++r, lists += K + 1)
    gemm_nn_bias_relu_tile<1, NV>(K, N, x + std::size_t(r) * K, W, b, a + std::size_t(r) * N, lists);
}

// Rows in blocks of kRowBlock (x block and W slab stay in cache: a 512-row evaluation chunk ran at 18
// instead of 23 Gflop/s unblocked); in a block, column slabs outer and row tiles inner, so one slab of
// W (K x 4 NV) is reused from cache by every row tile. scratch: gemm_nn_bias_relu_scratch(n, K, MR) ints.
constexpr int kRowBlock = 64;
// Only columns [j_begin, j_end) of a are written (j_end < 0: N), so threads can split the columns: each
// then streams only its part of W.
template <int MR, int NV>
inline void gemm_nn_bias_relu(int n, int K, int N, const float* x, const float* W, const float* b, float* a,
                              int* scratch, int j_begin = 0, int j_end = -1) {
  if (j_end < 0) j_end = N;
  for (int r0 = 0; r0 < n; r0 += kRowBlock) {
    const int rows = n - r0 < kRowBlock ? n - r0 : kRowBlock;
    const float* xb = x + std::size_t(r0) * K;
    float* ab = a + std::size_t(r0) * N;
    list_active_k<MR>(rows, K, xb, scratch);
    int j = j_begin;
    for (; j + 4 * NV <= j_end; j += 4 * NV)
      gemm_nn_bias_relu_cols<MR, NV>(rows, K, N, xb, W + j, b + j, ab + j, scratch);
    for (; j + 4 <= j_end; j += 4) gemm_nn_bias_relu_cols<MR, 1>(rows, K, N, xb, W + j, b + j, ab + j, scratch);
    for (; j < j_end; ++j)  // the last columns that do not fill a vector, scalar
      for (int r = 0; r < rows; ++r) {
        float s = b[j];
        for (int k = 0; k < K; ++k) s += xb[std::size_t(r) * K + k] * W[std::size_t(k) * N + j];
        ab[std::size_t(r) * N + j] = s < 0 ? 0.0f : s;
      }
  }
}

// 4 x 8 measured best (bench/step_bench.cpp: about 23 Gflop/s dense in Node 20 and Chromium; 5x8, 6x8,
// 2x16, 3x16 slower or equal): 8 accumulators + 2 W vectors + a splat fit x86-64's 16 xmm registers.
inline void gemm_nn_bias_relu_4x8(int n, int K, int N, const float* x, const float* W, const float* b, float* a,
                                  int* scratch, int j_begin = 0, int j_end = -1) {
  gemm_nn_bias_relu<4, 2>(n, K, N, x, W, b, a, scratch, j_begin, j_end);
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
