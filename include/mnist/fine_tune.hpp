// Fine-tuning on a user's own digits: the training set it runs on (the user's examples oversampled among
// MNIST training images, so the network learns them without forgetting MNIST) and the TrainConfig of the
// short run. The run itself is the ordinary Trainer started from the current model (Trainer::start_from).
// Not here: the loop (trainer.hpp), where the digits come from (the page, the CLI).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "config.hpp"
#include "dataset.hpp"
#include "error.hpp"
#include "rng.hpp"

namespace mnist {

// The mix: `mnist_examples` MNIST training images drawn at random, plus the user's digits repeated so that
// on average `user_per_batch` of every `batch` examples are the user's; one epoch over it. At the defaults:
// 12,000 MNIST images and about 1,715 of the user's (4 of every 32), 429 steps at a fifth of the reference's
// learning rate. (A sweep of lr 0.01-0.05, 2-8 of 32, 6,000-12,000 images and 3 seeds on a glyph the shipped
// model reads wrong: every setting learned it; test accuracy moved -0.61 to +0.23 points, these -0.00 to
// +0.17; docs/architecture.md.)
struct FineTuneConfig {
  std::size_t mnist_examples = 12000;
  int user_per_batch = 4;
  int batch = 32;
  int epochs = 1;
  float learning_rate = 0.02f;
  float decay = 1e-4f;
  std::uint64_t seed = 1;
};

inline void validate(const FineTuneConfig& f, std::size_t user_digits) {
  if (user_digits == 0) fail_invalid("no digits of your own to fine-tune on: label a drawing first");
  if (f.batch < 2 || f.batch > 4096) fail_invalid("fine-tune batch must be between 2 and 4096, got " + std::to_string(f.batch));
  if (f.user_per_batch < 1 || f.user_per_batch >= f.batch)
    fail_invalid("your digits per batch must be between 1 and " + std::to_string(f.batch - 1) + ", got " +
                 std::to_string(f.user_per_batch));
  if (f.mnist_examples == 0) fail_invalid("fine-tuning needs some MNIST images to mix in, got 0");
}

// How many copies of the user's digits go into the mix: enough that they make up user_per_batch / batch of it.
inline std::size_t user_copies(const FineTuneConfig& f, std::size_t mnist_taken, std::size_t user_digits) {
  const std::size_t wanted = (mnist_taken * std::size_t(f.user_per_batch) + std::size_t(f.batch - f.user_per_batch) - 1) /
                             std::size_t(f.batch - f.user_per_batch);
  return std::max<std::size_t>(1, (wanted + user_digits - 1) / user_digits);
}

// The fine-tuning set: min(mnist_examples, mnist.size()) images of `mnist` drawn without replacement (seeded),
// then every user digit user_copies() times. The trainer shuffles it every epoch.
inline Dataset make_fine_tune_set(const Dataset& mnist, const Dataset& user, const FineTuneConfig& f) {
  validate(f, user.size());
  const std::size_t taken = std::min(f.mnist_examples, mnist.size());
  std::vector<std::uint32_t> order(mnist.size());
  std::iota(order.begin(), order.end(), 0u);
  Rng rng(f.seed ^ 0xF1E7u);
  for (std::size_t i = 0; i < taken; ++i) std::swap(order[i], order[i + rng.below(order.size() - i)]);  // partial Fisher-Yates
  const std::size_t copies = user_copies(f, taken, user.size());
  Dataset mix;
  mix.pixels.reserve((taken + copies * user.size()) * kInputs);
  mix.labels.reserve(taken + copies * user.size());
  for (std::size_t i = 0; i < taken; ++i) {
    mix.pixels.insert(mix.pixels.end(), mnist.image(order[i]), mnist.image(order[i]) + kInputs);
    mix.labels.push_back(mnist.labels[order[i]]);
  }
  for (std::size_t c = 0; c < copies; ++c) {
    mix.pixels.insert(mix.pixels.end(), user.pixels.begin(), user.pixels.end());
    mix.labels.insert(mix.labels.end(), user.labels.begin(), user.labels.end());
  }
  return mix;
}

// The Trainer's settings for a fine-tune of a 784-hidden-10 model over a mix of `mix_size` images: no
// validation split (every example trains; the page tests on the test set before and after).
inline TrainConfig fine_tune_train_config(const FineTuneConfig& f, int hidden) {
  TrainConfig c;
  c.hidden = hidden;
  c.epochs = f.epochs;
  c.batch = f.batch;
  c.learning_rate = f.learning_rate;
  c.decay = f.decay;
  c.train_size = 0;
  c.validation_fraction = 0.0;
  c.seed = f.seed;
  return c;
}

}  // namespace mnist
