// libFuzzer target: the model loader on arbitrary bytes. A float32 file it accepts must save back to the
// same bytes (that version has one encoding); an int8 one must save and load again to weights within one
// quantisation step; every other outcome must be mnist::Error.
#include <cstdint>
#include <cstring>

#include "mnist/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto P = mnist::load_model(data, size);
    const auto precision = mnist::model_precision(data);
    const auto again = mnist::save_model(P, precision);
    if (precision == mnist::ModelPrecision::Float32) {
      if (again.size() != size || std::memcmp(again.data(), data, size) != 0) __builtin_trap();
    } else {
      const auto Q = mnist::load_model(again.data(), again.size());
      for (int j = 0; j < P.hidden(); ++j) {
        const float step = P.W1.col(j).cwiseAbs().maxCoeff() / 127;
        if ((P.W1.col(j) - Q.W1.col(j)).cwiseAbs().maxCoeff() > step) __builtin_trap();
      }
      if (!((P.b1.array() == Q.b1.array()).all() && (P.b2.array() == Q.b2.array()).all())) __builtin_trap();
    }
  } catch (const mnist::Error&) {
  }
  return 0;
}
