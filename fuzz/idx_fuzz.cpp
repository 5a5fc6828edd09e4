// libFuzzer target: the IDX image and label parsers and the dataset pairing on arbitrary bytes.
// Input: a 4-byte little-endian length L, then L bytes of image file, then the label file.
// Any outcome but success or mnist::Error (a crash, an out-of-bounds read, UB) is a finding.
#include <cstdint>
#include <cstring>

#include "mnist/dataset.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  std::uint32_t split;
  std::memcpy(&split, data, 4);
  data += 4, size -= 4;
  split = split % (size + 1);
  try {
    const mnist::Dataset d = mnist::parse_dataset(data, split, data + split, size - split);
    if (d.size() > 0) {
      float x[mnist::kInputs];
      std::uint8_t label;
      mnist::gather_range(d, d.size() - 1, 1, x, &label);
      if (label > 9 || x[0] < 0 || x[0] > 1) __builtin_trap();
    }
  } catch (const mnist::Error&) {
  }
  return 0;
}
