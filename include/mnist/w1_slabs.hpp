// W1 (784, H) as the sparse training step keeps it: packed by 16-column slabs, slab s holding rows
// k = 0..783 of columns [16 s, 16 s + 16), 16 floats per row, one slab after another. A slab is 50 KB of
// contiguous memory, so the thread that owns a slab walks only its own lines and pages, in order; row-major,
// each thread's part of a row shares the row's 1 KB, and its page, with the other threads' parts. The
// kernels' tiles and sums are the same, so the products give bit for bit those of a row-major W1. Used only
// where the kernels walk the batch's lists (kernels::kSparseInputs) and H is a multiple of 16; the model,
// its file and the native Eigen path keep W1 row-major.
//
// The slabs also keep the weight decay apart: W1 = scale() x the stored weights. A step's decay multiplies
// every weight by s = 1 - 2 lr c, yet a batch of 32 MNIST images lights only about 460 of the 784 pixels
// (58 %); the rows of W1 for the others get nothing but that product, and writing it into the weights
// made every step read and write all of W1. Kept in scale() instead (scale' = s scale), the step touches
// only the rows of its batch's pixels: it lists the batch for the first layer with scale() folded into
// the pixel values, and for the update divided by the new scale (Decay), so training on slabs equals
// training W1 row-major up to float rounding. Once the scale would fall below kMinScale (every 34,611
// steps at the reference's lr and decay), a step folds it back into the weights with a full pass. The
// decay only shrinks weights (s <= 1), so the scale stays in [kMinScale, 1].
#pragma once

#include <cassert>
#include <cstddef>

#include "kernels/kernels.hpp"
#include "network.hpp"

namespace mnist {

class W1Slabs {
 public:
  static constexpr int kWidth = 16;

  static bool usable(int hidden) { return kernels::kSparseInputs && hidden > 0 && hidden % kWidth == 0; }

  W1Slabs() = default;
  explicit W1Slabs(const Mat<float>& W1) { pack(W1); }

  void pack(const Mat<float>& W1) {
    hidden_ = static_cast<int>(W1.cols());
    w_.resize(W1.size());
    scale_ = 1.0f;
    for (int s = 0; s < slabs(); ++s) MatMap<float>(slab(s), kInputs, kWidth) = W1.middleCols(kWidth * s, kWidth);
  }

  // W1 = scale() x the stored weights; with scale() 1, the same bits that were packed.
  void unpack(Mat<float>& W1) const {
    for (int s = 0; s < slabs(); ++s)
      W1.middleCols(kWidth * s, kWidth) = scale_ * ConstMatMap<float>(slab(s), kInputs, kWidth).array();
  }

  // What a training step with decay factor s = 1 - 2 lr c does with the scale (see the top of the file):
  // it lists its batch's pixels times `unit` for the first layer, the W1 update computes
  // W = w_scale W + x'^T g1 with x' the listed values times col_gain (kernels::list_columns), and after a
  // finite step the scale becomes next_scale (commit). Without a fold, w_scale is exactly 1, so the
  // update skips the rows of pixels the batch does not light.
  static constexpr float kMinScale = 0.5f;
  struct Decay {
    float unit;        // the value of pixel byte 1 in the first layer's lists: scale() / 255
    float w_scale;     // the update's factor on the stored weights
    float col_gain;    // the update's lists: the first layer's values times this
    float next_scale;  // scale() after the step
  };
  static float unit_of(float scale) { return scale * kernels::kPixelUnit; }
  Decay plan(float s) const {
    assert(s <= 1.0f);
    const float next = scale_ * s;
    if (next >= kMinScale) return {unit_of(scale_), 1.0f, 1.0f / (scale_ * next), next};
    return {unit_of(scale_), next, 1.0f / scale_, 1.0f};  // fold the scale back into the weights
  }
  void commit(const Decay& d) { scale_ = d.next_scale; }
  float scale() const { return scale_; }

  int hidden() const { return hidden_; }
  int slabs() const { return hidden_ / kWidth; }
  // Where slab s starts in a buffer laid out by slabs (these weights, or a buffer of the same layout).
  static std::size_t offset(int s) { return std::size_t(s) * kInputs * kWidth; }
  float* slab(int s) { return w_.data() + offset(s); }
  const float* slab(int s) const { return w_.data() + offset(s); }

 private:
  int hidden_ = 0;
  float scale_ = 1.0f;      // W1 = scale_ x the stored weights
  AlignedVector<float> w_;  // (H / 16, 784, 16)
};

}  // namespace mnist
