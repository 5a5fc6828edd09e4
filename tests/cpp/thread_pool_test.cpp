// The pool runs every part exactly once per call, across many back-to-back calls, after sleeping and
// while falling asleep, and for_chunks runs every chunk once, with a free thread taking over a busy one's
// share.
#include "mnist/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using namespace mnist;

TEST(ThreadPool, RunsEveryPartOncePerCall) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    std::vector<int> hits(threads, 0);
    auto job = [&](int i) { ++hits[i]; };
    for (int call = 0; call < 1000; ++call) pool.run(job);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let workers fall asleep
    pool.run(job);
    for (int i = 0; i < threads; ++i) EXPECT_EQ(hits[i], 1001) << "part " << i << " of " << threads;
  }
}

// Calls spaced around the workers' spin time, so some land while a worker is between spinning and
// sleeping: a lost wake-up would hang here (run() skips the condition variable when no worker sleeps).
TEST(ThreadPool, WakesWorkersThatAreFallingAsleep) {
  ThreadPool pool(2);
  std::atomic<int> hits{0};
  auto job = [&](int) { hits.fetch_add(1); };
  for (int call = 0; call < 200; ++call) {
    std::this_thread::sleep_for(std::chrono::microseconds(1800 + 2 * call));  // 1.8 to 2.2 ms
    pool.run(job);
  }
  EXPECT_EQ(hits.load(), 400);
}

TEST(ThreadPool, SplitsARangeEvenlyAndCompletely) {
  for (int parts : {1, 2, 3, 7})
    for (int count : {0, 1, 5, 784}) {
      int next = 0;
      for (int i = 0; i < parts; ++i) {
        const auto [begin, end] = split_range(count, i, parts);
        EXPECT_EQ(begin, next);
        EXPECT_LE(end - begin, count / parts + 1);
        next = end;
      }
      EXPECT_EQ(next, count);
    }
}

TEST(ThreadPool, ForChunksRunsEveryChunkOnceWithAValidThread) {
  for (int threads : {1, 2, 3})
    for (int count : {0, 1, 2, 5, 16, 49}) {
      ThreadPool pool(threads);
      std::vector<std::atomic<int>> hits(count);
      std::atomic<int> bad_thread{0};
      for (int call = 0; call < 50; ++call)
        pool.for_chunks(count, [&](int c, int thread) {
          hits[c].fetch_add(1);
          if (thread < 0 || thread >= threads) bad_thread.fetch_add(1);
        });
      for (int c = 0; c < count; ++c) EXPECT_EQ(hits[c].load(), 50) << threads << " threads, chunk " << c;
      EXPECT_EQ(bad_thread.load(), 0);
    }
}

// A thread held up in a chunk does not hold up the rest of its share: the other thread finishes it. The
// thread that takes chunk 0 (normally the caller, whose share it starts) waits there until every other
// chunk is done, which only happens if the other thread takes the rest of that share; the wait gives up
// after 5 s so that a failure cannot hang the suite.
TEST(ThreadPool, ForChunksLetsAFreeThreadFinishABusyOnesShare) {
  ThreadPool pool(2);
  const int count = 16;
  std::atomic<int> done{0};
  std::vector<int> ran_on(count, -1);
  bool others_finished = false;
  pool.for_chunks(count, [&](int c, int thread) {
    if (c == 0) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (done.load() < count - 1 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
      others_finished = done.load() == count - 1;
    }
    ran_on[c] = thread;
    done.fetch_add(1);
  });
  EXPECT_TRUE(others_finished);
  for (int c = 1; c < count; ++c) EXPECT_NE(ran_on[c], ran_on[0]) << "chunk " << c;
}

