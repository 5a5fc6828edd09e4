// Benchmark of one training step at 784-256-10 batch 32: network.hpp's Eigen
// reference (forward + backward + sgd_update) against train_step (SGD, and with
// momentum and Adam's dense updates, whose kernels are timed alone too), on random
// pixels and, when an MNIST image file is at hand, on real images (mostly zero:
// the SIMD kernels skip zero inputs); then each product on its own. Usage:
// step_bench [batch] [hidden] [train-images-idx3-ubyte]. Built four ways by
// scripts/bench-kernels.sh.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "mnist/train_step.hpp"

using namespace mnist;
using Clock = std::chrono::steady_clock;

// A browser without cross-origin isolation coarsens performance.now() (here to
// about 1 ms): its build passes -DBENCH_ROUND_SECONDS=0.03 so one tick is a
// small part of a round.
#ifndef BENCH_ROUND_SECONDS
#define BENCH_ROUND_SECONDS 5e-3
#endif

namespace {

// Best seconds per call: the minimum over 100 short rounds, because the machine
// is shared and a mean would measure the other processes as much as the kernel.
double time_call(const std::function<void()>& f) {
  f();
  int reps = 1;
  for (;;) {
    const auto t0 = Clock::now();
    for (int i = 0; i < reps; ++i) f();
    if (std::chrono::duration<double>(Clock::now() - t0).count() > BENCH_ROUND_SECONDS) break;
    reps *= 2;
  }
  double best = 1e30, total = 0;
  for (int round = 0; round < 1000 && total < 100 * BENCH_ROUND_SECONDS; ++round) {
    const auto t0 = Clock::now();
    for (int i = 0; i < reps; ++i) f();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::min(best, s / reps);
    total += s;
  }
  return best;
}

const char* target() {
#if defined(__wasm_simd128__) && defined(EIGEN_VECTORIZE_SSE2)
  return "wasm+eigen-sse2";
#elif defined(__wasm_simd128__)
  return "wasm";
#else
  return "native";
#endif
}

// One result line: target, what, examples/s, Gflop/s (scripts/bench-kernels.sh
// tabulates them).
void report(const std::string& what, double seconds, int examples, double flops) {
  std::printf("%-16s %-34s %10.0f ex/s %7.2f Gflop/s %9.1f us\n", target(), what.c_str(), examples / seconds,
              flops / seconds * 1e-9, seconds * 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 32;
  const int H = argc > 2 ? std::atoi(argv[2]) : 256;
  const float lr = 0.1f, decay = 1e-4f;
  Rng rng(7);
  Params<float> P0 = init_params(H, rng);
  std::mt19937 gen(3);
  std::uniform_int_distribution<int> pix(0, 255), cls(0, 9);
  std::vector<float> x(std::size_t(n) * kInputs);  // (n, 784)
  for (auto& v : x) v = pix(gen) / 255.0f;
  std::vector<std::uint8_t> labels(n);
  for (auto& l : labels) l = static_cast<std::uint8_t>(cls(gen));
  const double step_flops = double(n) * (4.0 * kInputs * H + 6.0 * H * kClasses);

  std::printf("# %s, batch %d, hidden %d, %.3f Mflop per example, kernels: %s\n", target(), n, H, step_flops / n * 1e-6,
              kernels::kBackend);

  // Both steps from the same start; a step keeps changing P, as in training.
  // `next` gives each call's x.
  auto steps = [&](const std::string& data, const std::function<const float*()>& next) {
    {
      Params<float> P = P0;
      Workspace<float> ws(n, H);
      report("step eigen-reference" + data, time_call([&] {
               const float* xb = next();
               forward(P, xb, labels.data(), n, ws);
               backward(P, xb, labels.data(), n, decay, ws);
               sgd_update(P, ws.grad, lr);
             }),
             n, step_flops);
    }
    Params<float> P = P0;
    StepWorkspace ws(n, H);
    float ce = 0;
    report("step train_step" + data, time_call([&] { ce = train_step(P, next(), labels.data(), n, lr, decay, ws); }), n,
           step_flops);
    // The dense update rules (optimizer.hpp): the same step with momentum or Adam in place of the fused
    // SGD update, which then write each gradient and pass over all of W1 and its moments.
    for (Optimizer kind : {Optimizer::momentum, Optimizer::adam}) {
      Params<float> Q = P0;
      StepWorkspace wq(n, H);
      OptimizerState opt(kind, H, 0.9f);
      const float rate = kind == Optimizer::adam ? 1e-3f : lr / 10;
      report(std::string("step train_step ") + name_of(kind) + data, time_call([&] {
               const float c = train_step(Q, next(), labels.data(), n, rate, decay, wq, nullptr, &opt);
               if (!std::isfinite(c)) ce = c;
             }),
             n, step_flops);
    }
    if (!std::isfinite(ce))
      std::printf(
          "# warning: the loss went non-finite, the timing is not "
          "meaningful\n");
  };
  steps("", [&] { return x.data(); });

  // Real images: the first batches of an IDX image file (the wasm builds embed
  // a cut of it as /mnist.idx).
  const char* idx_path = argc > 3 ? argv[3] : "/mnist.idx";
  std::ifstream file(idx_path, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const int images = bytes.size() > 16 ? int((bytes.size() - 16) / kInputs) : 0;
  if (images >= n) {
    const int batches = std::min(images / n, 32);
    std::vector<float> real(std::size_t(batches) * n * kInputs);  // (batches * n, 784)
    kernels::u8_to_unit_f32(real.size(), bytes.data() + 16, real.data());
    int b = 0;
    auto next = [&] { return real.data() + std::size_t(b++ % batches) * n * kInputs; };
    steps(" mnist", next);
    // The two big products of the step on real images through the dispatch (the
    // wasm kernels walk the non-zero lists, Eigen natively the dense x), and
    // the listing they need.
    kernels::SparseBatch xs(n, kInputs);
    std::vector<float> W1m(P0.W1.data(), P0.W1.data() + P0.W1.size()), am(std::size_t(n) * H), gm(am.size(), 1e-6f);
    const double big = 2.0 * n * kInputs * H;
    std::vector<const float*> listed(batches);  // the batch each of xs's lists was made from
    auto list = [&] {
      const float* xb = next();
      kernels::list_rows(xb, 0, n, xs);
      kernels::list_columns(n, xs);
      return xb;
    };
    report("list_rows + list_columns mnist", time_call([&] { list(); }), n, 0);
    // Listing a batch from its uint8 images: converted to floats first, or straight from the pixels (the
    // step's way where the kernels are sparse).
    std::vector<float> converted(std::size_t(n) * kInputs);
    int first = 0;
    auto image = [&](int r) { return bytes.data() + 16 + (std::size_t(first) + r) * kInputs; };
    report("u8_to_unit_f32 + list_rows mnist", time_call([&] {
             first = (first + n) % (batches * n);
             kernels::u8_to_unit_f32(std::size_t(n) * kInputs, image(0), converted.data());
             kernels::list_rows(converted.data(), 0, n, xs);
           }),
           n, 0);
    report("list_row_u8 mnist", time_call([&] {
             first = (first + n) % (batches * n);
             for (int r = 0; r < n; ++r) kernels::list_row_u8(image(r), r, xs);
           }),
           n, 0);
    report("lists + gemm_nn_bias_relu mnist", time_call([&] {
             const float* xb = list();
             kernels::gemm_nn_bias_relu(n, kInputs, H, xb, xs, W1m.data(), P0.b1.data(), am.data());
           }),
           n, big);
    report("lists + gemm_tn_sgd_x mnist", time_call([&] {
             const float* xb = list();
             kernels::gemm_tn_sgd_x(n, kInputs, H, xb, xs, gm.data(), 0.99999f, W1m.data());
           }),
           n, big);
  } else {
    std::printf("# no MNIST images at %s: the real-data steps are skipped\n", idx_path);
  }

  {  // The evaluation entry on a 512-row chunk of random pixels: forward only, 2
    // x 784 x H + 2 x H x 10 per row.
    const int rows = 512;
    std::vector<float> xe(std::size_t(rows) * kInputs);
    for (auto& v : xe) v = pix(gen) / 255.0f;
    std::vector<std::uint8_t> le(rows, 0);
    const double fwd_flops = double(rows) * (2.0 * kInputs * H + 2.0 * H * kClasses);
    Workspace<float> ws(rows, H);
    report("forward eigen-reference 512", time_call([&] { forward(P0, xe.data(), le.data(), rows, ws); }), rows,
           fwd_flops);
    StepWorkspace sws(rows, H);
    report("forward_probs 512", time_call([&] { forward_probs(P0, xe.data(), nullptr, rows, sws); }), rows, fwd_flops);
  }

  // Each product on its own. Flops: the two big ones are 2 n K H each.
  std::vector<float> W1(P0.W1.data(), P0.W1.data() + P0.W1.size()), a(std::size_t(n) * H), g(std::size_t(n) * H);
  for (auto& v : g) v = (pix(gen) - 127.5f) * 1e-6f;
  const double big = 2.0 * n * kInputs * H;
  const float* b1 = P0.b1.data();
  // On the dense random x, the worst case for the sparse lists; the dispatch is
  // what train_step runs.
  kernels::SparseBatch xs(n, kInputs);
  report("gemm_nn_bias_relu ref",
         time_call([&] { kernels::ref::gemm_nn_bias_relu(n, kInputs, H, x.data(), W1.data(), b1, a.data()); }), n, big);
  report("gemm_nn_bias_relu eigen",
         time_call([&] { kernels::eigen::gemm_nn_bias_relu(n, kInputs, H, x.data(), W1.data(), b1, a.data()); }), n,
         big);
  report("lists + gemm_nn_bias_relu", time_call([&] {
           kernels::list_rows(x.data(), 0, n, xs);
           kernels::gemm_nn_bias_relu(n, kInputs, H, x.data(), xs, W1.data(), b1, a.data());
         }),
         n, big);
  report("gemm_tn_sgd ref",
         time_call([&] { kernels::ref::gemm_tn_sgd(n, kInputs, H, x.data(), g.data(), 0.99999f, W1.data()); }), n, big);
  report("gemm_tn_sgd eigen",
         time_call([&] { kernels::eigen::gemm_tn_sgd(n, kInputs, H, x.data(), g.data(), 0.99999f, W1.data()); }), n,
         big);
  report("lists + gemm_tn_sgd_x", time_call([&] {
           kernels::list_rows(x.data(), 0, n, xs);
           kernels::list_columns(n, xs);
           kernels::gemm_tn_sgd_x(n, kInputs, H, x.data(), xs, g.data(), 0.99999f, W1.data());
         }),
         n, big);
  std::vector<int> scratch(kernels::gemm_tn_sgd_scratch(kClasses));

  // The dense optimizer updates of all of W1 (784 x H), per step-equivalent: 6 flops per weight for
  // momentum, 15 for Adam (with a sqrt and a divide); the reference loops and the dispatch.
  {
    std::vector<float> G(W1.size(), 1e-4f), M(W1.size(), 0.0f), V(W1.size(), 0.0f);
    const kernels::ref::MomentumStep hm{0.01f, 2e-4f, 0.9f};
    const kernels::ref::AdamStep ha{1e-3f, 2e-4f, 0.9f, 0.1f, 0.999f, 0.001f, 1.0f, 1e-8f};
    const double weights = double(W1.size());
    report("momentum_update W1 ref", time_call([&] {
             kernels::ref::momentum_update(kInputs, H, G.data(), hm, W1.data(), M.data(), 0, H);
           }),
           n, 6 * weights);
    report("momentum_update W1", time_call([&] {
             kernels::momentum_update(kInputs, H, G.data(), hm, W1.data(), M.data(), 0, H);
           }),
           n, 6 * weights);
    report("adam_update W1 ref", time_call([&] {
             kernels::ref::adam_update(kInputs, H, G.data(), ha, W1.data(), M.data(), V.data(), 0, H);
           }),
           n, 15 * weights);
    report("adam_update W1", time_call([&] {
             kernels::adam_update(kInputs, H, G.data(), ha, W1.data(), M.data(), V.data(), 0, H);
           }),
           n, 15 * weights);
  }

  // The small products (H x 10), reported per step-equivalent.
  std::vector<float> W2T(std::size_t(kClasses) * H, 0.01f), z(std::size_t(n) * kClasses), g2(z.size(), 1e-3f);
  const double small = 2.0 * n * H * kClasses;
  auto nt = [&](const char* name, void (*f)(int, int, int, const float*, const float*, const float*, float*)) {
    report(name, time_call([&] { f(n, H, kClasses, a.data(), W2T.data(), P0.b2.data(), z.data()); }), n, small);
  };
  // Through a lambda: the kernel takes an optional column range.
  auto mask = [&](const char* name, const std::function<void(const float*, const float*, const float*, float*)>& f) {
    report(name, time_call([&] { f(g2.data(), W2T.data(), a.data(), g.data()); }), n, small);
  };
  nt("gemm_nt_bias ref", kernels::ref::gemm_nt_bias);
  nt("gemm_nt_bias eigen", kernels::eigen::gemm_nt_bias);
  mask("gemm_nn_relumask ref", [&](auto... p) { kernels::ref::gemm_nn_relumask(n, kClasses, H, p...); });
  mask("gemm_nn_relumask eigen", [&](auto... p) { kernels::eigen::gemm_nn_relumask(n, kClasses, H, p...); });
  report("gemm_tn_sgd W2 ref",
         time_call([&] { kernels::ref::gemm_tn_sgd(n, kClasses, H, g2.data(), a.data(), 1.0f, W2T.data()); }), n,
         small);
  report("gemm_tn_sgd W2 eigen",
         time_call([&] { kernels::eigen::gemm_tn_sgd(n, kClasses, H, g2.data(), a.data(), 1.0f, W2T.data()); }), n,
         small);
#ifdef __wasm_simd128__
  using namespace kernels::wasmsimd;
  nt("gemm_nt_bias 2x5 wasmsimd", gemm_nt_bias_2x5);
  mask("gemm_nn_relumask 2x8 wasmsimd", [&](auto... p) { gemm_nn_relumask_2x8(n, kClasses, H, p...); });
  report("gemm_tn_sgd W2 2x16 wasmsimd",
         time_call([&] { gemm_tn_sgd_2x16(n, kClasses, H, g2.data(), a.data(), 1.0f, W2T.data(), scratch.data()); }), n,
         small);
#endif
  std::printf("# done\n");
  return 0;
}
