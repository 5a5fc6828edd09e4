// `reproduce --extra-train IMAGES LABELS`: a pair of IDX files (MNIST's format, e.g. the page's exported
// "Your digits") added to the training set. Both files are checked by the core's parsers (magic, 28x28,
// labels 0-9, equal counts), so a bad pair stops the run with a message naming the file and the fault.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "mnist/dataset.hpp"
#include "mnist/error.hpp"

namespace cli {

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw mnist::Error(mnist::ErrorCode::InvalidArgument, "--extra-train: cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline mnist::Dataset load_extra_train(const std::string& images_path, const std::string& labels_path) {
  const auto image_bytes = read_bytes(images_path);
  const auto label_bytes = read_bytes(labels_path);
  mnist::ImageSet images = mnist::parse_idx_images(image_bytes.data(), image_bytes.size(), images_path);
  std::vector<std::uint8_t> labels = mnist::parse_idx_labels(label_bytes.data(), label_bytes.size(), labels_path);
  return mnist::make_dataset(std::move(images), std::move(labels), "--extra-train");
}

// The training set with the extra images: the first `train_size` MNIST images (0: all), then every extra
// one, so --train-size limits MNIST and never drops the extras.
inline mnist::Dataset with_extra_train(mnist::Dataset train, std::size_t train_size, const mnist::Dataset& extra) {
  if (train_size > 0 && train_size < train.size()) {
    train.pixels.resize(train_size * mnist::kInputs);
    train.labels.resize(train_size);
  }
  mnist::append_dataset(train, extra);
  return train;
}

}  // namespace cli
