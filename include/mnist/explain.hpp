// The numbers behind the page's "Hidden unit weights" and "Why this prediction" panels, beside the network
// they explain: each hidden unit's incoming weights as a 28x28 image, which units to show when H is large,
// how often each unit is active on a dataset, and one image's explanation (every unit's contribution to the
// predicted class's score, and an evidence map over the pixels). Not here: colours, layout (web/src/ui).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <vector>

#include "dataset.hpp"
#include "evaluate.hpp"
#include "network.hpp"

namespace mnist {

// ---- Hidden-unit pictures -------------------------------------------------------------------------------
// Units by the L2 norm of their incoming weights (W1's column j), largest first; equal norms by index.
// W1 is row-major, so both passes below walk it by rows: a pass by columns reads a cache line per weight.
template <typename S>
std::vector<int> units_by_norm(const Params<S>& P) {
  const int H = P.hidden();
  std::vector<S> norms(H, S(0));  // (H) squared norms
  for (int k = 0; k < kInputs; ++k) {
    const S* row = P.W1.data() + std::size_t(k) * H;
    for (int j = 0; j < H; ++j) norms[j] += row[j] * row[j];
  }
  std::vector<int> order(H);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return norms[a] > norms[b]; });
  return order;
}

// The `count` units with the largest incoming norms (all of them when H <= count), in index order: the grid
// keeps a unit in its place while it stays among the largest, so a user sees one unit's strokes form.
template <typename S>
std::vector<int> strongest_units(const Params<S>& P, int count) {
  std::vector<int> units = units_by_norm(P);
  units.resize(std::min<std::size_t>(units.size(), std::size_t(std::max(count, 0))));
  std::sort(units.begin(), units.end());
  return units;
}

// out (n, 784): unit units[i]'s incoming weights W1[:, units[i]] as a row-major 28x28 image.
template <typename S>
void unit_images(const Params<S>& P, const int* units, int n, S* out) {
  for (int k = 0; k < kInputs; ++k) {
    const S* row = P.W1.data() + std::size_t(k) * P.hidden();
    for (int i = 0; i < n; ++i) out[std::size_t(i) * kInputs + k] = row[units[i]];
  }
}

// out (n, 10): unit units[i]'s outgoing weights W2[units[i], :] to the ten classes.
template <typename S>
void unit_outputs(const Params<S>& P, const int* units, int n, S* out) {
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < kClasses; ++c) out[std::size_t(i) * kClasses + c] = P.W2(units[i], c);
}

// ---- Activity on a dataset -----------------------------------------------------------------------------
// Adds to active (H), for images [first, first + count) of `d`, on how many each unit is active (z1 > 0, so
// a1 > 0); a unit never active is dead, its output and its gradient always zero. One forward pass in the
// workspace's chunks, as evaluate() makes; a range lets a caller spread a large set over several tasks.
template <typename WS>
void count_active(const Params<float>& P, const Dataset& d, std::size_t first, std::size_t count, WS& ws,
                  ThreadPool* pool, std::uint32_t* active) {
  const int H = P.hidden();
  const std::size_t end = std::min(d.size(), first + count);
  AlignedVector<float> x(std::size_t(ws.capacity) * kInputs);
  std::vector<std::uint8_t> labels(ws.capacity);
  for (std::size_t at = first; at < end; at += ws.capacity) {
    const int n = static_cast<int>(std::min<std::size_t>(ws.capacity, end - at));
    gather_range(d, at, n, x.data(), labels.data());
    forward_into(P, x.data(), labels.data(), n, ws, pool);
    for (int r = 0; r < n; ++r) {
      const float* a1 = ws.a1.data() + std::size_t(r) * H;  // (H) this row's relu(z1)
      for (int j = 0; j < H; ++j) active[j] += a1[j] > 0.0f;
    }
  }
}

