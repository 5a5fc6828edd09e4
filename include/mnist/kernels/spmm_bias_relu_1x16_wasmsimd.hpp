// Fused first layer over a sparse batch on WebAssembly SIMD: a (n, N) = relu(x (n, K) W (K, N) + b (N)),
// walking each row's listed non-zero x (SparseBatch) with 1 row x 16 columns of f32x4 accumulators. One
// row per tile because rows share few pixels: a 4-row tile walks the union of their pixels, about twice
// the entries (timings in docs/performance.md).
// Compiled only with -msimd128; ref::spmm_bias_relu is its definition.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>

#include "sparse_batch.hpp"

namespace mnist::kernels::wasmsimd {

// Row r of a on columns [0, 4 NV) (W, b and a offset to the slab; W's rows ldw floats apart). Mul then
// add in k order from b, as the reference.
template <int NV>
inline void spmm_bias_relu_tile(int ldw, const int* ks, const float* xs, int count, const float* W, const float* b,
                                float* a) {
  v128_t acc[NV];
  for (int v = 0; v < NV; ++v) acc[v] = wasm_v128_load(b + 4 * v);
  for (int t = 0; t < count; ++t) {
    const float* wk = W + std::size_t(ks[t]) * ldw;
    const v128_t xv = wasm_v128_load32_splat(xs + t);
    for (int v = 0; v < NV; ++v) acc[v] = wasm_f32x4_add(acc[v], wasm_f32x4_mul(xv, wasm_v128_load(wk + 4 * v)));
  }
  // pmax(acc, 0) = acc < 0 ? 0 : acc, one maxps on x86 (f32x4.max needs a NaN-fixing sequence).
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int v = 0; v < NV; ++v) wasm_v128_store(a + 4 * v, wasm_f32x4_pmax(acc[v], zero));
}

template <int NV>
inline void spmm_bias_relu_slab(int n, int N, const SparseBatch& x, const float* W, int ldw, const float* b, float* a) {
  for (int r = 0; r < n; ++r)
    spmm_bias_relu_tile<NV>(ldw, x.ks_of_row(r), x.xs_of_row(r), x.row_count[r], W, b, a + std::size_t(r) * N);
}

// Column slabs outer, rows inner: one slab of W (K x 16, 50 KB at K = 784) serves every row from cache.
// Only columns [j_begin, j_end) of a are written (j_end < 0: N), so threads can split the columns: each
// then streams only its part of W. W's rows are ldw floats apart (ldw < 0: N, W row-major); with ldw = 16
// and W at a slab's start, one 16-column slab of a W packed by slabs (W1Slabs).
inline void spmm_bias_relu_1x16(int n, int N, const SparseBatch& x, const float* W, const float* b, float* a,
                                int j_begin = 0, int j_end = -1, int ldw = -1) {
  if (j_end < 0) j_end = N;
  if (ldw < 0) ldw = N, W += j_begin;  // W from here on points at column j_begin of row 0
  int j = j_begin;
  for (; j + 16 <= j_end; j += 16) spmm_bias_relu_slab<4>(n, N, x, W + (j - j_begin), ldw, b + j, a + j);
  for (; j + 4 <= j_end; j += 4) spmm_bias_relu_slab<1>(n, N, x, W + (j - j_begin), ldw, b + j, a + j);
  for (; j < j_end; ++j)  // the last columns that do not fill a vector, scalar
    for (int r = 0; r < n; ++r) {
      const int* ks = x.ks_of_row(r);
      const float* xs = x.xs_of_row(r);
      float s = b[j];
      for (int t = 0; t < x.row_count[r]; ++t) s += xs[t] * W[std::size_t(ks[t]) * ldw + (j - j_begin)];
      a[std::size_t(r) * N + j] = s < 0 ? 0.0f : s;
    }
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
