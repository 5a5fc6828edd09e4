// Digit preprocessing: the same shape drawn small in a corner and large in the middle becomes nearly the
// same 28x28 image, centred by mass, fitted in 20x20; an empty or tiny drawing gives no image.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mnist/preprocess.hpp"

using namespace mnist;

namespace {

constexpr int kCanvas = 280;

// An anti-aliased ring with a bar below it (a "9"-like shape), centre (cx, cy), size s.
std::vector<float> draw_nine(double cx, double cy, double s) {
  std::vector<float> ink(kCanvas * kCanvas, 0.0f);
  const double radius = 0.5 * s, thick = 0.18 * s;
  for (int y = 0; y < kCanvas; ++y)
    for (int x = 0; x < kCanvas; ++x) {
      const double px = x + 0.5 - cx, py = y + 0.5 - (cy - 0.5 * s);
      const double ring = std::abs(std::hypot(px, py) - radius);
      const double bar = (py > 0 && py < 2 * s) ? std::abs(px - radius) : 1e9;
      const double d = std::min(ring, bar);
      ink[y * kCanvas + x] = static_cast<float>(std::clamp(thick / 2 - d + 0.5, 0.0, 1.0));
    }
  return ink;
}

double mass_centre(const DigitImage& d, bool along_x) {
  double m = 0, c = 0;
  for (int y = 0; y < kImageSide; ++y)
    for (int x = 0; x < kImageSide; ++x) {
      const double v = d.pixels[y * kImageSide + x];
      m += v, c += v * ((along_x ? x : y) + 0.5);
    }
  return c / m;
}

}  // namespace

TEST(Preprocess, SmallDigitInACornerMatchesLargeDigitInTheMiddle) {
  const auto small = draw_nine(40, 50, 24), large = draw_nine(140, 120, 90);
  const DigitImage a = preprocess_digit(small.data(), kCanvas, kCanvas);
  const DigitImage b = preprocess_digit(large.data(), kCanvas, kCanvas);
  ASSERT_FALSE(a.empty);
  ASSERT_FALSE(b.empty);
  double diff = 0, norm = 0;
  for (int i = 0; i < kInputs; ++i) diff += std::pow(a.pixels[i] - b.pixels[i], 2), norm += std::pow(b.pixels[i], 2);
  EXPECT_LT(std::sqrt(diff / norm), 0.15) << "relative L2 distance between the two 28x28 images";
}

TEST(Preprocess, CentresTheMassAndFitsTheInkIn20x20) {
  const auto ink = draw_nine(60, 200, 40);
  const DigitImage d = preprocess_digit(ink.data(), kCanvas, kCanvas);
  ASSERT_FALSE(d.empty);
  EXPECT_NEAR(mass_centre(d, true), 14.0, 0.3);
  EXPECT_NEAR(mass_centre(d, false), 14.0, 0.3);
  int rows_with_ink = 0;
  float peak = 0;
  for (int y = 0; y < kImageSide; ++y) {
    bool any = false;
    for (int x = 0; x < kImageSide; ++x) any |= d.pixels[y * kImageSide + x] > 0.05f, peak = std::max(peak, d.pixels[y * kImageSide + x]);
    rows_with_ink += any;
  }
  EXPECT_GE(rows_with_ink, 19);
  EXPECT_LE(rows_with_ink, 22);
  EXPECT_GT(peak, 0.8f);
  EXPECT_LE(peak, 1.0f);
}

TEST(Preprocess, AnEmptyCanvasOrAStrayDotIsEmpty) {
  std::vector<float> ink(kCanvas * kCanvas, 0.0f);
  EXPECT_TRUE(preprocess_digit(ink.data(), kCanvas, kCanvas).empty);
  ink[100 * kCanvas + 100] = 1.0f;
  ink[101 * kCanvas + 101] = 1.0f;
  EXPECT_TRUE(preprocess_digit(ink.data(), kCanvas, kCanvas).empty);
  EXPECT_TRUE(preprocess_digit(nullptr, kCanvas, kCanvas).empty);
  EXPECT_TRUE(preprocess_digit(ink.data(), 0, 0).empty);
}

TEST(Preprocess, KeepsTheAspectRatioOfATallStroke) {
  std::vector<float> ink(kCanvas * kCanvas, 0.0f);
  for (int y = 40; y < 240; ++y)
    for (int x = 130; x < 150; ++x) ink[y * kCanvas + x] = 1.0f;  // a "1": 20 wide, 200 tall
  const DigitImage d = preprocess_digit(ink.data(), kCanvas, kCanvas);
  ASSERT_FALSE(d.empty);
  int columns_with_ink = 0;
  for (int x = 0; x < kImageSide; ++x) {
    bool any = false;
    for (int y = 0; y < kImageSide; ++y) any |= d.pixels[y * kImageSide + x] > 0.05f;
    columns_with_ink += any;
  }
  EXPECT_LE(columns_with_ink, 4);  // 2 pixels wide after scaling, plus anti-aliasing
}
