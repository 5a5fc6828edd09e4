// One tester for every kernel of the training step: runs mnist::kernels::<op> (the SIMD kernels under
// -msimd128, the native choice otherwise) against kernels::ref on a shape and returns "" or a message
// naming the kernel, the shape and the first (i, j) out of tolerance. Used by the GoogleTest suite
// (tests/cpp/kernels_test.cpp) and by the gtest-free driver built with em++ (kernels_check.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "mnist/evaluate.hpp"
#include "mnist/train_step.hpp"

namespace mnist::kernel_tester {

using Vec = std::vector<float>;

inline Vec random_vec(std::size_t size, std::mt19937& gen, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> u(lo, hi);
  Vec v(size);
  for (auto& e : v) e = u(gen);
  return v;
}
// Zeros like MNIST's: some whole columns (border pixels) and many single entries, so the kernels'
// skipping of zero inputs is exercised; seed parity leaves every other shape dense.
inline Vec sparsify(Vec v, int rows, int cols, std::mt19937& gen) {
  if (gen() % 2) return v;
  for (int j = 0; j < cols; ++j) {
    const bool column = gen() % 3 == 0;
    for (int i = 0; i < rows; ++i)
      if (column || gen() % 5 < 3) v[std::size_t(i) * cols + j] = 0.0f;
  }
  return v;
}
inline Vec abs_vec(Vec v) {
  for (auto& e : v) e = std::fabs(e);
  return v;
}

// got and want are (rows, cols). mag is the reference run on |inputs|: the sum of |terms| of each
// element, so the tolerance follows the rounding a different summation order may bring (Eigen, FMA).
inline std::string compare(const std::string& what, const Vec& got, const Vec& want, const Vec& mag, int rows, int cols,
                           double rtol = 2e-5) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      const std::size_t k = std::size_t(i) * cols + j;
      const double tol = rtol * (std::fabs(double(mag[k])) + std::fabs(double(want[k]))) + 1e-30;
      if (!(std::fabs(double(got[k]) - double(want[k])) <= tol)) {
        char buf[160];
        std::snprintf(buf, sizeof buf, ": (i, j) = (%d, %d) of (%d, %d): got %.9g, want %.9g, tolerance %.3g", i, j,
                      rows, cols, double(got[k]), double(want[k]), tol);
        return what + buf;
      }
    }
  return "";
}

inline std::string shape(const char* op, std::initializer_list<std::pair<const char*, int>> dims) {
  std::string s = std::string(op) + " [" + kernels::kBackend + "]";
  for (auto& d : dims) s += std::string(" ") + d.first + "=" + std::to_string(d.second);
  return s;
}

// x's non-zero lists as train_step makes them: rows listed in two ranges, columns in three (as threads do).
inline kernels::SparseBatch list_nonzeros(const Vec& x, int n, int K) {
  kernels::SparseBatch xs(n, K);
  kernels::list_rows(x.data(), 0, n / 2, xs);
  kernels::list_rows(x.data(), n / 2, n, xs);
  for (int i = 0; i < 3; ++i) kernels::list_columns(n, xs, K * i / 3, K * (i + 1) / 3);
  return xs;
}

// The first layer through the dispatch (the wasm kernel walks the lists, Eigen the dense x) and through
// ref::spmm_bias_relu, the lists' plain-loop definition, both against the dense reference.
inline std::string check_gemm_nn_bias_relu(int n, int K, int N, unsigned seed) {
  std::mt19937 gen(seed);
  const Vec x = sparsify(random_vec(std::size_t(n) * K, gen), n, K, gen);
  const Vec W = random_vec(std::size_t(K) * N, gen), b = random_vec(N, gen);
  const kernels::SparseBatch xs = list_nonzeros(x, n, K);
  Vec got(std::size_t(n) * N, NAN), sparse_ref(got.size(), NAN), want(got.size()), mag(got.size());
  kernels::gemm_nn_bias_relu(n, K, N, x.data(), xs, W.data(), b.data(), got.data());
  kernels::ref::spmm_bias_relu(n, N, xs, W.data(), b.data(), sparse_ref.data());
  kernels::ref::gemm_nn_bias_relu(n, K, N, x.data(), W.data(), b.data(), want.data());
  kernels::ref::gemm_nn_bias_relu(n, K, N, abs_vec(x).data(), abs_vec(W).data(), abs_vec(b).data(), mag.data());
  const auto dims = {std::pair{"n", n}, {"K", K}, {"N", N}};
  for (const std::string& e : {compare(shape("gemm_nn_bias_relu", dims), got, want, mag, n, N),
                               compare(shape("ref::spmm_bias_relu", dims), sparse_ref, want, mag, n, N, 0.0)})
    if (!e.empty()) return e;
  // In three column ranges (not on tile boundaries), as threads call it: every column written once.
  Vec parts(got.size(), NAN);
  for (int i = 0; i < 3; ++i)
    kernels::gemm_nn_bias_relu(n, K, N, x.data(), xs, W.data(), b.data(), parts.data(), N * i / 3, N * (i + 1) / 3);
  return compare(shape("gemm_nn_bias_relu in 3 column ranges", dims), parts, want, mag, n, N);
}

inline std::string check_gemm_nt_bias(int n, int N, int C, unsigned seed) {
  std::mt19937 gen(seed);
  const Vec a = random_vec(std::size_t(n) * N, gen), WT = random_vec(std::size_t(C) * N, gen), b = random_vec(C, gen);
  Vec got(std::size_t(n) * C, NAN), want(got.size()), mag(got.size());
  kernels::gemm_nt_bias(n, N, C, a.data(), WT.data(), b.data(), got.data());
  kernels::ref::gemm_nt_bias(n, N, C, a.data(), WT.data(), b.data(), want.data());
  kernels::ref::gemm_nt_bias(n, N, C, abs_vec(a).data(), abs_vec(WT).data(), abs_vec(b).data(), mag.data());
  return compare(shape("gemm_nt_bias", {{"n", n}, {"N", N}, {"C", C}}), got, want, mag, n, C);
}

