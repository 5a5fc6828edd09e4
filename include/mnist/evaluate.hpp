// Inference: class probabilities for one image or a batch, and the evaluation of a model on a dataset
// (cost, accuracy, confusion matrix, misclassified indices) in large forward chunks.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "dataset.hpp"
#include "network.hpp"
#include "train_step.hpp"

namespace mnist {

constexpr int kEvalChunk = 512;

struct Evaluation {
  double loss = 0;      // mean cross-entropy + c * (sum W1^2 + sum W2^2)
  double accuracy = 0;  // fraction in [0, 1]
  std::size_t count = 0;
  std::array<std::uint32_t, kClasses * kClasses> confusion{};  // [true * 10 + predicted]
  std::vector<std::uint32_t> wrong;                            // dataset indices predicted wrongly
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

// Evaluates `P` on the images `idx[0..count)` of `d` (or on all of `d` when idx is null), in forward
// batches of the workspace's capacity.
template <typename WS>
Evaluation evaluate(const Params<float>& P, const Dataset& d, const std::uint32_t* idx, std::size_t count, float decay,
                    WS& ws, ThreadPool* pool = nullptr) {
  Evaluation e;
  e.count = count;
  AlignedVector<float> x(std::size_t(ws.capacity) * kInputs);
  std::vector<std::uint8_t> labels(ws.capacity);
  double ce = 0;
  std::size_t correct = 0;
  for (std::size_t first = 0; first < count; first += ws.capacity) {
    const int n = static_cast<int>(std::min<std::size_t>(ws.capacity, count - first));
    if (idx) gather_batch(d, idx + first, n, x.data(), labels.data());
    else gather_range(d, first, n, x.data(), labels.data());
    ce += forward_into(P, x.data(), labels.data(), n, ws, pool);
    for (int r = 0; r < n; ++r) {
      const int predicted = argmax_row(ws.p.data() + std::size_t(r) * kClasses);
      e.confusion[labels[r] * kClasses + predicted]++;
      if (predicted == labels[r]) ++correct;
      else e.wrong.push_back(static_cast<std::uint32_t>(idx ? idx[first + r] : first + r));
    }
  }
  if (count > 0) {
    e.loss = ce / double(count) + double(decay) * double(P.weight_norm2());
    e.accuracy = double(correct) / double(count);
  }
  return e;
}

inline Evaluation evaluate(const Params<float>& P, const Dataset& d, float decay = 0) {
  StepWorkspace ws(kEvalChunk, P.hidden(), 1, /*train_rows=*/0);
  return evaluate(P, d, nullptr, d.size(), decay, ws);
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
