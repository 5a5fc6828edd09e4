// The state of the dense optimizers (momentum and Adam; config.hpp's Optimizer) for the fast step: the
// step's gradient of the cross-entropy and the moments, laid out as the step keeps the parameters (W1
// (784, H) row-major, or by 16-column slabs (H / 16, 784, 16) where the step keeps W1 by slabs (W1Slabs),
// W2 transposed (10, H), b1 (H), b2 (10)), and the update of a block of columns or of one slab.
// Plain SGD needs none of it: train_step fuses its update into the products (W1Slabs, gemm_tn_sgd).
#pragma once

#include <cassert>
#include <cmath>
#include <cstdint>

#include "config.hpp"
#include "kernels/kernels.hpp"
#include "network.hpp"
#include "w1_slabs.hpp"

namespace mnist {

// One buffer per parameter, in the step's layout.
struct StepParams {
  AlignedVector<float> W1, W2T, b1, b2;  // (784, H), (10, H), (H), (10)
  explicit StepParams(int H = 0)
      : W1(std::size_t(kInputs) * H), W2T(std::size_t(kClasses) * H), b1(std::size_t(H)), b2(kClasses) {}
};

class OptimizerState {
 public:
  // The constants of one step: its learning rate and decay, and for Adam the bias corrections of step t.
  struct Step {
    kernels::ref::MomentumStep momentum;
    kernels::ref::AdamStep adam;
  };

  OptimizerState(Optimizer kind, int hidden, float momentum)
      : kind_(kind),
        momentum_(momentum),
        grad(kind == Optimizer::sgd ? 0 : hidden),
        first(kind == Optimizer::sgd ? 0 : hidden),
        second(kind == Optimizer::adam ? hidden : 0) {
    assert(kind != Optimizer::sgd);
  }

  Optimizer kind() const { return kind_; }
  std::int64_t steps() const { return steps_; }

  // The constants of the next step at learning rate lr and weight decay c; commit() after a finite step.
  Step plan(float lr, float decay) const {
    Step s{};
    s.momentum = {lr, 2.0f * decay, momentum_};
    const double t = double(steps_ + 1);
    const double bc1 = 1.0 - std::pow(double(kAdamBeta1), t), bc2 = 1.0 - std::pow(double(kAdamBeta2), t);
    s.adam = {float(lr / bc1), 2.0f * decay, kAdamBeta1, 1.0f - kAdamBeta1, kAdamBeta2, 1.0f - kAdamBeta2,
              float(1.0 / std::sqrt(bc2)), kAdamEpsilon};
    return s;
  }
  void commit() { ++steps_; }

  // The update of W (rows, ld) on columns [j0, j1) from its gradient G, with the moments of the same
  // layout at M (momentum's velocity, Adam's first moment) and V (Adam's second); with_decay: false for
  // biases, which the cost does not penalise.
  void update(const Step& s, int rows, int ld, const float* G, float* W, float* M, float* V, int j0, int j1,
              bool with_decay) const {
    if (j1 <= j0) return;
    if (kind_ == Optimizer::momentum) {
      kernels::ref::MomentumStep h = s.momentum;
      if (!with_decay) h.two_c = 0.0f;
      kernels::momentum_update(rows, ld, G, h, W, M, j0, j1);
    } else {
      kernels::ref::AdamStep h = s.adam;
      if (!with_decay) h.two_c = 0.0f;
      kernels::adam_update(rows, ld, G, h, W, M, V, j0, j1);
    }
  }
  // The same for the named parameters: columns [j0, j1) of W1, W2T or b1 (H columns), or all of b2.
  void update_W1(const Step& s, float* W1, int H, int j0, int j1) {
    update(s, kInputs, H, grad.W1.data(), W1, first.W1.data(), at(second.W1), j0, j1, true);
  }
  // Slab `index` of a W1 kept by slabs (W1Slabs), with the slab of the same index of each W1 buffer.
  static float* W1_slab(StepParams& p, int index) { return p.W1.data() + W1Slabs::offset(index); }
  void update_W1_slab(const Step& s, float* slab, int index) {
    update(s, kInputs, W1Slabs::kWidth, W1_slab(grad, index), slab, W1_slab(first, index),
           second.W1.empty() ? nullptr : W1_slab(second, index), 0, W1Slabs::kWidth, true);
  }
  void update_W2T(const Step& s, float* W2T, int H, int j0, int j1) {
    update(s, kClasses, H, grad.W2T.data(), W2T, first.W2T.data(), at(second.W2T), j0, j1, true);
  }
  void update_b1(const Step& s, float* b1, int H, int j0, int j1) {
    update(s, 1, H, grad.b1.data(), b1, first.b1.data(), at(second.b1), j0, j1, false);
  }
  void update_b2(const Step& s, float* b2) {
    update(s, 1, kClasses, grad.b2.data(), b2, first.b2.data(), at(second.b2), 0, kClasses, false);
  }

  // Bytes of state beyond the parameters (config.hpp's training_memory_bytes counts the same).
  std::uint64_t bytes() const {
    const auto size = [](const StepParams& p) { return 4 * (p.W1.size() + p.W2T.size() + p.b1.size() + p.b2.size()); };
    return size(grad) + size(first) + size(second);
  }

 private:
  static float* at(AlignedVector<float>& v) { return v.empty() ? nullptr : v.data(); }
  Optimizer kind_;
  float momentum_;
  std::int64_t steps_ = 0;  // committed steps: Adam's t is steps_ + 1

 public:
  StepParams grad;    // the step's gradient of the mean cross-entropy (the decay is added in the update)
  StepParams first;   // momentum's velocity, Adam's first moment
  StepParams second;  // Adam's second moment (empty for momentum)
};

}  // namespace mnist
