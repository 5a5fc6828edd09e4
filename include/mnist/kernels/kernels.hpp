// The one dispatch point of the training step's kernels: WebAssembly SIMD kernels under -msimd128,
// otherwise the native choice measured by bench/step_bench.cpp (Eigen for the products, reference
// loops for the rest). Callers use mnist::kernels::<op>; reference.hpp defines every op and its shapes.
// The two big products take the batch x both dense and as its non-zero lists (sparse_batch.hpp): the
// wasm kernels walk the lists, which the caller fills with list_rows (or list_row_u8, from the images)
// and list_columns only when kSparseInputs; Eigen natively multiplies the dense x (its AVX2/FMA GEMM
// beats the plain sparse loops).
// gemm_tn_sgd takes caller-owned int scratch of gemm_tn_sgd_scratch() ints, so no call allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "adam_update_x16_wasmsimd.hpp"
#include "colsum_add_wasmsimd.hpp"
#include "eigen.hpp"
#include "gemm_nn_relumask_2x8_wasmsimd.hpp"
#include "gemm_nt_bias_2x5_wasmsimd.hpp"
#include "gemm_tn_sgd_2x16_wasmsimd.hpp"
#include "list_rows_wasmsimd.hpp"
#include "momentum_update_x16_wasmsimd.hpp"
#include "reference.hpp"
#include "sparse_batch.hpp"
#include "spmm_bias_relu_1x16_wasmsimd.hpp"
#include "spmm_tn_sgd_1x16_wasmsimd.hpp"
#include "u8_to_unit_f32_wasmsimd.hpp"

