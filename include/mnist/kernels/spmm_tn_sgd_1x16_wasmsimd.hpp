// Weight gradient of a sparse batch fused with the SGD step on WebAssembly SIMD:
// W (K, N) = scale W + x (n, K)^T B (n, N), each row k of W walking only the rows of x listed for column
// k (SparseBatch), 1 row of W x 16 columns of f32x4 accumulators; W is read and written once, the product
// never stored. A pixel that is zero in the whole batch leaves its row of W only scaled (the decay), or,
// with scale 1, untouched: W1Slabs keeps the decay out of the weights so that these rows are skipped.
// Compiled only with -msimd128; ref::spmm_tn_sgd is its definition.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>

#include "sparse_batch.hpp"

namespace mnist::kernels::wasmsimd {

// Row k of W on columns [0, 4 NV) (B and wk offset to the slab), over the listed rows and values es.
// Accumulates onto scale W in the reference's order (rows ascending), so the results match it bit for bit.
template <int NV>
inline void spmm_tn_sgd_tile(int N, const SparseBatch::ColumnEntry* es, int count, const float* B, v128_t scale,
                             float* wk) {
  v128_t acc[NV];
  for (int v = 0; v < NV; ++v) acc[v] = wasm_f32x4_mul(wasm_v128_load(wk + 4 * v), scale);
  for (int t = 0; t < count; ++t) {
    const float* br = B + std::size_t(es[t].r) * N;
    const v128_t xv = wasm_v128_load32_splat(&es[t].x);
    for (int v = 0; v < NV; ++v) acc[v] = wasm_f32x4_add(acc[v], wasm_f32x4_mul(xv, wasm_v128_load(br + 4 * v)));
  }
  for (int v = 0; v < NV; ++v) wasm_v128_store(wk + 4 * v, acc[v]);
}

// Only columns [j_begin, j_end) of W are touched (j_end < 0: N), so threads can split W by columns, each
// keeping its part of W in its own cache between the forward pass and this update. W's rows are ldw
// floats apart (ldw < 0: N, W row-major); with ldw = 16 and W at a slab's start, one 16-column slab of a W
// packed by slabs (W1Slabs).
inline void spmm_tn_sgd_1x16(int N, const SparseBatch& x, const float* B, float scale, float* W, int j_begin = 0,
                             int j_end = -1, int ldw = -1) {
  if (j_end < 0) j_end = N;
  if (ldw < 0) ldw = N, W += j_begin;  // W from here on points at column j_begin of row 0
  const v128_t s = wasm_f32x4_splat(scale);
  for (int k = 0; k < x.K; ++k) {
    const SparseBatch::ColumnEntry* es = x.of_col(k);
    const int count = x.col_count[k];
    if (count == 0 && scale == 1.0f) continue;       // W = 1 W + nothing: the same bits without a load
    float* wk = W + std::size_t(k) * ldw - j_begin;  // indexed by j in [j_begin, j_end)
    int j = j_begin;
    for (; j + 16 <= j_end; j += 16) spmm_tn_sgd_tile<4>(N, es, count, B + j, s, wk + j);
    for (; j + 4 <= j_end; j += 4) spmm_tn_sgd_tile<1>(N, es, count, B + j, s, wk + j);
    for (; j < j_end; ++j) {  // the last columns that do not fill a vector, scalar
      float w = wk[j] * scale;
      for (int t = 0; t < count; ++t) w += es[t].x * B[std::size_t(es[t].r) * N + j];
      wk[j] = w;
    }
  }
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
