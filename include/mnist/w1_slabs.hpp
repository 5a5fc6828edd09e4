// W1 (784, H) as the sparse training step keeps it: packed by 16-column slabs, slab s holding rows
// k = 0..783 of columns [16 s, 16 s + 16), 16 floats per row, one slab after another. A slab is 50 KB of
// contiguous memory, so the thread that owns a slab walks only its own lines and pages, in order; row-major,
// each thread's part of a row shares the row's 1 KB, and its page, with the other threads' parts. The
// kernels' tiles and sums are the same, so the results are bit for bit those of a row-major W1. Used only
// where the kernels walk the batch's lists (kernels::kSparseInputs) and H is a multiple of 16; the model,
// its file and the native Eigen path keep W1 row-major.
#pragma once

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
    for (int s = 0; s < slabs(); ++s) MatMap<float>(slab(s), kInputs, kWidth) = W1.middleCols(kWidth * s, kWidth);
  }

  void unpack(Mat<float>& W1) const {
    for (int s = 0; s < slabs(); ++s) W1.middleCols(kWidth * s, kWidth) = ConstMatMap<float>(slab(s), kInputs, kWidth);
  }

  int hidden() const { return hidden_; }
  int slabs() const { return hidden_ / kWidth; }
  float* slab(int s) { return w_.data() + std::size_t(s) * kInputs * kWidth; }
  const float* slab(int s) const { return w_.data() + std::size_t(s) * kInputs * kWidth; }

 private:
  int hidden_ = 0;
  AlignedVector<float> w_;  // (H / 16, 784, 16)
};

}  // namespace mnist
