// The governor's decisions, fed made-up step times (no clock, no threads): it leaves the extra threads
// when they run the steps slower, returns to them when they pay again, backs off between probes that
// lose, and stops a probe at the first step that shows it cannot win.
#include "mnist/thread_governor.hpp"

#include <gtest/gtest.h>

#include <functional>

using namespace mnist;

namespace {
// Runs `steps` steps, each taking seconds_on(threads) on the count the governor asks for. Returns the
// steps run on each count ([1] and [2]) and the total time.
struct Tally {
  int on[3] = {0, 0, 0};
  double seconds = 0;
};
Tally run(ThreadGovernor& g, int steps, const std::function<double(int)>& seconds_on) {
  Tally t;
  for (int i = 0; i < steps; ++i) {
    const int threads = g.threads();
    ++t.on[threads];
    const double s = seconds_on(threads);
    t.seconds += s;
    g.record(s);
  }
  return t;
}
// An idle 2-core machine: 2 threads 1.6 times as fast. One core busy: 2 threads 29 times slower.
double idle(int threads) { return threads == 2 ? 250e-6 : 400e-6; }
double busy(int threads) { return threads == 2 ? 11.6e-3 : 400e-6; }
}  // namespace

TEST(ThreadGovernor, OneThreadNeverProbes) {
  ThreadGovernor g(1);
  const Tally t = run(g, 1000, [](int) { return 1e-3; });
  EXPECT_EQ(t.on[1], 1000);
  EXPECT_EQ(g.settled(), 1);
}

TEST(ThreadGovernor, StartsOnOneThreadAndMovesToEveryThreadWhenTheyPay) {
  ThreadGovernor g(2);
  EXPECT_EQ(g.threads(), 1);
  const Tally first = run(g, 20, idle);
  EXPECT_EQ(g.settled(), 2);
  EXPECT_LE(first.on[1], 5);  // the first measurement (4 steps) and the step back after the probe
  const Tally t = run(g, 40000, idle);  // 10 s of training
  EXPECT_EQ(g.settled(), 2);
  // Probes of one thread, backed off to 8 s: a few dozen steps in 40,000.
  EXPECT_GT(t.on[1], 0);
  EXPECT_LT(t.on[1], 100);
  EXPECT_NEAR(g.other_step_seconds(), 400e-6, 1e-9);
}

TEST(ThreadGovernor, StaysOnOneThreadWhenTheOthersAreSlower) {
  ThreadGovernor g(2);
  const Tally first = run(g, 20, busy);
  EXPECT_EQ(g.settled(), 1);
  EXPECT_EQ(first.on[2], 1);  // the probe stops at its first, stalled, step
  // The rest of a 10 s run: the probes back to 2 threads stop at their first step and back off, so the
  // run costs at most a few percent more than one thread all along (the bound is 10 %).
  const Tally rest = run(g, 16000, busy);
  EXPECT_EQ(g.settled(), 1);
  EXPECT_GT(rest.on[2], 0);  // it keeps checking
  EXPECT_LT(rest.seconds, 1.03 * 16000 * busy(1));
}

TEST(ThreadGovernor, LeavesTheExtraThreadsWhenTheyTurnSlower) {
  ThreadGovernor g(2);
  run(g, 20, idle);
  ASSERT_EQ(g.settled(), 2);
  // The load arrives: the next probe of one thread wins (and the step times say so at once, below).
  run(g, 30, busy);
  EXPECT_EQ(g.settled(), 1);
}

TEST(ThreadGovernor, StopsAProbeAtItsFirstHopelessStep) {
  ThreadGovernor g(2);
  run(g, 20, busy);
  ASSERT_EQ(g.settled(), 1);
  // Run until the next probe starts, then give it one stalled step: the probe ends there.
  int guard = 0;
  while (!g.probing() && ++guard < 100000) g.record(busy(1));
  ASSERT_TRUE(g.probing());
  g.record(busy(2));
  EXPECT_FALSE(g.probing());
  EXPECT_EQ(g.threads(), 1);
}