inline std::string check_gemm_nn_relumask(int n, int C, int N, unsigned seed) {
  std::mt19937 gen(seed);
  const Vec g2 = random_vec(std::size_t(n) * C, gen), WT = random_vec(std::size_t(C) * N, gen);
  Vec a1 = random_vec(std::size_t(n) * N, gen);
  for (auto& v : a1) v = v < 0 ? 0.0f : v;  // like a ReLU output: about half exactly zero
  const Vec ones(a1.size(), 1.0f);
  Vec got(std::size_t(n) * N, NAN), want(got.size()), mag(got.size());
  kernels::gemm_nn_relumask(n, C, N, g2.data(), WT.data(), a1.data(), got.data());
  kernels::ref::gemm_nn_relumask(n, C, N, g2.data(), WT.data(), a1.data(), want.data());
  kernels::ref::gemm_nn_relumask(n, C, N, abs_vec(g2).data(), abs_vec(WT).data(), ones.data(), mag.data());
  const std::string whole = compare(shape("gemm_nn_relumask", {{"n", n}, {"C", C}, {"N", N}}), got, want, mag, n, N);
  if (!whole.empty()) return whole;
  Vec parts(got.size(), NAN);  // in three column ranges, as threads call it
  for (int i = 0; i < 3; ++i)
    kernels::gemm_nn_relumask(n, C, N, g2.data(), WT.data(), a1.data(), parts.data(), N * i / 3, N * (i + 1) / 3);
  return compare(shape("gemm_nn_relumask in 3 column ranges", {{"n", n}, {"C", C}, {"N", N}}), parts, want, mag, n, N);
}

inline std::string check_gemm_tn_sgd(int n, int M, int N, unsigned seed) {
  std::mt19937 gen(seed);
  const Vec A = sparsify(random_vec(std::size_t(n) * M, gen), n, M, gen), B = random_vec(std::size_t(n) * N, gen);
  const Vec W = random_vec(std::size_t(M) * N, gen);
  const float scale = 0.98f;
  Vec got = W, want = W, mag = abs_vec(W);
  std::vector<int> scratch(kernels::gemm_tn_sgd_scratch(M) + 1, -1);
  kernels::gemm_tn_sgd(n, M, N, A.data(), B.data(), scale, got.data(), scratch.data());
  kernels::ref::gemm_tn_sgd(n, M, N, A.data(), B.data(), scale, want.data());
  kernels::ref::gemm_tn_sgd(n, M, N, abs_vec(A).data(), abs_vec(B).data(), scale, mag.data());
  const std::string whole = compare(shape("gemm_tn_sgd", {{"n", n}, {"M", M}, {"N", N}}), got, want, mag, M, N);
  if (!whole.empty()) return whole;
  // In three column ranges (not on tile boundaries), as threads call it: no column touched twice or missed.
  Vec parts = W;
  for (int i = 0; i < 3; ++i)
    kernels::gemm_tn_sgd(n, M, N, A.data(), B.data(), scale, parts.data(), scratch.data(), N * i / 3, N * (i + 1) / 3);
  return compare(shape("gemm_tn_sgd in 3 column ranges", {{"n", n}, {"M", M}, {"N", N}}), parts, want, mag, M, N);
}

// The W1 update W (K, N) = scale W + x^T B through the dispatch (the wasm kernel walks x's column lists)
// and through ref::spmm_tn_sgd, against the dense reference.
inline std::string check_gemm_tn_sgd_x(int n, int K, int N, unsigned seed) {
  std::mt19937 gen(seed);
  const Vec x = sparsify(random_vec(std::size_t(n) * K, gen), n, K, gen), B = random_vec(std::size_t(n) * N, gen);
  const Vec W = random_vec(std::size_t(K) * N, gen);
  const float scale = 0.98f;
  const kernels::SparseBatch xs = list_nonzeros(x, n, K);
  Vec got = W, sparse_ref = W, want = W, mag = abs_vec(W);
  kernels::gemm_tn_sgd_x(n, K, N, x.data(), xs, B.data(), scale, got.data());
  kernels::ref::spmm_tn_sgd(N, xs, B.data(), scale, sparse_ref.data());
  kernels::ref::gemm_tn_sgd(n, K, N, x.data(), B.data(), scale, want.data());
  kernels::ref::gemm_tn_sgd(n, K, N, abs_vec(x).data(), abs_vec(B).data(), scale, mag.data());
  const auto dims = {std::pair{"n", n}, {"K", K}, {"N", N}};
  for (const std::string& e : {compare(shape("gemm_tn_sgd_x", dims), got, want, mag, K, N),
                               compare(shape("ref::spmm_tn_sgd", dims), sparse_ref, want, mag, K, N, 0.0)})
    if (!e.empty()) return e;
  Vec parts = W;  // in three column ranges, as threads call it
  for (int i = 0; i < 3; ++i)
    kernels::gemm_tn_sgd_x(n, K, N, x.data(), xs, B.data(), scale, parts.data(), N * i / 3, N * (i + 1) / 3);
  return compare(shape("gemm_tn_sgd_x in 3 column ranges", dims), parts, want, mag, K, N);
}

// The first layer and the W1 update on a W1 packed by 16-column slabs (W1Slabs), slab by slab, against
// the same products on W1 row-major: bit for bit with the wasm SIMD kernels (the step's two layouts must
// agree exactly); natively, where both are the lists' plain loops and g++ may contract them into FMAs
// differently, within rounding. Packing then unpacking gives W1 back.
inline std::string check_slab_products(int n, int H, unsigned seed) {
  std::mt19937 gen(seed);
  const int K = kInputs;
  const Vec x = sparsify(random_vec(std::size_t(n) * K, gen), n, K, gen), b = random_vec(H, gen);
  const Vec B = random_vec(std::size_t(n) * H, gen), W = random_vec(std::size_t(K) * H, gen);
  const Mat<float> W1 = Eigen::Map<const Mat<float>>(W.data(), K, H);
  const float scale = 0.98f;
  const kernels::SparseBatch xs = list_nonzeros(x, n, K), abs_xs = list_nonzeros(abs_vec(x), n, K);
  const auto dims = {std::pair{"n", n}, {"H", H}};
  W1Slabs slabs(W1);
  Mat<float> unpacked(K, H);
  slabs.unpack(unpacked);
  if (!(unpacked.array() == W1.array()).all()) return shape("W1Slabs", dims) + ": packing then unpacking changes W1";
  Vec a_rows(std::size_t(n) * H, NAN), a_slabs(a_rows.size(), NAN), a_mag(a_rows.size());
  Vec W_rows = W, W_mag = abs_vec(W);
  kernels::ref::spmm_bias_relu(n, H, abs_xs, abs_vec(W).data(), abs_vec(b).data(), a_mag.data());
  kernels::ref::spmm_tn_sgd(H, abs_xs, abs_vec(B).data(), scale, W_mag.data());
  if (kernels::kSparseInputs) {
    kernels::gemm_nn_bias_relu(n, K, H, x.data(), xs, W.data(), b.data(), a_rows.data());
    kernels::gemm_tn_sgd_x(n, K, H, x.data(), xs, B.data(), scale, W_rows.data());
  } else {
    kernels::ref::spmm_bias_relu(n, H, xs, W.data(), b.data(), a_rows.data());
    kernels::ref::spmm_tn_sgd(H, xs, B.data(), scale, W_rows.data());
  }
  for (int s = 0; s < slabs.slabs(); ++s) {
    kernels::spmm_bias_relu_slab16(n, H, xs, slabs.slab(s), b.data(), a_slabs.data(), W1Slabs::kWidth * s);
    kernels::spmm_tn_sgd_slab16(H, xs, B.data(), scale, slabs.slab(s), W1Slabs::kWidth * s);
  }
  slabs.unpack(unpacked);
  const Vec W_slabs(unpacked.data(), unpacked.data() + unpacked.size());
  const double rtol = kernels::kSparseInputs ? 0.0 : 2e-5;
  for (const std::string& e : {compare(shape("spmm_bias_relu_slab16", dims), a_slabs, a_rows, a_mag, n, H, rtol),
                               compare(shape("spmm_tn_sgd_slab16", dims), W_slabs, W_rows, W_mag, K, H, rtol)})
    if (!e.empty()) return e;
  return "";
}

