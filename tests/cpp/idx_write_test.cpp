// IDX writing is the exact inverse of the parsers: what write_idx produces parses back to the same images
// and labels, byte for byte the layout of MNIST's own files.
#include <gtest/gtest.h>

#include "mnist/idx_write.hpp"
#include "test_data.hpp"

using namespace mnist;

TEST(IdxWrite, RoundTripsThroughTheParsers) {
  const Dataset d = testdata::real_mnist("t10k", 37);
  const IdxFiles files = write_idx(d);
  const Dataset back = parse_dataset(files.images.data(), files.images.size(), files.labels.data(), files.labels.size());
  EXPECT_EQ(back.pixels, d.pixels);
  EXPECT_EQ(back.labels, d.labels);
}

TEST(IdxWrite, WritesMnistsHeaderAndTheFirstImagesBytesLikeTheRealFile) {
  const Dataset d = testdata::real_mnist("t10k", 2);
  const auto real = testdata::read_file(std::string(MNIST_DATA_DIR) + "/t10k-images-idx3-ubyte");
  const auto written = write_idx_images(d.pixels.data(), d.size());
  ASSERT_EQ(written.size(), 16u + 2 * 784);
  // The header differs from the real file's only in the count (10,000 there, 2 here).
  EXPECT_EQ(std::vector<std::uint8_t>(written.begin(), written.begin() + 4), std::vector<std::uint8_t>({0, 0, 8, 3}));
  EXPECT_EQ(std::vector<std::uint8_t>(written.begin() + 4, written.begin() + 8), std::vector<std::uint8_t>({0, 0, 0, 2}));
  EXPECT_EQ(std::vector<std::uint8_t>(written.begin() + 8, written.end()),
            std::vector<std::uint8_t>(real.begin() + 8, real.begin() + 16 + 2 * 784));
  const auto labels = write_idx_labels(d.labels.data(), d.size());
  EXPECT_EQ(labels, std::vector<std::uint8_t>({0, 0, 8, 1, 0, 0, 0, 2, d.labels[0], d.labels[1]}));
}

TEST(IdxWrite, AnEmptySetRoundTrips) {
  const Dataset empty;
  const IdxFiles files = write_idx(empty);
  EXPECT_EQ(files.images.size(), 16u);
  EXPECT_EQ(files.labels.size(), 8u);
  EXPECT_EQ(parse_dataset(files.images.data(), files.images.size(), files.labels.data(), files.labels.size()).size(), 0u);
}
