// The heavy-ball momentum step on WebAssembly SIMD, 16 columns (4 x f32x4) at a time: for a block of
// parameters W (rows, ld) on columns [j_begin, j_end), g = G + 2c W, V = mu V + g, W = W - lr V. Every
// element is read and written once (W, V) or read once (G); the operations are the reference's, lane by
// lane, so the results are ref::momentum_update's bits. Compiled only with -msimd128.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>

#include "reference.hpp"

namespace mnist::kernels::wasmsimd {

template <int NV>
inline void momentum_update_tile(const float* G, v128_t lr, v128_t two_c, v128_t mu, float* W, float* V) {
  for (int v = 0; v < NV; ++v) {
    const v128_t w = wasm_v128_load(W + 4 * v);
    const v128_t g = wasm_f32x4_add(wasm_v128_load(G + 4 * v), wasm_f32x4_mul(two_c, w));
    const v128_t m = wasm_f32x4_add(wasm_f32x4_mul(mu, wasm_v128_load(V + 4 * v)), g);
    wasm_v128_store(V + 4 * v, m);
    wasm_v128_store(W + 4 * v, wasm_f32x4_sub(w, wasm_f32x4_mul(lr, m)));
  }
}

inline void momentum_update_x16(int rows, int ld, const float* G, const ref::MomentumStep& h, float* W, float* V,
                                int j_begin, int j_end) {
  const v128_t lr = wasm_f32x4_splat(h.lr), two_c = wasm_f32x4_splat(h.two_c), mu = wasm_f32x4_splat(h.mu);
  for (int k = 0; k < rows; ++k) {
    const std::size_t row = std::size_t(k) * ld;
    int j = j_begin;
    for (; j + 16 <= j_end; j += 16) momentum_update_tile<4>(G + row + j, lr, two_c, mu, W + row + j, V + row + j);
    for (; j + 4 <= j_end; j += 4) momentum_update_tile<1>(G + row + j, lr, two_c, mu, W + row + j, V + row + j);
    if (j < j_end) ref::momentum_update(1, ld, G + row, h, W + row, V + row, j, j_end);  // the last columns
  }
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
