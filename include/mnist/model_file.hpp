// The saved-model format, shared by the native CLI (--save) and the page (export, import, IndexedDB, the
// shipped reference model). All fields little-endian:
//   offset 0   4 bytes  magic "MNST"
//          4   u32      version: 1 = float32 weights, 2 = int8 weights with a float32 scale per unit
//          8   u32      inputs (784)   12  u32  hidden H   16  u32  classes (10)
//   version 1, from 20:
//              f32[]    W1 (784 x H, row-major), b1 (H), W2 (H x 10, row-major), b2 (10)
//   version 2, from 20 (a quarter of the size, for the model the page ships; W[:, j] = scale[j] * q[:, j]):
//              f32 s1[H], i8 q1[784 x H] (row-major), f32 b1[H], f32 s2[10], i8 q2[H x 10], f32 b2[10]
//        end-4 u32      CRC-32 (IEEE) of every byte before it
// Loading checks each field and throws Error(MalformedModel) with what was found and what was expected.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "config.hpp"
#include "error.hpp"
#include "network.hpp"

namespace mnist {

// How a file stores its weights: its version number.
enum class ModelPrecision : std::uint32_t { Float32 = 1, Int8 = 2 };
constexpr std::uint32_t kModelVersion = 1;     // what save_model writes unless asked for int8
constexpr std::uint32_t kNewestModelVersion = 2;
constexpr std::size_t kModelHeader = 20;
constexpr char kModelMagic[4] = {'M', 'N', 'S', 'T'};

inline std::uint32_t crc32(const std::uint8_t* data, std::size_t size) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// Bytes a model of `hidden` units takes in this format.
inline std::uint64_t model_file_size(std::uint64_t hidden, ModelPrecision precision = ModelPrecision::Float32) {
  const std::uint64_t weights = std::uint64_t(kInputs) * hidden + hidden * kClasses, biases = hidden + kClasses;
  const std::uint64_t body = precision == ModelPrecision::Float32 ? 4 * (weights + biases)
                                                                   : weights + 4 * biases + 4 * (hidden + kClasses);
  return kModelHeader + body + 4;
}

namespace detail {

inline void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
inline std::uint32_t get_u32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
inline void put_floats(std::vector<std::uint8_t>& out, const float* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, v + i, 4);
    put_u32(out, bits);
  }
}
inline void get_floats(const std::uint8_t*& p, float* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i, p += 4) {
    const std::uint32_t bits = get_u32(p);
    std::memcpy(v + i, &bits, 4);
  }
}
// Symmetric int8 per column of W (rows x cols, row-major): scale[j] = max |W[:, j]| / 127, q = round(W / scale).
inline void put_int8_columns(std::vector<std::uint8_t>& out, const float* W, int rows, int cols) {
  std::vector<float> scale(cols, 0.0f);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) scale[j] = std::max(scale[j], std::fabs(W[std::size_t(i) * cols + j]));
  for (float& s : scale) s /= 127.0f;
  put_floats(out, scale.data(), scale.size());
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      const float w = W[std::size_t(i) * cols + j];
      const long q = scale[j] > 0 ? std::lround(w / scale[j]) : 0;
      out.push_back(static_cast<std::uint8_t>(static_cast<std::int8_t>(std::clamp(q, -127L, 127L))));
    }
}
inline void get_int8_columns(const std::uint8_t*& p, float* W, int rows, int cols) {
  std::vector<float> scale(cols);
  get_floats(p, scale.data(), scale.size());
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j, ++p) W[std::size_t(i) * cols + j] = scale[j] * static_cast<std::int8_t>(*p);
}
inline void fail_model(const std::string& message) { throw Error(ErrorCode::MalformedModel, "model file: " + message); }

}  // namespace detail

