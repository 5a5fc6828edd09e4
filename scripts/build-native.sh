#!/usr/bin/env bash
# Configures and builds the native targets (core tests, reproduce CLI, benchmarks) in build-native/.
# MNIST_WERROR=ON|OFF in the environment sets the CMake option (warnings are errors; npm test turns it on).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-native -DCMAKE_BUILD_TYPE=Release ${MNIST_WERROR:+-DMNIST_WERROR="$MNIST_WERROR"} >/dev/null
cmake --build build-native -j "$(nproc)" "$@"
