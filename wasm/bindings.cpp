// Embind bindings over the core's public headers: datasets, a trainer, a model for inference, and digit
// preprocessing. Typed arrays cross with one bulk copy each way (never per element). Not here: training
// logic (include/mnist) or scheduling (web/src/worker.ts); web/src/core.ts is the typed JavaScript face.
//
// Errors: a fallible binding catches mnist::Error (and std::exception), records its code and message and
// returns null; core.ts calls takeError() after it and throws a typed error. Nothing throws across the
// boundary, so no Embind argument is leaked by a JavaScript exception unwinding through wasm frames.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "mnist/config.hpp"
#include "mnist/dataset.hpp"
#include "mnist/error.hpp"
#include "mnist/evaluate.hpp"
#include "mnist/network.hpp"
#include "mnist/preprocess.hpp"
#include "mnist/trainer.hpp"

namespace {

using emscripten::val;

// ---- Live-object counter: every bound class derives from Counted, so tests can check for leaks. ----
int g_live_objects = 0;
struct Counted {
  Counted() { ++g_live_objects; }
  Counted(const Counted&) { ++g_live_objects; }
  ~Counted() { --g_live_objects; }
};
int live_objects() { return g_live_objects; }

// ---- Errors as values ----------------------------------------------------------------------------------
struct LastError {
  bool set = false;
  std::string code, message;
} g_error;

// Runs f(); on an exception records it and returns `fallback`.
template <typename R, typename F>
R guarded(R fallback, F&& f) {
  try {
    return f();
  } catch (const mnist::Error& e) {
    g_error = {true, mnist::to_string(e.code()), e.what()};
  } catch (const std::bad_alloc&) {
    g_error = {true, "out-of-memory", "out of memory: try fewer hidden units or training examples"};
  } catch (const std::exception& e) {
    g_error = {true, "internal", e.what()};
  }
  return fallback;
}

// {code, message} of the last failure, once, or null.
val take_error() {
  if (!g_error.set) return val::null();
  val e = val::object();
  e.set("code", g_error.code);
  e.set("message", g_error.message);
  g_error = {};
  return e;
}

// ---- Typed arrays in and out: one bulk copy each ----------------------------------------------------
template <typename T>
std::vector<T> copy_in(const val& array) {
  return emscripten::convertJSArrayToNumberVector<T>(array);
}
// A JavaScript-owned copy (`new Float32Array(view)`), so nothing goes stale when the heap grows.
template <typename T>
val copy_out(const char* type, const T* data, std::size_t n) {
  return val::global(type).new_(emscripten::typed_memory_view(n, data));
}
val f32(const float* p, std::size_t n) { return copy_out("Float32Array", p, n); }
val u32(const std::uint32_t* p, std::size_t n) { return copy_out("Uint32Array", p, n); }
val u8(const std::uint8_t* p, std::size_t n) { return copy_out("Uint8Array", p, n); }

void require(bool ok, const std::string& message) {
  if (!ok) throw mnist::Error(mnist::ErrorCode::InvalidArgument, message);
}

// ---- Dataset ------------------------------------------------------------------------------------------
struct DatasetHandle : Counted {
  std::shared_ptr<const mnist::Dataset> data;

  double size() const { return double(data->size()); }
  int label(double i) const { return data->labels.at(std::size_t(i)); }
  val image(double i) const {  // Uint8Array(784)
    require(i >= 0 && i < double(data->size()), "image index out of range");
    return u8(data->image(std::size_t(i)), mnist::kInputs);
  }
};

// Parses IDX image and label files (Uint8Array each) with the core's parsers.
DatasetHandle* parse_dataset(const val& images, const val& labels, const std::string& what) {
  return guarded<DatasetHandle*>(nullptr, [&] {
    const auto image_bytes = copy_in<std::uint8_t>(images);
    const auto label_bytes = copy_in<std::uint8_t>(labels);
    auto d = std::make_shared<mnist::Dataset>(mnist::parse_dataset(
        image_bytes.data(), image_bytes.size(), label_bytes.data(), label_bytes.size(), what));
    auto* h = new DatasetHandle;
    h->data = std::move(d);
    return h;
  });
}

// ---- Model: parameters for inference and evaluation ---------------------------------------------------
struct ModelHandle : Counted {
  mnist::Params<float> params;
  mnist::Workspace<float> ws;

  explicit ModelHandle(const mnist::Params<float>& p) : params(p), ws(mnist::kEvalChunk, p.hidden()) {}

