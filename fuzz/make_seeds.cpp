// Writes the fuzzers' seed corpora: valid inputs each target accepts, cut from the real MNIST files.
// Usage: make_seeds MNIST_DATA_DIR OUT_DIR   (writes OUT_DIR/{idx,model,preprocess}/seed-*)
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "mnist/dataset.hpp"
#include "mnist/model_file.hpp"
#include "mnist/rng.hpp"

namespace fs = std::filesystem;

static std::vector<std::uint8_t> read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
static void write(const fs::path& p, const std::vector<std::uint8_t>& b) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}
static void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(std::uint8_t(v >> s));
}

int main(int argc, char** argv) {
  if (argc != 3) return std::cerr << "usage: make_seeds MNIST_DATA_DIR OUT_DIR\n", 2;
  const fs::path data = argv[1], out = argv[2];
  for (const char* d : {"idx", "model", "preprocess"}) fs::create_directories(out / d);
  const auto images = read(data / "t10k-images-idx3-ubyte"), labels = read(data / "t10k-labels-idx1-ubyte");
  if (images.size() < 16 + 3 * 784 || labels.size() < 11) return std::cerr << "make_seeds: MNIST files missing\n", 2;
  for (std::uint32_t n : {1u, 3u}) {
    std::vector<std::uint8_t> img, lab, seed;
    put_be32(img, 0x803), put_be32(img, n), put_be32(img, 28), put_be32(img, 28);
    img.insert(img.end(), images.begin() + 16, images.begin() + 16 + n * 784);
    put_be32(lab, 0x801), put_be32(lab, n);
    lab.insert(lab.end(), labels.begin() + 8, labels.begin() + 8 + n);
    const std::uint32_t split = static_cast<std::uint32_t>(img.size());
    for (int s = 0; s < 32; s += 8) seed.push_back(std::uint8_t(split >> s));
    seed.insert(seed.end(), img.begin(), img.end());
    seed.insert(seed.end(), lab.begin(), lab.end());
    write(out / "idx" / ("seed-" + std::to_string(n)), seed);
    // The same digits as drawings for the preprocessor: 28x28 with the real ink.
    std::vector<std::uint8_t> drawing = {28, 28};
    drawing.insert(drawing.end(), images.begin() + 16 + (n - 1) * 784, images.begin() + 16 + n * 784);
    write(out / "preprocess" / ("seed-" + std::to_string(n)), drawing);
  }
  for (int hidden : {1, 2}) {
    mnist::Rng rng(hidden);
    const auto P = mnist::init_params(hidden, rng);
    write(out / "model" / ("seed-" + std::to_string(hidden)), mnist::save_model(P));
    write(out / "model" / ("seed-int8-" + std::to_string(hidden)), mnist::save_model(P, mnist::ModelPrecision::Int8));
  }
  return 0;
}
