// Inference: class probabilities for one image or a batch, and the evaluation of a model on a dataset
// (cost, accuracy, confusion matrix, misclassified indices) on the training step's kernels and threads,
// whole or in pieces (EvaluationPass), beside the plain reference it is tested against.
#pragma once

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <vector>

#include "dataset.hpp"
#include "network.hpp"
#include "train_step.hpp"

namespace mnist {

constexpr int kEvalChunk = 512;
// Rows per forward pass of an evaluation (at most the workspace's capacity): the first layer walks every
// row's pixel list once per 16-column chunk of H, and 64 rows' lists stay in the core's cache between the
// chunks where 512 rows' (about 600 KB) did not. wasm SIMD, 10,000 test images, one thread, under load:
// 32-256 rows 0.41-0.62 of a training example's time per image, 512 rows 0.51-0.65.
constexpr int kEvalRows = 64;

struct Evaluation {
  double loss = 0;      // mean cross-entropy + c * (sum W1^2 + sum W2^2)
  double accuracy = 0;  // fraction in [0, 1]
  std::size_t count = 0;
  std::array<std::uint32_t, kClasses * kClasses> confusion{};  // [true * 10 + predicted]
  std::vector<std::uint32_t> wrong;                            // dataset indices predicted wrongly
  std::vector<std::uint8_t> wrong_predicted;                   // what each of them was predicted as
};

inline int argmax_row(const float* row) {
  return static_cast<int>(std::max_element(row, row + kClasses) - row);
}

// One forward pass into a workspace: the Eigen reference's or the fast kernels' (optionally threaded).
inline float forward_into(const Params<float>& P, const float* x, const std::uint8_t* labels, int n,
                          Workspace<float>& ws, ThreadPool*) {
  return forward(P, x, labels, n, ws);
}
inline float forward_into(const Params<float>& P, const float* x, const std::uint8_t* labels, int n, StepWorkspace& ws,
                          ThreadPool* pool) {
  return forward_probs(P, x, labels, n, ws, 0.0f, pool);
}

namespace detail {
// Row r of an evaluation: image idx[first + r] of d (first + r without idx), listed straight from its
// uint8 pixels for the sparse kernels (as a training step lists its rows) or converted into x for the
// dense ones, and its label.
struct ImagesOf {
  static constexpr bool kPerRow = true;
  const Dataset& d;
  const std::uint32_t* idx;
  std::size_t first;
  float* x;
  std::uint8_t* labels;
  std::size_t index(int r) const { return idx ? idx[first + r] : first + r; }
  void operator()(int r, kernels::SparseBatch& xs) const {
    const std::size_t i = index(r);
    if (kernels::kSparseInputs) kernels::list_row_u8(d.image(i), r, xs);
    else kernels::u8_to_unit_f32(kInputs, d.image(i), x + std::size_t(r) * kInputs);
    labels[r] = d.labels[i];
  }
};
}  // namespace detail

// The forward pass of n <= ws.capacity images of d (idx[first + r], or first + r without idx) on the
// training step's kernels and threads: probabilities into ws.p, activations into ws.a1, labels into
// ws.labels; returns the summed cross-entropy. Nothing is allocated.
inline float forward_images(const Params<float>& P, const Dataset& d, const std::uint32_t* idx, std::size_t first, int n,
                            StepWorkspace& ws, ThreadPool* pool) {
  assert(n >= 1 && n <= ws.capacity && P.hidden() == ws.hidden);
  const detail::ImagesOf rows{d, idx, first, ws.x.data(), ws.labels.data()};
  detail::forward_layers(P, ws.x.data(), n, ws, pool, /*by_column=*/false, rows);
  return detail::output_layer(P, ws.labels.data(), n, 0.0f, ws, pool);
}

// An evaluation in pieces: start() names the images, run() evaluates the next ones (as many as asked, in
// forward passes of the workspace's capacity), result() gives the figures once done(). A caller can so
// spread a large set over short tasks. Its buffers are kept from pass to pass.
class EvaluationPass {
 public:
  // Images idx[0..count) of d, or d's first `count` without idx; d and idx must outlive the pass.
  void start(const Dataset& d, const std::uint32_t* idx, std::size_t count) {
    d_ = &d;
    idx_ = idx;
    count_ = count;
    at_ = 0;
    ce_ = 0;
    correct_ = 0;
    confusion_.fill(0);
    wrong_.clear();
    wrong_predicted_.clear();
  }
  bool done() const { return at_ >= count_; }
  std::size_t position() const { return at_; }
  std::size_t count() const { return count_; }

  // Evaluates up to max_images more images; returns how many. With a pool, each of its active threads
  // runs whole passes on a workspace of its own (the caller's for thread 0): a pass split by columns met
  // the other thread twice per 64 rows and scaled only x1.15-1.3 on 2 threads. The passes cover the
  // same rows as on one thread and are tallied in order, so any thread count gives the same bits where
  // a pass on one thread computes as a split one does (kSlabsIndependentLayer1); elsewhere (Eigen) the
  // threads still split each pass by columns.
  std::size_t run(const Params<float>& P, std::size_t max_images, StepWorkspace& ws, ThreadPool* pool = nullptr) {
    const std::size_t rows = std::min<std::size_t>(ws.capacity, kEvalRows);
    const int threads = pool && kernels::kSlabsIndependentLayer1 ? pool->active() : 1;
    std::size_t done_now = 0;
    while (at_ < count_ && done_now < max_images) {
      const std::size_t left = std::min(count_ - at_, max_images - done_now);
      const int passes = static_cast<int>(std::min<std::size_t>(threads, (left + rows - 1) / rows));
      const auto rows_of = [&](int t) { return static_cast<int>(std::min(rows, left - std::size_t(t) * rows)); };
      if (passes > 1 && pool) {
        if (!own_.empty() && own_[0].hidden != P.hidden()) own_.clear();
        while (own_.size() + 1 < std::size_t(passes)) own_.emplace_back(static_cast<int>(rows), P.hidden(), 1, 0);
        auto pass = [&](int t) {
          if (t < passes) forward_images(P, *d_, idx_, at_ + std::size_t(t) * rows, rows_of(t), t ? own_[t - 1] : ws, nullptr);
        };
        pool->run(pass);
        for (int t = 0; t < passes; ++t) tally(t ? own_[t - 1] : ws, at_ + std::size_t(t) * rows, rows_of(t));
      } else {
        forward_images(P, *d_, idx_, at_, rows_of(0), ws, pool);
        tally(ws, at_, rows_of(0));
      }
      const std::size_t n = std::min(left, std::size_t(passes) * rows);
      at_ += n;
      done_now += n;
    }
    return done_now;
  }