inline std::string check_colsum_add(int n, int N, unsigned seed) {
  std::mt19937 gen(seed);
  const Vec G = random_vec(std::size_t(n) * N, gen), b = random_vec(N, gen);
  Vec got = b, want = b, mag = abs_vec(b);
  kernels::colsum_add(n, N, G.data(), got.data());
  kernels::ref::colsum_add(n, N, G.data(), want.data());
  kernels::ref::colsum_add(n, N, abs_vec(G).data(), mag.data());
  const std::string whole = compare(shape("colsum_add", {{"n", n}, {"N", N}}), got, want, mag, 1, N);
  if (!whole.empty()) return whole;
  Vec parts = b;  // in three column ranges, as threads call it
  for (int i = 0; i < 3; ++i) kernels::colsum_add(n, N, G.data(), parts.data(), N * i / 3, N * (i + 1) / 3);
  return compare(shape("colsum_add in 3 column ranges", {{"n", n}, {"N", N}}), parts, want, mag, 1, N);
}

// Exact: the conversion must give gather_batch's bits.
inline std::string check_u8_to_unit_f32(int count, unsigned seed) {
  std::mt19937 gen(seed);
  std::vector<std::uint8_t> src(count);
  for (auto& p : src) p = static_cast<std::uint8_t>(gen());
  if (count > 0) src[0] = 255;
  Vec got(count, NAN), want(count);
  kernels::u8_to_unit_f32(count, src.data(), got.data());
  kernels::ref::u8_to_unit_f32(count, src.data(), want.data());
  return compare(shape("u8_to_unit_f32", {{"count", count}}), got, want, Vec(count, 0.0f), 1, count, 0.0);
}

// Exact: row lists straight from uint8 pixels, and the dispatched list_rows of their floats, must be
// ref::list_rows's lists of the floats, block starts included; and each block must start at the row's
// first listed k >= 16 b. Rows of K pixels, each lit with probability lit_percent (0: blank rows, 100: no
// zero at all), listed in reverse row order so a row's lists cannot lean on an earlier one's.
inline std::string check_list_row_u8(int n, int K, int lit_percent, unsigned seed) {
  std::mt19937 gen(seed);
  std::vector<std::uint8_t> pixels(std::size_t(n) * K);
  for (auto& p : pixels) p = int(gen() % 100) < lit_percent ? static_cast<std::uint8_t>(1 + gen() % 255) : 0;
  Vec x(pixels.size());
  kernels::ref::u8_to_unit_f32(pixels.size(), pixels.data(), x.data());
  kernels::SparseBatch want(n, K), from_u8(n, K), from_f32(n, K);
  kernels::ref::list_rows(x.data(), 0, n, want);
  for (int r = n - 1; r >= 0; --r) {
    kernels::list_row_u8(pixels.data() + std::size_t(r) * K, r, from_u8);
    kernels::list_rows(x.data(), r, r + 1, from_f32);
  }
  const std::string where = shape("list_row_u8, list_rows", {{"n", n}, {"K", K}, {"lit %", lit_percent}});
  for (int r = 0; r < n; ++r) {
    const int count = want.row_count[r];
    const int* ks = want.ks_of_row(r);
    for (int b = 0; b < want.blocks(); ++b)
      if (want.block_starts_of_row(r)[b] !=
          int(std::lower_bound(ks, ks + count, kernels::SparseBatch::kBlock * b) - ks))
        return where + ": ref::list_rows: row " + std::to_string(r) + " block " + std::to_string(b) +
               " does not start at its first listed pixel";
    for (const auto* got : {&from_u8, &from_f32}) {
      const std::string which =
          where + (got == &from_u8 ? ": list_row_u8" : ": list_rows") + ": row " + std::to_string(r);
      if (got->row_count[r] != count)
        return which + " lists " + std::to_string(got->row_count[r]) + " pixels, want " + std::to_string(count);
      if (!std::equal(ks, ks + count, got->ks_of_row(r)) ||
          !std::equal(want.xs_of_row(r), want.xs_of_row(r) + count, got->xs_of_row(r)))
        return which + " lists other pixels or values";
      if (!std::equal(want.block_starts_of_row(r), want.block_starts_of_row(r) + want.blocks(),
                      got->block_starts_of_row(r)))
        return which + " has other block starts";
    }
  }
  return "";
}