TEST(ThreadGovernor, BacksOffBetweenLostProbes) {
  ThreadGovernor g(2);
  run(g, 20, busy);
  ASSERT_EQ(g.settled(), 1);
  // Seconds of training between the starts of successive probes: doubling from 0.25 s, capped at 8 s.
  std::vector<double> gaps;
  double since = 0;
  bool was_probing = false;
  for (int i = 0; i < 200000 && gaps.size() < 8; ++i) {
    const bool probing = g.probing();
    if (probing && !was_probing) gaps.push_back(since), since = 0;
    was_probing = probing;
    const double s = busy(g.threads());
    since += s;
    g.record(s);
  }
  ASSERT_EQ(gaps.size(), 8u);
  // Twice the last after each lost probe (the first lost in the first 20 steps: 0.25 s), up to 8 s, plus
  // the probe's own step.
  const double want[] = {0.5, 1, 2, 4, 8, 8, 8, 8};
  EXPECT_LE(gaps[0], want[0] + 0.03);
  for (std::size_t i = 1; i < gaps.size(); ++i) {
    EXPECT_GE(gaps[i], want[i]) << i;
    EXPECT_LE(gaps[i], want[i] + 0.03) << i;
  }
}

TEST(ThreadGovernor, ReturnsToEveryThreadWhenTheCoreIsFreeAgain) {
  ThreadGovernor g(2);
  run(g, 16000, busy);  // long enough for the probes to have backed off to 8 s
  ASSERT_EQ(g.settled(), 1);
  // The other program ends: within one probe interval (at most 8 s of training) it is back on 2 threads.
  const int within = int(8.0 / idle(1)) + 100;
  int steps = 0;
  while (g.settled() != 2 && steps < within) g.record(idle(g.threads())), ++steps;
  EXPECT_EQ(g.settled(), 2);
  EXPECT_LT(steps, within);
}

TEST(ThreadGovernor, LeavesAtOnceWhenTheLoadArrivesMidRun) {
  ThreadGovernor g(2);
  run(g, 40000, idle);  // probes backed off to 8 s
  ASSERT_EQ(g.settled(), 2);
  // The current count turning slower than the other's last time starts a probe without waiting.
  const Tally t = run(g, 10, busy);
  EXPECT_EQ(g.settled(), 1);
  EXPECT_LE(t.on[2], 1);
}

TEST(ThreadGovernor, KeepsTheCountWhenTheOtherIsNotClearlyFaster) {
  ThreadGovernor g(2);
  // 1 % apart, either way: within the margin, so it stays on the count it started on.
  run(g, 20000, [](int threads) { return threads == 2 ? 400e-6 : 396e-6; });
  EXPECT_EQ(g.settled(), 1);
  ThreadGovernor h(2);
  run(h, 20000, [](int threads) { return threads == 2 ? 396e-6 : 400e-6; });
  EXPECT_EQ(h.settled(), 1);
}

TEST(ThreadGovernor, WaitsLongerEachTimeMoreThreadsStallAfterAMove) {
  // A load that lets every probe of 2 threads run fast and then stalls them: each move to 2 threads
  // costs a stalled step, and the waits before the next try double, so 16 s of training pay a few.
  ThreadGovernor g(2);
  int stalled = 0;
  double seconds = 0;
  for (int i = 0; i < 40000; ++i) {
    double s = 400e-6;
    if (g.threads() == 2) s = g.probing() ? 250e-6 : (++stalled, 11.6e-3);
    seconds += s;
    g.record(s);
  }
  EXPECT_GE(stalled, 3);
  EXPECT_LE(stalled, 12);
  EXPECT_LT(seconds, 1.05 * 40000 * 400e-6);
}

TEST(ThreadGovernor, PinnedRunsEveryStepOnAllThreadsWhateverTheTimes) {
  ThreadGovernor g(2);
  run(g, 20, busy);
  ASSERT_EQ(g.settled(), 1);
  g.pin();
  // Slower on 2 threads all along, and no probe of one thread: the bench's fixed count to compare with.
  const Tally t = run(g, 16000, busy);
  EXPECT_EQ(t.on[2], 16000);
  EXPECT_EQ(g.settled(), 2);
  EXPECT_FALSE(g.probing());
}
