// The native side of `npm run bench`: the same core (include/mnist, Trainer step API) on the same real
// MNIST files and workload as the browser systems (784-256-10, batch 32, SGD lr 0.1, decay 1e-4), timed
// the same way: a fresh trainer (epochs 1, so no timed step ends an epoch and runs its validation pass),
// `warmup` untimed batches, then one step(steps) call timed. Prints one JSON line.
// Usage: native_step <mnist-data-dir> [warmup=50] [steps=500] [seed=1]
// Built by scripts/bench.sh: g++ -O3 -march=native -DNDEBUG -std=c++17 -Iinclude -I/usr/include/eigen3.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "mnist/config.hpp"
#include "mnist/dataset.hpp"
#include "mnist/error.hpp"
#include "mnist/trainer.hpp"

namespace {

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <mnist-data-dir> [warmup] [steps] [seed]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const int warmup = argc > 2 ? std::atoi(argv[2]) : 50;
  const int steps = argc > 3 ? std::atoi(argv[3]) : 500;
  const unsigned long long seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1;
  try {
    const auto images = read_file(dir + "/train-images-idx3-ubyte");
    const auto labels = read_file(dir + "/train-labels-idx1-ubyte");
    const mnist::Dataset data = mnist::parse_dataset(images.data(), images.size(), labels.data(), labels.size(), "train");

    mnist::TrainConfig config;  // defaults are the reference workload: 256 hidden, batch 32, lr 0.1, decay 1e-4
    config.hidden = 256;
    config.batch = 32;
    config.learning_rate = 0.1f;
    config.decay = 1e-4f;
    config.epochs = 1;
    config.seed = seed;
    mnist::Trainer trainer(data, config);
    const std::size_t per_epoch = trainer.epoch_size() / std::size_t(config.batch);
    if (std::size_t(warmup + steps) >= per_epoch) {
      std::fprintf(stderr, "warmup + steps (%d) must stay below one epoch (%zu batches)\n", warmup + steps, per_epoch);
      return 2;
    }
    if (warmup > 0) trainer.step(warmup);
    const auto t0 = std::chrono::steady_clock::now();
    const mnist::StepResult r = trainer.step(steps);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r.status != mnist::TrainStatus::Running || r.batches != steps || !std::isfinite(r.batch_loss)) {
      std::fprintf(stderr, "step(%d) ran %d batches, status %d\n", steps, r.batches, int(r.status));
      return 1;
    }
    const double examples = double(steps) * config.batch;
    std::printf("{\"examples_per_second\": %.1f, \"examples\": %.0f, \"seconds\": %.4f, \"batch_loss\": %.4f}\n",
                examples / seconds, examples, seconds, r.batch_loss);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "native_step: %s\n", e.what());
    return 1;
  }
  return 0;
}