// train_step against network.hpp's forward + backward + sgd_update run in double from the same start.
// Parameters are compared by their change (the update), relative to the largest change of each, since
// the parameters themselves barely move in one step; the loss and the probabilities directly.
inline std::string check_train_step(int n, int H, unsigned seed, double rtol = 1e-4) {
  std::mt19937 gen(seed);
  Rng rng(seed);
  const Params<float> P0 = init_params(H, rng);
  Params<float> P = P0;
  // Copied, not assigned through an Eigen::Map: g++ -march=native warned (-Warray-bounds) about Eigen's
  // 16-float AVX-512 load on the 10-float b2, on a path that never runs for 10 elements.
  const Vec b1 = random_vec(H, gen, -0.1f, 0.1f), b2 = random_vec(kClasses, gen, -0.1f, 0.1f);
  std::copy(b1.begin(), b1.end(), P.b1.data());
  std::copy(b2.begin(), b2.end(), P.b2.data());
  const Params<float> start = P;
  Vec x(std::size_t(n) * kInputs);
  for (auto& v : x) v = (gen() % 4 == 0) ? 0.0f : float(gen() % 256) / 255.0f;  // many zeros, as MNIST
  std::vector<std::uint8_t> labels(n);
  for (auto& l : labels) l = static_cast<std::uint8_t>(gen() % kClasses);
  const float lr = 0.1f, decay = 1e-3f;  // a larger decay than the default, so its term is visible

  StepWorkspace ws(n, H);
  const float ce = train_step(P, x.data(), labels.data(), n, lr, decay, ws);

  Params<double> R = start.cast<double>();
  Workspace<double> rws(n, H);
  std::vector<double> xd(x.begin(), x.end());
  const double ce_ref = forward(R, xd.data(), labels.data(), n, rws);
  const auto p_ref = rws.p;  // copied: backward leaves p alone, but keep the forward values
  backward(R, xd.data(), labels.data(), n, double(decay), rws);
  sgd_update(R, rws.grad, double(lr));

  const std::string where = shape("train_step", {{"n", n}, {"H", H}});
  if (!(std::fabs(ce - ce_ref) <= rtol * std::fabs(ce_ref)))
    return where + ": loss " + std::to_string(ce) + ", want " + std::to_string(ce_ref);
  {
    Vec got(ws.p.begin(), ws.p.begin() + std::size_t(n) * kClasses), want(p_ref.begin(), p_ref.begin() + got.size());
    const std::string e = compare(where + " p", got, want, Vec(got.size(), 1e-2f), n, kClasses, rtol);
    if (!e.empty()) return e;
  }
  auto delta = [&](const char* name, const float* now, const float* before, const double* ref, int rows, int cols) {
    const std::size_t size = std::size_t(rows) * cols;
    Vec got(size), want(size);
    double largest = 0;
    for (std::size_t k = 0; k < size; ++k) {
      got[k] = float(double(now[k]) - double(before[k]));
      want[k] = float(ref[k] - double(before[k]));
      largest = std::max(largest, std::fabs(double(want[k])));
    }
    // Float's own step: W - lr dW rounds to |W| * 2^-24 at best, which the delta carries too.
    Vec mag(size);
    for (std::size_t k = 0; k < size; ++k) mag[k] = float(largest + std::fabs(double(before[k])) * 6e-8 / rtol);
    return compare(where + " " + name + " update", got, want, mag, rows, cols, rtol);
  };
  for (const std::string& e : {delta("W1", P.W1.data(), start.W1.data(), R.W1.data(), kInputs, H),
                               delta("b1", P.b1.data(), start.b1.data(), R.b1.data(), 1, H),
                               delta("W2", P.W2.data(), start.W2.data(), R.W2.data(), H, kClasses),
                               delta("b2", P.b2.data(), start.b2.data(), R.b2.data(), 1, kClasses)})
    if (!e.empty()) return e;
  return "";
}

// The dense optimizer steps (momentum, Adam) through the dispatch against ref on a block (rows, N) updated
// in three column ranges, as threads call them: exact with the wasm SIMD kernels (the same lane-by-lane
// operations); natively, where both are the plain loops, within rounding (g++ may contract them into FMAs).
inline std::string check_optimizer_update(Optimizer kind, int rows, int N, unsigned seed) {
  std::mt19937 gen(seed);
  const std::size_t size = std::size_t(rows) * N;
  const Vec G = random_vec(size, gen), W = random_vec(size, gen), M = random_vec(size, gen, -0.1f, 0.1f);
  const Vec V = random_vec(size, gen, 0.0f, 0.01f);  // a second moment is never negative
  const kernels::ref::MomentumStep hm{0.05f, 2e-3f, 0.9f};
  const kernels::ref::AdamStep ha{0.01f / 0.271f, 2e-3f, kAdamBeta1, 1 - kAdamBeta1, kAdamBeta2, 1 - kAdamBeta2,
                                  1.0f / std::sqrt(0.002997f), kAdamEpsilon};
  Vec w_got = W, m_got = M, v_got = V, w_want = W, m_want = M, v_want = V;
  for (int i = 0; i < 3; ++i) {
    const int j0 = N * i / 3, j1 = N * (i + 1) / 3;
    if (kind == Optimizer::momentum)
      kernels::momentum_update(rows, N, G.data(), hm, w_got.data(), m_got.data(), j0, j1);
    else
      kernels::adam_update(rows, N, G.data(), ha, w_got.data(), m_got.data(), v_got.data(), j0, j1);
  }
  if (kind == Optimizer::momentum)
    kernels::ref::momentum_update(rows, N, G.data(), hm, w_want.data(), m_want.data(), 0, N);
  else
    kernels::ref::adam_update(rows, N, G.data(), ha, w_want.data(), m_want.data(), v_want.data(), 0, N);
  const double rtol = kernels::kSparseInputs ? 0.0 : 1e-6;
  const Vec ones(size, 1.0f);
  const std::string op = kind == Optimizer::momentum ? "momentum_update" : "adam_update";
  const auto dims = {std::pair{"rows", rows}, {"N", N}};
  for (const std::string& e : {compare(shape((op + " W").c_str(), dims), w_got, w_want, ones, rows, N, rtol),
                               compare(shape((op + " M").c_str(), dims), m_got, m_want, ones, rows, N, rtol),
                               compare(shape((op + " V").c_str(), dims), v_got, v_want, ones, rows, N, rtol)})
    if (!e.empty()) return e;
  return "";
}

