// MNIST IDX parsing from bytes in memory (http://yann.lecun.com/exdb/mnist/ format): big-endian magic and
// dimensions, then uint8 data. Every read is bounds-checked; a malformed buffer throws Error(MalformedData).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config.hpp"
#include "error.hpp"

namespace mnist {

constexpr std::uint32_t kIdxImagesMagic = 0x00000803;  // uint8, 3 dimensions
constexpr std::uint32_t kIdxLabelsMagic = 0x00000801;  // uint8, 1 dimension

struct ImageSet {
  std::size_t count = 0;
  std::vector<std::uint8_t> pixels;  // (count, 784), row-major
};

namespace detail {

inline std::string hex32(std::uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += digits[(v >> shift) & 0xF];
  return s;
}

inline std::uint32_t read_be32(const std::uint8_t* bytes, std::size_t size, std::size_t offset,
                               const std::string& what) {
  if (size < offset + 4)
    throw Error(ErrorCode::MalformedData, what + ": header truncated at byte " + std::to_string(size) +
                                              ", expected at least " + std::to_string(offset + 4));
  return (std::uint32_t(bytes[offset]) << 24) | (std::uint32_t(bytes[offset + 1]) << 16) |
         (std::uint32_t(bytes[offset + 2]) << 8) | std::uint32_t(bytes[offset + 3]);
}

inline void check_magic(std::uint32_t magic, std::uint32_t expected, const std::string& what) {
  if (magic == expected) return;
  std::string hint;
  if (magic == kIdxLabelsMagic) hint = " - is this a label file?";
  if (magic == kIdxImagesMagic) hint = " - is this an image file?";
  if ((magic & 0xFFFF0000u) != 0) hint = " - is the file still gzip-compressed or not IDX at all?";
  throw Error(ErrorCode::MalformedData,
              what + ": magic " + hex32(magic) + ", expected " + hex32(expected) + hint);
}

// 64-bit arithmetic: count * 784 must not wrap on wasm32, where size_t is 32 bits.
inline void check_payload(std::size_t size, std::size_t header, std::uint64_t payload, const std::string& what) {
  if (std::uint64_t(size - header) < payload)
    throw Error(ErrorCode::MalformedData, what + ": data truncated: " + std::to_string(size - header) +
                                              " bytes after the header, expected " + std::to_string(payload));
}

}  // namespace detail

// Parses an IDX image file of 28x28 uint8 images.
inline ImageSet parse_idx_images(const std::uint8_t* bytes, std::size_t size, const std::string& what = "images") {
  detail::check_magic(detail::read_be32(bytes, size, 0, what), kIdxImagesMagic, what);
  const std::uint32_t count = detail::read_be32(bytes, size, 4, what);
  const std::uint32_t rows = detail::read_be32(bytes, size, 8, what);
  const std::uint32_t cols = detail::read_be32(bytes, size, 12, what);
  if (rows != kImageSide || cols != kImageSide)
    throw Error(ErrorCode::MalformedData, what + ": images are " + std::to_string(rows) + "x" +
                                              std::to_string(cols) + ", expected 28x28");
  constexpr std::size_t header = 16;
  detail::check_payload(size, header, std::uint64_t(count) * kInputs, what);
  ImageSet set;
  set.count = count;
  set.pixels.assign(bytes + header, bytes + header + std::size_t(count) * kInputs);
  return set;
}

// Parses an IDX label file; every label must be a digit 0-9.
inline std::vector<std::uint8_t> parse_idx_labels(const std::uint8_t* bytes, std::size_t size,
                                                  const std::string& what = "labels") {
  detail::check_magic(detail::read_be32(bytes, size, 0, what), kIdxLabelsMagic, what);
  const std::uint32_t count = detail::read_be32(bytes, size, 4, what);
  constexpr std::size_t header = 8;
  detail::check_payload(size, header, count, what);
  std::vector<std::uint8_t> labels(bytes + header, bytes + header + count);
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= kClasses)
      throw Error(ErrorCode::MalformedData, what + ": label " + std::to_string(labels[i]) + " at index " +
                                                std::to_string(i) + ", expected a digit 0-9");
  return labels;
}

}  // namespace mnist