  int hidden() const { return params.hidden(); }

  // Float32Array (n * 784) in [0, 1] -> Float32Array (n * 10) of probabilities.
  val predict(const val& images) {
    return guarded<val>(val::null(), [&] {
      const auto x = copy_in<float>(images);
      require(!x.empty() && x.size() % mnist::kInputs == 0, "predict: expected a multiple of 784 pixels, got " +
                                                                std::to_string(x.size()));
      const int n = int(x.size() / mnist::kInputs);
      std::vector<float> p(std::size_t(n) * mnist::kClasses);
      mnist::predict(params, x.data(), n, p.data(), ws);
      return f32(p.data(), p.size());
    });
  }

  // {loss, accuracy, count, confusion: Uint32Array(100) [true * 10 + predicted], wrong: Uint32Array}
  val evaluate(const DatasetHandle& d, float decay) {
    return guarded<val>(val::null(), [&] {
      const mnist::Evaluation e = mnist::evaluate(params, *d.data, nullptr, d.data->size(), decay, ws);
      val out = val::object();
      out.set("loss", e.loss);
      out.set("accuracy", e.accuracy);
      out.set("count", double(e.count));
      out.set("confusion", u32(e.confusion.data(), e.confusion.size()));
      out.set("wrong", u32(e.wrong.data(), e.wrong.size()));
      return out;
    });
  }

  // The gradients of the reference cost on a fixed batch, without updating: for golden tests.
  // {cost, dW1, db1, dW2, db2} with cost = mean cross-entropy + c * (sum W1^2 + sum W2^2).
  val gradients(const val& images, const val& labels, float decay) {
    return guarded<val>(val::null(), [&] {
      const auto x = copy_in<float>(images);
      const auto y = copy_in<std::uint8_t>(labels);
      const int n = int(y.size());
      require(n > 0 && x.size() == std::size_t(n) * mnist::kInputs, "gradients: expected n * 784 pixels for n labels");
      mnist::Workspace<float> w(n, hidden());
      const float cost = mnist::cost(params, x.data(), y.data(), n, decay, w);
      mnist::backward(params, x.data(), y.data(), n, decay, w);
      val out = val::object();
      out.set("cost", cost);
      out.set("dW1", f32(w.grad.W1.data(), w.grad.W1.size()));
      out.set("db1", f32(w.grad.b1.data(), w.grad.b1.size()));
      out.set("dW2", f32(w.grad.W2.data(), w.grad.W2.size()));
      out.set("db2", f32(w.grad.b2.data(), w.grad.b2.size()));
      return out;
    });
  }

  // {W1 (784 * H), b1 (H), W2 (H * 10), b2 (10)}, row-major Float32Array copies.
  val parameters() const {
    val out = val::object();
    out.set("hidden", hidden());
    out.set("W1", f32(params.W1.data(), params.W1.size()));
    out.set("b1", f32(params.b1.data(), params.b1.size()));
    out.set("W2", f32(params.W2.data(), params.W2.size()));
    out.set("b2", f32(params.b2.data(), params.b2.size()));
    return out;
  }
};

// ---- Digit preprocessing -------------------------------------------------------------------------------
// ink: Float32Array (height * width) in [0, 1] -> {empty, pixels: Float32Array(784)}.
val preprocess_digit(const val& ink, int width, int height) {
  return guarded<val>(val::null(), [&] {
    const auto v = copy_in<float>(ink);
    require(width > 0 && height > 0 && v.size() == std::size_t(width) * std::size_t(height),
            "preprocess: expected width * height ink values");
    const mnist::DigitImage d = mnist::preprocess_digit(v.data(), width, height);
    val out = val::object();
    out.set("empty", d.empty);
    out.set("pixels", f32(d.pixels.data(), d.pixels.size()));
    return out;
  });
}

// ---- Trainer --------------------------------------------------------------------------------------------
const char* status_name(mnist::TrainStatus s) {
  switch (s) {
    case mnist::TrainStatus::Running: return "running";
    case mnist::TrainStatus::EpochEnded: return "epoch-ended";
    case mnist::TrainStatus::Finished: return "finished";
    case mnist::TrainStatus::Diverged: return "diverged";
  }
  return "running";
}

template <typename T>
T field(const val& o, const char* name, T fallback) {
  const val v = o[name];
  return v.isUndefined() || v.isNull() ? fallback : v.as<T>();
}

mnist::TrainConfig to_config(const val& o) {
  mnist::TrainConfig c;
  c.hidden = field<int>(o, "hidden", c.hidden);
  c.epochs = field<int>(o, "epochs", c.epochs);
  c.batch = field<int>(o, "batch", c.batch);
  c.learning_rate = field<float>(o, "learningRate", c.learning_rate);
  c.decay = field<float>(o, "decay", c.decay);
  const double train_size = field<double>(o, "trainSize", 0.0);
  require(train_size >= 0, "training examples must be at least 0 (0 = all), got " + std::to_string(train_size));
  c.train_size = std::size_t(train_size);
  c.validation_fraction = field<double>(o, "validationFraction", c.validation_fraction);
  const double seed = field<double>(o, "seed", double(c.seed));
  require(seed >= 0, "seed must be at least 0, got " + std::to_string(seed));
  c.seed = std::uint64_t(seed);
  return c;
}

struct TrainerHandle : Counted {
  std::shared_ptr<const mnist::Dataset> data;  // kept alive for the trainer, which holds a reference
  mnist::Trainer trainer;