// With an active count, a call runs parts [0, active()) only, each once, and the threads left out run
// nothing; changing the count back and forth between calls, asleep or not, never hangs or loses a part.
TEST(ThreadPool, RunsOnTheActiveThreadsOnly) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.active(), 3);
  std::vector<std::atomic<int>> hits(3);
  auto job = [&](int i) { hits[i].fetch_add(1); };
  int expected[3] = {0, 0, 0};
  const int counts[] = {1, 3, 2, 1, 2, 3, 3, 1, 2, 2};
  for (int round = 0; round < 200; ++round) {
    const int k = counts[round % 10];
    pool.set_active(k);
    EXPECT_EQ(pool.active(), k);
    for (int call = 0; call < 20; ++call) {
      pool.run(job);
      for (int i = 0; i < k; ++i) ++expected[i];
    }
    if (round % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // let workers sleep
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(hits[i].load(), expected[i]) << "part " << i;
  pool.set_active(0);
  EXPECT_EQ(pool.active(), 1);
  pool.set_active(9);
  EXPECT_EQ(pool.active(), 3);
}

TEST(ThreadPool, ForChunksOnTheActiveThreadsRunsEveryChunkOnce) {
  ThreadPool pool(3);
  for (int k : {1, 2, 3, 2, 1})
    for (int count : {0, 1, 7, 49}) {
      pool.set_active(k);
      std::vector<std::atomic<int>> hits(count);
      std::atomic<int> bad_thread{0};
      for (int call = 0; call < 50; ++call)
        pool.for_chunks(count, [&](int c, int thread) {
          hits[c].fetch_add(1);
          if (thread < 0 || thread >= k) bad_thread.fetch_add(1);
        });
      for (int c = 0; c < count; ++c) EXPECT_EQ(hits[c].load(), 50) << k << " active, chunk " << c;
      EXPECT_EQ(bad_thread.load(), 0);
    }
}

// Threads left out by the active count sleep: on one active thread a call never wakes a worker, and with
// the workers asleep their parts, when included again, still run.
TEST(ThreadPool, ThreadsLeftOutRunNothing) {
  ThreadPool pool(2);
  std::atomic<int> on_worker{0};
  auto job = [&](int i) {
    if (i != 0) on_worker.fetch_add(1);
  };
  pool.run(job);
  EXPECT_EQ(on_worker.load(), 1);
  pool.set_active(1);
  for (int call = 0; call < 1000; ++call) pool.run(job);
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(on_worker.load(), 1);
  pool.set_active(2);
  pool.run(job);
  EXPECT_EQ(on_worker.load(), 2);
}

// A part no worker has started when the caller is done with its own is run by the caller (so a worker
// that has no core yet does not hold the call up); otherwise by its own worker; never by both, never by
// another thread. Stressed with calls that find the workers spinning, waking up, asleep or left out, and
// parts of uneven length, so both sides win the claim many times (which wins is up to the scheduler).
TEST(ThreadPool, EachPartRunsOnceOnItsWorkerOrOnTheCaller) {
  ThreadPool pool(3);
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<std::thread::id> worker_of(3);  // the thread that ran part i when it was not the caller
  std::vector<std::atomic<int>> runs(3), on_caller(3);
  std::atomic<int> wrong_thread{0};
  std::mutex seen;
  auto job = [&](int i) {
    runs[i].fetch_add(1);
    if (std::this_thread::get_id() == caller) {
      on_caller[i].fetch_add(1);
    } else {
      std::lock_guard<std::mutex> lock(seen);
      if (worker_of[i] == std::thread::id()) worker_of[i] = std::this_thread::get_id();
      if (worker_of[i] != std::this_thread::get_id() || i == 0) wrong_thread.fetch_add(1);
    }
    for (volatile int spin = 0; spin < (i == 0 ? 2000 : 50);) spin = spin + 1;  // the caller's part is longer
  };
  int expected[3] = {0, 0, 0};
  for (int call = 0; call < 3000; ++call) {
    const int k = 1 + call % 3;
    pool.set_active(k);
    pool.run(job);
    for (int i = 0; i < k; ++i) ++expected[i];
    if (call % 500 == 499) std::this_thread::sleep_for(std::chrono::milliseconds(4));  // workers fall asleep
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(runs[i].load(), expected[i]) << "part " << i;
  EXPECT_EQ(on_caller[0].load(), expected[0]);
  EXPECT_EQ(wrong_thread.load(), 0);
}

// A call right after the workers fell asleep: the caller may finish every chunk before a worker wakes
// and then runs the worker's (empty) part itself. Whichever way it goes, every chunk runs once.
TEST(ThreadPool, ACallCompletesWithoutWaitingForASleepingWorker) {
  ThreadPool pool(2);
  for (int round = 0; round < 20; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));  // past the workers' 2 ms spin
    std::vector<std::atomic<int>> hits(100);
    pool.for_chunks(100, [&](int c, int) { hits[c].fetch_add(1); });
    for (int c = 0; c < 100; ++c) ASSERT_EQ(hits[c].load(), 1) << c;
  }
}
