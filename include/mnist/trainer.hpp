// Mini-batch training over a dataset: the seeded split, a reshuffle every epoch, the optimizer and the
// learning-rate schedule of the config, augmentation by shifts, per-epoch history, and a step API that runs
// at most a given number of batches and returns, so a caller (CLI, web worker) can report progress, pause
// or stop between batches. The same seed gives the same run, bit for bit, on one build.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "augment.hpp"
#include "config.hpp"
#include "dataset.hpp"
#include "evaluate.hpp"
#include "network.hpp"
#include "optimizer.hpp"
#include "rng.hpp"
#include "schedule.hpp"
#include "thread_governor.hpp"
#include "thread_pool.hpp"
#include "train_step.hpp"

namespace mnist {

struct EpochStats {
  int epoch = 0;  // 1-based
  // Train figures come free from each batch's forward pass before its update (as Keras reports them);
  // validation figures from a full pass after the epoch. Both losses include the weight-decay term.
  double train_loss = 0, train_accuracy = 0;
  double validation_loss = 0, validation_accuracy = 0;
};

enum class TrainStatus { Running, EpochEnded, Finished, Diverged };

// Mean cross-entropy per example above which a run counts as diverged (a random guess costs 2.3).
constexpr float kDivergedLoss = 1000.0f;

struct StepResult {
  TrainStatus status = TrainStatus::Running;
  int batches = 0;        // run by this call
  double batch_loss = 0;  // mean cross-entropy of the last batch run
  int threads = 1;        // the threads the steps run on now (ThreadGovernor's choice, probes aside)
  bool held_back = false; // fewer than the trainer has, because more were measured slower (ThreadGovernor)
};

class Trainer {
 public:
  // `data` must outlive the trainer. Throws Error(InvalidArgument) for a bad config. With threads > 1 the
  // products of each step and of the evaluation passes are split across a pool kept for the trainer's life,
  // on as many of its threads as run the steps faster (ThreadGovernor: all, or one when the others' cores
  // are busy); the result is the same bits either way.
  Trainer(const Dataset& data, const TrainConfig& config, int threads = 1)
      : Trainer(data, config, threads > 1 ? std::make_shared<ThreadPool>(threads) : nullptr) {}

  // The same on a pool shared with others (null: one thread), which must not run anything else meanwhile.
  Trainer(const Dataset& data, const TrainConfig& config, std::shared_ptr<ThreadPool> pool)
      : data_(data),
        config_((validate(config, data.size()), config)),
        rng_(config.seed),
        params_(init_params(config.hidden, rng_)),
        pool_(std::move(pool)),
        governor_(pool_ ? pool_->size() : 1),
        ws_(std::max(config.batch, kEvalChunk), config.hidden, pool_ ? pool_->size() : 1, config.batch),
        x_(kernels::kSparseInputs ? 0 : std::size_t(config.batch) * kInputs),
        labels_(config.batch),
        labels_ahead_(config.batch),
        last_finite_(params_),
        shift_rng_(config.seed ^ 0xA116E57ull) {
    // The step keeps W1 by slabs where it can; momentum and Adam (dense updates) keep their moments so too.
    if (config_.optimizer != Optimizer::sgd)
      optimizer_ = std::make_unique<OptimizerState>(config_.optimizer, config_.hidden, config_.momentum);
    if (W1Slabs::usable(config_.hidden)) w1_slabs_.pack(params_.W1);
    if (config_.augment) {
      const std::size_t B = std::size_t(config_.batch);
      augmented_.pixels.resize(2 * B * kInputs);
      augmented_.labels.resize(2 * B);
      for (std::size_t i = 0; i < 2 * B; ++i) augmented_idx_.push_back(static_cast<std::uint32_t>(i));
    }
    const std::size_t used = config.train_size == 0 ? data.size() : config.train_size;
    split_ = split_indices(used, config.validation_fraction, config.seed);
    order_ = split_.train;
    rng_.shuffle(order_);
  }

  // Starts from `initial` instead of the seeded random init (fine-tuning a trained or loaded model). Call
  // before the first step; `initial` must have the config's hidden units.
  void start_from(const Params<float>& initial) {
    if (initial.hidden() != config_.hidden)
      fail_invalid("the model has " + std::to_string(initial.hidden()) + " hidden units, the settings " +
                   std::to_string(config_.hidden));
    if (epoch_ != 0 || position_ != 0) fail_invalid("start_from: training has already started");
    params_ = initial;
    last_finite_ = params_;
    if (slabs()) w1_slabs_.pack(params_.W1);
    w1_stale_ = false;
  }

