// Hyper-parameters of a training run, with the reference experiment's values as defaults, and the checks
// every entry point (CLI, bindings) runs before any memory is allocated.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "error.hpp"

namespace mnist {

constexpr int kImageSide = 28;
constexpr int kInputs = kImageSide * kImageSide;  // 784
constexpr int kClasses = 10;
// A sanity cap on H (W1 alone is 784 x H floats: 822 MB at the cap). What actually fits is decided by
// check_memory() against the caller's budget (the page's WebAssembly memory), not by this range.
constexpr int kMaxHidden = 262144;
// Rows of the largest batch a trainer or model works on at once (evaluate.hpp's kEvalChunk).
constexpr int kChunkRows = 512;

// The update rule. sgd: W -= lr dW (the reference, on the fused sparse step); momentum: heavy-ball,
// v = mu v + dW, W -= lr v; adam: Kingma and Ba's, with kAdamBeta1, kAdamBeta2 and kAdamEpsilon. dW is
// always the gradient of the reference's cost, CE + c (sum W1^2 + sum W2^2) (no decay on the biases).
enum class Optimizer { sgd, momentum, adam };
constexpr float kAdamBeta1 = 0.9f;
constexpr float kAdamBeta2 = 0.999f;
constexpr float kAdamEpsilon = 1e-8f;
// The learning rate over the run (schedule.hpp): constant; cosine, a linear warm-up then a half cosine to
// zero at the run's end; onecycle, a linear warm-up then a linear decay to zero at the run's end.
enum class Schedule { constant, cosine, onecycle };

inline const char* name_of(Optimizer o) {
  return o == Optimizer::sgd ? "sgd" : o == Optimizer::momentum ? "momentum" : "adam";
}
inline const char* name_of(Schedule s) {
  return s == Schedule::constant ? "constant" : s == Schedule::cosine ? "cosine" : "onecycle";
}

struct TrainConfig {
  int hidden = 256;
  int epochs = 10;
  int batch = 32;
  float learning_rate = 0.1f;
  float decay = 1e-4f;            // c in cost = CE + c * (sum W1^2 + sum W2^2)
  std::size_t train_size = 0;     // images taken from the training file before the split; 0 = all
  double validation_fraction = 0.15;
  std::uint64_t seed = 1;
  Optimizer optimizer = Optimizer::sgd;
  float momentum = 0.9f;          // mu of the heavy-ball momentum (Optimizer::momentum only)
  Schedule schedule = Schedule::constant;
  double warmup = 1.0;            // epochs of linear warm-up (cosine and onecycle; constant ignores it)
  bool augment = false;           // random shifts of up to 2 pixels, per image and epoch (augment.hpp)
};

inline void fail_invalid(const std::string& message) { throw Error(ErrorCode::InvalidArgument, message); }

// A number as a person writes it (0.9, 1.5, 1e-08), not std::to_string's six decimals.
inline std::string show_number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

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
    fail_invalid("learning rate must be a finite number above 0, got " + show_number(c.learning_rate));
  if (!(c.decay >= 0.0f) || !std::isfinite(c.decay))
    fail_invalid("weight decay must be a finite number of at least 0, got " + show_number(c.decay));
  if (!(c.momentum >= 0.0f && c.momentum < 1.0f))
    fail_invalid("momentum must be at least 0 and below 1, got " + show_number(c.momentum));
  // Only the schedules with a warm-up hold it to the run's length: constant ignores it.
  if (!(c.warmup >= 0.0 && c.warmup < (c.schedule == Schedule::constant ? HUGE_VAL : double(c.epochs))))
    fail_invalid("warm-up must be at least 0 and fewer than the " + std::to_string(c.epochs) +
                 " epochs, got " + show_number(c.warmup));
  if (!(c.validation_fraction >= 0.0 && c.validation_fraction < 1.0))
    fail_invalid("validation fraction must be in [0, 1), got " + show_number(c.validation_fraction));
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

// Bytes of one copy of the parameters W1, b1, W2, b2 of a 784-H-10 network.
inline std::uint64_t params_bytes(std::uint64_t hidden) {
  return 4 * (std::uint64_t(kInputs) * hidden + hidden + hidden * kClasses + kClasses);
}

// About the most memory training with `c` takes at once, beyond the data: the trainer's parameters, W1 as
// the step keeps it (by slabs) or their gradient, the last finite copy, one model copy for predictions and
// one serialised for saving (5 copies),
// the optimizer's: a gradient and one (momentum) or two (Adam) moments per parameter;
// two workspaces of kChunkRows (or batch) rows: the gathered inputs, their non-zero lists by row (index and
// value: 2 more floats per input) and the hidden-layer buffers; and the training batch's lists by column.
inline std::uint64_t training_memory_bytes(const TrainConfig& c) {
  const std::uint64_t H = std::uint64_t(c.hidden < 1 ? 1 : c.hidden);
  const std::uint64_t batch = std::uint64_t(c.batch < 1 ? 1 : c.batch);
  const std::uint64_t rows = batch > kChunkRows ? batch : kChunkRows;
  const std::uint64_t workspace = 4 * rows * (3 * kInputs + 6 * H + 6 * kClasses);
  const std::uint64_t column_lists = 4 * batch * 2 * kInputs;
  const std::uint64_t examples = c.train_size * 8;  // the split and the shuffled order (u32 each)
  const std::uint64_t optimizer_copies = c.optimizer == Optimizer::sgd ? 0 : c.optimizer == Optimizer::momentum ? 2 : 3;
  const std::uint64_t augmented = c.augment ? 2 * batch * kInputs : 0;  // the shifted images of two batches
  return (5 + optimizer_copies) * params_bytes(H) + 2 * workspace + column_lists + examples + augmented;
}

// Throws Error(InvalidArgument) when training `c` needs more than `budget_bytes` (what the caller can
// still allocate, e.g. the page's WebAssembly memory limit minus what is in use).
inline void check_memory(const TrainConfig& c, std::uint64_t budget_bytes) {
  const std::uint64_t need = training_memory_bytes(c);
  if (need <= budget_bytes) return;
  const auto mb = [](std::uint64_t bytes) { return std::to_string((bytes + (1u << 19)) >> 20); };
  fail_invalid("784-" + std::to_string(c.hidden) + "-10 needs about " + mb(need) + " MB to train, more than the " +
               mb(budget_bytes) + " MB this page can use: try fewer hidden units");
}

}  // namespace mnist
