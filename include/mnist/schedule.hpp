// The learning rate of each step under TrainConfig::schedule. Steps are counted over the whole run
// (epochs x batches per epoch); the warm-up is TrainConfig::warmup epochs of them.
//   constant: lr.
//   cosine:   lr (t + 1) / W during the warm-up (t < W), then lr (1 + cos(pi (t - W) / (T - W))) / 2.
//   onecycle: the same warm-up, then lr (1 - (t - W) / (T - W)): linear to zero at the run's end.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "config.hpp"

namespace mnist {

constexpr double kPi = 3.14159265358979323846;

// Learning rate of step `step` (0-based, over the run) with `steps_per_epoch` batches per epoch.
inline float scheduled_lr(const TrainConfig& c, std::int64_t step, std::int64_t steps_per_epoch) {
  if (c.schedule == Schedule::constant) return c.learning_rate;
  const double lr = c.learning_rate;
  const double total = double(c.epochs) * double(steps_per_epoch);
  const double warm = c.warmup * double(steps_per_epoch);
  const double t = double(step);
  if (t < warm) return static_cast<float>(lr * (t + 1.0) / warm);
  const double progress = std::min(1.0, (t - warm) / (total - warm));  // in [0, 1)
  if (c.schedule == Schedule::cosine) return static_cast<float>(lr * 0.5 * (1.0 + std::cos(kPi * progress)));
  return static_cast<float>(lr * (1.0 - progress));
}

}  // namespace mnist