  // The figures of the images evaluated so far (all of them once done()); loss with P's weight decay term.
  Evaluation result(const Params<float>& P, float decay) const {
    Evaluation e;
    e.count = at_;
    e.confusion = confusion_;
    e.wrong = wrong_;
    e.wrong_predicted = wrong_predicted_;
    if (at_ > 0) {
      e.loss = ce_ / double(at_) + double(decay) * double(P.weight_norm2());
      e.accuracy = double(correct_) / double(at_);
    }
    return e;
  }

 private:
  const Dataset* d_ = nullptr;
  const std::uint32_t* idx_ = nullptr;
  std::size_t count_ = 0, at_ = 0;
  double ce_ = 0;
  std::size_t correct_ = 0;
  std::array<std::uint32_t, kClasses * kClasses> confusion_{};
  std::vector<std::uint32_t> wrong_;
  std::vector<std::uint8_t> wrong_predicted_;
  std::vector<StepWorkspace> own_;  // the workspaces of a pool's threads 1, 2, ... (made on first use)

  // The predictions and losses of a pass of n images from image `first` on, read from its workspace. Each
  // row's loss is added on its own, in order, so the total does not depend on how the images were cut
  // into pieces and passes (the page's pieces follow its clock).
  void tally(const StepWorkspace& ws, std::size_t first, int n) {
    for (int r = 0; r < n; ++r) {
      ce_ += ws.loss[r];
      const int predicted = argmax_row(ws.p.data() + std::size_t(r) * kClasses);
      const int label = ws.labels[r];
      confusion_[label * kClasses + predicted]++;
      if (predicted == label) {
        ++correct_;
      } else {
        wrong_.push_back(static_cast<std::uint32_t>(idx_ ? idx_[first + r] : first + r));
        wrong_predicted_.push_back(static_cast<std::uint8_t>(predicted));
      }
    }
  }
};

// Evaluates `P` on the images `idx[0..count)` of `d` (or on all of `d` when idx is null) on the training
// step's kernels and threads (EvaluationPass in one go).
inline Evaluation evaluate(const Params<float>& P, const Dataset& d, const std::uint32_t* idx, std::size_t count,
                           float decay, StepWorkspace& ws, ThreadPool* pool = nullptr) {
  EvaluationPass pass;
  pass.start(d, idx, count);
  pass.run(P, count, ws, pool);
  return pass.result(P, decay);
}

inline Evaluation evaluate(const Params<float>& P, const Dataset& d, float decay = 0) {
  StepWorkspace ws(kEvalChunk, P.hidden(), 1, /*train_rows=*/0);
  return evaluate(P, d, nullptr, d.size(), decay, ws);
}

// The plain reference the fast evaluation is tested against: images converted to floats, network.hpp's
// Eigen forward pass, one image at a time.
inline Evaluation evaluate_reference(const Params<float>& P, const Dataset& d, const std::uint32_t* idx,
                                     std::size_t count, float decay) {
  Evaluation e;
  e.count = count;
  Workspace<float> ws(1, P.hidden());
  std::vector<float> x(kInputs);
  double ce = 0;
  std::size_t correct = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t at = idx ? idx[i] : i;
    const std::uint8_t label = d.labels[at];
    for (int k = 0; k < kInputs; ++k) x[k] = float(d.image(at)[k]) / 255.0f;
    ce += forward(P, x.data(), &label, 1, ws);
    const int predicted = argmax_row(ws.p.data());
    e.confusion[label * kClasses + predicted]++;
    if (predicted == label) {
      ++correct;
    } else {
      e.wrong.push_back(static_cast<std::uint32_t>(at));
      e.wrong_predicted.push_back(static_cast<std::uint8_t>(predicted));
    }
  }
  if (count > 0) {
    e.loss = ce / double(count) + double(decay) * double(P.weight_norm2());
    e.accuracy = double(correct) / double(count);
  }
  return e;
}

// Probabilities (n, 10) for n images already scaled to [0, 1] (n, 784).
template <typename WS>
void predict(const Params<float>& P, const float* x, int n, float* probabilities, WS& ws) {
  std::vector<std::uint8_t> no_labels(n, 0);  // forward's loss is ignored here
  for (int first = 0; first < n; first += ws.capacity) {
    const int m = std::min(ws.capacity, n - first);
    forward_into(P, x + std::size_t(first) * kInputs, no_labels.data(), m, ws, nullptr);
    std::copy(ws.p.begin(), ws.p.begin() + std::size_t(m) * kClasses, probabilities + std::size_t(first) * kClasses);
  }
}

}  // namespace mnist
