// Pixel conversion on WebAssembly SIMD: dst (count) = src (count) * (1/255), 16 pixels per step (u8 ->
// u16 -> u32 -> f32, exact, then the same float multiply as gather_batch, so the bits agree).
// Compiled only with -msimd128; ref::u8_to_unit_f32 is its definition.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

namespace mnist::kernels::wasmsimd {

// 16 pixels p as 4 x f32x4 of p * unit (the float 1/255 unless told), in order.
inline void unit_f32x4_of_u8x16(v128_t p, v128_t out[4], float unit = 1.0f / 255.0f) {
  const v128_t unit_v = wasm_f32x4_splat(unit);
  const v128_t lo = wasm_u16x8_extend_low_u8x16(p), hi = wasm_u16x8_extend_high_u8x16(p);
  const v128_t q[4] = {wasm_u32x4_extend_low_u16x8(lo), wasm_u32x4_extend_high_u16x8(lo),
                       wasm_u32x4_extend_low_u16x8(hi), wasm_u32x4_extend_high_u16x8(hi)};
  // The values fit in 8 bits, so the signed convert (one instruction on x86) is exact.
  for (int t = 0; t < 4; ++t) out[t] = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(q[t]), unit_v);
}

inline void u8_to_unit_f32(std::size_t count, const std::uint8_t* src, float* dst) {
  std::size_t k = 0;
  for (; k + 16 <= count; k += 16) {
    v128_t v[4];
    unit_f32x4_of_u8x16(wasm_v128_load(src + k), v);
    for (int t = 0; t < 4; ++t) wasm_v128_store(dst + k + 4 * t, v[t]);
  }
  constexpr float s = 1.0f / 255.0f;
  for (; k < count; ++k) dst[k] = static_cast<float>(src[k]) * s;
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
