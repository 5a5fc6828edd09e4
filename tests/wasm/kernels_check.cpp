// The kernel tester without GoogleTest, for em++ -msimd128 under Node: every WebAssembly SIMD kernel
// against the scalar reference, and train_step against network.hpp. Exits non-zero on any mismatch.
// Built and run by scripts/test-kernels-wasm.sh (also builds natively, where it checks the native path).
#include <cstdio>

#include "kernel_tester.hpp"

int main() {
  int failures = 0;
  const int checks = mnist::kernel_tester::run_all([&](const std::string& message) {
    if (++failures <= 20) std::printf("FAIL %s\n", message.c_str());
  });
  std::printf("kernels_check [%s]: %d checks, %d passed, %d failed\n", mnist::kernels::kBackend, checks,
              checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