// The same on the training step's kernels, the images listed straight from their pixels (evaluate.hpp's
// forward_images): nothing allocated.
inline void count_active(const Params<float>& P, const Dataset& d, std::size_t first, std::size_t count,
                         StepWorkspace& ws, ThreadPool* pool, std::uint32_t* active) {
  const int H = P.hidden();
  const std::size_t end = std::min(d.size(), first + count);
  const std::size_t rows = std::min(ws.capacity, kEvalRows);
  for (std::size_t at = first; at < end; at += rows) {
    const int n = static_cast<int>(std::min(rows, end - at));
    forward_images(P, d, nullptr, at, n, ws, pool);
    for (int r = 0; r < n; ++r) {
      const float* a1 = ws.a1.data() + std::size_t(r) * H;  // (H) this row's relu(z1)
      for (int j = 0; j < H; ++j) active[j] += a1[j] > 0.0f;
    }
  }
}

// (H): on how many images of `d` each unit is active.
template <typename WS>
std::vector<std::uint32_t> hidden_activity(const Params<float>& P, const Dataset& d, WS& ws, ThreadPool* pool = nullptr) {
  std::vector<std::uint32_t> active(P.hidden(), 0);
  count_active(P, d, 0, d.size(), ws, pool, active.data());
  return active;
}

// ---- One image's explanation ---------------------------------------------------------------------------
// For the predicted class c (largest logit) of one image x (784):
//   contributions[j] = a1[j] W2[j, c], which sum with b2[c] to the score z2[c];
//   gradient[i] = d z2[c] / d x[i] = sum_j W1[i, j] [z1[j] > 0] W2[j, c] (the pre-softmax score's, so
//     one class's evidence is not mixed with the others' through the softmax);
//   evidence[i] = x[i] gradient[i], the map the page draws: what each pixel of the drawing added to the
//     score (blank pixels add nothing). For a ReLU network these sum, with the active units' biases, to the
//     score: sum_i evidence[i] + sum_j [z1[j] > 0] b1[j] W2[j, c] + b2[c] = z2[c].
template <typename S>
struct Explanation {
  std::array<S, kClasses> scores{};  // z2, the logits
  int predicted = 0;
  RowVec<S> activations;    // (H) a1
  RowVec<S> contributions;  // (H) a1[j] W2[j, predicted]
  RowVec<S> gradient;       // (784) d scores[predicted] / d x
  RowVec<S> evidence;       // (784) x * gradient
};

template <typename S>
Explanation<S> explain(const Params<S>& P, const S* x_data) {
  Eigen::Map<const RowVec<S>> x(x_data, kInputs);
  Explanation<S> e;
  const RowVec<S> z1 = x * P.W1 + P.b1;  // (H)
  e.activations = z1.cwiseMax(S(0));
  const RowVec<S> z2 = e.activations * P.W2 + P.b2;  // (10)
  for (int c = 0; c < kClasses; ++c) e.scores[c] = z2[c];
  e.predicted = static_cast<int>(std::max_element(e.scores.begin(), e.scores.end()) - e.scores.begin());
  const int c = e.predicted;
  e.contributions = e.activations.cwiseProduct(P.W2.col(c).transpose());
  // Backward from z2[c] alone: dz1 = [z1 > 0] W2[:, c], dx = W1 dz1.
  const RowVec<S> dz1 = (z1.array() > S(0)).select(P.W2.col(c).transpose(), S(0));
  e.gradient = (P.W1 * dz1.transpose()).transpose();
  e.evidence = x.cwiseProduct(e.gradient);
  return e;
}

// The units that pushed hardest for the class (the k largest positive contributions, largest first) and
// against it (the k most negative, most negative first); fewer when fewer units push that way.
struct TopUnits {
  std::vector<int> pro, con;
};
template <typename S>
TopUnits top_contributions(const RowVec<S>& contributions, int k) {
  std::vector<int> order(contributions.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return contributions[a] > contributions[b]; });
  TopUnits t;
  for (int j : order)
    if (int(t.pro.size()) < k && contributions[j] > S(0)) t.pro.push_back(j);
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (int(t.con.size()) < k && contributions[*it] < S(0)) t.con.push_back(*it);
  return t;
}

}  // namespace mnist
