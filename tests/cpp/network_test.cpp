// The network's analytic gradients against central differences in double precision, the stability of
// softmax / cross-entropy on huge logits, and the reference initialisation.
#include <gtest/gtest.h>

#include <cmath>

#include "gradient_check.hpp"
#include "mnist/network.hpp"
#include "mnist/rng.hpp"

using namespace mnist;

namespace {

constexpr int kRows = 5, kHidden = 7;

struct Problem {
  Params<double> P = Params<double>::zeros(kHidden);
  std::vector<double> x = std::vector<double>(kRows * kInputs);
  std::uint8_t labels[kRows] = {3, 0, 9, 3, 7};
  Workspace<double> ws{kRows, kHidden};

  explicit Problem(std::uint64_t seed) {
    Rng rng(seed);
    P = init_params(kHidden, rng).cast<double>();
    // Non-zero biases so their gradients and the ReLU mask are exercised both ways.
    for (int j = 0; j < kHidden; ++j) P.b1[j] = 0.1 * rng.normal();
    for (int j = 0; j < kClasses; ++j) P.b2[j] = 0.1 * rng.normal();
    for (auto& v : x) v = rng.uniform();
  }
  double cost_of(double decay) { return cost<double>(P, x.data(), labels, kRows, decay, ws); }
};

void expect_gradients_match(double decay) {
  Problem pr(42);
  pr.cost_of(decay);
  backward<double>(pr.P, pr.x.data(), pr.labels, kRows, decay, pr.ws);
  const Params<double> g = pr.ws.grad;  // copy: the checks below rerun forward() in the same workspace
  auto f = [&] { return pr.cost_of(decay); };
  struct Case {
    const char* name;
    double* values;
    const double* grad;
    long count;
  } cases[] = {{"W1", pr.P.W1.data(), g.W1.data(), long(g.W1.size())},
               {"b1", pr.P.b1.data(), g.b1.data(), long(g.b1.size())},
               {"W2", pr.P.W2.data(), g.W2.data(), long(g.W2.size())},
               {"b2", pr.P.b2.data(), g.b2.data(), long(g.b2.size())}};
  for (const auto& c : cases) {
    const auto m = testgrad::check(c.values, c.grad, c.count, f);
    EXPECT_LT(m.worst_relative_error, 1e-5) << c.name << " with c = " << decay << ": at index " << m.worst_index
                                            << " analytic " << m.analytic << " numeric " << m.numeric;
  }
}

}  // namespace

TEST(NetworkBackward, MatchesCentralDifferencesWithoutDecay) { expect_gradients_match(0.0); }
TEST(NetworkBackward, MatchesCentralDifferencesWithDecayOne) { expect_gradients_match(1.0); }

TEST(NetworkBackward, DecayAddsTwoCTimesTheWeights) {
  Problem pr(1);
  pr.cost_of(0.0);
  backward<double>(pr.P, pr.x.data(), pr.labels, kRows, 0.0, pr.ws);
  const Params<double> g0 = pr.ws.grad;
  backward<double>(pr.P, pr.x.data(), pr.labels, kRows, 0.5, pr.ws);
  EXPECT_LT(((pr.ws.grad.W1 - g0.W1) - pr.P.W1).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT(((pr.ws.grad.W2 - g0.W2) - pr.P.W2).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((pr.ws.grad.b1 - g0.b1).cwiseAbs().maxCoeff(), 1e-15);  // biases are not decayed
}

TEST(Softmax, IsFiniteAndCorrectForLogitsOfPlusMinus1e4) {
  for (float big : {1e4f, -1e4f}) {
    std::vector<float> z(2 * kClasses, 0.0f), p(z.size()), dz(z.size());
    z[3] = big;                   // row 0: one huge logit
    z[kClasses + 0] = big;        // row 1: two equal huge logits
    z[kClasses + 1] = big;
    const std::uint8_t labels[2] = {3, 5};
    const float ce = softmax_cross_entropy<float>(MatMap<float>(z.data(), 2, kClasses), labels,
                                                  MatMap<float>(p.data(), 2, kClasses));
    softmax_cross_entropy_backward<float>(MatMap<float>(p.data(), 2, kClasses), labels,
                                          MatMap<float>(dz.data(), 2, kClasses));
    ASSERT_TRUE(std::isfinite(ce)) << big;
    for (float v : p) ASSERT_TRUE(std::isfinite(v) && v >= 0 && v <= 1) << big;
    for (float v : dz) ASSERT_TRUE(std::isfinite(v)) << big;
    for (int r = 0; r < 2; ++r) {
      float sum = 0;
      for (int j = 0; j < kClasses; ++j) sum += p[r * kClasses + j];
      EXPECT_NEAR(sum, 1.0f, 1e-6f);
    }
    if (big > 0) {
      // Row 0 puts all mass on its label: no loss. Row 1 puts none on label 5: a loss of about 1e4.
      EXPECT_NEAR(ce, 1e4f + std::log(2.0f), 1.0f);
      EXPECT_NEAR(p[3], 1.0f, 1e-6f);
      EXPECT_NEAR(p[kClasses], 0.5f, 1e-6f);
    } else {
      // Huge negative logits: the rest share the mass equally.
      EXPECT_NEAR(p[0], 1.0f / 9, 1e-6f);
    }
  }
}

TEST(Initialisation, DrawsWeightsWithTheReferenceDeviationsAndZeroBiases) {
  Rng rng(3);
  const auto P = init_params(256, rng);
  auto sd = [](const Mat<float>& m) { return std::sqrt(m.squaredNorm() / m.size() - std::pow(m.mean(), 2)); };
  EXPECT_NEAR(sd(P.W1), std::sqrt(2.0 / (784 + 256)), 0.002);
  EXPECT_NEAR(sd(P.W2), std::sqrt(4.0 / (256 + 10)), 0.005);
  EXPECT_EQ(P.b1.cwiseAbs().maxCoeff(), 0.0f);
  EXPECT_EQ(P.b2.cwiseAbs().maxCoeff(), 0.0f);
}

TEST(Rng, GivesTheSameSequenceForTheSameSeedAndUnbiasedDraws) {
  Rng a(9), b(9), c(10);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
  EXPECT_NE(a.next(), c.next());
  int counts[3] = {};
  for (int i = 0; i < 30000; ++i) counts[a.below(3)]++;
  for (int k : counts) EXPECT_NEAR(k, 10000, 400);
}