  // Runs up to `max_batches` batches, stopping early at the end of an epoch (after evaluating it) and
  // at the end of training. A non-finite or exploding loss stops training before the bad update is applied,
  // and the model falls back to the last one known good: this epoch's start.
  StepResult step(int max_batches) {
    StepResult r;
    r.threads = governor_.settled();
    r.held_back = governor_.held_back();
    if (validation_pending()) validate_some(validation_.count());
    if (finished()) {
      r.status = diverged_ ? TrainStatus::Diverged : TrainStatus::Finished;
      return r;
    }
    const int B = config_.batch;
    const std::int64_t per_epoch = std::int64_t((order_.size() + B - 1) / B);
    while (r.batches < max_batches && position_ < order_.size()) {
      const int n = static_cast<int>(std::min<std::size_t>(B, order_.size() - position_));
      const std::size_t next = position_ + n;  // the step lists the epoch's next batch ahead, if any
      BatchAhead ahead{order_.data() + next, static_cast<int>(std::min<std::size_t>(B, order_.size() - next)),
                       labels_ahead_.data()};
      const Dataset* source = &data_;
      const std::uint32_t* batch = order_.data() + position_;
      if (config_.augment) {  // this batch and the next, shifted, in the two halves of augmented_
        const std::size_t half = std::size_t(B) * std::size_t(half_);
        if (!shifted_ahead_) shift_batch(position_, n, half);
        if (ahead.n > 0) shift_batch(next, ahead.n, std::size_t(B) - half);
        source = &augmented_;
        batch = augmented_idx_.data() + half;
        ahead.idx = augmented_idx_.data() + (std::size_t(B) - half);
      }
      const std::int64_t step_index = std::int64_t(epoch_) * per_epoch + std::int64_t(position_ / B);
      const float lr = scheduled_lr(config_, step_index, per_epoch);
      if (pool_) pool_->set_active(governor_.threads());
      using Clock = std::chrono::steady_clock;
      const Clock::time_point started = pool_ ? Clock::now() : Clock::time_point{};
      const float ce = train_batch(params_, *source, batch, n, x_.data(), labels_.data(), lr, config_.decay, ws_,
                                   pool_.get(), slabs(), ahead, optimizer_.get());
      if (pool_) governor_.record(std::chrono::duration<double>(Clock::now() - started).count());
      w1_stale_ = slabs() != nullptr;
      // A non-finite loss (train_step returned before touching params_) or one far above a random guess's
      // log(10) = 2.3 per example: the stable softmax keeps the loss of a blown-up model finite.
      if (!std::isfinite(ce) || ce > kDivergedLoss * n) {
        mark_diverged();
        r.status = TrainStatus::Diverged;
        return r;
      }
      for (int i = 0; i < n; ++i)
        if (argmax_row(ws_.p.data() + std::size_t(i) * kClasses) == labels_[i]) ++epoch_correct_;
      labels_.swap(labels_ahead_);  // the next batch's labels, where the step listed it ahead
      if (config_.augment) {
        half_ = 1 - half_;
        shifted_ahead_ = ahead.n > 0;
      }
      epoch_ce_ += ce;
      position_ += n;
      ++r.batches;
      r.batch_loss = ce / n;
    }
    r.threads = governor_.settled();
    r.held_back = governor_.held_back();
    if (position_ == order_.size()) {
      sync_w1();
      if (!params_.all_finite()) {
        mark_diverged();
        r.status = TrainStatus::Diverged;
        return r;
      }
      end_epoch();
      r.status = finished() ? TrainStatus::Finished : TrainStatus::EpochEnded;
    }
    return r;
  }

  // Runs every remaining epoch.
  void run() {
    while (!finished()) step(1 << 30);
  }

  bool finished() const { return diverged_ || epoch_ >= config_.epochs; }
  bool diverged() const { return diverged_; }
  int epoch() const { return epoch_; }                // completed epochs
  std::size_t position() const { return position_; }  // examples done in the running epoch
  std::size_t epoch_size() const { return order_.size(); }
  const TrainConfig& config() const { return config_; }
  const Split& split() const { return split_; }
  const std::vector<EpochStats>& history() const { return history_; }
  // The current model. The reference stays valid, but its W1 is that of this call's time: copy it to
  // keep it across step() calls (the sparse step updates W1 in its own slabs and brings it here on demand).
  const Params<float>& params() {
    sync_w1();
    return params_;
  }
  int threads() const { return pool_ ? pool_->size() : 1; }
  // The threads the steps run on now (ThreadGovernor), at most threads().
  int active_threads() const { return governor_.settled(); }
  const ThreadGovernor& governor() const { return governor_; }
  // Every step on all the pool's threads from now on, the governor off (for the bench's A/B).
  void pin_threads() { governor_.pin(); }

