#!/usr/bin/env bash
# The native tests once more, built with AddressSanitizer and UndefinedBehaviorSanitizer, in build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMNIST_SANITIZE=ON -DMNIST_NATIVE_ARCH=OFF \
  ${MNIST_WERROR:+-DMNIST_WERROR="$MNIST_WERROR"} >/dev/null
cmake --build build-asan -j "$(nproc)" --target mnist_tests >/dev/null
(cd build-asan && ctest --output-on-failure -j "$(nproc)")
