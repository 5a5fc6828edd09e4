// The pool runs every part exactly once per call, across many back-to-back calls and after sleeping.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "mnist/thread_pool.hpp"

using namespace mnist;

TEST(ThreadPool, RunsEveryPartOncePerCall) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    std::vector<int> hits(threads, 0);
    auto job = [&](int i) { ++hits[i]; };
    for (int call = 0; call < 5000; ++call) pool.run(job);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let workers fall asleep
    pool.run(job);
    for (int i = 0; i < threads; ++i) EXPECT_EQ(hits[i], 5001) << "part " << i << " of " << threads;
  }
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
