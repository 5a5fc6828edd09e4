#!/usr/bin/env bash
# Makes the reference model the page ships (public/models/reference.mnst) with the project's own command:
# the report's settings (the defaults: 784-256-10, 10 epochs, batch 32, lr 0.1, decay 1e-4, seed 1) on
# all 60,000 training images, saved with int8 weights (a quarter of float32's size), and writes what it
# measured beside it (public/models/reference.json: the command and reproduce's JSON line). The page tests
# the model it loads itself; tests/js/reference-model.test.ts checks the claim. Not run by the build.
set -euo pipefail
cd "$(dirname "$0")/.."
command=(npm run reproduce -- --out build-reference --save public/models/reference.mnst --save-precision int8)
line=$("${command[@]}" | tail -n 1)
node -e '
  const [line, command] = process.argv.slice(1);
  const r = JSON.parse(line);
  const out = { command, ...r };
  require("fs").writeFileSync("public/models/reference.json", JSON.stringify(out, null, 2) + "\n");
  console.log(`reference model: test accuracy ${r.saved_test_accuracy} (float32 ${r.test_accuracy}), ${r.saved_bytes} bytes`);
' "$line" "${command[*]}"
