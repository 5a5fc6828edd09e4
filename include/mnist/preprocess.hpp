// Turns a drawing into what the network was trained on, the way MNIST was made: crop to the ink's
// bounding box, scale it to fit 20x20 keeping the aspect ratio (area-averaged, so it is anti-aliased),
// and place it in 28x28 with its centre of mass at the centre.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "config.hpp"

namespace mnist {

struct DigitImage {
  std::array<float, kInputs> pixels{};  // (28, 28) in [0, 1]
  bool empty = true;                    // no ink, or too little to be a digit: no guess should be made
};

constexpr float kInkThreshold = 0.1f;
constexpr int kDigitBox = 20;

namespace detail {

// Area-average of `ink` (w, h) over the box [x0, x1) x [y0, y1) in pixel units.
inline float box_average(const float* ink, int w, int h, double x0, double x1, double y0, double y1) {
  double sum = 0;
  for (int y = std::max(0, int(std::floor(y0))); y < std::min(h, int(std::ceil(y1))); ++y) {
    const double dy = std::min<double>(y + 1, y1) - std::max<double>(y, y0);
    for (int x = std::max(0, int(std::floor(x0))); x < std::min(w, int(std::ceil(x1))); ++x) {
      const double dx = std::min<double>(x + 1, x1) - std::max<double>(x, x0);
      sum += double(ink[y * w + x]) * dx * dy;
    }
  }
  return static_cast<float>(sum / ((x1 - x0) * (y1 - y0)));
}

inline float bilinear(const std::vector<float>& img, int w, int h, double u, double v) {
  const int x = int(std::floor(u)), y = int(std::floor(v));
  const double fx = u - x, fy = v - y;
  auto at = [&](int xx, int yy) { return (xx < 0 || yy < 0 || xx >= w || yy >= h) ? 0.0 : double(img[yy * w + xx]); };
  return static_cast<float>((1 - fy) * ((1 - fx) * at(x, y) + fx * at(x + 1, y)) +
                            fy * ((1 - fx) * at(x, y + 1) + fx * at(x + 1, y + 1)));
}

}  // namespace detail

// `ink` is (height, width) row-major in [0, 1], 0 = background. A drawing whose bounding box is smaller
// than 1/20 of the canvas's shorter side is treated as empty (a stray tap, not a digit).
inline DigitImage preprocess_digit(const float* ink, int width, int height) {
  DigitImage out;
  if (!ink || width <= 0 || height <= 0) return out;
  int left = width, right = -1, top = height, bottom = -1;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      if (ink[y * width + x] > kInkThreshold) {
        left = std::min(left, x), right = std::max(right, x);
        top = std::min(top, y), bottom = std::max(bottom, y);
      }
  if (right < 0) return out;
  const int box_w = right - left + 1, box_h = bottom - top + 1;
  if (std::max(box_w, box_h) < std::max(2, std::min(width, height) / 20)) return out;

  // 1. Crop and scale so the longer side is 20 pixels.
  const double scale = double(kDigitBox) / std::max(box_w, box_h);
  const int fit_w = std::max(1, int(std::lround(box_w * scale)));
  const int fit_h = std::max(1, int(std::lround(box_h * scale)));
  std::vector<float> fitted(std::size_t(fit_w) * fit_h);
  double mass = 0, mx = 0, my = 0;
  for (int y = 0; y < fit_h; ++y)
    for (int x = 0; x < fit_w; ++x) {
      const float v = detail::box_average(ink, width, height, left + x / scale, left + (x + 1) / scale,
                                          top + y / scale, top + (y + 1) / scale);
      fitted[y * fit_w + x] = v;
      mass += v, mx += v * (x + 0.5), my += v * (y + 0.5);
    }
  if (mass <= 0) return out;

  // 2. Place it so its centre of mass lands on the centre of the 28x28 field (bilinear, sub-pixel).
  const double cx = mx / mass, cy = my / mass, centre = kImageSide / 2.0;
  for (int y = 0; y < kImageSide; ++y)
    for (int x = 0; x < kImageSide; ++x) {
      const double u = (x + 0.5) - centre + cx - 0.5, v = (y + 0.5) - centre + cy - 0.5;
      out.pixels[y * kImageSide + x] = std::clamp(detail::bilinear(fitted, fit_w, fit_h, u, v), 0.0f, 1.0f);
    }
  out.empty = false;
  return out;
}

}  // namespace mnist
