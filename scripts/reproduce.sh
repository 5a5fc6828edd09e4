#!/usr/bin/env bash
# `npm run reproduce -- [flags]`: the reference experiment with the native build (see cli/args.hpp).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh native >&2
scripts/build-native.sh --target mnist_reproduce >&2
exec build-native/mnist_reproduce "$@"
