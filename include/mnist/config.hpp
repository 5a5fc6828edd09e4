// Hyper-parameters of a training run, with the reference experiment's values as defaults, and the checks
// every entry point (CLI, bindings) runs before any memory is allocated.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "error.hpp"

namespace mnist {

constexpr int kImageSide = 28;
constexpr int kInputs = kImageSide * kImageSide;  // 784
constexpr int kClasses = 10;
// A cap that keeps W1 (784 x H floats) and its workspaces far below a browser tab's memory.
constexpr int kMaxHidden = 8192;

struct TrainConfig {
  int hidden = 256;
  int epochs = 10;
  int batch = 32;
  float learning_rate = 0.1f;
  float decay = 1e-4f;            // c in cost = CE + c * (sum W1^2 + sum W2^2)
  std::size_t train_size = 0;     // images taken from the training file before the split; 0 = all
  double validation_fraction = 0.15;
  std::uint64_t seed = 1;
};

inline void fail_invalid(const std::string& message) { throw Error(ErrorCode::InvalidArgument, message); }

// Throws Error(InvalidArgument) naming the first setting out of range. `available` is the number of
// training images on hand; `train_size` is resolved against it (0 means all of them).
inline void validate(const TrainConfig& c, std::size_t available) {
  if (c.hidden < 1 || c.hidden > kMaxHidden)
    fail_invalid("hidden units must be between 1 and " + std::to_string(kMaxHidden) + ", got " +
                 std::to_string(c.hidden));
  if (c.epochs < 1 || c.epochs > 1000)
    fail_invalid("epochs must be between 1 and 1000, got " + std::to_string(c.epochs));
  if (c.batch < 1 || c.batch > 4096)
    fail_invalid("batch size must be between 1 and 4096, got " + std::to_string(c.batch));
  if (!(c.learning_rate > 0.0f) || !std::isfinite(c.learning_rate))
    fail_invalid("learning rate must be a finite number above 0, got " + std::to_string(c.learning_rate));
  if (!(c.decay >= 0.0f) || !std::isfinite(c.decay))
    fail_invalid("weight decay must be a finite number of at least 0, got " + std::to_string(c.decay));
  if (!(c.validation_fraction >= 0.0 && c.validation_fraction < 1.0))
    fail_invalid("validation fraction must be in [0, 1), got " + std::to_string(c.validation_fraction));
  if (available == 0) fail_invalid("no training images are loaded");
  if (c.train_size > available)
    fail_invalid("training examples must be at most the " + std::to_string(available) +
                 " images loaded, got " + std::to_string(c.train_size));
  const std::size_t used = c.train_size == 0 ? available : c.train_size;
  const auto validation = static_cast<std::size_t>(std::floor(used * c.validation_fraction));
  if (used - validation < static_cast<std::size_t>(c.batch))
    fail_invalid("training examples after the validation split (" + std::to_string(used - validation) +
                 ") must be at least the batch size (" + std::to_string(c.batch) + ")");
}

}  // namespace mnist
