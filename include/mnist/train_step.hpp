// One training step of the 784 -> H -> 10 network on the fast kernels (kernels/kernels.hpp), equal to
// network.hpp's forward + backward + sgd_update (or, with an OptimizerState, momentum_update or
// adam_update) up to float rounding, plus the forward-only pass used for evaluation. Nothing is allocated
// per call: StepWorkspace (and OptimizerState) hold every buffer.
#pragma once

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <vector>

#include "config.hpp"
#include "dataset.hpp"
#include "kernels/kernels.hpp"
#include "network.hpp"
#include "optimizer.hpp"
#include "thread_pool.hpp"
#include "w1_slabs.hpp"

namespace mnist {

// Buffers for forward passes of up to `capacity` rows and training steps of up to `train_rows` rows
// (capacity by default; 0 for a forward-only workspace, which then skips the 2 x 784 x rows floats of
// the by-pixel lists).
struct StepWorkspace {
  int capacity = 0;
  int hidden = 0;
  int threads = 1;
  int train_rows = 0;
  kernels::SparseBatch xs;   // the batch's non-zero pixels, listed when kernels::kSparseInputs
  AlignedVector<float> a1;   // (capacity, H) relu(x W1 + b1); also the ReLU mask of the backward pass
  AlignedVector<float> z2;   // (capacity, 10) logits
  AlignedVector<float> p;    // (capacity, 10) probabilities, read by the caller after a step
  AlignedVector<float> g2;   // (capacity, 10) -lr dz2 = -lr (p - Y) / n
  AlignedVector<float> g1;   // (capacity, H)  -lr dz1
  AlignedVector<float> W2T;  // (10, H) W2 transposed, so layer 2 and dz1 read contiguous rows
  std::vector<float> loss;   // (capacity) each row's cross-entropy, summed in row order after the threads
  std::vector<int> scratch;  // (threads, kClasses) gemm_tn_sgd's lists of live rows, for the W2 update
  AlignedVector<float> x;    // (capacity, 784) images gathered for the dense kernels (empty for the sparse ones)
  std::vector<std::uint8_t> labels;  // (capacity) the labels of an evaluation's images (evaluate.hpp)
  // The rows a training step listed in xs for the step after it (train_batch's BatchAhead), and the unit
  // it listed their pixels in (W1Slabs::Decay), until xs lists other rows.
  struct {
    const Dataset* d = nullptr;
    const std::uint32_t* idx = nullptr;
    int n = 0;
    const std::uint8_t* labels = nullptr;
    float unit = 0;
  } listed_ahead;

  StepWorkspace(int capacity_, int hidden_, int threads_ = 1, int train_rows_ = -1)
      : capacity(capacity_),
        hidden(hidden_),
        threads(threads_),
        train_rows(train_rows_ < 0 ? capacity_ : std::min(train_rows_, capacity_)),
        xs(kernels::kSparseInputs ? capacity_ : 0, kInputs, kernels::kSparseInputs ? train_rows : 0),
        a1(std::size_t(capacity_) * hidden_),
        z2(std::size_t(capacity_) * kClasses),
        p(z2.size()),
        g2(z2.size()),
        g1(a1.size()),
        W2T(std::size_t(kClasses) * hidden_),
        loss(capacity_),
        scratch(kernels::gemm_tn_sgd_scratch(kClasses) * threads_),
        x(kernels::kSparseInputs ? 0 : std::size_t(capacity_) * kInputs),
        labels(capacity_) {}

