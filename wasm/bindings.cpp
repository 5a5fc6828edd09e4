// Embind bindings over the core's public headers: datasets, a trainer, a model for inference, and digit
// preprocessing. Typed arrays cross with one bulk copy each way (never per element). Not here: training
// logic (include/mnist) or scheduling (web/src/worker.ts); web/src/core.ts is the typed JavaScript face.
//
// Errors: a fallible binding catches mnist::Error (and std::exception), records its code and message and
// returns null; core.ts calls takeError() after it and throws a typed error. Nothing throws across the
// boundary, so no Embind argument is leaked by a JavaScript exception unwinding through wasm frames.
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "mnist/config.hpp"
#include "mnist/dataset.hpp"
#include "mnist/error.hpp"
#include "mnist/evaluate.hpp"
#include "mnist/explain.hpp"
#include "mnist/fine_tune.hpp"
#include "mnist/idx_write.hpp"
#include "mnist/model_file.hpp"
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

// ---- Memory -------------------------------------------------------------------------------------------
static_assert(mnist::kChunkRows == mnist::kEvalChunk, "config.hpp's estimate assumes evaluate.hpp's chunk");

// Bytes malloc has handed out and not taken back.
std::uint64_t heap_in_use() {
  const struct mallinfo m = mallinfo();
  return std::uint64_t(m.uordblks);
}

// What this module can still allocate: the memory's maximum (2 GB), less the program's static data and
// stack (below the heap's start), less what is in use, less a reserve for fragmentation and Embind's
// temporaries. Training a config whose estimate exceeds it is refused before anything is allocated.
std::uint64_t memory_budget() {
  constexpr std::uint64_t kReserve = 64u << 20;
  const std::uint64_t max = emscripten_get_heap_max();
  const struct mallinfo m = mallinfo();
  const std::uint64_t top = std::uint64_t(reinterpret_cast<std::uintptr_t>(sbrk(0)));
  const std::uint64_t used = top - std::uint64_t(m.fordblks);  // static data, stack and live blocks
  return max > used + kReserve ? max - used - kReserve : 0;
}