  TrainerHandle(std::shared_ptr<const mnist::Dataset> d, const mnist::TrainConfig& c)
      : data(std::move(d)), trainer(*data, c) {}

  // {status, batches, batchLoss}: runs at most maxBatches batches (stops early at an epoch's end).
  val step(int max_batches) {
    return guarded<val>(val::null(), [&] {
      const mnist::StepResult r = trainer.step(max_batches);
      val out = val::object();
      out.set("status", std::string(status_name(r.status)));
      out.set("batches", r.batches);
      out.set("batchLoss", r.batch_loss);
      return out;
    });
  }

  int epoch() const { return trainer.epoch(); }
  double position() const { return double(trainer.position()); }
  double epoch_size() const { return double(trainer.epoch_size()); }
  double validation_size() const { return double(trainer.split().validation.size()); }
  bool finished() const { return trainer.finished(); }

  // [{epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy}]
  val history() const {
    val rows = val::array();
    for (const auto& s : trainer.history()) {
      val r = val::object();
      r.set("epoch", s.epoch);
      r.set("trainLoss", s.train_loss);
      r.set("trainAccuracy", s.train_accuracy);
      r.set("validationLoss", s.validation_loss);
      r.set("validationAccuracy", s.validation_accuracy);
      rows.call<void>("push", r);
    }
    return rows;
  }

  // A copy of the current parameters, independent of the trainer.
  ModelHandle* model() const {
    return guarded<ModelHandle*>(nullptr, [&] { return new ModelHandle(trainer.params()); });
  }
};

TrainerHandle* create_trainer(const DatasetHandle& d, const val& config) {
  return guarded<TrainerHandle*>(nullptr, [&] { return new TrainerHandle(d.data, to_config(config)); });
}

// Which build this is, for the page to show.
val build_info() {
  val out = val::object();
#ifdef __wasm_simd128__
  out.set("simd", true);
#else
  out.set("simd", false);
#endif
#ifdef EIGEN_VECTORIZE
  out.set("eigenPackets", std::string(Eigen::SimdInstructionSetsInUse()));
#else
  out.set("eigenPackets", std::string("none"));
#endif
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(mnist) {
  using namespace emscripten;
  function("liveObjects", &live_objects);
  function("takeError", &take_error);
  function("buildInfo", &build_info);
  function("parseDataset", &parse_dataset, allow_raw_pointers());
  function("createTrainer", &create_trainer, allow_raw_pointers());
  function("preprocessDigit", &preprocess_digit);

  class_<DatasetHandle>("Dataset")
      .function("size", &DatasetHandle::size)
      .function("label", &DatasetHandle::label)
      .function("image", &DatasetHandle::image);

  class_<ModelHandle>("Model")
      .function("hidden", &ModelHandle::hidden)
      .function("predict", &ModelHandle::predict)
      .function("evaluate", &ModelHandle::evaluate)
      .function("gradients", &ModelHandle::gradients)
      .function("parameters", &ModelHandle::parameters);

  class_<TrainerHandle>("Trainer")
      .function("step", &TrainerHandle::step)
      .function("epoch", &TrainerHandle::epoch)
      .function("position", &TrainerHandle::position)
      .function("epochSize", &TrainerHandle::epoch_size)
      .function("validationSize", &TrainerHandle::validation_size)
      .function("finished", &TrainerHandle::finished)
      .function("history", &TrainerHandle::history)
      .function("model", &TrainerHandle::model, allow_raw_pointers());
}
