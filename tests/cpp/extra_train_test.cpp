// `reproduce --extra-train IMAGES LABELS` (cli/args.hpp, cli/extra_train.hpp): the flag takes two files, a
// matching pair of IDX files joins the training set after the MNIST images kept, and a bad pair is refused
// with a message naming the fault.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/args.hpp"
#include "cli/extra_train.hpp"
#include "mnist/idx_write.hpp"
#include "test_data.hpp"

using namespace mnist;

namespace {

std::string temp_file(const std::string& name, const std::vector<std::uint8_t>& bytes) {
  const auto path = std::filesystem::temp_directory_path() / ("mnist-extra-train-" + name);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return path.string();
}

std::string error_of(const std::string& images, const std::string& labels) {
  try {
    cli::load_extra_train(images, labels);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ExtraTrain, TheFlagTakesAnImageFileAndALabelFile) {
  const char* argv[] = {"reproduce", "--epochs", "2", "--extra-train", "mine-images", "mine-labels", "--seed", "3"};
  const cli::Options o = cli::parse_args(8, const_cast<char**>(argv));
  EXPECT_EQ(o.extra_images, "mine-images");
  EXPECT_EQ(o.extra_labels, "mine-labels");
  EXPECT_EQ(o.config.epochs, 2);
  EXPECT_EQ(o.config.seed, 3u);
  const char* short_argv[] = {"reproduce", "--extra-train", "mine-images"};
  EXPECT_THROW(cli::parse_args(3, const_cast<char**>(short_argv)), Error);
}

TEST(ExtraTrain, AMatchingPairJoinsTheTrainingSetAfterTheMnistImagesKept) {
  const Dataset mine = testdata::real_mnist("t10k", 5);
  const IdxFiles files = write_idx(mine);
  const Dataset extra = cli::load_extra_train(temp_file("ok-images", files.images), temp_file("ok-labels", files.labels));
  ASSERT_EQ(extra.size(), 5u);
  const Dataset train = cli::with_extra_train(testdata::real_mnist("train", 100), 40, extra);
  ASSERT_EQ(train.size(), 45u);
  EXPECT_TRUE(std::equal(mine.pixels.begin(), mine.pixels.end(), train.image(40)));
  EXPECT_EQ(std::vector<std::uint8_t>(train.labels.begin() + 40, train.labels.end()), mine.labels);
  EXPECT_EQ(cli::with_extra_train(testdata::real_mnist("train", 100), 0, extra).size(), 105u);
}

TEST(ExtraTrain, RefusesFilesThatAreNotAMatchingPairOfDigitsAndLabels) {
  const auto images = temp_file("images", testdata::idx_images(3));
  const auto labels = temp_file("labels", testdata::idx_labels(3));
  EXPECT_EQ(error_of(images, labels), "");
  EXPECT_EQ(error_of(labels, images), labels + ": magic 0x00000801, expected 0x00000803 - is this a label file?");
  EXPECT_EQ(error_of(images, temp_file("four-labels", testdata::idx_labels(4))),
            "--extra-train: 3 images but 4 labels, expected equal counts");
  const auto small = temp_file("small-images", testdata::idx_images(3, 16, 16));
  EXPECT_EQ(error_of(small, labels), small + ": images are 16x16, expected 28x28");
  auto bad_label = testdata::idx_labels(3);
  bad_label.back() = 10;
  const auto bad = temp_file("bad-labels", bad_label);
  EXPECT_EQ(error_of(images, bad), bad + ": label 10 at index 2, expected a digit 0-9");
  EXPECT_EQ(error_of(images, "/nonexistent/labels"), "--extra-train: cannot open /nonexistent/labels");
}
