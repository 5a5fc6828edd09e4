// The Adam step on WebAssembly SIMD, 16 columns (4 x f32x4) at a time: for a block of parameters W (rows,
// ld) on columns [j_begin, j_end), g = G + 2c W, M = b1 M + (1 - b1) g, V = b2 V + (1 - b2) g^2,
// W = W - step_size M / (sqrt(V) / sqrt(1 - b2^t) + eps). W, M and V are read and written once, G read
// once; f32x4 sqrt and div are correctly rounded like the scalar ones, so the results are
// ref::adam_update's bits. Compiled only with -msimd128.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>

#include "reference.hpp"

namespace mnist::kernels::wasmsimd {

struct AdamSplats {
  v128_t step_size, two_c, beta1, one_minus_beta1, beta2, one_minus_beta2, inv_sqrt_bc2, eps;
  explicit AdamSplats(const ref::AdamStep& h)
      : step_size(wasm_f32x4_splat(h.step_size)),
        two_c(wasm_f32x4_splat(h.two_c)),
        beta1(wasm_f32x4_splat(h.beta1)),
        one_minus_beta1(wasm_f32x4_splat(h.one_minus_beta1)),
        beta2(wasm_f32x4_splat(h.beta2)),
        one_minus_beta2(wasm_f32x4_splat(h.one_minus_beta2)),
        inv_sqrt_bc2(wasm_f32x4_splat(h.inv_sqrt_bc2)),
        eps(wasm_f32x4_splat(h.eps)) {}
};

template <int NV>
inline void adam_update_tile(const float* G, const AdamSplats& s, float* W, float* M, float* V) {
  for (int v = 0; v < NV; ++v) {
    const v128_t w = wasm_v128_load(W + 4 * v);
    const v128_t g = wasm_f32x4_add(wasm_v128_load(G + 4 * v), wasm_f32x4_mul(s.two_c, w));
    const v128_t m = wasm_f32x4_add(wasm_f32x4_mul(s.beta1, wasm_v128_load(M + 4 * v)),
                                    wasm_f32x4_mul(s.one_minus_beta1, g));
    const v128_t q = wasm_f32x4_add(wasm_f32x4_mul(s.beta2, wasm_v128_load(V + 4 * v)),
                                    wasm_f32x4_mul(s.one_minus_beta2, wasm_f32x4_mul(g, g)));
    wasm_v128_store(M + 4 * v, m);
    wasm_v128_store(V + 4 * v, q);
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sqrt(q), s.inv_sqrt_bc2), s.eps);
    wasm_v128_store(W + 4 * v, wasm_f32x4_sub(w, wasm_f32x4_div(wasm_f32x4_mul(s.step_size, m), denom)));
  }
}

inline void adam_update_x16(int rows, int ld, const float* G, const ref::AdamStep& h, float* W, float* M, float* V,
                            int j_begin, int j_end) {
  const AdamSplats s(h);
  for (int k = 0; k < rows; ++k) {
    const std::size_t row = std::size_t(k) * ld;
    int j = j_begin;
    for (; j + 16 <= j_end; j += 16) adam_update_tile<4>(G + row + j, s, W + row + j, M + row + j, V + row + j);
    for (; j + 4 <= j_end; j += 4) adam_update_tile<1>(G + row + j, s, W + row + j, M + row + j, V + row + j);
    if (j < j_end) ref::adam_update(1, ld, G + row, h, W + row, M + row, V + row, j, j_end);  // the last columns
  }
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
