#!/usr/bin/env bash
# `npm start`: installs what is missing, builds the data and the WebAssembly module, and serves the page
# with Vite on http://localhost:${PORT:-5173}.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh all
node scripts/build-data.mjs
scripts/build-wasm.sh
port="${PORT:-5173}"
echo "== serving the page at http://localhost:${port}/  (Ctrl-C stops)"
exec node_modules/.bin/vite --host "${HOST:-127.0.0.1}" --port "$port" --strictPort
