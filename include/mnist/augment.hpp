// Augmentation by random shifts: each training image moved by up to kMaxShift pixels in x and y (25
// shifts, (0, 0) among them), drawn anew per image and per epoch from the trainer's own seeded stream,
// done on the uint8 pixels as a batch is gathered. The pixels shifted in from outside are 0 (MNIST's
// background); the ones shifted out are lost (MNIST digits sit in a 20x20 box with a 4-pixel border).
#pragma once

#include <cstdint>
#include <cstring>

#include "config.hpp"
#include "rng.hpp"

namespace mnist {

constexpr int kMaxShift = 2;

struct Shift {
  int dx = 0, dy = 0;  // the content moves right by dx and down by dy
};

inline Shift random_shift(Rng& rng) {
  const int side = 2 * kMaxShift + 1;
  const int v = static_cast<int>(rng.below(side * side));
  return {v % side - kMaxShift, v / side - kMaxShift};
}

// dst (28 x 28) = src moved by s: dst[y][x] = src[y - dy][x - dx], 0 where that is outside the image.
inline void shift_image(const std::uint8_t* src, Shift s, std::uint8_t* dst) {
  std::memset(dst, 0, kInputs);
  const int x0 = s.dx > 0 ? s.dx : 0, x1 = s.dx < 0 ? kImageSide + s.dx : kImageSide;  // dst columns written
  for (int y = 0; y < kImageSide; ++y) {
    const int from = y - s.dy;
    if (from < 0 || from >= kImageSide || x1 <= x0) continue;
    std::memcpy(dst + y * kImageSide + x0, src + from * kImageSide + x0 - s.dx, std::size_t(x1 - x0));
  }
}

}  // namespace mnist
