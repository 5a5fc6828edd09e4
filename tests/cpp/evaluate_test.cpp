// The evaluation on the training step's kernels (evaluate, EvaluationPass, the trainer's validation in
// pieces) against the plain reference (evaluate_reference: network.hpp's forward, one image at a time), on
// real MNIST images and a trained model: the same predictions, so the same correct count, confusion and
// misclassified list, and the loss within float rounding.
#include <gtest/gtest.h>

#include "mnist/evaluate.hpp"
#include "mnist/explain.hpp"
#include "mnist/trainer.hpp"
#include "test_data.hpp"

using namespace mnist;

constexpr int kHidden = TrainConfig{}.hidden;  // the reference's 256

namespace {

const Dataset& train_images() {
  static const Dataset d = testdata::real_mnist("train", 3000);
  return d;
}

const Dataset& test_images() {
  static const Dataset d = testdata::real_mnist("t10k", 2000);
  return d;
}

// A model of the reference's shape (H = 256) trained for one epoch on 3,000 images: its outputs are far
// from uniform, as the page's are, and it gets some images wrong.
const Params<float>& trained() {
  static const Params<float> P = [] {
    TrainConfig c;
    c.epochs = 1;
    Trainer t(train_images(), c);
    t.run();
    return t.params();
  }();
  return P;
}

void expect_same(const Evaluation& fast, const Evaluation& reference) {
  EXPECT_EQ(fast.count, reference.count);
  EXPECT_EQ(fast.accuracy, reference.accuracy);
  EXPECT_EQ(fast.confusion, reference.confusion);
  EXPECT_EQ(fast.wrong, reference.wrong);
  EXPECT_EQ(fast.wrong_predicted, reference.wrong_predicted);
  EXPECT_NEAR(fast.loss, reference.loss, 1e-5 * reference.loss);
}

}  // namespace

TEST(Evaluate, MatchesThePlainReferenceOnRealImages) {
  const Evaluation reference = evaluate_reference(trained(), test_images(), nullptr, test_images().size(), 1e-4f);
  EXPECT_GT(reference.accuracy, 0.8);
  EXPECT_LT(reference.accuracy, 1.0);  // some wrong, so the lists are compared too
  ASSERT_EQ(reference.wrong.size(), reference.wrong_predicted.size());
  for (std::size_t i = 0; i < reference.wrong.size(); ++i)
    EXPECT_NE(reference.wrong_predicted[i], test_images().labels[reference.wrong[i]]);

  StepWorkspace ws(kEvalChunk, kHidden, 2, /*train_rows=*/0);
  expect_same(evaluate(trained(), test_images(), nullptr, test_images().size(), 1e-4f, ws), reference);
  ThreadPool pool(2);
  expect_same(evaluate(trained(), test_images(), nullptr, test_images().size(), 1e-4f, ws, &pool), reference);
}

TEST(Evaluate, InPiecesOfAnySizeMatchesTheReferenceOnAnIndexList) {
  std::vector<std::uint32_t> idx;  // every third image, backwards, as a validation split picks them
  for (std::size_t i = test_images().size(); i >= 3; i -= 3) idx.push_back(std::uint32_t(i - 1));
  const Evaluation reference = evaluate_reference(trained(), test_images(), idx.data(), idx.size(), 0.0f);

  StepWorkspace ws(kEvalChunk, kHidden, 1, /*train_rows=*/0);
  EvaluationPass pass;
  pass.start(test_images(), idx.data(), idx.size());
  std::size_t pieces = 0;
  for (std::size_t n : {1, 37, 300}) {
    EXPECT_EQ(pass.run(trained(), n, ws), n);
    ++pieces;
  }
  while (!pass.done()) pass.run(trained(), 100, ws), ++pieces;
  EXPECT_EQ(pass.position(), idx.size());
  EXPECT_GT(pieces, 5u);
  expect_same(pass.result(trained(), 0.0f), reference);

  pass.start(test_images(), nullptr, 700);  // reused: nothing of the pass before is left
  pass.run(trained(), 700, ws);
  expect_same(pass.result(trained(), 0.0f), evaluate_reference(trained(), test_images(), nullptr, 700, 0.0f));
}

