// Plain-loop reference of every kernel of the training step: the definition the SIMD kernels are tested
// against, and natively the fast path too (inner loops run along contiguous rows, so g++ -O3 -march=native
// vectorises them). All matrices are row-major float; shapes are in the comments. Not tuned for wasm.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "sparse_batch.hpp"

namespace mnist::kernels::ref {

// a (n, N) = relu(x (n, K) W (K, N) + b (N)): the fused first layer.
// Only columns [j_begin, j_end) of a are written (j_end < 0: N), so threads can split the columns.
inline void gemm_nn_bias_relu(int n, int K, int N, const float* __restrict x, const float* __restrict W,
                              const float* __restrict b, float* __restrict a, int j_begin = 0, int j_end = -1) {
  if (j_end < 0) j_end = N;
  for (int r = 0; r < n; ++r) {
    float* __restrict ar = a + std::size_t(r) * N;
    const float* xr = x + std::size_t(r) * K;
    for (int j = j_begin; j < j_end; ++j) ar[j] = b[j];
    for (int k = 0; k < K; ++k) {
      const float xv = xr[k];
      const float* __restrict wk = W + std::size_t(k) * N;
      for (int j = j_begin; j < j_end; ++j) ar[j] += xv * wk[j];
    }
    for (int j = j_begin; j < j_end; ++j) ar[j] = std::max(ar[j], 0.0f);
  }
}

// gemm_nn_bias_relu over a sparse batch: x (n, K) given by its row lists (sparse_batch.hpp), so only
// the non-zero x are walked, in k order like the dense loop above. W's rows are ldw floats apart (ldw < 0:
// N, W row-major); with ldw = 16 and W at a slab's start, columns [j_begin, j_begin + 16) come from a W
// packed by 16-column slabs (W1Slabs).
inline void spmm_bias_relu(int n, int N, const SparseBatch& x, const float* __restrict W, const float* __restrict b,
                           float* __restrict a, int j_begin = 0, int j_end = -1, int ldw = -1) {
  if (j_end < 0) j_end = N;
  if (ldw < 0) ldw = N, W += j_begin;  // W from here on points at column j_begin of row 0
  for (int r = 0; r < n; ++r) {
    float* __restrict ar = a + std::size_t(r) * N + j_begin;
    const int* ks = x.ks_of_row(r);
    const float* xs = x.xs_of_row(r);
    for (int j = 0; j < j_end - j_begin; ++j) ar[j] = b[j_begin + j];
    for (int t = 0, count = x.row_count[r]; t < count; ++t) {
      const float xv = xs[t];
      const float* __restrict wk = W + std::size_t(ks[t]) * ldw;
      for (int j = 0; j < j_end - j_begin; ++j) ar[j] += xv * wk[j];
    }
    for (int j = 0; j < j_end - j_begin; ++j) ar[j] = std::max(ar[j], 0.0f);
  }
}

// z (n, C) = a (n, N) WT (C, N)^T + b (C): the second layer, with W2 held transposed so each logit is a
// dot product along contiguous memory.
inline void gemm_nt_bias(int n, int N, int C, const float* __restrict a, const float* __restrict WT,
                         const float* __restrict b, float* __restrict z) {
  for (int r = 0; r < n; ++r) {
    const float* ar = a + std::size_t(r) * N;
    for (int c = 0; c < C; ++c) {
      const float* wc = WT + std::size_t(c) * N;
      float s = 0;
      for (int j = 0; j < N; ++j) s += ar[j] * wc[j];
      z[std::size_t(r) * C + c] = s + b[c];
    }
  }
}

// g1 (n, N) = (g2 (n, C) WT (C, N)) masked by a1 (n, N) > 0: the hidden layer's error, read through the
// ReLU of the forward pass (a1 > 0 exactly where z1 > 0). Only columns [j_begin, j_end) of g1 are
// written (j_end < 0: N), so threads can split the columns.
inline void gemm_nn_relumask(int n, int C, int N, const float* __restrict g2, const float* __restrict WT,
                             const float* __restrict a1, float* __restrict g1, int j_begin = 0, int j_end = -1) {
  if (j_end < 0) j_end = N;
  for (int r = 0; r < n; ++r) {
    float* __restrict gr = g1 + std::size_t(r) * N;
    const float* ar = a1 + std::size_t(r) * N;
    for (int j = j_begin; j < j_end; ++j) gr[j] = 0;
    for (int c = 0; c < C; ++c) {
      const float gv = g2[std::size_t(r) * C + c];
      const float* __restrict wc = WT + std::size_t(c) * N;
      for (int j = j_begin; j < j_end; ++j) gr[j] += gv * wc[j];
    }
    for (int j = j_begin; j < j_end; ++j) gr[j] = ar[j] > 0 ? gr[j] : 0.0f;
  }
}

// W (M, N) = scale W + A (n, M)^T B (n, N): weight gradient and SGD step in one pass over W. With
// B = -lr dz and scale = 1 - 2 lr c this is W -= lr (A^T dz + 2c W).
// Only columns [j_begin, j_end) of W are touched (j_end < 0: N), so threads can split W by columns.
inline void gemm_tn_sgd(int n, int M, int N, const float* __restrict A, const float* __restrict B, float scale,
                        float* __restrict W, int j_begin = 0, int j_end = -1) {
  if (j_end < 0) j_end = N;
  for (int m = 0; m < M; ++m) {
    float* __restrict wm = W + std::size_t(m) * N;
    for (int j = j_begin; j < j_end; ++j) wm[j] *= scale;
    for (int r = 0; r < n; ++r) {
      const float av = A[std::size_t(r) * M + m];
      const float* __restrict br = B + std::size_t(r) * N;
      for (int j = j_begin; j < j_end; ++j) wm[j] += av * br[j];
    }
  }
}

// gemm_tn_sgd with A = x a sparse batch (n, K) given by its column lists (list_columns): W (K, N) =
// scale W + x^T B, each row k of W walking only the rows where x[:, k] is non-zero, in row order like the
// dense loop above. W's rows are ldw floats apart as in spmm_bias_relu (ldw < 0: N, W row-major). With
// scale 1, a row of W whose pixel is zero in the whole batch is not touched at all.
inline void spmm_tn_sgd(int N, const SparseBatch& x, const float* __restrict B, float scale, float* __restrict W,
                        int j_begin = 0, int j_end = -1, int ldw = -1) {
  if (j_end < 0) j_end = N;
  if (ldw < 0) ldw = N, W += j_begin;  // W from here on points at column j_begin of row 0
  for (int k = 0; k < x.K; ++k) {
    float* __restrict wk = W + std::size_t(k) * ldw;
    const SparseBatch::ColumnEntry* es = x.of_col(k);
    if (scale == 1.0f && x.col_count[k] == 0) continue;
    for (int j = 0; j < j_end - j_begin; ++j) wk[j] *= scale;
    for (int t = 0, count = x.col_count[k]; t < count; ++t) {
      const float xv = es[t].x;
      const float* __restrict br = B + std::size_t(es[t].r) * N + j_begin;
      for (int j = 0; j < j_end - j_begin; ++j) wk[j] += xv * br[j];
    }
  }
}

// b (N) += sum over the n rows of G (n, N): the bias step, G already carrying -lr.
// Only columns [j_begin, j_end) of b are updated (j_end < 0: N), so threads can split the columns.
inline void colsum_add(int n, int N, const float* __restrict G, float* __restrict b, int j_begin = 0, int j_end = -1) {
  if (j_end < 0) j_end = N;
  for (int r = 0; r < n; ++r)
    for (int j = j_begin; j < j_end; ++j) b[j] += G[std::size_t(r) * N + j];
}

// One step of the dense optimizers (config.hpp's Optimizer) on a block of parameters: rows of ld floats,
// columns [j_begin, j_end) (threads split the columns), G the cost's gradient without the decay, which is
// added here as two_c W (0 for biases). Written as separate multiplies and adds, the order the SIMD
// kernels use, so with no FMA contraction (WebAssembly) they agree bit for bit.
struct MomentumStep {
  float lr, two_c, mu;
};
struct AdamStep {
  float step_size;      // lr / (1 - beta1^t)
  float two_c;
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float inv_sqrt_bc2;   // 1 / sqrt(1 - beta2^t)
  float eps;
};

// Heavy-ball: g = G + 2c W; V = mu V + g; W = W - lr V.
inline void momentum_update(int rows, int ld, const float* __restrict G, const MomentumStep& h, float* __restrict W,
                            float* __restrict V, int j_begin, int j_end) {
  for (int k = 0; k < rows; ++k)
    for (int j = j_begin; j < j_end; ++j) {
      const std::size_t at = std::size_t(k) * ld + j;
      const float g = G[at] + h.two_c * W[at];
      V[at] = h.mu * V[at] + g;
      W[at] = W[at] - h.lr * V[at];
    }
}

// Adam: g = G + 2c W; M = b1 M + (1 - b1) g; V = b2 V + (1 - b2) g^2;
// W = W - step_size M / (sqrt(V) / sqrt(1 - b2^t) + eps).
inline void adam_update(int rows, int ld, const float* __restrict G, const AdamStep& h, float* __restrict W,
                        float* __restrict M, float* __restrict V, int j_begin, int j_end) {
  for (int k = 0; k < rows; ++k)
    for (int j = j_begin; j < j_end; ++j) {
      const std::size_t at = std::size_t(k) * ld + j;
      const float g = G[at] + h.two_c * W[at];
      M[at] = h.beta1 * M[at] + h.one_minus_beta1 * g;
      V[at] = h.beta2 * V[at] + h.one_minus_beta2 * (g * g);
      W[at] = W[at] - h.step_size * M[at] / (std::sqrt(V[at]) * h.inv_sqrt_bc2 + h.eps);
    }
}

// dst (count) = src (count) / 255, written as a multiply by the float 1/255 like gather_batch, so both
// give the same bits.
inline void u8_to_unit_f32(std::size_t count, const std::uint8_t* __restrict src, float* __restrict dst) {
  constexpr float scale = 1.0f / 255.0f;
  for (std::size_t k = 0; k < count; ++k) dst[k] = static_cast<float>(src[k]) * scale;
}

// Stable softmax of one row z (C) into p (C), in the same float operations as network.hpp's
// softmax_cross_entropy. With a label (>= 0) also writes g (C) = neg_lr_n (p - Y), the output error already
// scaled for the SGD step (neg_lr_n = -lr / batch rows), and returns the row's cross-entropy; without
// (label < 0), returns 0 and leaves g alone.
inline float softmax_xent_row(int C, const float* zr, int label, float neg_lr_n, float* pr, float* gr) {
  const float m = *std::max_element(zr, zr + C);
  float sum = 0;
  for (int c = 0; c < C; ++c) sum += std::exp(zr[c] - m);
  const float log_sum = m + std::log(sum);
  for (int c = 0; c < C; ++c) pr[c] = std::exp(zr[c] - log_sum);
  if (label < 0) return 0.0f;
  for (int c = 0; c < C; ++c) gr[c] = neg_lr_n * (pr[c] - (c == label ? 1.0f : 0.0f));
  return log_sum - zr[label];
}

}  // namespace mnist::kernels::ref
