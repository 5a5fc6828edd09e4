// Fine-tuning (fine_tune.hpp with Trainer::start_from): the mix holds the user's digits in the share asked
// for, a trainer started from a model carries on from it, and a short fine-tune of the shipped model on test
// digits it gets wrong teaches them without costing more than half a point of test accuracy on the rest.
#include <gtest/gtest.h>

#include <set>

#include "mnist/evaluate.hpp"
#include "mnist/fine_tune.hpp"
#include "mnist/model_file.hpp"
#include "mnist/trainer.hpp"
#include "test_data.hpp"

using namespace mnist;

namespace {

Params<float> reference_model() {
  const auto bytes = testdata::read_file(MNIST_REFERENCE_MODEL);
  return load_model(bytes.data(), bytes.size());
}

Dataset subset_of(const Dataset& d, const std::vector<std::uint32_t>& indices) {
  Dataset out;
  for (std::uint32_t i : indices) {
    out.pixels.insert(out.pixels.end(), d.image(i), d.image(i) + kInputs);
    out.labels.push_back(d.labels[i]);
  }
  return out;
}

}  // namespace

TEST(FineTuneSet, OversamplesTheUsersDigitsToTheirShareOfEachBatch) {
  const Dataset mnist = testdata::real_mnist("train", 3000);
  const Dataset user = subset_of(testdata::real_mnist("t10k", 3), {0, 1, 2});
  FineTuneConfig f;
  f.mnist_examples = 2400;
  f.user_per_batch = 8;
  f.batch = 32;
  const Dataset mix = make_fine_tune_set(mnist, user, f);
  const std::size_t user_examples = mix.size() - 2400;
  EXPECT_EQ(user_examples % 3, 0u);
  // 8 of every 32: 2400 MNIST images need 800 of the user's (here 267 copies of 3 = 801).
  EXPECT_EQ(user_examples, 801u);
  EXPECT_NEAR(double(user_examples) / double(mix.size()), 8.0 / 32.0, 0.001);
  for (std::size_t c = 0; c < user_examples / 3; ++c)
    for (std::size_t k = 0; k < 3; ++k) {
      const std::size_t i = 2400 + c * 3 + k;
      ASSERT_TRUE(std::equal(user.image(k), user.image(k) + kInputs, mix.image(i))) << "copy " << c << ", digit " << k;
      ASSERT_EQ(mix.labels[i], user.labels[k]);
    }
  // The MNIST part: 2400 different images of the 3000, with their own labels.
  std::set<std::vector<std::uint8_t>> distinct;
  for (std::size_t i = 0; i < 2400; ++i) distinct.emplace(mix.image(i), mix.image(i) + kInputs);
  EXPECT_GT(distinct.size(), 2390u);  // (MNIST holds a few duplicate images)
}

TEST(FineTuneSet, RefusesToStartWithoutDigitsOfYourOwn) {
  const Dataset mnist = testdata::real_mnist("train", 100);
  try {
    make_fine_tune_set(mnist, Dataset{}, FineTuneConfig{});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_STREQ(e.what(), "no digits of your own to fine-tune on: label a drawing first");
  }
}

TEST(TrainerStartFrom, CarriesOnFromTheGivenModelNotFromTheSeededInit) {
  const Dataset mnist = testdata::real_mnist("train", 1000);
  const Params<float> start = reference_model();
  TrainConfig c;
  c.epochs = 1;
  c.train_size = 1000;
  Trainer fresh(mnist, c);
  Trainer tuned(mnist, c);
  tuned.start_from(start);
  EXPECT_TRUE(tuned.params().W1.isApprox(start.W1));
  EXPECT_FALSE(fresh.params().W1.isApprox(start.W1));
  tuned.step(3);
  // Three small steps move the model a little from where it started.
  const float moved = (tuned.params().W1 - start.W1).norm() / start.W1.norm();
  EXPECT_GT(moved, 0.0f);
  EXPECT_LT(moved, 0.05f);

  Trainer wrong_size(mnist, [&] { auto d = c; d.hidden = 32; return d; }());
  EXPECT_THROW(wrong_size.start_from(start), Error);
  EXPECT_THROW(tuned.start_from(start), Error);  // after training started
}

TEST(FineTune, TeachesTheShippedModelDigitsItGotWrongAndKeepsItsTestAccuracy) {
  const Dataset train = testdata::real_mnist("train", 20000);
  const Dataset test = testdata::real_mnist("t10k", 10000);
  const Params<float> before = reference_model();
  const Evaluation wrong = evaluate(before, test);
  ASSERT_GT(wrong.wrong.size(), 100u);
  // "The user's digits": five test digits the model gets wrong, with their true labels.
  const std::vector<std::uint32_t> picked(wrong.wrong.begin(), wrong.wrong.begin() + 5);
  const Dataset user = subset_of(test, picked);
  std::vector<std::uint32_t> rest;
  for (std::uint32_t i = 0; i < test.size(); ++i)
    if (std::find(picked.begin(), picked.end(), i) == picked.end()) rest.push_back(i);

  const FineTuneConfig f;
  const Dataset mix = make_fine_tune_set(train, user, f);
  Trainer t(mix, fine_tune_train_config(f, before.hidden()));
  t.start_from(before);
  t.run();
  ASSERT_FALSE(t.diverged());
  const Params<float>& after = t.params();

  EXPECT_EQ(evaluate(before, user).accuracy, 0.0);
  EXPECT_EQ(evaluate(after, user).accuracy, 1.0);
  StepWorkspace ws(kEvalChunk, before.hidden(), 1, 0);
  const double rest_before = evaluate(before, test, rest.data(), rest.size(), 0.0f, ws).accuracy;
  const double rest_after = evaluate(after, test, rest.data(), rest.size(), 0.0f, ws).accuracy;
  std::printf("fine-tune on %zu examples: the user's digits 0/5 -> 5/5, test (the other %zu) %.4f -> %.4f\n",
              mix.size(), rest.size(), rest_before, rest_after);
  EXPECT_GT(rest_after, rest_before - 0.005);
}