// train_step with momentum or Adam (OptimizerState), against network.hpp's forward + backward and its
// momentum_update or adam_update run in double from the same start, over three steps. Parameters are
// compared by their change, as check_train_step does. Adam divides each gradient by its own size, so
// where the reference gradient of an element is near zero the float gradient's rounding (about 1e-6 of
// the matrix's largest) can move its update by up to lr: the tolerance says so for those elements.
inline std::string check_train_step_optimizer(Optimizer kind, int n, int H, unsigned seed, ThreadPool* pool = nullptr) {
  std::mt19937 gen(seed);
  Rng rng(seed);
  Params<float> P = init_params(H, rng);
  const Params<float> start = P;
  const float lr = kind == Optimizer::adam ? 1e-3f : 0.05f, decay = 1e-3f, mu = 0.9f;
  const int steps = 3, threads = pool ? pool->size() : 1;
  StepWorkspace ws(n, H, threads);
  OptimizerState opt(kind, H, mu);
  Params<double> R = start.cast<double>(), RM = Params<double>::zeros(H), RV = Params<double>::zeros(H);
  Params<double> smallest_g = Params<double>::zeros(H);  // per element, the smallest |gradient| over the steps
  smallest_g.W1.setConstant(1e30), smallest_g.b1.setConstant(1e30), smallest_g.W2.setConstant(1e30),
      smallest_g.b2.setConstant(1e30);
  double largest_W1 = 0, largest_b1 = 0, largest_W2 = 0, largest_b2 = 0;  // per matrix, its largest |gradient|
  Workspace<double> rws(n, H);
  const std::string where =
      shape(kind == Optimizer::adam ? "train_step adam" : "train_step momentum", {{"n", n}, {"H", H}, {"threads", threads}});
  for (int step = 0; step < steps; ++step) {
    Vec x(std::size_t(n) * kInputs);
    for (auto& v : x) v = (gen() % 4 == 0) ? 0.0f : float(gen() % 256) / 255.0f;
    std::vector<std::uint8_t> labels(n);
    for (auto& l : labels) l = static_cast<std::uint8_t>(gen() % kClasses);
    const float ce = train_step(P, x.data(), labels.data(), n, lr, decay, ws, pool, &opt);
    std::vector<double> xd(x.begin(), x.end());
    const double ce_ref = forward(R, xd.data(), labels.data(), n, rws);
    backward(R, xd.data(), labels.data(), n, double(decay), rws);
    smallest_g.W1 = smallest_g.W1.cwiseMin(rws.grad.W1.cwiseAbs());
    smallest_g.b1 = smallest_g.b1.cwiseMin(rws.grad.b1.cwiseAbs());
    smallest_g.W2 = smallest_g.W2.cwiseMin(rws.grad.W2.cwiseAbs());
    smallest_g.b2 = smallest_g.b2.cwiseMin(rws.grad.b2.cwiseAbs());
    largest_W1 = std::max(largest_W1, rws.grad.W1.cwiseAbs().maxCoeff());
    largest_b1 = std::max(largest_b1, rws.grad.b1.cwiseAbs().maxCoeff());
    largest_W2 = std::max(largest_W2, rws.grad.W2.cwiseAbs().maxCoeff());
    largest_b2 = std::max(largest_b2, rws.grad.b2.cwiseAbs().maxCoeff());
    if (kind == Optimizer::momentum)
      momentum_update(R, RM, rws.grad, double(lr), double(mu));
    else
      adam_update(R, RM, RV, rws.grad, double(lr), step + 1, double(kAdamBeta1), double(kAdamBeta2),
                  double(kAdamEpsilon));
    // A fitted row's loss is log-sum-exp minus its logit, two close numbers: float keeps about 1e-6 of each.
    if (!(std::fabs(ce - ce_ref) <= 1e-4 * std::fabs(ce_ref) + 1e-5 * n))
      return where + ": step " + std::to_string(step) + " loss " + std::to_string(ce) + ", want " +
             std::to_string(ce_ref);
  }
  auto delta = [&](const char* name, const float* now, const float* before, const double* ref, const double* g,
                   double largest_g, int rows, int cols) {
    const std::size_t size = std::size_t(rows) * cols;
    Vec got(size), want(size), mag(size);
    double largest = 0;
    for (std::size_t k = 0; k < size; ++k) {
      got[k] = float(double(now[k]) - double(before[k]));
      want[k] = float(ref[k] - double(before[k]));
      largest = std::max(largest, std::fabs(double(want[k])));
    }
    const double rtol = 2e-4;
    for (std::size_t k = 0; k < size; ++k) {
      double m = largest + std::fabs(double(before[k])) * 6e-8 / rtol;
      if (kind == Optimizer::adam)
        m += steps * lr / rtol * std::min(1.0, 1e-6 * largest_g / (g[k] + double(kAdamEpsilon)));
      mag[k] = float(m);
    }
    return compare(where + " " + name + " update", got, want, mag, rows, cols, rtol);
  };
  for (const std::string& e :
       {delta("W1", P.W1.data(), start.W1.data(), R.W1.data(), smallest_g.W1.data(), largest_W1, kInputs, H),
        delta("b1", P.b1.data(), start.b1.data(), R.b1.data(), smallest_g.b1.data(), largest_b1, 1, H),
        delta("W2", P.W2.data(), start.W2.data(), R.W2.data(), smallest_g.W2.data(), largest_W2, H, kClasses),
        delta("b2", P.b2.data(), start.b2.data(), R.b2.data(), smallest_g.b2.data(), largest_b2, 1, kClasses)})
    if (!e.empty()) return e;
  return "";
}

// `images` random images, sparse as MNIST's (a quarter of the pixels lit), with random labels.
inline Dataset random_images(int images, std::mt19937& gen) {
  Dataset d;
  d.pixels.resize(std::size_t(images) * kInputs);
  for (auto& p : d.pixels) p = gen() % 4 == 0 ? static_cast<std::uint8_t>(gen()) : 0;
  d.labels.resize(images);
  for (auto& l : d.labels) l = static_cast<std::uint8_t>(gen() % kClasses);
  return d;
}

inline bool same_bits(const Params<float>& P, const Params<float>& Q) {
  return (P.W1.array() == Q.W1.array()).all() && (P.b1.array() == Q.b1.array()).all() &&
         (P.W2.array() == Q.W2.array()).all() && (P.b2.array() == Q.b2.array()).all();
}

// Whether P's parameters are Q's up to float rounding: each matrix within rtol of Q's largest magnitude.
inline bool close_params(const Params<float>& P, const Params<float>& Q, float rtol) {
  const auto close = [rtol](const auto& a, const auto& b) {
    return ((a - b).array().abs() <= rtol * (b.array().abs().maxCoeff() + 1e-30f)).all();
  };
  return close(P.W1, Q.W1) && close(P.b1, Q.b1) && close(P.W2, Q.W2) && close(P.b2, Q.b2);
}