  // With validation in pieces on, an epoch's end leaves its validation pass to validate_some(), so a caller
  // (the page's worker) can spread it over short tasks; until it is done the epoch's row of history() has
  // no validation figures, and step() first finishes it.
  void set_validation_in_pieces(bool on) { validation_in_pieces_ = on; }
  bool validation_pending() const { return !validation_.done(); }
  // Evaluates up to max_images more images of the pending validation pass; true once none is left.
  bool validate_some(std::size_t max_images) {
    if (!validation_pending()) return true;
    sync_w1();
    if (pool_) pool_->set_active(governor_.settled());
    validation_.run(params_, max_images, ws_, pool_.get());
    if (validation_pending()) return false;
    const Evaluation v = validation_.result(params_, config_.decay);
    history_.back().validation_loss = v.loss;
    history_.back().validation_accuracy = v.accuracy;
    return true;
  }

  // Evaluates the current model on images of `d` with this trainer's workspace and threads.
  Evaluation evaluate_on(const Dataset& d, const std::uint32_t* idx, std::size_t count) {
    sync_w1();
    if (pool_) pool_->set_active(governor_.settled());
    return evaluate(params_, d, idx, count, config_.decay, ws_, pool_.get());
  }

 private:
  // Where the step keeps W1 by slabs (W1Slabs::usable), they are the live W1 during training, and
  // params_.W1 is brought up to date before anything reads params_.
  W1Slabs* slabs() { return w1_slabs_.hidden() > 0 ? &w1_slabs_ : nullptr; }
  void sync_w1() {
    if (w1_stale_) w1_slabs_.unpack(params_.W1);
    w1_stale_ = false;
  }

  // Images order_[first .. first + n) shifted at random (augment.hpp) into augmented_ from image `at` on.
  void shift_batch(std::size_t first, int n, std::size_t at) {
    for (int i = 0; i < n; ++i) {
      const std::uint32_t image = order_[first + std::size_t(i)];
      shift_image(data_.image(image), random_shift(shift_rng_), augmented_.pixels.data() + (at + i) * kInputs);
      augmented_.labels[at + i] = data_.labels[image];
    }
  }

  void mark_diverged() {
    diverged_ = true;
    params_ = last_finite_;
    if (slabs()) w1_slabs_.pack(params_.W1);
    w1_stale_ = false;
  }

  void end_epoch() {
    EpochStats s;
    s.epoch = epoch_ + 1;
    const double l2 = double(config_.decay) * double(params_.weight_norm2());
    s.train_loss = epoch_ce_ / double(order_.size()) + l2;
    s.train_accuracy = double(epoch_correct_) / double(order_.size());
    history_.push_back(s);
    if (!split_.validation.empty()) {
      validation_.start(data_, split_.validation.data(), split_.validation.size());  // on params_ as they are now
      if (!validation_in_pieces_) validate_some(split_.validation.size());
    }
    ++epoch_;
    position_ = 0;
    epoch_ce_ = 0;
    epoch_correct_ = 0;
    rng_.shuffle(order_);
    last_finite_ = params_;
  }

  const Dataset& data_;
  TrainConfig config_;
  Rng rng_;
  Params<float> params_;              // W1 stale while w1_stale_ (sync_w1)
  W1Slabs w1_slabs_;                  // W1 as the sparse step keeps it; empty where not usable
  bool w1_stale_ = false;             // w1_slabs_ has updates params_.W1 has not
  std::shared_ptr<ThreadPool> pool_;  // null: one thread
  ThreadGovernor governor_;           // how many of pool_'s threads the steps use
  StepWorkspace ws_;
  AlignedVector<float> x_;                  // (batch, 784) the gathered batch, for dense kernels only (train_batch)
  std::vector<std::uint8_t> labels_;        // (batch) this step's labels
  std::vector<std::uint8_t> labels_ahead_;  // (batch) the next step's, listed ahead (train_batch's BatchAhead)
  Split split_;
  std::vector<std::uint32_t> order_;  // this epoch's order of split_.train
  std::size_t position_ = 0;
  int epoch_ = 0;
  double epoch_ce_ = 0;
  std::size_t epoch_correct_ = 0;
  Params<float> last_finite_;  // the model at the start of this epoch, known good
  bool diverged_ = false;
  std::vector<EpochStats> history_;
  EvaluationPass validation_;  // the last epoch's, pending until done (validation in pieces)
  bool validation_in_pieces_ = false;
  std::unique_ptr<OptimizerState> optimizer_;  // momentum or Adam; null for SGD
  // Augmentation: two batches of shifted images (this step's and the next's, in alternating halves),
  // their indices 0 .. 2 batch, and the stream of shifts, apart from rng_ so the shuffles stay the same.
  Rng shift_rng_;
  Dataset augmented_;
  std::vector<std::uint32_t> augmented_idx_;
  int half_ = 0;               // the half holding this step's batch
  bool shifted_ahead_ = false;  // the step before shifted this step's batch as its ahead
};

}  // namespace mnist
