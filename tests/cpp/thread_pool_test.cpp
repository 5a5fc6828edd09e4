// The pool runs every part exactly once per call, across many back-to-back calls, after sleeping and
// while falling asleep, and for_chunks runs every chunk once, with a free thread taking over a busy one's
// share.
#include "mnist/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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