// {heapBytes: the WebAssembly memory's size (HEAP8.length), mallocBytes: in use, budgetBytes, liveObjects}
val memory_info() {
  val out = val::object();
  out.set("heapBytes", double(emscripten_get_heap_size()));
  out.set("mallocBytes", double(heap_in_use()));
  out.set("budgetBytes", double(memory_budget()));
  out.set("liveObjects", g_live_objects);
  return out;
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
  val pixels() const { return u8(data->pixels.data(), data->pixels.size()); }  // Uint8Array(size * 784)
  val labels() const { return u8(data->labels.data(), data->labels.size()); }  // Uint8Array(size)
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

// {images, labels}: n images (Uint8Array(n * 784)) and their labels (Uint8Array(n), digits 0-9) as a pair of
// IDX files (idx_write.hpp), checked by parsing them back.
val encode_idx(const val& pixels, const val& labels) {
  return guarded<val>(val::null(), [&] {
    const auto p = copy_in<std::uint8_t>(pixels);
    const auto l = copy_in<std::uint8_t>(labels);
    require(p.size() == l.size() * mnist::kInputs, "encodeIdx: expected 784 pixels per label");
    const auto images = mnist::write_idx_images(p.data(), l.size());
    const auto label_file = mnist::write_idx_labels(l.data(), l.size());
    mnist::parse_dataset(images.data(), images.size(), label_file.data(), label_file.size(), "digits");
    val out = val::object();
    out.set("images", u8(images.data(), images.size()));
    out.set("labels", u8(label_file.data(), label_file.size()));
    return out;
  });
}

// ---- Threads: the threaded build splits each step across up to MNIST_MAX_THREADS threads ---------------
#ifndef MNIST_MAX_THREADS
#define MNIST_MAX_THREADS 1
#endif
// One pool for the whole module, shared by the trainers and by the models' evaluation (JavaScript calls them
// one at a time). Its threads' workers load on the event loop (the threaded build preloads none), so a
// thread may not have started yet when a call comes: the pool's caller then runs its part. Joining one that
// never started would wait for the event loop it blocks: the pool is made once, when the module loads.
std::shared_ptr<mnist::ThreadPool> g_pool;  // null: one thread
int max_threads() { return MNIST_MAX_THREADS; }
int pool_threads() { return g_pool ? g_pool->size() : 1; }
// Clamps to [1, maxThreads()] and returns the count trainers will use. While a trainer made with the
// current pool is alive the count stays as it is.
int set_threads(int n) {
  const int threads = n < 1 ? 1 : (n > MNIST_MAX_THREADS ? MNIST_MAX_THREADS : n);
  if (threads == pool_threads() || g_pool.use_count() > 1) return pool_threads();
  g_pool.reset();  // joins the old pool's threads first, which hands their workers back
  if (threads > 1) g_pool = std::make_shared<mnist::ThreadPool>(threads);
  return pool_threads();
}

// ---- Model: parameters for inference and evaluation ---------------------------------------------------
// {hidden, units: Uint32Array(n), images: Float32Array(n * 784), outputs: Float32Array(n * 10), strongest}:
// the n <= count units of largest incoming norm, in index order, their weights as 28x28 images and their
// weights to the ten outputs, and the unit of largest norm of all (explain.hpp).
val unit_pictures(const mnist::Params<float>& params, int count) {
  const std::vector<int> units = mnist::strongest_units(params, count);
  const int n = int(units.size());
  std::vector<float> images(std::size_t(n) * mnist::kInputs), outputs(std::size_t(n) * mnist::kClasses);
  mnist::unit_images(params, units.data(), n, images.data());
  mnist::unit_outputs(params, units.data(), n, outputs.data());
  const std::vector<std::uint32_t> indices(units.begin(), units.end());
  val out = val::object();
  out.set("hidden", params.hidden());
  out.set("units", u32(indices.data(), indices.size()));
  out.set("images", f32(images.data(), images.size()));
  out.set("outputs", f32(outputs.data(), outputs.size()));
  out.set("strongest", n > 0 ? mnist::units_by_norm(params).front() : -1);
  return out;
}

// An evaluation as the page's object (ModelHandle::evaluate).
val evaluation_object(const mnist::Evaluation& e) {
  val out = val::object();
  out.set("loss", e.loss);
  out.set("accuracy", e.accuracy);
  out.set("count", double(e.count));
  out.set("confusion", u32(e.confusion.data(), e.confusion.size()));
  out.set("wrong", u32(e.wrong.data(), e.wrong.size()));
  out.set("wrongPredicted", u8(e.wrong_predicted.data(), e.wrong_predicted.size()));
  return out;
}

struct ModelHandle : Counted {
  mnist::Params<float> params;
  mnist::StepWorkspace ws;  // the fast kernels' forward pass, in batches of kEvalChunk
  mnist::EvaluationPass pass;                   // an evaluation in pieces (startEvaluation)
  std::shared_ptr<const mnist::Dataset> pass_data;  // its images, kept alive for it

  explicit ModelHandle(const mnist::Params<float>& p)
      : params(p), ws(mnist::kEvalChunk, p.hidden(), MNIST_MAX_THREADS, /*train_rows=*/0) {}

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

  // {loss, accuracy, count, confusion: Uint32Array(100) [true * 10 + predicted], wrong: Uint32Array,
  // wrongPredicted: Uint8Array (what each wrong one was predicted as)}
  val evaluate(const DatasetHandle& d, float decay) {
    return guarded<val>(val::null(), [&] {
      return evaluation_object(mnist::evaluate(params, *d.data, nullptr, d.data->size(), decay, ws, g_pool.get()));
    });
  }

  // The same in pieces, so the worker can spread a test set over short tasks: startEvaluation(d), then
  // evaluateSome(n) until it returns true, then evaluation(decay).
  void start_evaluation(const DatasetHandle& d) {
    pass_data = d.data;
    pass.start(*pass_data, nullptr, pass_data->size());
  }
  bool evaluate_some(double max_images) {
    return guarded<bool>(true, [&] {
      require(pass_data != nullptr, "evaluateSome: call startEvaluation first");
      pass.run(params, std::size_t(max_images), ws, g_pool.get());
      return pass.done();
    });
  }
  val evaluation(float decay) const { return evaluation_object(pass.result(params, decay)); }

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

  // The `count` strongest hidden units' pictures (unit_pictures).
  val units(int count) const { return unit_pictures(params, count); }

  // Uint32Array(H): on how many of images [first, first + count) of `d` each hidden unit is active (summed
  // over the whole set, 0 marks a dead unit). A range, so the worker can spread the set over short tasks.
  val activity(const DatasetHandle& d, double first, double count) {
    return guarded<val>(val::null(), [&] {
      require(first >= 0 && count >= 0, "activity: first and count must be at least 0");
      std::vector<std::uint32_t> a(hidden(), 0);
      mnist::count_active(params, *d.data, std::size_t(first), std::size_t(count), ws, g_pool.get(), a.data());
      return u32(a.data(), a.size());
    });
  }

  // One image (Float32Array(784) in [0, 1]) explained (explain.hpp): {scores: Float32Array(10) logits,
  // predicted, bias: b2[predicted], pro/con: Uint32Array of up to k units pushing for/against the predicted
  // class, proValues/conValues: their contributions a1[j] W2[j, c], images: Float32Array((pro + con) * 784)
  // their pictures (pro first), evidence: Float32Array(784) input x gradient of the predicted logit}.
  val explain(const val& pixels, int k) {
    return guarded<val>(val::null(), [&] {
      const auto x = copy_in<float>(pixels);
      require(x.size() == std::size_t(mnist::kInputs), "explain: expected 784 pixels, got " + std::to_string(x.size()));
      require(k >= 0, "explain: k must be at least 0");
      const mnist::Explanation<float> e = mnist::explain(params, x.data());
      const mnist::TopUnits top = mnist::top_contributions(e.contributions, k);
      std::vector<int> shown(top.pro);
      shown.insert(shown.end(), top.con.begin(), top.con.end());
      std::vector<float> images(shown.size() * mnist::kInputs);
      mnist::unit_images(params, shown.data(), int(shown.size()), images.data());
      const auto indices = [](const std::vector<int>& u) { return std::vector<std::uint32_t>(u.begin(), u.end()); };
      const auto values = [&](const std::vector<int>& u) {
        std::vector<float> v;
        for (int j : u) v.push_back(e.contributions[j]);
        return v;
      };
      const auto pro = indices(top.pro), con = indices(top.con);
      const auto pro_values = values(top.pro), con_values = values(top.con);
      val out = val::object();
      out.set("scores", f32(e.scores.data(), e.scores.size()));
      out.set("predicted", e.predicted);
      out.set("bias", params.b2[e.predicted]);
      out.set("pro", u32(pro.data(), pro.size()));
      out.set("proValues", f32(pro_values.data(), pro_values.size()));
      out.set("con", u32(con.data(), con.size()));
      out.set("conValues", f32(con_values.data(), con_values.size()));
      out.set("images", f32(images.data(), images.size()));
      out.set("evidence", f32(e.evidence.data(), e.evidence.size()));
      return out;
    });
  }

  // The model file (model_file.hpp's format: magic, version, shape, weights, CRC-32) as a Uint8Array.
  val to_bytes() const {
    return guarded<val>(val::null(), [&] {
      const std::vector<std::uint8_t> bytes = mnist::save_model(params);
      return u8(bytes.data(), bytes.size());
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

// A model from a model file's bytes (Uint8Array); every field is bounds-checked by the core's loader, which
// names what is wrong ("model file: checksum mismatch - the file is corrupted"). Null + error if malformed.
ModelHandle* load_model(const val& bytes) {
  return guarded<ModelHandle*>(nullptr, [&] {
    const auto b = copy_in<std::uint8_t>(bytes);
    return new ModelHandle(mnist::load_model(b.data(), b.size()));
  });
}

// ---- Test hooks: memory that is held until deleted, and a crash ----------------------------------------
// Lets tests fill the heap (to see the budget shrink and allocation failures reported as values) and
// abort the module (to see the page survive its worker dying). Not used by the page's normal paths.
struct Reservation : Counted {
  std::unique_ptr<std::uint8_t[]> block;
  double size = 0;
  double bytes() const { return size; }
};
Reservation* reserve_memory(double bytes) {
  return guarded<Reservation*>(nullptr, [&] {
    require(bytes >= 0 && bytes <= 4294967295.0, "reserve: bytes out of range");
    auto* r = new Reservation;
    try {
      r->block.reset(new std::uint8_t[std::size_t(bytes)]);
    } catch (...) {
      delete r;
      throw;
    }
    r->size = bytes;
    return r;
  });
}
void abort_module() { std::abort(); }

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

// A text setting: its value, or fallback when absent; anything but a string is refused by name.
std::string text_field(const val& o, const char* name, const std::string& fallback) {
  const val v = o[name];
  if (v.isUndefined() || v.isNull()) return fallback;
  require(v.isString(), std::string(name) + " must be a string");
  return v.as<std::string>();
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
  const std::string optimizer = text_field(o, "optimizer", mnist::name_of(c.optimizer));
  if (optimizer == "sgd") c.optimizer = mnist::Optimizer::sgd;
  else if (optimizer == "momentum") c.optimizer = mnist::Optimizer::momentum;
  else if (optimizer == "adam") c.optimizer = mnist::Optimizer::adam;
  else require(false, "optimizer must be sgd, momentum or adam, got '" + optimizer + "'");
  c.momentum = field<float>(o, "momentum", c.momentum);
  const std::string schedule = text_field(o, "schedule", mnist::name_of(c.schedule));
  if (schedule == "constant") c.schedule = mnist::Schedule::constant;
  else if (schedule == "cosine") c.schedule = mnist::Schedule::cosine;
  else if (schedule == "onecycle") c.schedule = mnist::Schedule::onecycle;
  else require(false, "schedule must be constant, cosine or onecycle, got '" + schedule + "'");
  c.warmup = field<double>(o, "warmup", c.warmup);
  c.augment = field<bool>(o, "augment", c.augment);
  return c;
}

struct TrainerHandle : Counted {
  std::shared_ptr<const mnist::Dataset> data;  // kept alive for the trainer, which holds a reference
  mnist::Trainer trainer;

  TrainerHandle(std::shared_ptr<const mnist::Dataset> d, const mnist::TrainConfig& c)
      : data(std::move(d)), trainer(*data, c, g_pool) {
    trainer.set_validation_in_pieces(true);  // the worker runs it in short tasks (validate)
  }

  // Evaluates up to maxImages more images of the validation pass an epoch's end left; true once done (the
  // epoch's history() row then has its validation figures). step() would otherwise finish it first.
  bool validate(double max_images) {
    return guarded<bool>(true, [&] { return trainer.validate_some(std::size_t(max_images)); });
  }
  bool validation_pending() const { return trainer.validation_pending(); }

  // {status, batches, batchLoss, threads, heldBack}: runs at most maxBatches batches, stopping early at an
  // epoch's end and at divergence (the trainer's own check: a NaN, infinite or exploded loss, caught before
  // its update); threads: how many of the pool's threads the steps run on now (the trainer's
  // ThreadGovernor); heldBack: fewer than the pool has because more were measured slower.
  val step(int max_batches) {
    return guarded<val>(val::null(), [&] {
      const mnist::StepResult r = trainer.step(max_batches);
      val out = val::object();
      out.set("status", std::string(status_name(r.status)));
      out.set("batches", r.batches);
      out.set("batchLoss", r.batch_loss);
      out.set("threads", r.threads);
      out.set("heldBack", r.held_back);
      return out;
    });
  }

  void pin_threads() { trainer.pin_threads(); }
  // {steps: [one thread, more], seconds: [...], probes, switches}: what the ThreadGovernor did so far.
  val thread_tally() const {
    const mnist::ThreadGovernor::Tally& t = trainer.governor().tally();
    val out = val::object();
    out.set("steps", val::array(std::vector<double>{double(t.steps[0]), double(t.steps[1])}));
    out.set("seconds", val::array(std::vector<double>{t.seconds[0], t.seconds[1]}));
    out.set("probes", double(t.probes));
    out.set("switches", double(t.switches));
    val first = val::array();
    for (long i = 0; i < std::min(t.probes, 8L); ++i) {
      const auto& p = t.first[i];
      val probe = val::object();
      probe.set("at", p.at);
      probe.set("threads", p.threads);
      probe.set("steps", p.steps);
      probe.set("mean", p.mean);
      probe.set("current", p.current);
      probe.set("stalled", p.stalled);
      probe.set("won", p.won);
      first.call<void>("push", probe);
    }
    out.set("first", first);
    return out;
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

  // The `count` strongest hidden units' pictures now (unit_pictures), for the page's live grid: brings W1
  // up to date from the step's slabs (a read of 784 x H floats) without copying the model.
  val units(int count) { return unit_pictures(trainer.params(), count); }

  // A copy of the current parameters, independent of the trainer (not const: the trainer may first bring
  // its W1 up to date from the step's slabs).
  ModelHandle* model() {
    return guarded<ModelHandle*>(nullptr, [&] { return new ModelHandle(trainer.params()); });
  }
};

// Checks the settings, then whether training them fits the memory left, before allocating anything.
TrainerHandle* create_trainer(const DatasetHandle& d, const val& config) {
  return guarded<TrainerHandle*>(nullptr, [&] {
    const mnist::TrainConfig c = to_config(config);
    mnist::validate(c, d.data->size());
    mnist::check_memory(c, memory_budget());
    return new TrainerHandle(d.data, c);
  });
}

// The same checks without making a trainer (for settings from a link): false, with the error, for a bad one.
bool check_config(const val& config, double available) {
  return guarded<bool>(false, [&] {
    const mnist::TrainConfig c = to_config(config);
    mnist::validate(c, std::size_t(available));
    mnist::check_memory(c, memory_budget());
    return true;
  });
}

// {mnistExamples, userPerBatch, batch, epochs, learningRate, seed}, each optional (fine_tune.hpp's defaults).
mnist::FineTuneConfig to_fine_tune_config(const val& o) {
  mnist::FineTuneConfig f;
  const double mnist_examples = field<double>(o, "mnistExamples", double(f.mnist_examples));
  require(mnist_examples >= 0, "mnistExamples must be at least 0");
  f.mnist_examples = std::size_t(mnist_examples);
  f.user_per_batch = field<int>(o, "userPerBatch", f.user_per_batch);
  f.batch = field<int>(o, "batch", f.batch);
  f.epochs = field<int>(o, "epochs", f.epochs);
  f.learning_rate = field<float>(o, "learningRate", f.learning_rate);
  const double seed = field<double>(o, "seed", double(f.seed));
  require(seed >= 0, "seed must be at least 0");
  f.seed = std::uint64_t(seed);
  return f;
}

// A trainer that fine-tunes `model` on the user's digits mixed with images of `mnist` (fine_tune.hpp): the
// ordinary Trainer over the mix, started from the model's parameters; the worker steps it like any run.
TrainerHandle* create_fine_tuner(const ModelHandle& model, const DatasetHandle& mnist_data, const DatasetHandle& user,
                                 const val& options) {
  return guarded<TrainerHandle*>(nullptr, [&] {
    const mnist::FineTuneConfig f = to_fine_tune_config(options);
    auto mix = std::make_shared<const mnist::Dataset>(mnist::make_fine_tune_set(*mnist_data.data, *user.data, f));
    const mnist::TrainConfig c = mnist::fine_tune_train_config(f, model.hidden());
    mnist::validate(c, mix->size());
    mnist::check_memory(c, memory_budget());
    auto h = std::make_unique<TrainerHandle>(std::move(mix), c);
    h->trainer.start_from(model.params);
    return h.release();
  });
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
  out.set("kernels", std::string(mnist::kernels::kBackend));
  out.set("maxThreads", MNIST_MAX_THREADS);
  out.set("threads", pool_threads());
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
  function("checkConfig", &check_config);
  function("createFineTuner", &create_fine_tuner, allow_raw_pointers());
  function("encodeIdx", &encode_idx);
  function("maxThreads", &max_threads);
  function("setThreads", &set_threads);
  function("preprocessDigit", &preprocess_digit);
  function("loadModel", &load_model, allow_raw_pointers());
  function("memoryInfo", &memory_info);
  function("reserveMemory", &reserve_memory, allow_raw_pointers());
  function("abortModule", &abort_module);

  class_<Reservation>("Reservation").function("bytes", &Reservation::bytes);

  class_<DatasetHandle>("Dataset")
      .function("size", &DatasetHandle::size)
      .function("label", &DatasetHandle::label)
      .function("image", &DatasetHandle::image)
      .function("pixels", &DatasetHandle::pixels)
      .function("labels", &DatasetHandle::labels);

  class_<ModelHandle>("Model")
      .function("hidden", &ModelHandle::hidden)
      .function("predict", &ModelHandle::predict)
      .function("evaluate", &ModelHandle::evaluate)
      .function("startEvaluation", &ModelHandle::start_evaluation)
      .function("evaluateSome", &ModelHandle::evaluate_some)
      .function("evaluation", &ModelHandle::evaluation)
      .function("gradients", &ModelHandle::gradients)
      .function("toBytes", &ModelHandle::to_bytes)
      .function("units", &ModelHandle::units)
      .function("activity", &ModelHandle::activity)
      .function("explain", &ModelHandle::explain)
      .function("parameters", &ModelHandle::parameters);

  class_<TrainerHandle>("Trainer")
      .function("step", &TrainerHandle::step)
      .function("pinThreads", &TrainerHandle::pin_threads)
      .function("threadTally", &TrainerHandle::thread_tally)
      .function("epoch", &TrainerHandle::epoch)
      .function("position", &TrainerHandle::position)
      .function("epochSize", &TrainerHandle::epoch_size)
      .function("validationSize", &TrainerHandle::validation_size)
      .function("finished", &TrainerHandle::finished)
      .function("validate", &TrainerHandle::validate)
      .function("validationPending", &TrainerHandle::validation_pending)
      .function("history", &TrainerHandle::history)
      .function("model", &TrainerHandle::model, allow_raw_pointers())
      .function("units", &TrainerHandle::units);
}