// train_batch, which takes the rows inside the step (each thread its own rows: listed straight from the
// images, or gathered into x for dense kernels), against gather_batch then train_step on the same pool:
// the same bits, over a few steps. train_batch gets a workspace shaped as the Trainer's (more rows for
// evaluation than for a step, so the lists by pixel are sized for fewer rows than the lists by row); a
// forward-only workspace (no lists by pixel) then gives the same probabilities as a training one. On W1 by
// slabs, which keep the decay apart (W1Slabs), the same up to float rounding.
inline std::string check_train_batch(int n, int H, unsigned seed, ThreadPool* pool = nullptr) {
  std::mt19937 gen(seed);
  const int images = n + 7;
  const Dataset d = random_images(images, gen);
  Rng rng(seed);
  Params<float> A = init_params(H, rng), B = A, C = A;
  const int threads = pool ? pool->size() : 1;
  StepWorkspace wa(n, H, threads), wb(n + 9, H, threads, /*train_rows=*/n), wc(wb.capacity, H, threads, n);
  Vec xa(std::size_t(n) * kInputs), xb(xa.size()), xc(xa.size());
  std::vector<std::uint8_t> la(n), lb(n), lc(n);
  const bool slabbed = W1Slabs::usable(H);  // C trains on W1 by slabs where the step can
  W1Slabs slabs;
  if (slabbed) slabs.pack(C.W1);
  const Mat<float> W1_start = C.W1;  // train_batch with slabs leaves C.W1 alone
  std::vector<std::uint32_t> idx(n);
  for (int step = 0; step < 3; ++step) {
    for (auto& i : idx) i = gen() % images;
    gather_batch(d, idx.data(), n, xa.data(), la.data());
    const float ca = train_step(A, xa.data(), la.data(), n, 0.1f, 1e-3f, wa, pool);
    const float cb = train_batch(B, d, idx.data(), n, xb.data(), lb.data(), 0.1f, 1e-3f, wb, pool);
    const std::string where = shape("train_batch", {{"n", n}, {"H", H}, {"threads", threads}, {"step", step}});
    if ((!kernels::kSparseInputs && xb != xa) || lb != la)
      return where + ": the gathered rows differ from gather_batch's";
    if (cb != ca) return where + ": loss " + std::to_string(cb) + ", want " + std::to_string(ca);
    if (!same_bits(B, A)) return where + ": the parameters differ from gather_batch then train_step";
    if (!slabbed) continue;
    const float cc = train_batch(C, d, idx.data(), n, xc.data(), lc.data(), 0.1f, 1e-3f, wc, pool, &slabs);
    if (!(C.W1.array() == W1_start.array()).all()) return where + ": train_batch on slabs changed P.W1";
    Params<float> Cw = C;
    slabs.unpack(Cw.W1);
    if (!(std::fabs(cc - ca) <= 1e-5f * std::fabs(ca)) || !close_params(Cw, A, 1e-5f))
      return where + ": W1 by slabs gives another loss or other parameters than W1 row-major";
  }
  StepWorkspace forward_only(n, H, threads, /*train_rows=*/0);
  forward_probs(A, xa.data(), la.data(), n, wa, 0.1f, pool);
  forward_probs(A, xa.data(), la.data(), n, forward_only, 0.1f, pool);
  if (!std::equal(wa.p.begin(), wa.p.begin() + std::size_t(n) * kClasses, forward_only.p.begin()))
    return shape("forward_probs", {{"n", n}, {"H", H}, {"threads", threads}}) +
           ": a forward-only workspace gives other probabilities than a training one";
  return "";
}

// train_batch with momentum or Adam on W1 by slabs (their moments then by slabs too) against the same steps
// on W1 row-major: the same bits, the next batch listed ahead or not, over a few steps.
inline std::string check_optimizer_slabs(Optimizer kind, int n, int H, unsigned seed, ThreadPool* pool = nullptr) {
  if (!W1Slabs::usable(H)) return "";
  std::mt19937 gen(seed);
  const int images = n + 7;
  const Dataset d = random_images(images, gen);
  Rng rng(seed);
  Params<float> A = init_params(H, rng), B = A;
  const int threads = pool ? pool->size() : 1;
  StepWorkspace wa(n, H, threads), wb(n, H, threads);
  OptimizerState oa(kind, H, 0.9f), ob(kind, H, 0.9f);
  W1Slabs slabs(B.W1);
  Vec x(std::size_t(n) * kInputs);
  std::vector<std::uint8_t> la(n), lb(n), lb_ahead(n);
  const float lr = kind == Optimizer::adam ? 1e-3f : 0.05f, decay = 1e-3f;
  const int steps = 6;
  std::vector<std::vector<std::uint32_t>> idx(steps + 1, std::vector<std::uint32_t>(n));
  for (auto& batch : idx)
    for (auto& i : batch) i = gen() % images;
  for (int step = 0; step < steps; ++step) {
    const std::string where = shape(kind == Optimizer::adam ? "adam on slabs" : "momentum on slabs",
                                    {{"n", n}, {"H", H}, {"threads", threads}, {"step", step}});
    const float ca = train_batch(A, d, idx[step].data(), n, x.data(), la.data(), lr, decay, wa, pool, nullptr, {}, &oa);
    const BatchAhead ahead{idx[step + 1].data(), n, lb_ahead.data()};
    const float cb =
        train_batch(B, d, idx[step].data(), n, x.data(), lb.data(), lr, decay, wb, pool, &slabs, ahead, &ob);
    lb.swap(lb_ahead);
    if (cb != ca) return where + ": loss " + std::to_string(cb) + ", want " + std::to_string(ca);
    if (slabs.scale() != 1.0f) return where + ": the slabs' scale moved (the optimizer adds the decay itself)";
    Params<float> C = B;
    slabs.unpack(C.W1);
    if (!same_bits(C, A)) return where + ": the parameters differ from the steps on W1 row-major";
  }
  return "";
}

