// libFuzzer target: digit preprocessing on arbitrary drawings. Input: width and height (1-255 each),
// then ink bytes (missing ones are background). The output must be in [0, 1] and finite.
#include <cmath>
#include <cstdint>
#include <vector>

#include "mnist/preprocess.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const int w = data[0] ? data[0] : 1, h = data[1] ? data[1] : 1;
  std::vector<float> ink(std::size_t(w) * h, 0.0f);
  for (std::size_t i = 0; i < ink.size() && i + 2 < size; ++i) ink[i] = data[i + 2] / 255.0f;
  const mnist::DigitImage d = mnist::preprocess_digit(ink.data(), w, h);
  for (float v : d.pixels)
    if (!(v >= 0.0f && v <= 1.0f)) __builtin_trap();
  return 0;
}