namespace mnist::kernels {

#ifdef __wasm_simd128__
constexpr const char* kBackend = "wasmsimd";
constexpr bool kSparseInputs = true;
// gemm_nt_bias computes each row on its own, so splitting the rows between threads keeps every bit.
constexpr bool kRowsIndependentLayer2 = true;
// The first layer's kernels compute each 16-column slab of H on its own, so a forward pass gives the same
// bits on one thread (all of H at once) as split by slabs between a pool's threads.
constexpr bool kSlabsIndependentLayer1 = true;
constexpr std::size_t gemm_tn_sgd_scratch(int M) { return wasmsimd::gemm_tn_sgd_scratch(M); }
inline void list_rows(const float* x, int r_begin, int r_end, SparseBatch& xs) {
  wasmsimd::list_rows(x, r_begin, r_end, xs);
}
inline void list_row_u8(const std::uint8_t* pixels, int r, SparseBatch& xs, float unit = kPixelUnit) {
  wasmsimd::list_row_u8(pixels, r, xs, unit);
}
inline void gemm_nn_bias_relu(int n, int /*K*/, int N, const float* /*x*/, const SparseBatch& xs, const float* W,
                              const float* b, float* a, int j_begin = 0, int j_end = -1) {
  wasmsimd::spmm_bias_relu_1x16(n, N, xs, W, b, a, j_begin, j_end);
}
// W (K, N) = scale W + x (n, K)^T B (n, N) for the batch x: the W1 update.
inline void gemm_tn_sgd_x(int /*n*/, int /*K*/, int N, const float* /*x*/, const SparseBatch& xs, const float* B,
                          float scale, float* W, int j_begin = 0, int j_end = -1) {
  wasmsimd::spmm_tn_sgd_1x16(N, xs, B, scale, W, j_begin, j_end);
}
// The same two products on one 16-column slab [j0, j0 + 16) of a W1 packed by slabs (W1Slabs), from
// the slab's start Wslab (rows 16 floats apart).
inline void spmm_bias_relu_slab16(int n, int N, const SparseBatch& xs, const float* Wslab, const float* b, float* a,
                                  int j0) {
  wasmsimd::spmm_bias_relu_1x16(n, N, xs, Wslab, b, a, j0, j0 + 16, 16);
}
inline void spmm_tn_sgd_slab16(int N, const SparseBatch& xs, const float* B, float scale, float* Wslab, int j0) {
  wasmsimd::spmm_tn_sgd_1x16(N, xs, B, scale, Wslab, j0, j0 + 16, 16);
}
inline void gemm_nt_bias(int n, int N, int C, const float* a, const float* WT, const float* b, float* z) {
  wasmsimd::gemm_nt_bias_2x5(n, N, C, a, WT, b, z);
}
inline void gemm_nn_relumask(int n, int C, int N, const float* g2, const float* WT, const float* a1, float* g1,
                             int j_begin = 0, int j_end = -1) {
  wasmsimd::gemm_nn_relumask_2x8(n, C, N, g2, WT, a1, g1, j_begin, j_end);
}
inline void gemm_tn_sgd(int n, int M, int N, const float* A, const float* B, float scale, float* W, int* scratch,
                        int j_begin = 0, int j_end = -1) {
  wasmsimd::gemm_tn_sgd_2x16(n, M, N, A, B, scale, W, scratch, j_begin, j_end);
}
inline void colsum_add(int n, int N, const float* G, float* b, int j_begin = 0, int j_end = -1) {
  wasmsimd::colsum_add(n, N, G, b, j_begin, j_end);
}
inline void u8_to_unit_f32(std::size_t count, const std::uint8_t* src, float* dst) {
  wasmsimd::u8_to_unit_f32(count, src, dst);
}
inline void momentum_update(int rows, int ld, const float* G, const ref::MomentumStep& h, float* W, float* V,
                            int j_begin, int j_end) {
  wasmsimd::momentum_update_x16(rows, ld, G, h, W, V, j_begin, j_end);
}
inline void adam_update(int rows, int ld, const float* G, const ref::AdamStep& h, float* W, float* M, float* V,
                        int j_begin, int j_end) {
  wasmsimd::adam_update_x16(rows, ld, G, h, W, M, V, j_begin, j_end);
}
#else
constexpr const char* kBackend = "portable";  // native, or wasm without SIMD
constexpr bool kSparseInputs = false;
// Eigen's GEMM blocks rows by the problem's shape, so a row's bits can change with the rows beside it.
constexpr bool kRowsIndependentLayer2 = false;
constexpr bool kSlabsIndependentLayer1 = false;  // and its columns' with the columns computed with them
constexpr std::size_t gemm_tn_sgd_scratch(int) { return 0; }
inline void list_rows(const float* x, int r_begin, int r_end, SparseBatch& xs) {
  ref::list_rows(x, r_begin, r_end, xs);
}
inline void list_row_u8(const std::uint8_t* pixels, int r, SparseBatch& xs, float unit = kPixelUnit) {
  ref::list_row_u8(pixels, r, xs, unit);
}
inline void gemm_nn_bias_relu(int n, int K, int N, const float* x, const SparseBatch&, const float* W, const float* b,
                              float* a, int j_begin = 0, int j_end = -1) {
  eigen::gemm_nn_bias_relu(n, K, N, x, W, b, a, j_begin, j_end);
}
inline void gemm_tn_sgd_x(int n, int K, int N, const float* x, const SparseBatch&, const float* B, float scale,
                          float* W, int j_begin = 0, int j_end = -1) {
  eigen::gemm_tn_sgd(n, K, N, x, B, scale, W, j_begin, j_end);
}
// The slab products walk the lists, which the step makes only with the wasm kernels; natively they exist
// for the kernel checks.
inline void spmm_bias_relu_slab16(int n, int N, const SparseBatch& xs, const float* Wslab, const float* b, float* a,
                                  int j0) {
  ref::spmm_bias_relu(n, N, xs, Wslab, b, a, j0, j0 + 16, 16);
}
inline void spmm_tn_sgd_slab16(int N, const SparseBatch& xs, const float* B, float scale, float* Wslab, int j0) {
  ref::spmm_tn_sgd(N, xs, B, scale, Wslab, j0, j0 + 16, 16);
}
inline void gemm_nt_bias(int n, int N, int C, const float* a, const float* WT, const float* b, float* z) {
  eigen::gemm_nt_bias(n, N, C, a, WT, b, z);
}
inline void gemm_nn_relumask(int n, int C, int N, const float* g2, const float* WT, const float* a1, float* g1,
                             int j_begin = 0, int j_end = -1) {
  ref::gemm_nn_relumask(n, C, N, g2, WT, a1, g1, j_begin, j_end);
}
inline void gemm_tn_sgd(int n, int M, int N, const float* A, const float* B, float scale, float* W, int*,
                        int j_begin = 0, int j_end = -1) {
  eigen::gemm_tn_sgd(n, M, N, A, B, scale, W, j_begin, j_end);
}
inline void colsum_add(int n, int N, const float* G, float* b, int j_begin = 0, int j_end = -1) {
  ref::colsum_add(n, N, G, b, j_begin, j_end);
}
inline void u8_to_unit_f32(std::size_t count, const std::uint8_t* src, float* dst) {
  ref::u8_to_unit_f32(count, src, dst);
}
// The dense optimizer steps are element by element along rows: g++ -O3 -march=native vectorises the plain
// loops (Adam's sqrtf only with -fno-math-errno, which the native build sets: CMakeLists.txt).
inline void momentum_update(int rows, int ld, const float* G, const ref::MomentumStep& h, float* W, float* V,
                            int j_begin, int j_end) {
  ref::momentum_update(rows, ld, G, h, W, V, j_begin, j_end);
}
inline void adam_update(int rows, int ld, const float* G, const ref::AdamStep& h, float* W, float* M, float* V,
                        int j_begin, int j_end) {
  ref::adam_update(rows, ld, G, h, W, M, V, j_begin, j_end);
}
#endif

// Scalar everywhere: n x 10 exponentials per step are not worth a vector exp.
inline float softmax_xent_row(int C, const float* zr, int label, float neg_lr_n, float* pr, float* gr) {
  return ref::softmax_xent_row(C, zr, label, neg_lr_n, pr, gr);
}

}  // namespace mnist::kernels
