// The two-layer network of the reference report, 784 -> H -> 10, in its own words:
//   z1 = X W1 + b1,  a1 = relu(z1),  z2 = a1 W2 + b2,  p = softmax(z2)
//   cost = mean cross-entropy + c * (sum W1^2 + sum W2^2)
// Each step's forward sits beside its backward. Templated on the scalar so tests can check the float
// path against central differences in double. Buffers are Eigen maps over storage the caller owns, so
// the training step allocates nothing.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "config.hpp"
#include "eigen_core.hpp"
#include "rng.hpp"

namespace mnist {

template <typename S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename S>
using RowVec = Eigen::Matrix<S, 1, Eigen::Dynamic>;
template <typename S>
using MatMap = Eigen::Map<Mat<S>>;
template <typename S>
using ConstMatMap = Eigen::Map<const Mat<S>>;
// Buffers start on Eigen's alignment so its kernels take the same path, and sum in the same order,
// in every run: the same seed then gives the same bits.
template <typename T>
using AlignedVector = std::vector<T, Eigen::aligned_allocator<T>>;

template <typename S>
struct Params {
  Mat<S> W1;     // (784, H)
  RowVec<S> b1;  // (H)
  Mat<S> W2;     // (H, 10)
  RowVec<S> b2;  // (10)

  int hidden() const { return static_cast<int>(W1.cols()); }

  static Params zeros(int hidden) {
    return {Mat<S>::Zero(kInputs, hidden), RowVec<S>::Zero(hidden), Mat<S>::Zero(hidden, kClasses),
            RowVec<S>::Zero(kClasses)};
  }

  template <typename T>
  Params<T> cast() const {
    return {W1.template cast<T>(), b1.template cast<T>(), W2.template cast<T>(), b2.template cast<T>()};
  }

  // sum W1^2 + sum W2^2: the quantity weight decay penalises.
  S weight_norm2() const { return W1.squaredNorm() + W2.squaredNorm(); }

  bool all_finite() const { return W1.allFinite() && b1.allFinite() && W2.allFinite() && b2.allFinite(); }
};

// The reference initialisation: W1 ~ N(0, sqrt(2/(784+H))), W2 ~ N(0, sqrt(4/(H+10))), biases 0.
inline Params<float> init_params(int hidden, Rng& rng) {
  auto p = Params<float>::zeros(hidden);
  const double sd1 = std::sqrt(2.0 / (kInputs + hidden));
  const double sd2 = std::sqrt(4.0 / (hidden + kClasses));
  for (Eigen::Index i = 0; i < p.W1.size(); ++i) p.W1.data()[i] = static_cast<float>(sd1 * rng.normal());
  for (Eigen::Index i = 0; i < p.W2.size(); ++i) p.W2.data()[i] = static_cast<float>(sd2 * rng.normal());
  return p;
}

// Storage for one batch of up to `capacity` rows: activations and gradients.
template <typename S>
struct Workspace {
  int capacity = 0;
  int hidden = 0;
  AlignedVector<S> z1, a1, z2, p, dz2, dz1;  // (capacity, H) or (capacity, 10)
  Params<S> grad;                          // dW1, db1, dW2, db2

  Workspace(int capacity_, int hidden_)
      : capacity(capacity_),
        hidden(hidden_),
        z1(std::size_t(capacity_) * hidden_),
        a1(z1.size()),
        z2(std::size_t(capacity_) * kClasses),
        p(z2.size()),
        dz2(z2.size()),
        dz1(z1.size()),
        grad(Params<S>::zeros(hidden_)) {}

