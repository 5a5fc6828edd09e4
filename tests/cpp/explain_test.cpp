// explain.hpp: the units' contributions sum with the bias to the predicted score, the evidence map is
// input x the score's gradient (checked against central differences in double), the activity counts match
// a plain loop (and mark a dead unit), and the units shown are the largest by norm, in index order.
#include <gtest/gtest.h>

#include <cmath>

#include "mnist/explain.hpp"
#include "mnist/rng.hpp"
#include "mnist/thread_pool.hpp"
#include "test_data.hpp"

using namespace mnist;

namespace {

constexpr int kHidden = 32;

// A random network with non-zero biases (so units are active and silent both ways) in double.
Params<double> random_params(std::uint64_t seed) {
  Rng rng(seed);
  Params<double> P = init_params(kHidden, rng).cast<double>();
  for (int j = 0; j < kHidden; ++j) P.b1[j] = 0.1 * rng.normal();
  for (int c = 0; c < kClasses; ++c) P.b2[c] = 0.1 * rng.normal();
  return P;
}

std::vector<double> image_of(const Dataset& d, std::size_t i) {
  std::vector<double> x(kInputs);
  for (int k = 0; k < kInputs; ++k) x[k] = d.image(i)[k] / 255.0;
  return x;
}

double score(const Params<double>& P, const std::vector<double>& x, int c) {
  Eigen::Map<const RowVec<double>> xm(x.data(), kInputs);
  const RowVec<double> a1 = (xm * P.W1 + P.b1).cwiseMax(0.0);
  return (a1 * P.W2 + P.b2)[c];
}

TEST(Explain, ContributionsSumWithTheBiasToThePredictedScore) {
  const Params<double> P = random_params(3);
  const Dataset d = testdata::real_mnist("t10k", 20);
  for (std::size_t i = 0; i < d.size(); ++i) {
    const auto x = image_of(d, i);
    const Explanation<double> e = explain(P, x.data());
    const int c = e.predicted;
    EXPECT_EQ(c, std::max_element(e.scores.begin(), e.scores.end()) - e.scores.begin());
    EXPECT_NEAR(e.contributions.sum() + P.b2[c], e.scores[c], 1e-12) << "image " << i;
    EXPECT_NEAR(score(P, x, c), e.scores[c], 1e-12) << "image " << i;
  }
}

TEST(Explain, EvidenceIsInputTimesTheScoresGradientByCentralDifferences) {
  const Params<double> P = random_params(5);
  const Dataset d = testdata::real_mnist("t10k", 3);
  const double h = 1e-6;
  for (std::size_t i = 0; i < d.size(); ++i) {
    auto x = image_of(d, i);
    const Explanation<double> e = explain(P, x.data());
    int checked_ink = 0;
    for (int k = 0; k < kInputs; ++k) {
      const double keep = x[k];
      x[k] = keep + h;
      const double up = score(P, x, e.predicted);
      x[k] = keep - h;
      const double down = score(P, x, e.predicted);
      x[k] = keep;
      const double numeric = (up - down) / (2 * h);
      const double scale = std::max({std::abs(numeric), std::abs(e.gradient[k]), 1e-8});
      EXPECT_LT(std::abs(numeric - e.gradient[k]) / scale, 1e-3) << "image " << i << " pixel " << k;
      EXPECT_NEAR(e.evidence[k], keep * numeric, 1e-3 * std::max(1e-8, std::abs(keep * numeric)))
          << "image " << i << " pixel " << k;
      checked_ink += keep > 0;
    }
    EXPECT_GT(checked_ink, 50);  // the digit's own pixels were among those checked
  }
}

TEST(Explain, EvidenceSumsWithTheActiveUnitsBiasesToTheScore) {
  const Params<double> P = random_params(7);
  const Dataset d = testdata::real_mnist("t10k", 5);
  for (std::size_t i = 0; i < d.size(); ++i) {
    const auto x = image_of(d, i);
    const Explanation<double> e = explain(P, x.data());
    double bias_part = P.b2[e.predicted];
    Eigen::Map<const RowVec<double>> xm(x.data(), kInputs);
    const RowVec<double> z1 = xm * P.W1 + P.b1;
    for (int j = 0; j < kHidden; ++j)
      if (z1[j] > 0) bias_part += P.b1[j] * P.W2(j, e.predicted);
    EXPECT_NEAR(e.evidence.sum() + bias_part, e.scores[e.predicted], 1e-10) << "image " << i;
  }
}

TEST(Explain, TopContributionsAreTheLargestForAndTheMostNegativeAgainstInOrder) {
  RowVec<float> c(8);
  c << 0.5f, -2.0f, 0.0f, 3.0f, -0.1f, 1.0f, -2.0f, 0.25f;
  const TopUnits t = top_contributions(c, 3);
  EXPECT_EQ(t.pro, (std::vector<int>{3, 5, 0}));
  EXPECT_EQ(t.con, (std::vector<int>{6, 1, 4}));  // equal values: the later index comes first from the end
  const TopUnits all = top_contributions(c, 8);
  EXPECT_EQ(all.pro.size(), 4u);  // zero pushes neither way
  EXPECT_EQ(all.con.size(), 3u);
}

TEST(HiddenActivity, CountsTheImagesEachUnitIsActiveOnAsAPlainLoopDoes) {
  Params<float> P = random_params(11).cast<float>();
  P.b1[4] = -1000.0f;  // never active: a dead unit
  const Dataset d = testdata::real_mnist("t10k", 700);  // more than one evaluation chunk
  std::vector<std::uint32_t> expected(kHidden, 0);
  for (std::size_t i = 0; i < d.size(); ++i)
    for (int j = 0; j < kHidden; ++j) {
      double z = P.b1[j];
      for (int k = 0; k < kInputs; ++k) z += double(d.image(i)[k] / 255.0f) * P.W1(k, j);
      expected[j] += z > 0;
    }
  StepWorkspace fast(kEvalChunk, kHidden, 2, 0);
  EXPECT_EQ(hidden_activity(P, d, fast), expected);
  ThreadPool pool(2);
  EXPECT_EQ(hidden_activity(P, d, fast, &pool), expected);
  Workspace<float> reference(kEvalChunk, kHidden);
  EXPECT_EQ(hidden_activity(P, d, reference), expected);
  EXPECT_EQ(expected[4], 0u);
  std::vector<std::uint32_t> in_parts(kHidden, 0);  // three ranges, the last past the end, add up to the whole
  count_active(P, d, 0, 300, fast, nullptr, in_parts.data());
  count_active(P, d, 300, 100, fast, nullptr, in_parts.data());
  count_active(P, d, 400, 1000, fast, nullptr, in_parts.data());
  EXPECT_EQ(in_parts, expected);
}

TEST(UnitImages, AreTheColumnsOfW1AndTheRowsOfW2OfTheUnitsAsked) {
  const Params<float> P = random_params(13).cast<float>();
  const int units[] = {7, 0, 31};
  std::vector<float> images(3 * kInputs), outputs(3 * kClasses);
  unit_images(P, units, 3, images.data());
  unit_outputs(P, units, 3, outputs.data());
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < kInputs; ++k) ASSERT_EQ(images[i * kInputs + k], P.W1(k, units[i])) << i << ", " << k;
    for (int c = 0; c < kClasses; ++c) ASSERT_EQ(outputs[i * kClasses + c], P.W2(units[i], c)) << i << ", " << c;
  }
}

TEST(StrongestUnits, AreTheLargestIncomingNormsListedByIndex) {
  Params<float> P = Params<float>::zeros(6);
  const float norms[] = {1, 5, 2, 4, 3, 0};
  for (int j = 0; j < 6; ++j) P.W1(100, j) = -norms[j];  // the sign does not matter
  EXPECT_EQ(units_by_norm(P), (std::vector<int>{1, 3, 4, 2, 0, 5}));
  EXPECT_EQ(strongest_units(P, 3), (std::vector<int>{1, 3, 4}));
  EXPECT_EQ(strongest_units(P, 64).size(), 6u);  // H <= count: every unit
}

}  // namespace
