// The one dispatch point of the training step's kernels: WebAssembly SIMD kernels under -msimd128,
// otherwise the native choice measured by bench/step_bench.cpp (Eigen for the products, reference
// loops for the rest). Callers use mnist::kernels::<op>; reference.hpp defines every op and its shapes.
// The two big products take caller-owned int scratch of *_scratch() ints, so no call allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "colsum_add_wasmsimd.hpp"
#include "eigen.hpp"
#include "gemm_nn_bias_relu_4x8_wasmsimd.hpp"
#include "gemm_nn_relumask_2x8_wasmsimd.hpp"
#include "gemm_nt_bias_2x5_wasmsimd.hpp"
#include "gemm_tn_sgd_2x16_wasmsimd.hpp"
#include "reference.hpp"
#include "u8_to_unit_f32_wasmsimd.hpp"

namespace mnist::kernels {

#ifdef __wasm_simd128__
constexpr const char* kBackend = "wasmsimd";
constexpr std::size_t gemm_nn_bias_relu_scratch(int n, int K) { return wasmsimd::gemm_nn_bias_relu_scratch(n, K); }
constexpr std::size_t gemm_tn_sgd_scratch(int M) { return wasmsimd::gemm_tn_sgd_scratch(M); }
inline void gemm_nn_bias_relu(int n, int K, int N, const float* x, const float* W, const float* b, float* a,
                              int* scratch, int j_begin = 0, int j_end = -1) {
  wasmsimd::gemm_nn_bias_relu_4x8(n, K, N, x, W, b, a, scratch, j_begin, j_end);
}
inline void gemm_nt_bias(int n, int N, int C, const float* a, const float* WT, const float* b, float* z) {
  wasmsimd::gemm_nt_bias_2x5(n, N, C, a, WT, b, z);
}
inline void gemm_nn_relumask(int n, int C, int N, const float* g2, const float* WT, const float* a1, float* g1) {
  wasmsimd::gemm_nn_relumask_2x8(n, C, N, g2, WT, a1, g1);
}
inline void gemm_tn_sgd(int n, int M, int N, const float* A, const float* B, float scale, float* W, int* scratch,
                        int j_begin = 0, int j_end = -1) {
  wasmsimd::gemm_tn_sgd_2x16(n, M, N, A, B, scale, W, scratch, j_begin, j_end);
}
inline void colsum_add(int n, int N, const float* G, float* b) { wasmsimd::colsum_add(n, N, G, b); }
inline void u8_to_unit_f32(std::size_t count, const std::uint8_t* src, float* dst) {
  wasmsimd::u8_to_unit_f32(count, src, dst);
}
#else
constexpr const char* kBackend = "portable";  // native, or wasm without SIMD
constexpr std::size_t gemm_nn_bias_relu_scratch(int, int) { return 0; }
constexpr std::size_t gemm_tn_sgd_scratch(int) { return 0; }
inline void gemm_nn_bias_relu(int n, int K, int N, const float* x, const float* W, const float* b, float* a, int*,
                              int j_begin = 0, int j_end = -1) {
  eigen::gemm_nn_bias_relu(n, K, N, x, W, b, a, j_begin, j_end);
}
inline void gemm_nt_bias(int n, int N, int C, const float* a, const float* WT, const float* b, float* z) {
  eigen::gemm_nt_bias(n, N, C, a, WT, b, z);
}
inline void gemm_nn_relumask(int n, int C, int N, const float* g2, const float* WT, const float* a1, float* g1) {
  ref::gemm_nn_relumask(n, C, N, g2, WT, a1, g1);
}
inline void gemm_tn_sgd(int n, int M, int N, const float* A, const float* B, float scale, float* W, int*,
                        int j_begin = 0, int j_end = -1) {
  eigen::gemm_tn_sgd(n, M, N, A, B, scale, W, j_begin, j_end);
}
inline void colsum_add(int n, int N, const float* G, float* b) { ref::colsum_add(n, N, G, b); }
inline void u8_to_unit_f32(std::size_t count, const std::uint8_t* src, float* dst) {
  ref::u8_to_unit_f32(count, src, dst);
}
#endif

// Scalar everywhere: n x 10 exponentials per step are not worth a vector exp.
inline float softmax_xent(int n, int C, const float* z, const std::uint8_t* labels, float lr, float* p, float* g) {
  return ref::softmax_xent(n, C, z, labels, lr, p, g);
}

}  // namespace mnist::kernels
