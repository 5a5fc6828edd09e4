#!/usr/bin/env bash
# `npm test`: installs what is missing, builds, and runs every test: native GoogleTest through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh all

echo "== native build and ctest"
scripts/build-native.sh
(cd build-native && ctest --output-on-failure -j "$(nproc)")
