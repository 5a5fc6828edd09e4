// A persistent pool for splitting one training step across threads: run(f) calls f(i) for every
// i in [0, active()) - the caller runs i = 0 - and returns when all are done; for_chunks(count, f) shares
// a loop over chunks between the threads and lets a fast thread finish a slow one's share. Workers spin
// for up to 2 ms between calls (the gaps inside a step are tens of microseconds) and then sleep on a
// condition variable, so an idle pool costs nothing. set_active(k) runs calls on the first k threads only
// (thread_governor.hpp picks k); the others sleep until they are included again.
// A part no worker has started when the caller is done with its own is run by the caller (each part is
// claimed once, by whoever comes first): a worker the OS has not scheduled yet, because another program
// holds its core, then costs the call nothing instead of stalling it until its core comes back.
// Plain std::thread: natively, and under Emscripten's pthreads in a worker.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace mnist {

// [begin, end) of `count` items for part `i` of `parts`, as even as possible.
inline std::pair<int, int> split_range(int count, int i, int parts) {
  const int base = count / parts, extra = count % parts;
  const int begin = i * base + (i < extra ? i : extra);
  return {begin, begin + base + (i < extra ? 1 : 0)};
}

class ThreadPool {
 public:
  explicit ThreadPool(int threads)
      : next_(std::max(threads, 1)), claimed_(std::max(threads, 1)), active_(std::max(threads, 1)) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_.store(true);
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    resized_.notify_all();
    for (auto& w : workers_) w.join();
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // The threads a call runs on: the caller and workers 1 .. active() - 1.
  int active() const { return active_.load(std::memory_order_relaxed); }
  // Clamped to [1, size()]. Only between calls, from the thread that makes them.
  void set_active(int threads) {
    const int k = std::max(1, std::min(threads, size()));
    if (k == active()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      active_.store(k);
    }
    resized_.notify_all();  // workers left out by the old count wait there
  }

  // Calls f(i) for i in [0, active()), in parallel; f must not throw.
  template <typename F>
  void run(F& f) {
    const int parts = active();
    if (parts == 1) return f(0);
    job_ = [](void* ctx, int i) { (*static_cast<F*>(ctx))(i); };
    ctx_ = &f;
    pending_.store(parts - 1);
    // Spinning workers see the new generation without the mutex. Only a sleeping one needs the condition
    // variable, which costs about 10 us per call in a browser worker. Both sides are seq_cst: either the
    // sleeper's count is seen here, or the sleeper sees this generation before it waits.
    const std::uint64_t generation = generation_.fetch_add(1) + 1;
    if (sleepers_.load() != 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    f(0);
    // The parts no worker has claimed yet are run here. Every worker's slot is claimed for this generation,
    // those left out too, so that a late worker never takes a part of a call that has ended.
    for (int i = 1; i < size(); ++i)
      if (claim(i, generation) && i < parts) {
        f(i);
        pending_.fetch_sub(1);
      }
    // Yield only now and then (natively, so that a worker sharing this core can run): under Emscripten,
    // sched_yield runs the thread's queue of proxied calls, and yielding on every check made a 2-thread
    // training step about 5% slower in Chromium.
    for (int checks = 0; pending_.load() != 0;)
      if (++checks == kChecksPerPause) checks = 0, std::this_thread::yield();
  }

  // Calls f(chunk, thread) once for every chunk in [0, count), on the pool's active threads; f must not
  // throw. Thread i first takes the chunks of its own even share, in order, so from call to call it touches
  // the same data, which stays in its core's cache; then it takes what the other threads have not started.
  // A thread held back (the OS ran something else on its core, its core is slower) then delays the call
  // by one chunk at most, where a fixed split waits for its whole share; and a thread that has not started
  // at all by then, not even that (run()'s claims).
  template <typename F>
  void for_chunks(int count, F&& f) {
    const int parts = active();
    const auto even = [count, parts](int i) { return split_range(count, i, parts).first; };
    for_chunks(count, even, f);
  }

  // for_chunks with the shares given: thread i's share is [first(i), first(i + 1)), where first(0) = 0,
  // first(active()) = count and first never decreases.
  template <typename First, typename F>
  void for_chunks(int count, First&& first, F&& f) {
    const int parts = active();
    for (int i = 0; i < parts; ++i) next_[i].chunk.store(first(i));
    auto job = [&](int thread) {
      for (int k = 0; k < parts; ++k) {
        const int owner = (thread + k) % parts;
        const int end = owner + 1 < parts ? first(owner + 1) : count;
        for (int c = next_[owner].chunk.fetch_add(1); c < end; c = next_[owner].chunk.fetch_add(1)) f(c, thread);
      }
    };
    run(job);  // run() publishes the counters: its generation bump is sequenced after these stores
  }

 private:
  // How long a worker spins before it sleeps: longer than the serial work between two run() calls of one
  // training step, so that waking a sleeping thread (tens of microseconds in a browser) is rare.
  static constexpr std::chrono::microseconds kSpinTime{2000};
  // Checks of an atomic between two calls out of the spin (the clock, a yield): tens of microseconds. In a
  // browser each is a call into JavaScript, and reading the clock every 1,024 checks made a 2-thread step
  // about 7% slower in Chromium.
  static constexpr int kChecksPerPause = 16384;

  bool spin_until_new(std::uint64_t seen) const {
    const auto until = std::chrono::steady_clock::now() + kSpinTime;
    for (;;) {
      for (int i = 0; i < kChecksPerPause; ++i)
        if (generation_.load() != seen) return true;
      if (std::chrono::steady_clock::now() > until) return false;
    }
  }

  // Takes part `index` of call `generation` for whoever asks first (a worker, or the caller taking back
  // what no worker started); false if it is taken. Generations only grow, so a slot behind is free.
  bool claim(int index, std::uint64_t generation) {
    std::uint64_t claimed = claimed_[index].generation.load();
    while (claimed < generation)
      if (claimed_[index].generation.compare_exchange_weak(claimed, generation)) return true;
    return false;
  }

  void work(int index) {
    std::uint64_t seen = 0;
    for (;;) {
      if (!spin_until_new(seen)) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1);
        wake_.wait(lock, [&] { return generation_.load() != seen; });
        sleepers_.fetch_sub(1);
      }
      seen = generation_.load();
      if (stop_.load()) return;
      if (index >= active()) {  // left out: sleep until set_active includes this thread again
        std::unique_lock<std::mutex> lock(mutex_);
        resized_.wait(lock, [&] { return stop_.load() || index < active(); });
        if (stop_.load()) return;
        seen = generation_.load();  // a call under way that includes it can still be joined
      }
      if (!claim(index, seen)) continue;
      job_(ctx_, index);
      pending_.fetch_sub(1);
    }
  }

  struct alignas(64) NextChunk {  // one cache line each: threads take chunks from one another's counters
    std::atomic<int> chunk{0};
  };
  struct alignas(64) Claim {  // the last generation whose part of this thread is taken
    std::atomic<std::uint64_t> generation{0};
  };

  std::vector<std::thread> workers_;
  std::vector<NextChunk> next_;  // per thread, the next chunk of its share to take
  std::vector<Claim> claimed_;   // per thread (0, the caller's, unused)
  void (*job_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};  // parts claimed by workers and not yet done
  std::atomic<int> sleepers_{0};  // workers waiting on wake_ (counted under mutex_)
  std::atomic<int> active_;       // written under mutex_ between calls
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable resized_;  // set_active: for workers left out of the calls
  std::atomic<bool> stop_{false};    // set under mutex_ with a generation bump
};

}  // namespace mnist
