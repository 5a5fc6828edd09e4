// The same kernels written with Eigen products, the native alternative to the reference loops (Eigen's
// packed, register-blocked GEMM with AVX2/FMA under -march=native) and, in a wasm build with the SSE2
// trick (wasm/eigen_wasm_sse2.hpp), a comparison for the SIMD kernels. Same signatures as reference.hpp.
#pragma once

#include "../eigen_core.hpp"

namespace mnist::kernels::eigen {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Map = Eigen::Map<RowMajor>;
using CMap = Eigen::Map<const RowMajor>;
using CVec = Eigen::Map<const Eigen::RowVectorXf>;

inline void gemm_nn_bias_relu(int n, int K, int N, const float* x, const float* W, const float* b, float* a,
                              int j_begin = 0, int j_end = -1) {
  if (j_end < 0) j_end = N;
  auto A = Map(a, n, N).middleCols(j_begin, j_end - j_begin);
  A.noalias() = CMap(x, n, K) * CMap(W, K, N).middleCols(j_begin, j_end - j_begin);
  A = (A.rowwise() + CVec(b, N).segment(j_begin, j_end - j_begin)).cwiseMax(0.0f);
}

inline void gemm_nt_bias(int n, int N, int C, const float* a, const float* WT, const float* b, float* z) {
  Map Z(z, n, C);
  Z.noalias() = CMap(a, n, N) * CMap(WT, C, N).transpose();
  Z.rowwise() += CVec(b, C);
}

inline void gemm_nn_relumask(int n, int C, int N, const float* g2, const float* WT, const float* a1, float* g1,
                             int j_begin = 0, int j_end = -1) {
  if (j_end < 0) j_end = N;
  auto G = Map(g1, n, N).middleCols(j_begin, j_end - j_begin);
  G.noalias() = CMap(g2, n, C) * CMap(WT, C, N).middleCols(j_begin, j_end - j_begin);
  G = (CMap(a1, n, N).middleCols(j_begin, j_end - j_begin).array() > 0.0f).select(G, 0.0f);
}

inline void gemm_tn_sgd(int n, int M, int N, const float* A, const float* B, float scale, float* W, int j_begin = 0,
                        int j_end = -1) {
  if (j_end < 0) j_end = N;
  auto Wm = Map(W, M, N).middleCols(j_begin, j_end - j_begin);
  Wm *= scale;
  Wm.noalias() += CMap(A, n, M).transpose() * CMap(B, n, N).middleCols(j_begin, j_end - j_begin);
}

}  // namespace mnist::kernels::eigen
