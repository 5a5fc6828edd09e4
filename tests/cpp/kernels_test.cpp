// The training step's kernels against their scalar reference on named edge shapes (natively: the native
// dispatch, Eigen or the reference loops), and train_step against network.hpp's forward + backward +
// sgd_update. The same checks run on the WebAssembly SIMD kernels through tests/wasm/kernels_check.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "../wasm/kernel_tester.hpp"
#include "mnist/train_step.hpp"

namespace {

using namespace mnist;
namespace kt = mnist::kernel_tester;

// Every failure becomes one gtest failure carrying the kernel, the shape and the (i, j).
void expect_ok(const std::string& message) {
  if (!message.empty()) ADD_FAILURE() << message;
}

TEST(Kernels, FirstLayerMatchesTheReferenceOnEdgeShapes) {
  unsigned seed = 1;
  for (int n : kt::edge_rows())
    for (int N : kt::edge_cols())
      for (int K : kt::edge_depths()) expect_ok(kt::check_gemm_nn_bias_relu(n, K, N, ++seed));
}

TEST(Kernels, WeightGradientStepMatchesTheReferenceOnEdgeShapes) {
  unsigned seed = 2;
  for (int n : kt::edge_rows())
    for (int N : kt::edge_cols())
      for (int M : kt::edge_depths()) expect_ok(kt::check_gemm_tn_sgd(n, M, N, ++seed));
}

TEST(Kernels, SparseWeightGradientStepMatchesTheReferenceOnEdgeShapes) {
  unsigned seed = 7;
  for (int n : kt::edge_rows())
    for (int N : kt::edge_cols())
      for (int K : kt::edge_depths()) expect_ok(kt::check_gemm_tn_sgd_x(n, K, N, ++seed));
}

TEST(Kernels, SecondLayerMatchesTheReferenceOnEdgeShapes) {
  unsigned seed = 3;
  for (int n : kt::edge_rows())
    for (int N : kt::edge_cols())
      for (int C : kt::edge_classes()) expect_ok(kt::check_gemm_nt_bias(n, N, C, ++seed));
}

TEST(Kernels, HiddenErrorMatchesTheReferenceOnEdgeShapes) {
  unsigned seed = 4;
  for (int n : kt::edge_rows())
    for (int N : kt::edge_cols())
      for (int C : kt::edge_classes()) expect_ok(kt::check_gemm_nn_relumask(n, C, N, ++seed));
}

TEST(Kernels, BiasStepMatchesTheReferenceOnEdgeShapes) {
  unsigned seed = 5;
  for (int n : kt::edge_rows())
    for (int N : kt::edge_cols()) expect_ok(kt::check_colsum_add(n, N, ++seed));
}

TEST(Kernels, PixelConversionGivesTheReferenceBits) {
  unsigned seed = 6;
  for (int count : {0, 1, 15, 16, 17, 784, 784 * 3}) expect_ok(kt::check_u8_to_unit_f32(count, ++seed));
}

TEST(Kernels, ProductsOnW1BySlabsGiveTheRowMajorBits) {
  unsigned seed = 8;
  for (int n : {1, 5, 32})
    for (int H : {16, 48, 256}) expect_ok(kt::check_slab_products(n, H, ++seed));
}

TEST(Kernels, RowListsFromPixelsMatchTheConvertedRows) {
  unsigned seed = 7;
  for (int K : {1, 15, 16, 17, 33, 784})
    for (int lit : {0, 3, 20, 100}) expect_ok(kt::check_list_row_u8(3, K, lit, ++seed));
}

TEST(Kernels, EveryKernelMatchesTheReferenceOnRandomShapes) {
  int failures = 0;
  kt::run_all([&](const std::string& m) {
    if (++failures <= 10) ADD_FAILURE() << m;
  });
  EXPECT_EQ(failures, 0);
}

TEST(TrainStep, MatchesTheReferenceForwardBackwardAndUpdate) {
  unsigned seed = 100;
  for (int n : {1, 2, 3, 5, 32, 33, 64})
    for (int H : {1, 5, 17, 256}) expect_ok(kt::check_train_step(n, H, ++seed));
}

// Many steps in a row stay with the float reference: no drift from the folded decay or the -lr scaling.
TEST(TrainStep, FollowsTheReferenceOverManySteps) {
  const int n = 32, H = 64;
  Rng rng(9);
  Params<float> P = init_params(H, rng), R = P;
  std::mt19937 gen(9);
  std::vector<float> x(std::size_t(n) * kInputs);
  std::vector<std::uint8_t> labels(n);
  StepWorkspace ws(n, H);
  Workspace<float> rws(n, H);
  for (int step = 0; step < 100; ++step) {
    for (auto& v : x) v = (gen() % 3 == 0) ? float(gen() % 256) / 255.0f : 0.0f;
    for (auto& l : labels) l = static_cast<std::uint8_t>(gen() % kClasses);
    const float ce = train_step(P, x.data(), labels.data(), n, 0.1f, 1e-4f, ws);
    const float ce_ref = forward(R, x.data(), labels.data(), n, rws);
    backward(R, x.data(), labels.data(), n, 1e-4f, rws);
    sgd_update(R, rws.grad, 0.1f);
    ASSERT_NEAR(ce, ce_ref, 1e-4 * std::fabs(ce_ref)) << "step " << step;
  }
  EXPECT_LT((P.W1 - R.W1).cwiseAbs().maxCoeff(), 1e-4f * R.W1.cwiseAbs().maxCoeff());
  EXPECT_LT((P.W2 - R.W2).cwiseAbs().maxCoeff(), 1e-4f * R.W2.cwiseAbs().maxCoeff());
  EXPECT_LT((P.b1 - R.b1).cwiseAbs().maxCoeff(), 1e-4f * R.b1.cwiseAbs().maxCoeff() + 1e-7f);
  EXPECT_LT((P.b2 - R.b2).cwiseAbs().maxCoeff(), 1e-4f * R.b2.cwiseAbs().maxCoeff() + 1e-7f);
}

TEST(TrainStep, LeavesTheParametersUntouchedWhenTheLossIsNotFinite) {
  const int n = 4, H = 8;
  Rng rng(3);
  Params<float> P = init_params(H, rng);
  P.W1(0, 0) = INFINITY;
  const Params<float> before = P;
  std::vector<float> x(std::size_t(n) * kInputs, 0.5f);
  std::vector<std::uint8_t> labels(n, 3);
  StepWorkspace ws(n, H);
  EXPECT_FALSE(std::isfinite(train_step(P, x.data(), labels.data(), n, 0.1f, 1e-4f, ws)));
  EXPECT_TRUE((P.W1.array() == before.W1.array()).all());
  EXPECT_TRUE((P.W2.array() == before.W2.array()).all());
  EXPECT_TRUE((P.b1.array() == before.b1.array()).all());
  EXPECT_TRUE((P.b2.array() == before.b2.array()).all());
}

// The evaluation entry: 512 rows at once, without labels, gives the reference probabilities.
TEST(ForwardProbs, MatchesTheReferenceForwardOnAnEvaluationChunk) {
  const int n = 512, H = 256;
  Rng rng(5);
  const Params<float> P = init_params(H, rng);
  std::mt19937 gen(5);
  std::vector<float> x(std::size_t(n) * kInputs);
  for (auto& v : x) v = float(gen() % 256) / 255.0f;
  std::vector<std::uint8_t> labels(n, 0);
  StepWorkspace ws(n, H);
  EXPECT_EQ(forward_probs(P, x.data(), nullptr, n, ws), 0.0f);
  Workspace<float> rws(n, H);
  forward(P, x.data(), labels.data(), n, rws);
  for (int i = 0; i < n * kClasses; ++i)
    ASSERT_NEAR(ws.p[i], rws.p[i], 1e-5f) << "(i, j) = (" << i / kClasses << ", " << i % kClasses << ")";
}

TEST(GatherBatchFast, GivesTheBitsOfGatherBatch) {
  Dataset d;
  std::mt19937 gen(2);
  d.pixels.resize(std::size_t(50) * kInputs);
  for (auto& p : d.pixels) p = static_cast<std::uint8_t>(gen());
  d.labels.resize(50);
  for (auto& l : d.labels) l = static_cast<std::uint8_t>(gen() % kClasses);
  const std::vector<std::uint32_t> idx{49, 0, 7, 7, 23};
  std::vector<float> want(idx.size() * kInputs), got(want.size());
  std::vector<std::uint8_t> want_labels(idx.size()), got_labels(idx.size());
  gather_batch(d, idx.data(), idx.size(), want.data(), want_labels.data());
  gather_batch_fast(d, idx.data(), idx.size(), got.data(), got_labels.data());
  EXPECT_EQ(got, want);
  EXPECT_EQ(got_labels, want_labels);
}

}  // namespace

// Threads split W1, a1 and g1 by columns of H: with 64-byte aligned rows (eigen_core.hpp) and splits on
// 16 columns, no cache line is written by two threads (a shared line per row slowed the threaded step).
TEST(ThreadSplit, GivesEachThreadWholeCacheLinesOfTheSharedBuffers) {
  const int H = 256;
  Rng rng(1);
  const Params<float> P = init_params(H, rng);
  StepWorkspace ws(32, H, 4);
  for (const void* p : {static_cast<const void*>(P.W1.data()), static_cast<const void*>(ws.a1.data()),
                        static_cast<const void*>(ws.g1.data())})
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u);
  for (int parts : {2, 3, 4}) {
    int covered = 0;
    for (int i = 0; i < parts; ++i) {
      const auto [j0, j1] = detail::hidden_columns(H, i, parts);
      EXPECT_EQ(j0, covered);
      EXPECT_EQ(j0 % 16, 0) << parts << " parts, part " << i;
      covered = j1;
    }
    EXPECT_EQ(covered, H);
  }
}