  int* scratch_of(int thread) { return scratch.data() + kernels::gemm_tn_sgd_scratch(kClasses) * thread; }
};

namespace detail {
// s = 1 - 2 lr c: what the weight decay c multiplies every weight by in a step.
inline float decay_factor(float lr, float decay) { return 1.0f - 2.0f * lr * decay; }

// Rows [j0, j1) of W2 (H, 10) into columns [j0, j1) of W2T (10, H).
inline void transpose_w2(const Mat<float>& W2, float* W2T, int j0, int j1) {
  const int H = static_cast<int>(W2.rows());
  for (int j = j0; j < j1; ++j)
    for (int c = 0; c < kClasses; ++c) W2T[std::size_t(c) * H + j] = W2(j, c);
}

// Runs part(i, parts) for every part: on the pool's active threads, or inline as one part without a pool.
template <typename F>
void in_parallel(ThreadPool* pool, F&& part) {
  if (!pool) return part(0, 1);
  const int parts = pool->active();
  auto job = [&](int i) { part(i, parts); };
  pool->run(job);
}

// Columns [j0, j1) of H (hidden units) for chunk i of `parts`, on 16-column slabs: the kernels' tile width
// and one 64-byte cache line, so (with eigen_core.hpp's aligned rows when H is a multiple of 16) no line
// of W1, a1 or g1 is written by two threads.
inline int column_slabs(int H) { return (H + 15) / 16; }
inline std::pair<int, int> hidden_columns(int H, int i, int parts) {
  const auto [s0, s1] = split_range(column_slabs(H), i, parts);
  return {std::min(H, 16 * s0), std::min(H, 16 * s1)};
}

// Runs part(c, chunks, thread) for every chunk c of the columns of H, then item(i) for every i in
// [0, items): on the pool's threads, one 16-column slab per chunk, in one call where thread i's share is
// its even part of the chunks followed by its part of the items (ThreadPool::for_chunks: each thread keeps
// the same slabs from call to call, so its part of W1 stays in its core's cache between the forward pass
// and the W1 update, and helps a slower thread finish; the items, cheap and many, fill the end of the
// phase where the chunks alone would leave one thread waiting for the other's last chunk). Without a
// pool, all of H as one chunk, then the items in order. backwards: each thread walks its share from its
// last chunk (see train_step).
template <typename F, typename Item>
void in_column_chunks_then(ThreadPool* pool, int H, int items, F&& part, Item&& item, bool backwards = false) {
  if (!pool) {
    part(0, 1, 0);
    for (int i = 0; i < items; ++i) item(i);
    return;
  }
  const int chunks = column_slabs(H), parts = pool->active();
  auto first = [&](int i) { return split_range(chunks, i, parts).first + split_range(items, i, parts).first; };
  pool->for_chunks(chunks + items, first, [&](int c, int thread) {
    int i = 0;  // the share c is in
    while (i + 1 < parts && first(i + 1) <= c) ++i;
    const auto [c0, c1] = split_range(chunks, i, parts);
    const int at = c - first(i);
    if (at < c1 - c0)
      part(backwards ? c1 - 1 - at : c0 + at, chunks, thread);
    else
      item(split_range(items, i, parts).first + at - (c1 - c0));
  });
}

// Runs f(r) for every row r in [0, n): on the pool's threads one row at a time (ThreadPool::for_chunks:
// each thread starts with its even share, then takes rows another has not started, so rows that cost more
// than others, images with more ink, do not leave one thread waiting), or in order without a pool.
template <typename F>
void in_row_chunks(ThreadPool* pool, int n, F&& f) {
  if (!pool) {
    for (int r = 0; r < n; ++r) f(r);
    return;
  }
  pool->for_chunks(n, [&](int r, int) { f(r); });
}

// Where a step's rows come from, taken by the threads one row at a time (listed by their non-zero pixels
// when kernels::kSparseInputs): already in x, or images of a dataset, which the sparse kernels list
// straight from their uint8 pixels (no float copy of the batch) and the dense ones gather into x.
struct RowsInX {
  static constexpr bool kPerRow = kernels::kSparseInputs;  // anything to do row by row
  const float* x;
  void operator()(int r, kernels::SparseBatch& xs) const {
    if (kernels::kSparseInputs) kernels::list_rows(x, r, r + 1, xs);
  }
};
// Row r: image idx[r] of d, its pixels times unit (in [0, 1] by default, as gather_batch_fast), and its label.
struct RowsFromDataset {
  static constexpr bool kPerRow = true;
  const Dataset& d;
  const std::uint32_t* idx;
  float* x;  // written only where the kernels take the batch dense
  std::uint8_t* labels;
  float unit = kernels::kPixelUnit;  // the listed value of pixel byte 1 (W1Slabs::Decay: the slabs' scale in it)
  void operator()(int r, kernels::SparseBatch& xs) const {
    if (kernels::kSparseInputs)
      kernels::list_row_u8(d.image(idx[r]), r, xs, unit);
    else
      kernels::u8_to_unit_f32(kInputs, d.image(idx[r]), x + std::size_t(r) * kInputs);
    labels[r] = d.labels[idx[r]];
  }
};

// The first layer's forward pass for n rows: the rows taken (listed, or gathered) from `rows`, shared
// between the threads row by row; then a1 = relu(x W1 + b1), split by columns of H (each thread streams
// only its part of W1, the biggest read of the step). Each chunk also transposes its rows of W2 for the
// output layer. For a training step (by_column) the batch is also listed by column for the W1 update,
// by ranges of pixels after the chunks, filling the phase's end. With slabs, W1 is read from there
// (W1Slabs) instead of P.W1. rows_listed: xs already lists these rows (listed ahead by the step before).
// col_gain: the lists by column carry the values times this (W1Slabs::Decay).
template <typename Rows>
void forward_layers(const Params<float>& P, const float* x, int n, StepWorkspace& ws, ThreadPool* pool, bool by_column,
                    const Rows& rows, const W1Slabs* slabs = nullptr, bool rows_listed = false, float col_gain = 1.0f) {
  const int H = P.hidden();
  if (Rows::kPerRow && !rows_listed) {
    ws.listed_ahead = {};
    in_row_chunks(pool, n, [&](int r) { rows(r, ws.xs); });
  }
  // The lists by column in ranges of whole 16-pixel blocks (16 counts per cache line): with a pool, 16
  // ranges, small enough to even out the threads' ends, few enough that the search each makes in every
  // row's list stays cheap; without one, a single range, which needs no search.
  const int blocks = (kInputs + 15) / 16, ranges = kernels::kSparseInputs && by_column ? (pool ? 16 : 1) : 0;
  const auto list_columns = [&](int i) {
    const auto [b0, b1] = split_range(blocks, i, ranges);
    kernels::list_columns(n, ws.xs, 16 * b0, std::min(kInputs, 16 * b1), col_gain);
  };
  const auto first_layer = [&](int c, int chunks, int) {
    const auto [j0, j1] = hidden_columns(H, c, chunks);
    transpose_w2(P.W2, ws.W2T.data(), j0, j1);  // for the output layer, after this phase
    if (kernels::kSparseInputs && slabs)
      for (int j = j0; j < j1; j += W1Slabs::kWidth)
        kernels::spmm_bias_relu_slab16(n, H, ws.xs, slabs->slab(j / W1Slabs::kWidth), P.b1.data(), ws.a1.data(), j);
    else if (j1 > j0)
      kernels::gemm_nn_bias_relu(n, kInputs, H, x, ws.xs, P.W1.data(), P.b1.data(), ws.a1.data(), j0, j1);
  };
  in_column_chunks_then(pool, H, ranges, first_layer, list_columns);
}

// The output layer for n rows: z2 = a1 W2 + b2, the probabilities into ws.p and, with labels, -lr dz2 into
// ws.g2; returns the summed cross-entropy (0 without labels). Split by rows across the threads where the
// kernels compute each row on its own (kernels::kRowsIndependentLayer2), on the caller otherwise; each
// row's loss is kept and summed here in row order, so every split gives the same bits.
inline float output_layer(const Params<float>& P, const std::uint8_t* labels, int n, float lr, StepWorkspace& ws,
                          ThreadPool* pool) {
  const int H = P.hidden();
  const float neg_lr_n = -lr / float(n);
  in_parallel(kernels::kRowsIndependentLayer2 ? pool : nullptr, [&](int i, int parts) {
    const auto [r0, r1] = split_range(n, i, parts);
    if (r1 <= r0) return;
    kernels::gemm_nt_bias(r1 - r0, H, kClasses, ws.a1.data() + std::size_t(r0) * H, ws.W2T.data(), P.b2.data(),
                          ws.z2.data() + std::size_t(r0) * kClasses);
    for (int r = r0; r < r1; ++r) {
      const std::size_t at = std::size_t(r) * kClasses;
      ws.loss[r] = kernels::softmax_xent_row(kClasses, ws.z2.data() + at, labels ? labels[r] : -1, neg_lr_n,
                                             ws.p.data() + at, ws.g2.data() + at);
    }
  });
  float total = 0;
  for (int r = 0; r < n; ++r) total += ws.loss[r];
  return total;
}
}  // namespace detail

// Probabilities of n rows of x (n, 784) into ws.p (n, 10). With labels, also -lr dz2 into ws.g2 and the
// summed cross-entropy as the result; without, returns 0. n <= ws.capacity.
inline float forward_probs(const Params<float>& P, const float* x, const std::uint8_t* labels, int n, StepWorkspace& ws,
                           float lr = 0.0f, ThreadPool* pool = nullptr) {
  assert(n >= 1 && n <= ws.capacity && P.hidden() == ws.hidden && (!pool || pool->size() <= ws.threads));
  detail::forward_layers(P, x, n, ws, pool, /*by_column=*/false, detail::RowsInX{x});
  return detail::output_layer(P, labels, n, lr, ws, pool);
}

// Forward, backward and the SGD step with weight decay for n rows of x (n, 784):
//   W -= lr (dW + 2c W), b -= lr db, for both layers, with dz1 taken through W2 before its update.
// Returns the summed cross-entropy of the batch before the update and leaves the probabilities in ws.p.
// A non-finite loss returns at once with P untouched, so the caller can stop before a bad update.
// With a pool, the step is split across its threads: the rows' gathering and listing and (with the wasm
// SIMD kernels) the output layer by rows; the first layer, then dz1, the W2 and b1 steps and the W1
// update by 16-column chunks of H (hidden units). No row's or chunk's arithmetic depends on which thread
// runs it, so the result is the same for any number of threads; only the b2 step (10 sums) stays on the
// caller. With slabs (W1Slabs::usable), W1 is read and updated there instead of P.W1. rows_listed: xs
// already lists the rows (by row); `ahead` (ahead_n rows) lists the next step's rows in the last phase.
// slab_decay: the slabs keep the decay in their scale (W1Slabs::Decay; rows list their pixels times its
// unit), and the caller commits it after a finite step.
namespace detail {
template <typename Rows>
float train_step(Params<float>& P, const float* x, const std::uint8_t* labels, int n, float lr, float decay,
                 StepWorkspace& ws, ThreadPool* pool, const Rows& rows, W1Slabs* slabs = nullptr,
                 bool rows_listed = false, const Rows* ahead = nullptr, int ahead_n = 0,
                 const W1Slabs::Decay* slab_decay = nullptr, OptimizerState* opt = nullptr) {
  assert(n >= 1 && n <= ws.train_rows && P.hidden() == ws.hidden && (!pool || pool->size() <= ws.threads));
  assert(!slabs || (W1Slabs::usable(P.hidden()) && slabs->hidden() == P.hidden()));
  assert(!ahead || (kernels::kSparseInputs && ahead_n >= 1 && ahead_n <= ws.train_rows));
  assert(!slab_decay || slabs);
  assert(!opt || (!slab_decay && opt->grad.b1.size() == std::size_t(P.hidden())));
  const int H = P.hidden();
  forward_layers(P, x, n, ws, pool, /*by_column=*/true, rows, slabs, rows_listed,
                 slab_decay ? slab_decay->col_gain : 1.0f);
  // SGD folds -lr into the output error (g2 = -lr dz2); the dense optimizers take the gradient itself
  // (an lr of -1 gives g2 = dz2), so g1 = dz1 and the products below give dW without the decay.
  const float ce = output_layer(P, labels, n, opt ? -1.0f : lr, ws, pool);
  if (!std::isfinite(ce)) return ce;
  const OptimizerState::Step step = opt ? opt->plan(lr, decay) : OptimizerState::Step{};
  const float scale = decay_factor(lr, decay);  // weight decay folded into the step
  const float w1_scale = slab_decay ? slab_decay->w_scale : scale;
  float* W2T = ws.W2T.data();
  // The backward pass reads xs by column only, so the next step's rows can be listed by row meanwhile.
  const auto list_ahead = [&](int r) { (*ahead)(r, ws.xs); };
  // The W1 update walks the slabs in the order opposite to the first layer's, so it starts on the slabs
  // the first layer read last, still in the core's cache, and the next step's first layer on those it
  // wrote last. A thread's part of W1 with the step's other buffers is about its core's L2 (512 KB here,
  // 401 KB of W1 on 2 threads): walked the same way every pass, each slab was evicted just before it was
  // needed again. Measured in Chromium, the same bits: x1.04 on 2 threads, x1.00-1.02 on one.
  // Momentum and Adam: each product writes the gradient (scale 0 onto its buffer), then the optimizer
  // updates every element of the columns, W1 included: a dense pass over W1 and its moments. On slabs, W1,
  // its gradient and its moments are each one contiguous 50 KB block per chunk. Row-major, each thread's
  // columns were 64 bytes of every 1 KB row, interleaved with the other's, and 2 threads ran the pass no
  // faster than one (momentum x1.0 of one thread, SGD x1.5; docs/performance.md).
  const auto dense_backward = [&](int chunk, int chunks, int thread) {  // on columns j0..j1 of H
    const auto [j0, j1] = hidden_columns(H, chunk, chunks);
    StepParams& g = opt->grad;
    kernels::gemm_nn_relumask(n, kClasses, H, ws.g2.data(), W2T, ws.a1.data(), ws.g1.data(), j0, j1);  // old W2
    kernels::gemm_tn_sgd(n, kClasses, H, ws.g2.data(), ws.a1.data(), 0.0f, g.W2T.data(), ws.scratch_of(thread), j0,
                         j1);  // dW2^T = dz2^T a1
    opt->update_W2T(step, W2T, H, j0, j1);
    for (int j = j0; j < j1; ++j)
      for (int c = 0; c < kClasses; ++c) P.W2(j, c) = W2T[std::size_t(c) * H + j];
    std::fill(g.b1.begin() + j0, g.b1.begin() + j1, 0.0f);
    kernels::colsum_add(n, H, ws.g1.data(), g.b1.data(), j0, j1);
    opt->update_b1(step, P.b1.data(), H, j0, j1);
    if (kernels::kSparseInputs && slabs)  // dW1 = x^T dz1 and the update, slab by slab, as SGD walks them
      for (int j = j1 - W1Slabs::kWidth; j >= j0; j -= W1Slabs::kWidth) {
        const int slab = j / W1Slabs::kWidth;
        kernels::spmm_tn_sgd_slab16(H, ws.xs, ws.g1.data(), 0.0f, opt->W1_slab(g, slab), j);
        opt->update_W1_slab(step, slabs->slab(slab), slab);
      }
    else {
      kernels::gemm_tn_sgd_x(n, kInputs, H, x, ws.xs, ws.g1.data(), 0.0f, g.W1.data(), j0, j1);  // dW1 = x^T dz1
      opt->update_W1(step, P.W1.data(), H, j0, j1);
    }
  };
  const auto backward = [&](int chunk, int chunks, int thread) {  // on columns j0..j1 of H
    const auto [j0, j1] = hidden_columns(H, chunk, chunks);
    if (j1 <= j0) return;
    if (opt) return dense_backward(chunk, chunks, thread);
    kernels::gemm_nn_relumask(n, kClasses, H, ws.g2.data(), W2T, ws.a1.data(), ws.g1.data(), j0, j1);  // old W2
    kernels::gemm_tn_sgd(n, kClasses, H, ws.g2.data(), ws.a1.data(), scale, W2T, ws.scratch_of(thread), j0,
                         j1);  // W2T = s W2T + g2^T a1
    for (int j = j0; j < j1; ++j)
      for (int c = 0; c < kClasses; ++c) P.W2(j, c) = W2T[std::size_t(c) * H + j];
    kernels::colsum_add(n, H, ws.g1.data(), P.b1.data(), j0, j1);
    if (kernels::kSparseInputs && slabs)  // W1 = s W1 + x^T g1 (the slabs' s and x: W1Slabs::Decay)
      for (int j = j1 - W1Slabs::kWidth; j >= j0; j -= W1Slabs::kWidth)
        kernels::spmm_tn_sgd_slab16(H, ws.xs, ws.g1.data(), w1_scale, slabs->slab(j / W1Slabs::kWidth), j);
    else
      kernels::gemm_tn_sgd_x(n, kInputs, H, x, ws.xs, ws.g1.data(), w1_scale, P.W1.data(), j0, j1);
  };
  in_column_chunks_then(pool, H, ahead ? ahead_n : 0, backward, list_ahead, /*backwards=*/true);
  if (opt) {
    std::fill(opt->grad.b2.begin(), opt->grad.b2.end(), 0.0f);
    kernels::colsum_add(n, kClasses, ws.g2.data(), opt->grad.b2.data());
    opt->update_b2(step, P.b2.data());
    opt->commit();
  } else {
    kernels::colsum_add(n, kClasses, ws.g2.data(), P.b2.data());
  }
  return ce;
}
}  // namespace detail

// With opt (OptimizerState), the step updates with momentum or Adam instead of SGD.
inline float train_step(Params<float>& P, const float* x, const std::uint8_t* labels, int n, float lr, float decay,
                        StepWorkspace& ws, ThreadPool* pool = nullptr, OptimizerState* opt = nullptr) {
  const detail::RowsInX* no_ahead = nullptr;
  return detail::train_step(P, x, labels, n, lr, decay, ws, pool, detail::RowsInX{x}, nullptr, false, no_ahead, 0,
                            nullptr, opt);
}

// The batch after the one a training step trains on: rows idx[0..n) of the same dataset, their labels to
// go into labels (n). Only the sparse kernels list it ahead: they keep the rows listed by row apart from
// the lists by column that the step's last phase still reads.
struct BatchAhead {
  const std::uint32_t* idx = nullptr;
  int n = 0;
  std::uint8_t* labels = nullptr;
};

// train_step on rows idx[0..n) of d, with their labels gathered into labels (n): the same result as
// gather_batch_fast then train_step, but the rows are taken inside the step by the threads that list
// them, and the sparse kernels list them straight from the images. x (n, 784) receives the rows only
// where the kernels take the batch dense (not kernels::kSparseInputs); the sparse path leaves it alone.
// With slabs (only where W1Slabs::usable), W1 is read and updated there and P.W1 is left alone; with SGD
// the slabs also keep the weight decay in their scale (W1Slabs), so W1 is their unpack(), equal to training
// W1 row-major up to float rounding; with momentum or Adam (opt), whose moments are then kept by slabs too,
// the same bits.
// With `ahead` (BatchAhead), the sparse step also lists the next batch in its last phase, and the next
// train_batch on exactly that batch with this workspace starts from that listing.
inline float train_batch(Params<float>& P, const Dataset& d, const std::uint32_t* idx, int n, float* x,
                         std::uint8_t* labels, float lr, float decay, StepWorkspace& ws, ThreadPool* pool = nullptr,
                         W1Slabs* slabs = nullptr, BatchAhead ahead = {}, OptimizerState* opt = nullptr) {
  // Momentum and Adam add the decay in their update, so their slabs stay at scale 1 (no fold).
  const bool fold = slabs && !opt;
  const W1Slabs::Decay slab_decay = fold ? slabs->plan(detail::decay_factor(lr, decay)) : W1Slabs::Decay{};
  const float unit = fold ? slab_decay.unit : kernels::kPixelUnit;
  const float next_unit = fold ? W1Slabs::unit_of(slab_decay.next_scale) : kernels::kPixelUnit;
  const auto& listed = ws.listed_ahead;
  const bool rows_listed =
      listed.d == &d && listed.idx == idx && listed.n == n && listed.labels == labels && listed.unit == unit;
  ws.listed_ahead = {};
  const bool list_ahead = kernels::kSparseInputs && ahead.n > 0;
  const detail::RowsFromDataset rows{d, idx, x, labels, unit}, next{d, ahead.idx, x, ahead.labels, next_unit};
  const float ce = detail::train_step(P, x, labels, n, lr, decay, ws, pool, rows, slabs, rows_listed,
                                      list_ahead ? &next : nullptr, ahead.n, fold ? &slab_decay : nullptr, opt);
  if (!std::isfinite(ce)) return ce;
  if (fold) slabs->commit(slab_decay);
  if (list_ahead) ws.listed_ahead = {&d, ahead.idx, ahead.n, ahead.labels, next_unit};
  return ce;
}

// gather_batch (dataset.hpp) on the conversion kernel: rows idx[0..count) of d as x (count, 784) in [0, 1],
// bit-identical to gather_batch.
inline void gather_batch_fast(const Dataset& d, const std::uint32_t* idx, std::size_t count, float* x,
                              std::uint8_t* labels) {
  for (std::size_t r = 0; r < count; ++r) {
    kernels::u8_to_unit_f32(kInputs, d.image(idx[r]), x + r * kInputs);
    labels[r] = d.labels[idx[r]];
  }
}

}  // namespace mnist
