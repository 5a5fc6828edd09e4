// Every hyper-parameter is checked at the API boundary with a message naming it.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "mnist/config.hpp"

using namespace mnist;

namespace {

std::string invalid_message(const TrainConfig& c, std::size_t available = 60000) {
  try {
    validate(c, available);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    return e.what();
  }
  return "(accepted)";
}

TrainConfig with(const std::function<void(TrainConfig&)>& change) {
  TrainConfig c;
  change(c);
  return c;
}

}  // namespace

TEST(Config, AcceptsTheReferenceDefaults) { EXPECT_NO_THROW(validate(TrainConfig{}, 60000)); }

// The constant schedule has no warm-up, so a warm-up as long as the run is no error there.
TEST(Config, HoldsTheWarmUpToTheRunOnlyWhereTheScheduleUsesIt) {
  EXPECT_NO_THROW(validate(with([](auto& c) { c.epochs = 1, c.warmup = 1; }), 60000));
  EXPECT_NO_THROW(validate(with([](auto& c) { c.schedule = Schedule::cosine, c.warmup = 9.5; }), 60000));
}

TEST(Config, RejectsEachSettingOutOfRangeWithAClearMessage) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const struct {
    TrainConfig config;
    const char* expected;
  } cases[] = {
      {with([](auto& c) { c.hidden = 0; }), "hidden units must be between 1 and 262144, got 0"},
      {with([](auto& c) { c.hidden = 300000; }), "hidden units must be between 1 and 262144"},
      {with([](auto& c) { c.batch = 0; }), "batch size must be between 1 and 4096, got 0"},
      {with([](auto& c) { c.epochs = 0; }), "epochs must be between 1 and 1000, got 0"},
      {with([](auto& c) { c.learning_rate = 0; }), "learning rate must be a finite number above 0"},
      {with([](auto& c) { c.learning_rate = -0.1f; }), "learning rate must be a finite number above 0, got -0.1"},
      {with([=](auto& c) { c.learning_rate = nan; }), "learning rate must be a finite number above 0"},
      {with([=](auto& c) { c.learning_rate = inf; }), "learning rate must be a finite number above 0"},
      {with([](auto& c) { c.decay = -1e-4f; }), "weight decay must be a finite number of at least 0, got -0.0001"},
      {with([=](auto& c) { c.decay = nan; }), "weight decay must be a finite number of at least 0"},
      {with([](auto& c) { c.train_size = 60001; }), "training examples must be at most the 60000 images loaded"},
      {with([](auto& c) { c.validation_fraction = 1.0; }), "validation fraction must be in [0, 1)"},
      {with([](auto& c) { c.momentum = 1.0f; }), "momentum must be at least 0 and below 1, got 1"},
      {with([](auto& c) { c.momentum = -0.5f; }), "momentum must be at least 0 and below 1, got -0.5"},
      {with([=](auto& c) { c.momentum = nan; }), "momentum must be at least 0 and below 1"},
      {with([](auto& c) { c.schedule = Schedule::cosine, c.warmup = 10; }),
       "warm-up must be at least 0 and fewer than the 10 epochs, got 10"},
      {with([](auto& c) { c.schedule = Schedule::onecycle, c.warmup = -0.5; }),
       "warm-up must be at least 0 and fewer than the 10 epochs, got -0.5"},
      {with([](auto& c) { c.warmup = std::nan(""); }), "warm-up must be at least 0"},
      {with([](auto& c) { c.train_size = 20; }), "training examples after the validation split (17) must be at least the batch size (32)"},
  };
  for (const auto& c : cases) {
    const std::string m = invalid_message(c.config);
    EXPECT_NE(m.find(c.expected), std::string::npos) << "expected '" << c.expected << "', got '" << m << "'";
  }
  EXPECT_NE(invalid_message(TrainConfig{}, 0).find("no training images are loaded"), std::string::npos);
}

TEST(ConfigMemory, EstimatesFiveParameterCopiesPlusWorkspaces) {
  TrainConfig c;
  c.hidden = 256;
  c.train_size = 1000;
  const std::uint64_t params = 4 * (784 * 256 + 256 + 256 * 10 + 10);
  const std::uint64_t workspace = 4 * 512 * (3 * 784 + 6 * 256 + 60);  // x, its lists by row, buffers
  const std::uint64_t column_lists = 4 * 32 * 2 * 784;                   // the batch's lists by pixel
  EXPECT_EQ(training_memory_bytes(c), 5 * params + 2 * workspace + column_lists + 8000);
  c.hidden = 512;
  EXPECT_GT(training_memory_bytes(c), std::uint64_t(5 * 4 * 784 * 512));
}

// Momentum keeps a gradient and a velocity per parameter, Adam a gradient and two moments; shifting keeps
// two batches of images.
TEST(ConfigMemory, AddsTheOptimizersStateAndTheShiftedBatches) {
  TrainConfig c;
  const std::uint64_t params = 4 * (784 * 256 + 256 + 256 * 10 + 10), sgd = training_memory_bytes(c);
  c.optimizer = Optimizer::momentum;
  EXPECT_EQ(training_memory_bytes(c), sgd + 2 * params);
  c.optimizer = Optimizer::adam;
  EXPECT_EQ(training_memory_bytes(c), sgd + 3 * params);
  c.optimizer = Optimizer::sgd;
  c.augment = true;
  EXPECT_EQ(training_memory_bytes(c), sgd + 2 * 32 * 784);
}

TEST(ConfigMemory, RefusesAHiddenSizeThatDoesNotFitTheBudgetWithAClearMessage) {
  TrainConfig c;
  c.hidden = 100000;
  EXPECT_NO_THROW(check_memory(TrainConfig{}, std::uint64_t(1) << 30));
  try {
    check_memory(c, std::uint64_t(1900) << 20);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    const std::string need = std::to_string((training_memory_bytes(c) + (1u << 19)) >> 20);
    EXPECT_EQ(std::string(e.what()), "784-100000-10 needs about " + need +
                                         " MB to train, more than the 1900 MB this page can use: try fewer hidden units");
  }
}
