// Part of `npm run bench`: do this machine's two cores have a cache each, or do they share one? The
// threaded training step splits W1 (784 x 256 floats, 802 KB) between the threads, so each thread streams
// about 400 KB per pass; that only scales if each core's L2 holds its own half. The probe streams
// y = 0.999 y + x over a private working set per thread, alone and on two threads at once, for a set
// that fits a 512 KB L2 twice over (200 KB) and one that fits once (400 KB). Two cores with their own L2
// take the same time alone and together at both sizes; two hardware threads of one core (SMT siblings,
// shown to a VM's guest as separate CPUs) slow down together: they share the core's cache bandwidth, and
// at 400 KB each their two sets no longer fit its L2.
// Prints one JSON line: per size, the median of `rounds` microseconds per pass, alone and together.
// Usage: cache_probe [rounds=7]. Built by scripts/bench.sh with g++ -O3 -march=native.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

// Microseconds per pass of y = 0.999 y + x over n floats each, averaged over `passes`.
double stream(float* y, const float* x, int n, int passes) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int p = 0; p < passes; ++p)
    for (int i = 0; i < n; ++i) y[i] = 0.999f * y[i] + x[i];
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / passes;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Timing {
  double alone, together;
};

// One thread alone, then two threads started together on separate working sets of `kb` KB each.
Timing probe(int kb, int rounds) {
  const int n = kb * 1024 / 8;                    // y and x: two arrays of n floats = kb KB per thread
  const int passes = std::max(20, 40000000 / n);  // about 10 ms per timing
  std::vector<float> a(n, 1.0f), b(n, 1.0f), c(n, 1.0f), d(n, 1.0f);
  std::vector<double> alone, together;
  stream(a.data(), b.data(), n, passes);  // warm the cache
  for (int r = 0; r < rounds; ++r) {
    alone.push_back(stream(a.data(), b.data(), n, passes));
    std::atomic<int> ready{0};
    double other = 0;
    std::thread t([&] {
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      other = stream(c.data(), d.data(), n, passes);
    });
    ready.fetch_add(1);
    while (ready.load() < 2) {
    }
    const double mine = stream(a.data(), b.data(), n, passes);
    t.join();
    together.push_back(std::max(mine, other));
  }
  return {median(alone), median(together)};
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  const Timing small = probe(200, rounds), large = probe(400, rounds);
  std::printf(
      "{\"kb_per_thread\":[200,400],\"alone_us\":[%.2f,%.2f],\"together_us\":[%.2f,%.2f],"
      "\"hardware_threads\":%u}\n",
      small.alone, large.alone, small.together, large.together, std::thread::hardware_concurrency());
}
