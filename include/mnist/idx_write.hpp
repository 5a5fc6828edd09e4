// MNIST IDX writing: the inverse of idx.hpp's parsers, so a set of 28x28 uint8 images and their labels can
// leave as the same pair of files MNIST ships (and be read back by parse_idx_images / parse_idx_labels).
// Not here: files; the caller writes the bytes where it wants.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "config.hpp"
#include "dataset.hpp"
#include "idx.hpp"

namespace mnist {

namespace detail {
inline void write_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
}  // namespace detail

// `count` images of 784 uint8 pixels, row-major, as an IDX image file (magic 0x803, count, 28, 28, pixels).
inline std::vector<std::uint8_t> write_idx_images(const std::uint8_t* pixels, std::size_t count) {
  std::vector<std::uint8_t> out;
  out.reserve(16 + count * kInputs);
  detail::write_be32(out, kIdxImagesMagic);
  detail::write_be32(out, static_cast<std::uint32_t>(count));
  detail::write_be32(out, kImageSide);
  detail::write_be32(out, kImageSide);
  out.insert(out.end(), pixels, pixels + count * kInputs);
  return out;
}

// Labels as an IDX label file (magic 0x801, count, labels).
inline std::vector<std::uint8_t> write_idx_labels(const std::uint8_t* labels, std::size_t count) {
  std::vector<std::uint8_t> out;
  out.reserve(8 + count);
  detail::write_be32(out, kIdxLabelsMagic);
  detail::write_be32(out, static_cast<std::uint32_t>(count));
  out.insert(out.end(), labels, labels + count);
  return out;
}

struct IdxFiles {
  std::vector<std::uint8_t> images, labels;
};

inline IdxFiles write_idx(const Dataset& d) {
  return {write_idx_images(d.pixels.data(), d.size()), write_idx_labels(d.labels.data(), d.size())};
}

}  // namespace mnist
