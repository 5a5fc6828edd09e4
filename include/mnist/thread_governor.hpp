// Picks how many of a pool's threads the next training step uses: all of them, or one. Extra threads pay
// on an idle machine (x1.3-1.8 a step on 2 cores) but lose badly when another program keeps a core busy:
// a worker the OS deschedules stalls every phase of the step until its core comes back (a 2-thread step
// measured 29 times slower than one thread in the page then). Guessing the load is not possible, so the
// step times decide: the governor is told how long each step took on the count it asked for, keeps a
// running seconds-per-step of the count it trains on, now and then tries the other count for a while (a
// probe), and keeps whichever ran faster per step.
//
// Everything is measured over time, not over a number of steps, because the stalls that matter are
// rare and long: in the page, the main thread's tasks (drawing, messages) take one of the two cores for
// 1-10 ms about every 50 ms, and each such task stalls the 2-thread step it lands on (measured: 1 step in
// 85 on 2 threads took over 0.5 ms, and they cost 11 % of the steps' time), while one thread leaves
// that core to the main thread. Judged step by step, every such stall looks like a busy core; judged
// over a tenth of a second, 2 threads still run x1.3 faster there, and a busy core (every step stalled)
// shows within a few of its steps. So the running figure is the seconds per step over about the last
// `window` seconds of training, stalls included (the throughput a user sees), and a probe runs for
// `probe_seconds` of training.
//
// The risks are not even: a stalled step on more threads costs as much as dozens of good ones, one
// thread at worst forgoes the x1.3-1.8. So it starts on one thread and moves to more only when they are
// clearly faster (10 %), and back only when one thread is as clearly faster (the page's drawing moves
// the running figure by several percent). It ends a probe once it has cost `stall_budget` more in all,
// or its unstalled steps `probe_slack` more, than the current count would have; and each time more
// threads turn slow after a move it waits twice as long before trying them again. A probe that loses
// waits twice as long before the next one (0.25 s up to 8 s of training), so probing costs a few percent
// at most where the other count never pays (2 % over 6 s with one core busy, each lost probe's two
// stalled steps 23 ms).
// No clock here: the caller measures (trainer.hpp), so tests can feed it any times.
#pragma once

#include <algorithm>
#include <cmath>

namespace mnist {

class ThreadGovernor {
 public:
  struct Options {
    int measure_steps = 4;          // steps timed on a count before it is compared with the other
    double window = 0.15;           // seconds of training the running seconds-per-step mostly covers
    double probe_seconds = 0.04;    // training time of a probe, after one untimed step to wake up
    int probe_min_steps = 8;        // and at least this many timed steps
    double probe_slack = 0.01;      // a probe whose unstalled steps cost this much more than the current count's ends
    double stall_factor = 4;        // a probe's step this many times the current count's is a stall
    double stall_budget = 0.02;     // a probe that has cost this much more than the current count ends
    double first_retry = 0.1;       // seconds of training before a second try if the first probe of more loses
    double first_interval = 0.25;   // seconds of training before the first probe of a count
    double max_interval = 8.0;      // the longest wait after lost probes
    double margin_up = 0.10;        // how much faster per step more threads must be to move to them
    double margin_down = 0.10;      // and one thread to move back to it
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
  // Whether it trains on fewer threads than it has because more were measured slower: a third probe of
  // more lost in a row, or one of fewer won. The page tells its user that other cores are busy only then:
  // a run starts on one thread before anything is measured, and its first two probes meet the page drawing
  // the new run (both lost to 20-28 ms of stalls in one of four page runs of the subset).
  bool held_back() const { return current_ < most_ && held_back_; }
  bool probing() const { return probing_; }
  // Seconds per step on the current count over about the last `window` seconds (negative: not measured
  // yet), and on the other at its last probe (negative: never probed).
  double current_step_seconds() const { return steps_ > 0 ? seconds_ / steps_ : -1; }
  double other_step_seconds() const { return other_seconds_; }

  // What it did so far: steps and their seconds on one thread [0] and on more [1] (probes included),
  // probes started, and switches of the settled count. For profiles and the bench, not for decisions.
  struct Probe {
    double at = 0;       // seconds of training when it ended
    int threads = 0;     // the count it tried
    int steps = 0;       // its steps, and the mean of those it was judged on, against the current count's
    double mean = 0, current = 0;
    double stalled = 0;  // seconds of its stalled steps
    bool won = false;
  };
  struct Tally {
    long steps[2] = {0, 0};
    double seconds[2] = {0, 0};
    long probes = 0;
    long switches = 0;
    Probe first[8];      // the run's first probes, how each went
  };
  const Tally& tally() const { return tally_; }

  // The step just run on threads() took `seconds`.
  void record(double seconds) {
    const int more = threads() > 1;
    ++tally_.steps[more];
    tally_.seconds[more] += seconds;
    if (most_ == 1 || pinned_) return;
    if (probing_) return record_probe(seconds);
    since_probe_ += seconds;
    if (warming_) {  // the first step after a change of count: threads waking, caches of the other layout
      warming_ = false;
      return;
    }
    // Seconds and steps, each decayed by how much training time has passed since: their ratio is the
    // seconds per step over about the last `window` seconds, however short or long the steps were.
    const double keep = std::exp(-seconds / options_.window);
    seconds_ = seconds_ * keep + seconds;
    steps_ = steps_ * keep + 1;
    ++timed_;
    if (timed_ < options_.measure_steps) return;
    // Probe when the other count has never been timed, when it is due, or at once when this count has
    // become slower than the other was last time (the load changed since).
    const bool never = other_seconds_ < 0;
    const bool due = since_probe_ >= interval();
    const bool overtaken = !never && current_step_seconds() > other_seconds_ * (1 + margin());
    if (never || due || overtaken) start_probe();
  }