  MatMap<S> map(AlignedVector<S>& buf, int rows, int cols) { return MatMap<S>(buf.data(), rows, cols); }
};

// ---- Dense layer: z = x W + b ------------------------------------------------------------------------
template <typename S>
void dense_forward(const ConstMatMap<S>& x, const Mat<S>& W, const RowVec<S>& b, MatMap<S> z) {
  z.noalias() = x * W;
  z.rowwise() += b;
}
// dW = x^T dz + 2c W, db = sum over rows of dz (dz already carries the 1/n of the mean).
template <typename S>
void dense_backward(const ConstMatMap<S>& x, const MatMap<S>& dz, const Mat<S>& W, S c, Mat<S>& dW, RowVec<S>& db) {
  dW.noalias() = x.transpose() * dz;
  dW += (2 * c) * W;
  db.noalias() = dz.colwise().sum();
}

// ---- ReLU: a = max(z, 0) -----------------------------------------------------------------------------
template <typename S>
void relu_forward(const MatMap<S>& z, MatMap<S> a) {
  a = z.cwiseMax(S(0));
}
// da -> dz: pass where z > 0. In place on `d`.
template <typename S>
void relu_backward(const MatMap<S>& z, MatMap<S> d) {
  d = (z.array() > S(0)).select(d, S(0));
}

// ---- Softmax + cross-entropy ---------------------------------------------------------------------------
// Row-wise, stable for any finite logits: p_j = exp(z_j - m) / sum_k exp(z_k - m), m = max_k z_k.
// Writes p and returns the summed cross-entropy -log p[y] over the rows.
template <typename S>
S softmax_cross_entropy(const MatMap<S>& z, const std::uint8_t* labels, MatMap<S> p) {
  // -log p_y = log sum_k exp(z_k - m) - (z_y - m): both terms small, so no precision is lost to m.
  S total = 0;
  for (Eigen::Index r = 0; r < z.rows(); ++r) {
    const S m = z.row(r).maxCoeff();
    p.row(r) = (z.row(r).array() - m).exp();
    const S sum = p.row(r).sum();
    p.row(r) /= sum;
    total += std::log(sum) - (z(r, labels[r]) - m);
  }
  return total;
}
// dz2 = (p - Y) / n: the gradient of the mean cross-entropy with respect to the logits.
template <typename S>
void softmax_cross_entropy_backward(const MatMap<S>& p, const std::uint8_t* labels, MatMap<S> dz) {
  const S inv_n = S(1) / S(p.rows());
  dz = p * inv_n;
  for (Eigen::Index r = 0; r < p.rows(); ++r) dz(r, labels[r]) -= inv_n;
}

// ---- The whole network --------------------------------------------------------------------------------
// Forward pass for n rows of x (n, 784): fills z1, a1, z2, p; returns the summed cross-entropy.
template <typename S>
S forward(const Params<S>& P, const S* x_data, const std::uint8_t* labels, int n, Workspace<S>& ws) {
  const int H = P.hidden();
  ConstMatMap<S> x(x_data, n, kInputs);
  auto z1 = ws.map(ws.z1, n, H), a1 = ws.map(ws.a1, n, H);
  auto z2 = ws.map(ws.z2, n, kClasses), p = ws.map(ws.p, n, kClasses);
  dense_forward<S>(x, P.W1, P.b1, z1);
  relu_forward<S>(z1, a1);
  dense_forward<S>(ConstMatMap<S>(ws.a1.data(), n, H), P.W2, P.b2, z2);
  return softmax_cross_entropy<S>(z2, labels, p);
}

// Backward pass after forward() on the same rows: fills ws.grad with the reference gradients.
template <typename S>
void backward(const Params<S>& P, const S* x_data, const std::uint8_t* labels, int n, S decay, Workspace<S>& ws) {
  const int H = P.hidden();
  ConstMatMap<S> x(x_data, n, kInputs);
  auto dz2 = ws.map(ws.dz2, n, kClasses), dz1 = ws.map(ws.dz1, n, H);
  softmax_cross_entropy_backward<S>(ws.map(ws.p, n, kClasses), labels, dz2);
  dense_backward<S>(ConstMatMap<S>(ws.a1.data(), n, H), dz2, P.W2, decay, ws.grad.W2, ws.grad.b2);
  dz1.noalias() = dz2 * P.W2.transpose();  // da1
  relu_backward<S>(ws.map(ws.z1, n, H), dz1);
  dense_backward<S>(x, dz1, P.W1, decay, ws.grad.W1, ws.grad.b1);
}

// The full cost of the reference report for n rows: mean cross-entropy + c * (sum W1^2 + sum W2^2).
template <typename S>
S cost(const Params<S>& P, const S* x, const std::uint8_t* labels, int n, S decay, Workspace<S>& ws) {
  return forward(P, x, labels, n, ws) / S(n) + decay * P.weight_norm2();
}

// Plain SGD: theta -= lr * dtheta.
template <typename S>
void sgd_update(Params<S>& P, const Params<S>& grad, S lr) {
  P.W1 -= lr * grad.W1;
  P.b1 -= lr * grad.b1;
  P.W2 -= lr * grad.W2;
  P.b2 -= lr * grad.b2;
}

// The optimizers' formulas, the definitions the fast step (optimizer.hpp) is tested against. grad is
// backward()'s, the weight decay included in dW1 and dW2.
// Heavy-ball momentum: v = mu v + dtheta; theta -= lr v.
template <typename S>
void momentum_update(Params<S>& P, Params<S>& V, const Params<S>& grad, S lr, S mu) {
  V.W1 = mu * V.W1 + grad.W1;
  V.b1 = mu * V.b1 + grad.b1;
  V.W2 = mu * V.W2 + grad.W2;
  V.b2 = mu * V.b2 + grad.b2;
  sgd_update(P, V, lr);
}
// Adam, step t (from 1): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
template <typename S>
void adam_update(Params<S>& P, Params<S>& M, Params<S>& V, const Params<S>& grad, S lr, int t, S b1, S b2, S eps) {
  const S bc1 = 1 - std::pow(b1, S(t)), bc2 = 1 - std::pow(b2, S(t));
  const auto one = [&](auto& p, auto& m, auto& v, const auto& g) {
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g.cwiseProduct(g);
    p.array() -= lr * (m.array() / bc1) / ((v.array() / bc2).sqrt() + eps);
  };
  one(P.W1, M.W1, V.W1, grad.W1);
  one(P.b1, M.b1, V.b1, grad.b1);
  one(P.W2, M.W2, V.W2, grad.W2);
  one(P.b2, M.b2, V.b2, grad.b2);
}

}  // namespace mnist
