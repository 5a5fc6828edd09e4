// The IDX parser accepts well-formed buffers and rejects every malformed one with a message that says
// what was expected, without reading out of bounds.
#include <gtest/gtest.h>

#include "mnist/dataset.hpp"
#include "mnist/idx.hpp"
#include "test_data.hpp"

using namespace mnist;

namespace {

// Runs `parse` and returns the message of the MalformedData error it must throw.
template <typename F>
std::string malformed_message(F parse) {
  try {
    parse();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::MalformedData);
    return e.what();
  }
  ADD_FAILURE() << "expected a MalformedData error";
  return "";
}

}  // namespace

TEST(IdxImages, ParsesCountAndPixels) {
  const auto b = testdata::idx_images(3);
  const ImageSet s = parse_idx_images(b.data(), b.size());
  EXPECT_EQ(s.count, 3u);
  ASSERT_EQ(s.pixels.size(), 3u * kInputs);
  EXPECT_EQ(s.pixels[1], 7);
  EXPECT_EQ(s.pixels.back(), b.back());
}

TEST(IdxImages, RejectsAWrongMagicNumberAndSuggestsALabelFile) {
  const auto b = testdata::idx_labels(3);
  const auto m = malformed_message([&] { parse_idx_images(b.data(), b.size(), "train-images"); });
  EXPECT_NE(m.find("train-images: magic 0x00000801, expected 0x00000803"), std::string::npos) << m;
  EXPECT_NE(m.find("label file"), std::string::npos) << m;
}

TEST(IdxImages, RejectsGzipBytesWithAHint) {
  std::vector<std::uint8_t> b = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const auto m = malformed_message([&] { parse_idx_images(b.data(), b.size()); });
  EXPECT_NE(m.find("gzip"), std::string::npos) << m;
}

TEST(IdxImages, RejectsATruncatedHeader) {
  const auto b = testdata::idx_images(1);
  for (std::size_t size : {0, 3, 4, 11, 15}) {
    const auto m = malformed_message([&] { parse_idx_images(b.data(), size); });
    EXPECT_NE(m.find("header truncated"), std::string::npos) << size << ": " << m;
  }
}

TEST(IdxImages, RejectsTruncatedPixelData) {
  const auto b = testdata::idx_images(2);
  const auto m = malformed_message([&] { parse_idx_images(b.data(), b.size() - 1); });
  EXPECT_NE(m.find("data truncated: 1567 bytes after the header, expected 1568"), std::string::npos) << m;
}

TEST(IdxImages, RejectsACountWhosePixelsCannotFitWithoutOverflowingTheBuffer) {
  auto b = testdata::idx_images(1);
  b[4] = b[5] = b[6] = b[7] = 0xFF;  // count 4294967295
  const auto m = malformed_message([&] { parse_idx_images(b.data(), b.size()); });
  EXPECT_NE(m.find("data truncated"), std::string::npos) << m;
}

TEST(IdxImages, RejectsImagesThatAreNot28x28) {
  const auto b = testdata::idx_images(1, 32, 32);
  const auto m = malformed_message([&] { parse_idx_images(b.data(), b.size()); });
  EXPECT_NE(m.find("images are 32x32, expected 28x28"), std::string::npos) << m;
}

TEST(IdxLabels, RejectsALabelAboveNine) {
  auto b = testdata::idx_labels(5);
  b[8 + 3] = 10;
  const auto m = malformed_message([&] { parse_idx_labels(b.data(), b.size(), "labels"); });
  EXPECT_NE(m.find("labels: label 10 at index 3, expected a digit 0-9"), std::string::npos) << m;
}

TEST(IdxLabels, RejectsTruncatedLabels) {
  const auto b = testdata::idx_labels(5);
  const auto m = malformed_message([&] { parse_idx_labels(b.data(), b.size() - 2); });
  EXPECT_NE(m.find("data truncated"), std::string::npos) << m;
}

TEST(IdxLabels, RejectsAnImageFileWithAHint) {
  const auto b = testdata::idx_images(1);
  const auto m = malformed_message([&] { parse_idx_labels(b.data(), b.size()); });
  EXPECT_NE(m.find("image file"), std::string::npos) << m;
}

TEST(Dataset, RejectsImageAndLabelCountsThatDiffer) {
  const auto images = testdata::idx_images(3);
  const auto labels = testdata::idx_labels(4);
  const auto m = malformed_message(
      [&] { parse_dataset(images.data(), images.size(), labels.data(), labels.size(), "train"); });
  EXPECT_NE(m.find("train: 3 images but 4 labels"), std::string::npos) << m;
}

TEST(Dataset, SplitsIntoDisjointTrainAndValidationSetsWithAFixedSeed) {
  const Split a = split_indices(1000, 0.15, 7), b = split_indices(1000, 0.15, 7);
  EXPECT_EQ(a.train.size(), 850u);
  EXPECT_EQ(a.validation.size(), 150u);
  EXPECT_EQ(a.train, b.train);
  std::vector<bool> seen(1000, false);
  for (auto i : a.train) seen[i] = true;
  for (auto i : a.validation) {
    EXPECT_FALSE(seen[i]) << i;
    seen[i] = true;
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 1000);
}

TEST(Dataset, GatherScalesPixelsToTheUnitInterval) {
  const auto images = testdata::idx_images(2);
  const auto labels = testdata::idx_labels(2);
  const Dataset d = parse_dataset(images.data(), images.size(), labels.data(), labels.size());
  std::vector<float> x(2 * kInputs);
  std::uint8_t l[2];
  const std::uint32_t idx[2] = {1, 0};
  gather_batch(d, idx, 2, x.data(), l);
  EXPECT_EQ(l[0], 1);
  EXPECT_FLOAT_EQ(x[0], d.image(1)[0] / 255.0f);
  EXPECT_FLOAT_EQ(x[kInputs + 5], d.image(0)[5] / 255.0f);
  for (float v : x) EXPECT_TRUE(v >= 0.0f && v <= 1.0f);
}