// W1 by slabs keeps the weight decay in its scale and folds it back into the weights when the scale would
// fall below W1Slabs::kMinScale. Over steps with a decay that makes it fold every 7 steps, training on
// slabs (listing each next batch ahead, in the unit of the scale to come) follows training W1 row-major
// up to rounding; a re-pack between steps (the scale back to 1) makes the step list its rows again; and
// the rows of W1 for pixels no image lights only decay, though the step no longer touches them.
inline std::string check_slab_decay(int n, int H, unsigned seed, ThreadPool* pool = nullptr) {
  if (!W1Slabs::usable(H)) return "";
  std::mt19937 gen(seed);
  const int images = n + 7, dark = 20;  // pixels [0, dark) are lit in no image
  Dataset d = random_images(images, gen);
  for (int i = 0; i < images; ++i) std::fill_n(d.pixels.begin() + std::size_t(i) * kInputs, dark, 0);
  Rng rng(seed);
  Params<float> A = init_params(H, rng), B = A;
  const Mat<float> W1_start = A.W1;
  const int threads = pool ? pool->size() : 1;
  StepWorkspace wa(n, H, threads), wb(n, H, threads);
  W1Slabs slabs(B.W1);
  Vec x(std::size_t(n) * kInputs);
  std::vector<std::uint8_t> la(n), lb(n), lb_ahead(n);
  const float lr = 0.1f, decay = 0.5f, s = 1.0f - 2.0f * lr * decay;  // s = 0.9
  const int steps = 20, repack_after = 9;                             // folds after steps 6 and 16
  std::vector<std::vector<std::uint32_t>> idx(steps + 1, std::vector<std::uint32_t>(n));
  for (auto& batch : idx)
    for (auto& i : batch) i = gen() % images;
  int folds = 0;
  for (int step = 0; step < steps; ++step) {
    const std::string where = shape("slab decay", {{"n", n}, {"H", H}, {"threads", threads}, {"step", step}});
    const float ca = train_batch(A, d, idx[step].data(), n, x.data(), la.data(), lr, decay, wa, pool);
    const BatchAhead ahead{idx[step + 1].data(), n, lb_ahead.data()};
    const float cb = train_batch(B, d, idx[step].data(), n, x.data(), lb.data(), lr, decay, wb, pool, &slabs, ahead);
    lb.swap(lb_ahead);
    folds += slabs.scale() == 1.0f;
    if (!(std::fabs(cb - ca) <= 1e-4f * std::fabs(ca)))
      return where + ": loss " + std::to_string(cb) + ", want " + std::to_string(ca);
    if (!(slabs.scale() >= W1Slabs::kMinScale && slabs.scale() <= 1.0f)) return where + ": scale out of range";
    if (wb.listed_ahead.idx != ahead.idx || wb.listed_ahead.unit != W1Slabs::unit_of(slabs.scale()))
      return where + ": the next batch was not listed ahead in the unit of the scale it will train with";
    if (step == repack_after) {  // the listed rows' unit is now stale: the next step must list them again
      Mat<float> W1(kInputs, H);
      slabs.unpack(W1);
      slabs.pack(W1);
    }
  }
  const std::string where = shape("slab decay", {{"n", n}, {"H", H}, {"threads", threads}});
  if (folds != 2) return where + ": the scale folded " + std::to_string(folds) + " times in 20 steps, want 2";
  slabs.unpack(B.W1);
  if (!close_params(B, A, 1e-4f)) return where + ": the parameters differ from training W1 row-major";
  const float decayed = std::pow(s, float(steps));
  const Mat<float> want = decayed * W1_start.topRows(dark);
  if (!((B.W1.topRows(dark) - want).array().abs() <= 1e-5f * W1_start.array().abs().maxCoeff()).all())
    return where + ": the rows of unlit pixels are not W1's start times s^steps";
  return "";
}

// train_batch listing each next batch ahead (BatchAhead, as the Trainer does) against train_batch without:
// the same bits over a run of batches whose last is shorter, where an evaluation on the same workspace
// (which lists other rows) and a batch other than the one listed ahead come between steps; the step must
// then list its rows itself. With the sparse kernels, the workspace must say what it listed ahead.
inline std::string check_train_batch_ahead(int n, int H, unsigned seed, ThreadPool* pool = nullptr) {
  std::mt19937 gen(seed);
  const int images = 3 * n + 5;
  const Dataset d = random_images(images, gen);
  Rng rng(seed);
  Params<float> A = init_params(H, rng), B = A;
  const int threads = pool ? pool->size() : 1;
  StepWorkspace wa(n + 9, H, threads, n), wb(wa.capacity, H, threads, n);
  W1Slabs sa, sb;  // both train on slabs where the step can, so only the listing differs
  if (W1Slabs::usable(H)) {
    sa.pack(A.W1);
    sb.pack(B.W1);
  }
  W1Slabs* slabs_a = sa.hidden() > 0 ? &sa : nullptr;
  W1Slabs* slabs_b = sb.hidden() > 0 ? &sb : nullptr;
  Vec x(std::size_t(n) * kInputs);
  std::vector<std::uint8_t> la(n), lb(n), lb_ahead(n);
  // Seven batches: the 4th is evaluated before, the 6th is not the one listed ahead, the 7th is shorter.
  const int batches = 7;
  std::vector<std::vector<std::uint32_t>> idx(batches + 1);
  for (int b = 0; b <= batches; ++b) {
    idx[b].resize(b == batches - 1 ? std::max(1, n - 3) : n);
    for (auto& i : idx[b]) i = gen() % images;
  }
  const std::vector<std::uint32_t> surprise = idx[batches];  // listed ahead in place of batch 5
  Vec eval_x(std::size_t(wb.capacity) * kInputs, 0.25f);
  for (int b = 0; b < batches; ++b) {
    const std::string where = shape("train_batch ahead", {{"n", n}, {"H", H}, {"threads", threads}, {"batch", b}});
    const int nb = int(idx[b].size());
    if (b == 3) forward_probs(B, eval_x.data(), nullptr, wb.capacity, wb, 0.0f, pool);
    if (b == 3 && wb.listed_ahead.n != 0)
      return where + ": an evaluation left the workspace claiming rows listed ahead";
    const float ca = train_batch(A, d, idx[b].data(), nb, x.data(), la.data(), 0.1f, 1e-3f, wa, pool, slabs_a);
    const std::vector<std::uint32_t>& next = b == 4 ? surprise : idx[b + 1];
    const BatchAhead ahead{next.data(), b + 1 < batches ? int(next.size()) : 0, lb_ahead.data()};
    const float cb = train_batch(B, d, idx[b].data(), nb, x.data(), lb.data(), 0.1f, 1e-3f, wb, pool, slabs_b, ahead);
    if (cb != ca || !std::equal(la.begin(), la.begin() + nb, lb.begin()))
      return where + ": loss " + std::to_string(cb) + ", want " + std::to_string(ca) + " (or other labels)";
    const bool listed = wb.listed_ahead.idx == next.data() && wb.listed_ahead.n == ahead.n;
    if (kernels::kSparseInputs && ahead.n > 0 && !listed) return where + ": the next batch was not listed ahead";
    lb.swap(lb_ahead);
  }
  if (slabs_a) {
    sa.unpack(A.W1);
    sb.unpack(B.W1);
  }
  if (!same_bits(B, A))
    return shape("train_batch ahead", {{"n", n}, {"H", H}, {"threads", threads}}) +
           ": the parameters differ from training without listing ahead";
  return "";
}

// Where the dispatch says layer 2 computes each row on its own (kRowsIndependentLayer2, so the step splits
// it by rows between threads), gemm_nt_bias on rows [0, m) and [m, n) gives the bits of one call on all n.
inline std::string check_gemm_nt_bias_row_split(int n, int N, int C, unsigned seed) {
  if (!kernels::kRowsIndependentLayer2) return "";
  std::mt19937 gen(seed);
  const Vec a = random_vec(std::size_t(n) * N, gen), WT = random_vec(std::size_t(C) * N, gen), b = random_vec(C, gen);
  Vec whole(std::size_t(n) * C), split(whole.size());
  kernels::gemm_nt_bias(n, N, C, a.data(), WT.data(), b.data(), whole.data());
  for (int m : {1, n / 2, n - 1}) {
    if (m <= 0 || m >= n) continue;
    kernels::gemm_nt_bias(m, N, C, a.data(), WT.data(), b.data(), split.data());
    kernels::gemm_nt_bias(n - m, N, C, a.data() + std::size_t(m) * N, WT.data(), b.data(),
                          split.data() + std::size_t(m) * C);
    if (split != whole)
      return shape("gemm_nt_bias row split", {{"n", n}, {"N", N}, {"C", C}, {"m", m}}) + ": other bits than one call";
  }
  return "";
}