// Float32 keeps every bit; Int8 rounds each weight to within half its unit's scale (max |w| / 254).
inline std::vector<std::uint8_t> save_model(const Params<float>& P, ModelPrecision precision = ModelPrecision::Float32) {
  const int H = P.hidden();
  std::vector<std::uint8_t> out;
  out.reserve(model_file_size(H, precision));
  for (char c : kModelMagic) out.push_back(static_cast<std::uint8_t>(c));  // (GCC 12 misreads an insert here: -Wstringop-overflow)
  detail::put_u32(out, static_cast<std::uint32_t>(precision));
  detail::put_u32(out, kInputs);
  detail::put_u32(out, H);
  detail::put_u32(out, kClasses);
  if (precision == ModelPrecision::Float32) {
    detail::put_floats(out, P.W1.data(), P.W1.size());
    detail::put_floats(out, P.b1.data(), P.b1.size());
    detail::put_floats(out, P.W2.data(), P.W2.size());
  } else {
    detail::put_int8_columns(out, P.W1.data(), kInputs, H);
    detail::put_floats(out, P.b1.data(), P.b1.size());
    detail::put_int8_columns(out, P.W2.data(), H, kClasses);
  }
  detail::put_floats(out, P.b2.data(), P.b2.size());
  detail::put_u32(out, crc32(out.data(), out.size()));
  return out;
}

inline Params<float> load_model(const std::uint8_t* bytes, std::size_t size) {
  if (!bytes || size < kModelHeader + 4)
    detail::fail_model("truncated: " + std::to_string(size) + " bytes, expected at least " +
                       std::to_string(kModelHeader + 4));
  if (std::memcmp(bytes, kModelMagic, 4) != 0) detail::fail_model("does not start with 'MNST' - is this a model file?");
  const std::uint32_t version = detail::get_u32(bytes + 4);
  if (version < 1 || version > kNewestModelVersion)
    detail::fail_model("version " + std::to_string(version) + ", this build reads versions 1 to " +
                       std::to_string(kNewestModelVersion));
  const auto precision = static_cast<ModelPrecision>(version);
  const std::uint32_t inputs = detail::get_u32(bytes + 8), hidden = detail::get_u32(bytes + 12),
                      classes = detail::get_u32(bytes + 16);
  if (inputs != kInputs || classes != kClasses || hidden < 1 || hidden > std::uint32_t(kMaxHidden))
    detail::fail_model("shape " + std::to_string(inputs) + "-" + std::to_string(hidden) + "-" +
                       std::to_string(classes) + ", expected 784-H-10 with H from 1 to " + std::to_string(kMaxHidden));
  const std::uint64_t expected = model_file_size(hidden, precision);
  if (size != expected)
    detail::fail_model(std::string(size < expected ? "truncated" : "has trailing bytes") + ": " +
                       std::to_string(size) + " bytes, expected " + std::to_string(expected) + " for 784-" +
                       std::to_string(hidden) + "-10");
  const std::uint32_t stored = detail::get_u32(bytes + size - 4), actual = crc32(bytes, size - 4);
  if (stored != actual) detail::fail_model("checksum mismatch - the file is corrupted");
  auto P = Params<float>::zeros(static_cast<int>(hidden));
  const std::uint8_t* p = bytes + kModelHeader;
  if (precision == ModelPrecision::Float32) {
    detail::get_floats(p, P.W1.data(), P.W1.size());
    detail::get_floats(p, P.b1.data(), P.b1.size());
    detail::get_floats(p, P.W2.data(), P.W2.size());
  } else {
    detail::get_int8_columns(p, P.W1.data(), kInputs, P.hidden());
    detail::get_floats(p, P.b1.data(), P.b1.size());
    detail::get_int8_columns(p, P.W2.data(), P.hidden(), kClasses);
  }
  detail::get_floats(p, P.b2.data(), P.b2.size());
  if (!P.all_finite()) detail::fail_model("holds NaN or infinite weights");
  return P;
}

// The precision of a file that load_model accepted.
inline ModelPrecision model_precision(const std::uint8_t* bytes) {
  return static_cast<ModelPrecision>(detail::get_u32(bytes + 4));
}

}  // namespace mnist
