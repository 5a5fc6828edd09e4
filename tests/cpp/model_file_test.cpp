// The saved-model format round-trips exactly (float32) or within half a quantisation step (int8), and
// rejects truncated, corrupted, wrong-version and wrong-shape files with a message that says which.
#include <gtest/gtest.h>

#include "mnist/model_file.hpp"
#include "mnist/rng.hpp"

using namespace mnist;

namespace {

Params<float> random_model(int hidden) {
  Rng rng(5);
  auto P = init_params(hidden, rng);
  for (int j = 0; j < hidden; ++j) P.b1[j] = float(rng.normal());
  for (int j = 0; j < kClasses; ++j) P.b2[j] = float(rng.normal());
  return P;
}

std::string model_error(const std::vector<std::uint8_t>& bytes) {
  try {
    load_model(bytes.data(), bytes.size());
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::MalformedModel);
    return e.what();
  }
  return "(accepted)";
}

void expect_error(const std::vector<std::uint8_t>& bytes, const std::string& expected) {
  const std::string m = model_error(bytes);
  EXPECT_NE(m.find(expected), std::string::npos) << "expected '" << expected << "', got '" << m << "'";
}

// Rewrites the trailing CRC so a test can reach the checks behind it.
void reseal(std::vector<std::uint8_t>& b) {
  const std::uint32_t crc = crc32(b.data(), b.size() - 4);
  for (int i = 0; i < 4; ++i) b[b.size() - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
}

}  // namespace

TEST(ModelFile, RoundTripsEveryWeightBitForBit) {
  const auto P = random_model(17);
  const auto bytes = save_model(P);
  EXPECT_EQ(bytes.size(), model_file_size(17));
  const auto Q = load_model(bytes.data(), bytes.size());
  EXPECT_TRUE((P.W1.array() == Q.W1.array()).all());
  EXPECT_TRUE((P.b1.array() == Q.b1.array()).all());
  EXPECT_TRUE((P.W2.array() == Q.W2.array()).all());
  EXPECT_TRUE((P.b2.array() == Q.b2.array()).all());
}

TEST(ModelFile, KnownCrc32) {
  const std::string s = "123456789";
  EXPECT_EQ(crc32(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), 0xCBF43926u);
}

TEST(ModelFile, RejectsTruncatedFiles) {
  const auto bytes = save_model(random_model(3));
  expect_error({}, "truncated: 0 bytes");
  expect_error({bytes.begin(), bytes.begin() + 10}, "truncated: 10 bytes, expected at least 24");
  expect_error({bytes.begin(), bytes.end() - 1}, "truncated: " + std::to_string(bytes.size() - 1) + " bytes, expected " +
                                                      std::to_string(bytes.size()) + " for 784-3-10");
  auto longer = bytes;
  longer.push_back(0);
  expect_error(longer, "has trailing bytes");
}

TEST(ModelFile, RejectsAFileThatIsNotAModel) {
  auto bytes = save_model(random_model(3));
  bytes[0] = 0;
  expect_error(bytes, "does not start with 'MNST'");
}

TEST(ModelFile, RejectsAnotherVersion) {
  auto bytes = save_model(random_model(3));
  bytes[4] = 3;
  expect_error(bytes, "version 3, this build reads versions 1 to 2");
  bytes[4] = 0;
  expect_error(bytes, "version 0, this build reads versions 1 to 2");
}

TEST(ModelFile, RejectsAWrongShape) {
  auto bytes = save_model(random_model(3));
  bytes[8] = 0;  // inputs 784 -> 768
  expect_error(bytes, "shape 768-3-10, expected 784-H-10");
  bytes = save_model(random_model(3));
  bytes[12] = 0;  // hidden 0
  expect_error(bytes, "shape 784-0-10");
}

TEST(ModelFile, RejectsACorruptedWeight) {
  auto bytes = save_model(random_model(3));
  bytes[100] ^= 0x40;
  expect_error(bytes, "checksum mismatch - the file is corrupted");
}

TEST(ModelFile, RejectsNonFiniteWeightsEvenWithAValidChecksum) {
  auto P = random_model(3);
  P.W2(1, 1) = std::numeric_limits<float>::quiet_NaN();
  auto bytes = save_model(P);
  reseal(bytes);
  expect_error(bytes, "NaN or infinite");
}

TEST(ModelFile, Int8KeepsEveryWeightWithinHalfItsUnitsStepAndBiasesExactly) {
  auto P = random_model(17);
  P.W1.col(3).setZero();  // a dead unit: scale 0, weights stay exactly 0
  const auto bytes = save_model(P, ModelPrecision::Int8);
  EXPECT_EQ(bytes.size(), model_file_size(17, ModelPrecision::Int8));
  EXPECT_EQ(bytes.size(), 20 + 4 * 17 + 784 * 17 + 4 * 17 + 4 * 10 + 17 * 10 + 4 * 10 + 4);
  const auto Q = load_model(bytes.data(), bytes.size());
  EXPECT_EQ(model_precision(bytes.data()), ModelPrecision::Int8);
  for (int j = 0; j < 17; ++j) {
    const float step = P.W1.col(j).cwiseAbs().maxCoeff() / 127;
    EXPECT_LE((P.W1.col(j) - Q.W1.col(j)).cwiseAbs().maxCoeff(), step / 2 * 1.0001f) << "unit " << j;
  }
  for (int c = 0; c < kClasses; ++c) {
    const float step = P.W2.col(c).cwiseAbs().maxCoeff() / 127;
    EXPECT_LE((P.W2.col(c) - Q.W2.col(c)).cwiseAbs().maxCoeff(), step / 2 * 1.0001f) << "class " << c;
  }
  EXPECT_TRUE((Q.W1.col(3).array() == 0).all());
  EXPECT_TRUE((P.b1.array() == Q.b1.array()).all());
  EXPECT_TRUE((P.b2.array() == Q.b2.array()).all());
}

TEST(ModelFile, Int8FilesAreCheckedLikeFloat32Ones) {
  auto bytes = save_model(random_model(3), ModelPrecision::Int8);
  expect_error({bytes.begin(), bytes.end() - 1}, "truncated: " + std::to_string(bytes.size() - 1) + " bytes, expected " +
                                                      std::to_string(bytes.size()) + " for 784-3-10");
  bytes[40] ^= 0x01;
  expect_error(bytes, "checksum mismatch");
  // A float32 file's size under the int8 version number is refused by size before anything is read.
  auto float32 = save_model(random_model(3));
  float32[4] = 2;
  reseal(float32);
  expect_error(float32, "has trailing bytes");
}
