// SparseBatch's row lists on WebAssembly SIMD, from float rows or straight from an image's uint8 pixels:
// 4 pixels per step, compacted without branches. The non-zero lanes' bitmask picks a byte shuffle from a
// 16-entry table that moves those lanes (their k and their values) to the front; all 4 are stored and the
// count advances by the number of non-zero lanes.
// Compiled only with -msimd128; ref::list_rows and ref::list_row_u8 are their definitions.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

#include "sparse_batch.hpp"
#include "u8_to_unit_f32_wasmsimd.hpp"

namespace mnist::kernels::wasmsimd {

namespace detail {
struct CompactTable {
  alignas(16) unsigned char shuffle[16][16];  // [mask][byte]: the set lanes of mask first, in order
};
constexpr CompactTable make_compact_table() {
  CompactTable t{};
  for (int mask = 0; mask < 16; ++mask) {
    int out = 0;
    for (int lane = 0; lane < 4; ++lane)
      if (mask >> lane & 1) {
        for (int b = 0; b < 4; ++b) t.shuffle[mask][4 * out + b] = static_cast<unsigned char>(4 * lane + b);
        ++out;
      }
  }
  return t;
}
inline constexpr CompactTable kCompact = make_compact_table();

// Stores the lanes of kv (their k) and v (their values) set in `lit` at ks + count and xs + count, in
// order, and returns the count after them. All 4 lanes are written: callers keep count <= k, so the
// extra lanes stay inside the row's K slots and are overwritten or ignored.
inline int store_lit_lanes(int* ks, float* xs, int count, v128_t kv, v128_t v, int lit) {
  const v128_t shuffle = wasm_v128_load(kCompact.shuffle[lit]);
  wasm_v128_store(ks + count, wasm_i8x16_swizzle(kv, shuffle));
  wasm_v128_store(xs + count, wasm_i8x16_swizzle(v, shuffle));
  return count + __builtin_popcount(static_cast<unsigned>(lit));
}
}  // namespace detail

inline void list_rows(const float* x, int r_begin, int r_end, SparseBatch& s) {
  const int K = s.K;
  const v128_t zero = wasm_f32x4_splat(0.0f), four = wasm_i32x4_splat(4);
  for (int r = r_begin; r < r_end; ++r) {
    const float* xr = x + std::size_t(r) * K;
    int* ks = s.row_k.data() + std::size_t(r) * K;
    float* xs = s.row_x.data() + std::size_t(r) * K;
    int* starts = s.block_starts_of_row(r);
    int count = 0, k = 0;
    v128_t kv = wasm_i32x4_make(0, 1, 2, 3);
    for (; k + 4 <= K; k += 4, kv = wasm_i32x4_add(kv, four)) {
      if (k % SparseBatch::kBlock == 0) starts[k / SparseBatch::kBlock] = count;
      const v128_t v = wasm_v128_load(xr + k);
      count = detail::store_lit_lanes(ks, xs, count, kv, v, wasm_i32x4_bitmask(wasm_f32x4_ne(v, zero)));
    }
    for (; k < K; ++k) {
      if (k % SparseBatch::kBlock == 0) starts[k / SparseBatch::kBlock] = count;
      ks[count] = k;
      xs[count] = xr[k];
      count += xr[k] != 0.0f;
    }
    s.row_count[r] = count;
  }
}

// Row r from its uint8 pixels: 16 at a time, a block with no ink skipped at once (most of an MNIST row's
// blocks are blank); the others converted as u8_to_unit_f32 does (unit_f32x4_of_u8x16) and compacted 4
// lanes at a time as above. ref::list_row_u8 is its definition.
inline void list_row_u8(const std::uint8_t* pixels, int r, SparseBatch& s, float unit = kPixelUnit) {
  const int K = s.K;
  int* ks = s.row_k.data() + std::size_t(r) * K;
  float* xs = s.row_x.data() + std::size_t(r) * K;
  int* starts = s.block_starts_of_row(r);
  static_assert(SparseBatch::kBlock == 16, "a block is one vector of pixels");
  const v128_t zero = wasm_i8x16_splat(0), lanes = wasm_i32x4_make(0, 1, 2, 3);
  int count = 0, k = 0;
  for (; k + 16 <= K; k += 16) {
    starts[k / 16] = count;
    const v128_t p = wasm_v128_load(pixels + k);
    const int mask = wasm_i8x16_bitmask(wasm_i8x16_ne(p, zero));
    if (mask == 0) continue;
    v128_t v[4];
    unit_f32x4_of_u8x16(p, v, unit);
    for (int g = 0; g < 4; ++g) {
      const v128_t kv = wasm_i32x4_add(wasm_i32x4_splat(k + 4 * g), lanes);
      count = detail::store_lit_lanes(ks, xs, count, kv, v[g], (mask >> (4 * g)) & 15);
    }
  }
  if (k < K) starts[k / 16] = count;
  for (; k < K; ++k) {
    ks[count] = k;
    xs[count] = static_cast<float>(pixels[k]) * unit;
    count += pixels[k] != 0;
  }
  s.row_count[r] = count;
}

}  // namespace mnist::kernels::wasmsimd
#endif  // __wasm_simd128__