// The named edge sizes: dimensions around the 4- and 8-wide tiles and their remainders, one row, and the
// real shapes (n = 32 or 64, K = 784, H = 256, 10 classes).
inline const std::vector<int>& edge_rows() {
  static const std::vector<int> v{1, 2, 3, 4, 5, 7, 8, 9, 32, 33, 64, 65, 130};  // 65, 130: past the 64-row blocks
  return v;
}
inline const std::vector<int>& edge_cols() {
  static const std::vector<int> v{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 256};
  return v;
}
inline const std::vector<int>& edge_depths() {
  static const std::vector<int> v{1, 3, 4, 5, 17, 784};
  return v;
}
inline const std::vector<int>& edge_classes() {
  static const std::vector<int> v{1, 4, 5, 6, 9, 10, 11};
  return v;
}

// The evaluation on the step's kernels (images listed straight from uint8, kEvalRows rows per forward pass,
// in pieces, optionally on a pool) against evaluate_reference (network.hpp's forward, one image at a time):
// the same predictions, so the same confusion and misclassified lists, and the loss up to float rounding.
inline std::string check_evaluate(int images, int H, unsigned seed, ThreadPool* pool = nullptr) {
  std::mt19937 gen(seed);
  const Dataset d = random_images(images, gen);
  Rng rng(seed);
  const Params<float> P = init_params(H, rng);
  std::vector<std::uint32_t> idx;  // every other image, backwards, as a validation split picks them
  for (int i = images - 1; i >= 0; i -= 2) idx.push_back(static_cast<std::uint32_t>(i));
  StepWorkspace ws(kEvalChunk, H, 2, /*train_rows=*/0);
  EvaluationPass pass;
  pass.start(d, idx.data(), idx.size());
  while (!pass.done()) pass.run(P, 50, ws, pool);
  const Evaluation got = pass.result(P, 1e-4f), want = evaluate_reference(P, d, idx.data(), idx.size(), 1e-4f);
  const std::string where = shape("evaluate", {{"images", images}, {"H", H}, {"threads", pool ? pool->size() : 1}});
  if (got.confusion != want.confusion || got.wrong != want.wrong || got.wrong_predicted != want.wrong_predicted)
    return where + ": predictions differ from evaluate_reference";
  if (!(std::abs(got.loss - want.loss) <= 1e-5 * std::abs(want.loss)))
    return where + ": loss " + std::to_string(got.loss) + ", reference " + std::to_string(want.loss);
  return "";
}

// Runs every kernel on every edge shape plus `random_shapes` random ones; calls report(message) for
// each failure and returns the number of checks run.
template <typename Report>
int run_all(Report report, int random_shapes = 50) {
  int checks = 0;
  unsigned seed = 1;
  auto run = [&](const std::string& e) {
    ++checks;
    if (!e.empty()) report(e);
  };
  for (int n : edge_rows())
    for (int N : edge_cols()) {
      for (int K : edge_depths()) {
        run(check_gemm_nn_bias_relu(n, K, N, ++seed));
        run(check_gemm_tn_sgd(n, K, N, ++seed));
        run(check_gemm_tn_sgd_x(n, K, N, ++seed));
      }
      for (int C : edge_classes()) {
        run(check_gemm_nt_bias(n, N, C, ++seed));
        run(check_gemm_nt_bias_row_split(n, N, C, ++seed));
        run(check_gemm_nn_relumask(n, C, N, ++seed));
      }
      run(check_colsum_add(n, N, ++seed));
    }
  for (int count : {0, 1, 15, 16, 17, 784, 784 * 3}) run(check_u8_to_unit_f32(count, ++seed));
  for (int K : {1, 15, 16, 17, 33, 784})
    for (int lit : {0, 3, 20, 100}) run(check_list_row_u8(3, K, lit, ++seed));
  for (int n : {1, 5, 32})
    for (int H : {16, 48, 256}) run(check_slab_products(n, H, ++seed));
  for (Optimizer kind : {Optimizer::momentum, Optimizer::adam})
    for (int rows : {1, 3, 784})
      for (int N : {1, 3, 4, 5, 15, 16, 17, 33, 256}) run(check_optimizer_update(kind, rows, N, ++seed));
  std::mt19937 gen(12345);
  auto dim = [&](int hi) { return 1 + int(gen() % unsigned(hi)); };
  for (int t = 0; t < random_shapes; ++t) {
    run(check_gemm_nn_bias_relu(dim(70), dim(800), dim(300), ++seed));
    run(check_gemm_tn_sgd(dim(70), dim(800), dim(300), ++seed));
    run(check_gemm_tn_sgd_x(dim(70), dim(800), dim(300), ++seed));
    run(check_gemm_nt_bias(dim(70), dim(300), dim(12), ++seed));
    run(check_gemm_nn_relumask(dim(70), dim(12), dim(300), ++seed));
    run(check_colsum_add(dim(70), dim(300), ++seed));
  }
  for (int n : {1, 2, 5, 32, 33})
    for (int H : {1, 5, 17, 256}) run(check_train_step(n, H, ++seed));
  // train_batch (with and without listing ahead), on one thread and on a pool: natively, this is where the
  // threaded steps are checked too.
  std::vector<ThreadPool*> pools{nullptr};
#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
  ThreadPool pool(2);  // the threaded steps too (natively, or in a wasm build with pthreads)
  pools.push_back(&pool);
#endif
  for (ThreadPool* p : pools)
    for (int n : {1, 5, 32, 33})
      for (int H : {5, 17, 256}) {
        run(check_train_batch(n, H, ++seed, p));
        run(check_train_batch_ahead(n, H, ++seed, p));
        run(check_slab_decay(n, H, ++seed, p));
        for (Optimizer kind : {Optimizer::momentum, Optimizer::adam}) {
          run(check_train_step_optimizer(kind, n, H, ++seed, p));
          run(check_optimizer_slabs(kind, n, H, ++seed, p));
        }
      }
  for (ThreadPool* p : pools)
    for (int images : {1, 65, 301})
      for (int H : {16, 256}) run(check_evaluate(images, H, ++seed, p));
  return checks;
}

}  // namespace mnist::kernel_tester
