// The trainer on a small real MNIST subset: it learns, it is reproducible from its seed, its step API
// stops at batch and epoch boundaries, and a diverging run stops instead of producing NaNs.
#include <gtest/gtest.h>

#include "mnist/evaluate.hpp"
#include "mnist/trainer.hpp"
#include "test_data.hpp"

using namespace mnist;

namespace {

const Dataset& subset() { return testdata::train_subset(); }
using testdata::small_config;

}  // namespace

TEST(Trainer, LossFallsAndAccuracyRisesWithinAFewEpochs) {
  Trainer t(subset(), small_config());
  t.run();
  const auto& h = t.history();
  ASSERT_EQ(h.size(), 3u);
  EXPECT_LT(h[2].train_loss, h[0].train_loss);
  EXPECT_LT(h[2].validation_loss, h[0].validation_loss);
  EXPECT_GT(h[2].train_accuracy, h[0].train_accuracy);
  EXPECT_GT(h[2].validation_accuracy, 0.85);
  const auto test = evaluate(t.params(), testdata::real_mnist("t10k", 1000));
  EXPECT_GT(test.accuracy, 0.85);
  std::uint32_t total = 0;
  for (auto n : test.confusion) total += n;
  EXPECT_EQ(total, 1000u);
  EXPECT_EQ(test.wrong.size(), std::size_t(std::lround((1 - test.accuracy) * 1000)));
}

TEST(Trainer, SameSeedGivesTheSameHistoryBitForBit) {
  Trainer a(subset(), small_config()), b(subset(), small_config());
  auto other = small_config();
  other.seed = 2;
  Trainer c(subset(), other);
  a.run(), b.run(), c.run();
  for (std::size_t e = 0; e < a.history().size(); ++e) {
    EXPECT_EQ(a.history()[e].train_loss, b.history()[e].train_loss) << e;
    EXPECT_EQ(a.history()[e].validation_accuracy, b.history()[e].validation_accuracy) << e;
  }
  EXPECT_TRUE((a.params().W1.array() == b.params().W1.array()).all());
  EXPECT_NE(a.history()[0].train_loss, c.history()[0].train_loss);
}

TEST(Trainer, StepRunsAtMostTheBatchesAskedAndStopsAtTheEpochEnd) {
  auto config = small_config();
  config.epochs = 2;
  Trainer t(subset(), config);
  const std::size_t per_epoch = (t.epoch_size() + config.batch - 1) / config.batch;  // 1700 / 32 -> 54
  auto r = t.step(5);
  EXPECT_EQ(r.batches, 5);
  EXPECT_EQ(r.status, TrainStatus::Running);
  EXPECT_EQ(t.position(), 5u * config.batch);
  r = t.step(1000);
  EXPECT_EQ(std::size_t(r.batches), per_epoch - 5);
  EXPECT_EQ(r.status, TrainStatus::EpochEnded);
  EXPECT_EQ(t.history().size(), 1u);
  EXPECT_EQ(t.position(), 0u);
  r = t.step(1000);
  EXPECT_EQ(r.status, TrainStatus::Finished);
  EXPECT_TRUE(t.finished());
  EXPECT_EQ(t.step(10).batches, 0);
}

TEST(Trainer, StopsOnDivergenceBeforeApplyingANonFiniteUpdate) {
  auto config = small_config();
  config.learning_rate = 1e6f;
  Trainer t(subset(), config);
  t.run();
  EXPECT_TRUE(t.diverged());
  EXPECT_EQ(t.step(1).status, TrainStatus::Diverged);
}

TEST(Trainer, RejectsAnInvalidConfigBeforeTraining) {
  auto config = small_config();
  config.batch = 0;
  EXPECT_THROW(Trainer(subset(), config), Error);
}

TEST(Trainer, KeepsTheLastFiniteModelWhenTheWeightsBlowUp) {
  auto config = small_config();
  config.learning_rate = 1e30f;  // the first update makes the weights infinite
  Trainer t(subset(), config);
  const auto r = t.step(100);
  EXPECT_EQ(r.status, TrainStatus::Diverged);
  EXPECT_TRUE(t.params().all_finite());
  EXPECT_LT(r.batches, 100);
}

TEST(Trainer, TwoThreadsTrainAsWellAsOne) {
  // Threads split the columns of H, never a sum; natively Eigen may still block each chunk's products
  // differently from the whole, so the runs agree to rounding rather than to the bit.
  Trainer one(subset(), small_config()), two(subset(), small_config(), 2);
  EXPECT_EQ(two.threads(), 2);
  one.run(), two.run();
  for (std::size_t e = 0; e < one.history().size(); ++e) {
    EXPECT_NEAR(one.history()[e].train_loss, two.history()[e].train_loss, 1e-3) << e;
    EXPECT_NEAR(one.history()[e].validation_accuracy, two.history()[e].validation_accuracy, 0.01) << e;
  }
  EXPECT_LT((one.params().W1 - two.params().W1).cwiseAbs().maxCoeff(), 1e-3f);
}

TEST(Trainer, TrainersTakingTurnsOnASharedPoolTrainAsWithTheirOwn) {
  // The bindings' module-wide pool: two trainers (and the models' evaluation) use it one call at a time.
  auto shared = std::make_shared<ThreadPool>(2);
  Trainer own(subset(), small_config(), 2), first(subset(), small_config(), shared),
      second(subset(), small_config(), shared);
  EXPECT_EQ(first.threads(), 2);
  while (!own.finished()) {
    own.step(7), first.step(7), second.step(7);
  }
  EXPECT_TRUE(first.finished() && second.finished());
  EXPECT_TRUE((own.params().W1.array() == first.params().W1.array()).all());
  EXPECT_TRUE((own.params().W1.array() == second.params().W1.array()).all());
  EXPECT_EQ(own.history().back().validation_accuracy, second.history().back().validation_accuracy);
}

TEST(Trainer, CallsALearningRateOf50DivergedAndKeepsTheEpochStartModel) {
  // The stable softmax keeps this run's loss finite (about 1e7): the loss threshold is what stops it.
  auto config = small_config();
  config.learning_rate = 50.0f;
  Trainer t(subset(), config);
  const auto initial = t.params().W1;
  const auto r = t.step(1000);
  EXPECT_EQ(r.status, TrainStatus::Diverged);
  EXPECT_TRUE(t.diverged());
  EXPECT_TRUE((t.params().W1.array() == initial.array()).all());  // diverged in epoch 1: back to the start
}

TEST(Trainer, TheGovernorsThreadCountDoesNotChangeTheBits) {
  // A pool of one thread runs the same chunks as a pool of two whose governor moves between 2 and 1
  // (probes, and switches when timing says so): the same bits whichever count ran which step.
  Trainer one(subset(), small_config(), std::make_shared<ThreadPool>(1)), two(subset(), small_config(), 2);
  int steps = 0;
  while (!two.finished()) {
    const StepResult r = two.step(3);
    one.step(3);
    EXPECT_GE(r.threads, 1);
    EXPECT_LE(r.threads, 2);
    ++steps;
  }
  EXPECT_GT(steps, 10);
  EXPECT_TRUE((one.params().W1.array() == two.params().W1.array()).all());
  EXPECT_TRUE((one.params().W2.array() == two.params().W2.array()).all());
  EXPECT_EQ(one.history().back().validation_loss, two.history().back().validation_loss);
}
