// libFuzzer target: the model loader on arbitrary bytes. A file it accepts must save back to the same
// bytes (the format has one encoding), and every other outcome must be mnist::Error.
#include <cstdint>
#include <cstring>

#include "mnist/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto P = mnist::load_model(data, size);
    const auto again = mnist::save_model(P);
    if (again.size() != size || std::memcmp(again.data(), data, size) != 0) __builtin_trap();
  } catch (const mnist::Error&) {
  }
  return 0;
}
