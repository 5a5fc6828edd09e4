// A labelled set of MNIST images kept as uint8 (47 MB for all 60,000 instead of 188 MB as float), the
// seeded train/validation split, and the gather that turns a batch of indices into scaled float rows.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config.hpp"
#include "error.hpp"
#include "idx.hpp"
#include "rng.hpp"

namespace mnist {

struct Dataset {
  std::vector<std::uint8_t> pixels;  // (size, 784)
  std::vector<std::uint8_t> labels;  // (size)

  std::size_t size() const { return labels.size(); }
  const std::uint8_t* image(std::size_t i) const { return pixels.data() + i * kInputs; }
};

// Pairs images with labels; the counts must agree.
inline Dataset make_dataset(ImageSet images, std::vector<std::uint8_t> labels, const std::string& what = "data") {
  if (images.count != labels.size())
    throw Error(ErrorCode::MalformedData, what + ": " + std::to_string(images.count) + " images but " +
                                              std::to_string(labels.size()) + " labels, expected equal counts");
  Dataset d;
  d.pixels = std::move(images.pixels);
  d.labels = std::move(labels);
  return d;
}

inline Dataset parse_dataset(const std::uint8_t* image_bytes, std::size_t image_size, const std::uint8_t* label_bytes,
                             std::size_t label_size, const std::string& what = "data") {
  return make_dataset(parse_idx_images(image_bytes, image_size, what + " images"),
                      parse_idx_labels(label_bytes, label_size, what + " labels"), what);
}

// Appends the images and labels of `extra` to `d` (the CLI's --extra-train).
inline void append_dataset(Dataset& d, const Dataset& extra) {
  d.pixels.insert(d.pixels.end(), extra.pixels.begin(), extra.pixels.end());
  d.labels.insert(d.labels.end(), extra.labels.begin(), extra.labels.end());
}

struct Split {
  std::vector<std::uint32_t> train;       // indices into the dataset
  std::vector<std::uint32_t> validation;
};

// Takes the first `used` images, shuffles their indices with `seed` and keeps the last
// floor(used * fraction) for validation, as the reference report's fixed 85/15 split.
inline Split split_indices(std::size_t used, double validation_fraction, std::uint64_t seed) {
  std::vector<std::uint32_t> all(used);
  for (std::size_t i = 0; i < used; ++i) all[i] = static_cast<std::uint32_t>(i);
  Rng rng(seed ^ 0x5EED5EEDull);
  rng.shuffle(all);
  const auto n_val = static_cast<std::size_t>(std::floor(used * validation_fraction));
  Split s;
  s.train.assign(all.begin(), all.end() - static_cast<std::ptrdiff_t>(n_val));
  s.validation.assign(all.end() - static_cast<std::ptrdiff_t>(n_val), all.end());
  return s;
}

// Writes images idx[0..count) of `d` as rows of `x` (count, 784), scaled to [0, 1], and their labels.
inline void gather_batch(const Dataset& d, const std::uint32_t* idx, std::size_t count, float* x,
                         std::uint8_t* labels) {
  constexpr float scale = 1.0f / 255.0f;
  for (std::size_t r = 0; r < count; ++r) {
    const std::uint8_t* src = d.image(idx[r]);
    float* dst = x + r * kInputs;
    for (int k = 0; k < kInputs; ++k) dst[k] = static_cast<float>(src[k]) * scale;
    labels[r] = d.labels[idx[r]];
  }
}

// Same, for a contiguous range [first, first + count) of the dataset.
inline void gather_range(const Dataset& d, std::size_t first, std::size_t count, float* x, std::uint8_t* labels) {
  constexpr float scale = 1.0f / 255.0f;
  const std::uint8_t* src = d.image(first);
  for (std::size_t k = 0; k < count * kInputs; ++k) x[k] = static_cast<float>(src[k]) * scale;
  for (std::size_t r = 0; r < count; ++r) labels[r] = d.labels[first + r];
}

}  // namespace mnist
