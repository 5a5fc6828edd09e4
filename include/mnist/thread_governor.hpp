// Picks how many of a pool's threads the next training step uses: all of them, or one. Extra threads pay
// on an idle machine (x1.5-1.8 a step on 2 cores) but lose badly when another program keeps a core busy:
// a worker the OS deschedules stalls every phase of the step until its core comes back (a 2-thread step
// measured 29 times slower than one thread in the page then). Guessing the load is not possible, so the
// step times decide: the governor is told how long each step took on the count it asked for, now and
// then tries the other count for a few steps (a probe), and keeps whichever ran faster per step. A probe
// that loses waits twice as long before the next one (0.25 s up to 8 s of training), so probing costs
// about 1 % where the other count never pays; a probe stops at the first step that shows it cannot win.
// The risks are not even: a stalled step on more threads costs as much as dozens of good ones, one
// thread at worst forgoes the x1.5-1.8. So it starts on one thread, moves to more only when they are
// clearly faster (10 %), leaves them at the first stalled step, and each time they stall after a move
// it waits twice as long before trying them again (a load that comes and goes then costs little).
// No clock here: the caller measures (trainer.hpp), so tests can feed it any times.
#pragma once

#include <algorithm>

namespace mnist {

class ThreadGovernor {
 public:
  struct Options {
    int measure_steps = 4;          // steps timed on a count before it is compared with the other
    int probe_steps = 8;            // timed steps of a probe, after one untimed step to wake up
    double first_interval = 0.25;   // seconds of training before the first probe of a count
    double max_interval = 8.0;      // the longest wait after lost probes
    double margin_up = 0.10;        // how much faster per step more threads must be to move to them
    double margin_down = 0.03;      // and one thread to move back to it
    double hopeless_step = 4;       // a step this many times the other count's mean: a stall
    double average_weight = 1.0 / 16;  // of a new step in the running mean of the current count
  };

  explicit ThreadGovernor(int most) : ThreadGovernor(most, Options{}) {}
  ThreadGovernor(int most, const Options& options)
      : options_(options),
        most_(std::max(1, most)),
        up_interval_(options.first_interval),
        down_interval_(options.first_interval) {}

  // The threads the next step should run on.
  int threads() const { return probing_ ? other() : current_; }
  // From now on every step runs on all the threads, whatever the step times say (the bench's A/B of the
  // governor against a fixed count).
  void pin() {
    pinned_ = true;
    probing_ = false;
    current_ = most_;
  }
  // The count it trains on when not probing, and whether a probe is under way.
  int settled() const { return current_; }
  bool probing() const { return probing_; }
  // Mean seconds per step on the current count, and on the other at its last probe (negative: not measured).
  double current_step_seconds() const { return current_seconds_; }
  double other_step_seconds() const { return other_seconds_; }

  // The step just run on threads() took `seconds`.
  void record(double seconds) {
    if (most_ == 1 || pinned_) return;
    if (probing_) return record_probe(seconds);
    since_probe_ += seconds;
    if (warming_) {  // the first step after a change of count: threads waking, caches of the other layout
      warming_ = false;
      return;
    }
    current_seconds_ = current_seconds_ < 0 ? seconds : current_seconds_ + options_.average_weight * (seconds - current_seconds_);
    ++timed_;
    // Probe when the other count has never been timed, when it is due, or at once when this count has
    // become slower than the other was last time (the load changed since), or stalled.
    const bool never = other_seconds_ < 0;
    const bool due = since_probe_ >= interval();
    const bool overtaken = !never && current_seconds_ > other_seconds_ * (1 + margin());
    const bool stalled = on_more() && !never && seconds > options_.hopeless_step * other_seconds_;
    if (stalled || (timed_ >= options_.measure_steps && (never || due || overtaken))) start_probe();
  }

 private:
  int other() const { return current_ == most_ ? 1 : most_; }
  bool on_more() const { return current_ == most_; }
  // Between probes, and the margin a probe must win by: of one thread while on more, of more while on one.
  double interval() const { return on_more() ? down_interval_ : up_interval_; }
  double margin() const { return on_more() ? options_.margin_down : options_.margin_up; }

  void start_probe() {
    probing_ = true;
    probe_steps_ = 0;
    probe_total_ = 0;
    probe_timed_ = 0;
  }

  void record_probe(double seconds) {
    probe_total_ += seconds;
    if (probe_steps_++ > 0) probe_timed_ += seconds;
    // It cannot win once it has spent what the whole probe may spend, and a stalled step (a thread without
    // a core) ends it at once: each more such step would cost as much as several good ones.
    const bool hopeless = probe_total_ > (options_.probe_steps + 1) * current_seconds_ ||
                          seconds > options_.hopeless_step * current_seconds_;
    if (!hopeless && probe_steps_ <= options_.probe_steps) return;
    probing_ = false;
    since_probe_ = 0;
    timed_ = 0;
    warming_ = true;
    const double mean = probe_steps_ > 1 ? probe_timed_ / (probe_steps_ - 1) : probe_total_;
    const auto twice = [this](double& wait) { wait = std::min(options_.max_interval, 2 * wait); };
    if (!hopeless && mean < current_seconds_ * (1 - margin())) {  // switch
      const bool down = on_more();
      other_seconds_ = current_seconds_;
      current_seconds_ = mean;
      current_ = other();
      if (down)
        twice(up_interval_);  // more threads turned slow: wait longer before trying them again
      else
        down_interval_ = options_.first_interval;  // one thread's probes are cheap: check soon
    } else {
      other_seconds_ = mean;
      twice(on_more() ? down_interval_ : up_interval_);
      // More threads held against a probe of one: the load that sent them away is likely gone.
      if (on_more()) up_interval_ = std::max(options_.first_interval, up_interval_ / 2);
    }
  }

  Options options_;
  int most_;
  int current_ = 1;                // the count it trains on
  bool pinned_ = false;            // pin(): always most_
  bool probing_ = false;           // the steps run on other()
  bool warming_ = false;           // the next step on current_ is not timed (it follows a probe or a switch)
  int timed_ = 0;                  // steps timed on current_ since the last probe
  double current_seconds_ = -1;    // running mean per step on current_
  double other_seconds_ = -1;      // per step on other(), at the last probe
  double since_probe_ = 0;         // seconds of training since the last probe
  double up_interval_;             // seconds of training on one thread between probes of more
  double down_interval_;           // and on more threads between probes of one
  int probe_steps_ = 0;            // steps of the probe so far
  double probe_total_ = 0;         // their time
  double probe_timed_ = 0;         // their time but the first's
};

}  // namespace mnist