 private:
  int other() const { return current_ == most_ ? 1 : most_; }
  bool on_more() const { return current_ == most_; }
  // Between probes, and the margin a probe must win by: of one thread while on more, of more while on one.
  double interval() const { return on_more() ? down_interval_ : up_interval_; }
  double margin() const { return on_more() ? options_.margin_down : options_.margin_up; }

  void start_probe() {
    probing_ = true;
    ++tally_.probes;
    probe_steps_ = 0;
    probe_total_ = 0;
    probe_timed_ = 0;
    probe_judged_ = 0;
    probe_stalled_ = 0;
  }

  // A probe is judged on its steps but the first (threads waking) and its stalls: steps that took
  // `stall_factor` times the current count's. The page's main thread takes a core for 5-20 ms now and
  // then (a frame), stalling the 2-thread steps meanwhile, and a 40-ms probe that met one lost. A busy
  // core stalls every step: a probe that has cost `stall_budget` more than the current count would have
  // (its stalls less what its other steps saved), or whose unstalled steps have cost `probe_slack` more,
  // ends at once. The stalls it forgave still count after a switch: the running figure includes every
  // step, so a count that is slower after all is left soon.
  void record_probe(double seconds) {
    probe_total_ += seconds;
    const double current = current_step_seconds();
    const bool waking = probe_steps_++ == 0;
    if (seconds > options_.stall_factor * current) {
      probe_stalled_ += seconds;
    } else if (!waking) {
      probe_timed_ += seconds;
      ++probe_judged_;
    }
    const bool hopeless = probe_total_ > probe_steps_ * current + options_.stall_budget ||
                          probe_timed_ > probe_judged_ * current + options_.probe_slack;
    const bool long_enough = probe_timed_ >= options_.probe_seconds && probe_judged_ >= options_.probe_min_steps;
    if (!hopeless && !long_enough) return;
    probing_ = false;
    since_probe_ = 0;
    timed_ = 0;
    warming_ = true;
    const double mean = probe_judged_ > 0 ? probe_timed_ / probe_judged_ : probe_total_;
    const auto twice = [this](double& wait) { wait = std::min(options_.max_interval, 2 * wait); };
    const bool won = !hopeless && mean < current * (1 - margin());
    if (tally_.probes <= 8)
      tally_.first[tally_.probes - 1] = {tally_.seconds[0] + tally_.seconds[1], other(), probe_steps_, mean, current, probe_stalled_, won};
    if (won) {  // switch
      const bool down = on_more();
      other_seconds_ = current;
      seconds_ = probe_timed_;  // the new count's running figure starts from the probe
      steps_ = probe_judged_;
      current_ = other();
      held_back_ = down;
      lost_up_ = 0;
      ++tally_.switches;
      if (down)
        twice(up_interval_);  // more threads turned slow: wait longer before trying them again
      else
        // One thread's probes are cheap: check soon. (Not sooner: 0.1 s after a move at the run's start,
        // the start's drawing still inflated the running figure of 2 threads, and one thread won.)
        down_interval_ = options_.first_interval;
    } else {
      other_seconds_ = hopeless ? std::max(mean, probe_total_ / probe_steps_) : mean;
      if (!on_more() && ++lost_up_ >= 3) held_back_ = true;
      if (tally_.probes == 1) {
        // The first probe of more threads meets the run's start (the page's main thread draws the new
        // run for about 0.1 s, and every buffer is cold): it lost in half the page's runs, which then
        // trained half a second on one thread. A second try comes soon; the backing off starts there.
        since_probe_ = up_interval_ - options_.first_retry;
      } else {
        twice(on_more() ? down_interval_ : up_interval_);
        // More threads held against a probe of one: the load that sent them away is likely gone.
        if (on_more()) up_interval_ = std::max(options_.first_interval, up_interval_ / 2);
      }
    }
  }

  Options options_;
  Tally tally_;
  int most_;
  int current_ = 1;                // the count it trains on
  bool pinned_ = false;            // pin(): always most_
  bool probing_ = false;           // the steps run on other()
  bool held_back_ = false;         // held_back(): current_ is fewer than most_ by a measurement
  int lost_up_ = 0;                // probes of more lost in a row
  bool warming_ = false;           // the next step on current_ is not timed (it follows a probe or a switch)
  int timed_ = 0;                  // steps timed on current_ since the last probe
  double seconds_ = 0;             // decayed seconds of current_'s recent steps
  double steps_ = 0;               // and decayed count of them
  double other_seconds_ = -1;      // per step on other(), at the last probe
  double since_probe_ = 0;         // seconds of training since the last probe
  double up_interval_;             // seconds of training on one thread between probes of more
  double down_interval_;           // and on more threads between probes of one
  int probe_steps_ = 0;            // steps of the probe so far
  double probe_total_ = 0;         // their time
  double probe_timed_ = 0;         // the time of the steps it is judged on: not the first, no stalls
  int probe_judged_ = 0;           // and their count
  double probe_stalled_ = 0;       // the time of its stalled steps
};

}  // namespace mnist