TEST(Evaluate, OnAPoolsThreadsGivesTheSameBitsAsOnOneThread) {
  // Each thread runs whole 64-image passes on a workspace of its own (wasm SIMD; natively the threads
  // split each pass by columns); the passes cover the rows one thread would in the same pieces and are
  // tallied in order, so the figures are equal to the bit. The page's test compares its threads too.
  std::vector<std::uint32_t> idx;
  for (std::size_t i = 0; i + 1 < test_images().size(); i += 2) idx.push_back(std::uint32_t(i + 1));
  const auto in_pieces = [&](ThreadPool* pool, int threads) {
    StepWorkspace ws(kEvalChunk, kHidden, threads, /*train_rows=*/0);
    EvaluationPass pass;
    pass.start(test_images(), idx.data(), idx.size());
    for (std::size_t n : {1, 200, 129, 64}) EXPECT_EQ(pass.run(trained(), n, ws, pool), n);
    while (!pass.done()) pass.run(trained(), 333, ws, pool);
    return pass.result(trained(), 1e-4f);
  };
  ThreadPool one(1);  // a pool's split passes, on one thread (natively Eigen's bits depend on the split)
  const Evaluation expected = in_pieces(&one, 1);
  EXPECT_GT(expected.wrong.size(), 0u);
  for (int threads : {2, 3}) {
    ThreadPool pool(threads);
    const Evaluation e = in_pieces(&pool, threads);
    EXPECT_EQ(e.loss, expected.loss) << threads;
    EXPECT_EQ(e.accuracy, expected.accuracy);
    EXPECT_EQ(e.confusion, expected.confusion);
    EXPECT_EQ(e.wrong, expected.wrong);
    EXPECT_EQ(e.wrong_predicted, expected.wrong_predicted);
  }
}

TEST(Evaluate, ActivityOnTheStepKernelsMatchesTheReference) {
  StepWorkspace fast(kEvalChunk, kHidden, 1, /*train_rows=*/0);
  Workspace<float> reference(kEvalChunk, kHidden);
  std::vector<std::uint32_t> a(kHidden, 0), b(kHidden, 0);
  count_active(trained(), test_images(), 100, 900, fast, nullptr, a.data());
  count_active(trained(), test_images(), 100, 900, reference, nullptr, b.data());
  EXPECT_EQ(a, b);
}

TEST(Trainer, ValidationInPiecesGivesTheSameHistoryAsAtTheEpochEnd) {
  TrainConfig c = testdata::small_config();
  c.epochs = 2;
  Trainer whole(train_images(), c), pieces(train_images(), c);
  pieces.set_validation_in_pieces(true);
  whole.run();
  int calls = 0;
  while (!pieces.finished() || pieces.validation_pending()) {
    const StepResult r = pieces.step(1 << 30);
    if (r.status == TrainStatus::EpochEnded || r.status == TrainStatus::Finished) {
      EXPECT_TRUE(pieces.validation_pending());
      EXPECT_EQ(pieces.history().back().validation_accuracy, 0.0);  // not yet
      while (!pieces.validate_some(100)) ++calls;
    }
  }
  EXPECT_GE(calls, 2 * 2);  // 300 validation images in pieces of 100
  ASSERT_EQ(pieces.history().size(), whole.history().size());
  for (std::size_t e = 0; e < whole.history().size(); ++e) {
    EXPECT_EQ(pieces.history()[e].train_loss, whole.history()[e].train_loss) << e;
    EXPECT_EQ(pieces.history()[e].validation_accuracy, whole.history()[e].validation_accuracy) << e;
    EXPECT_NEAR(pieces.history()[e].validation_loss, whole.history()[e].validation_loss, 1e-6) << e;
  }
}

TEST(Trainer, StepFinishesAPendingValidationFirst) {
  TrainConfig c = testdata::small_config();
  c.epochs = 2;
  Trainer whole(train_images(), c), pieces(train_images(), c);
  pieces.set_validation_in_pieces(true);
  whole.run();
  pieces.run();  // never calls validate_some(): each step() after an epoch's end finishes its pass
  EXPECT_EQ(pieces.history()[0].validation_accuracy, whole.history()[0].validation_accuracy);
  EXPECT_TRUE((pieces.params().W1.array() == whole.params().W1.array()).all());
}
