// Runs the Emscripten web build of bench/step_bench.cpp in headless Chromium (Debian's, through
// playwright-core) and prints its lines, so the wasm numbers include the browser the product runs in.
// Usage: node bench/chromium-bench.mjs build-kernels/step_bench_web.js [batch hidden]
import { launchChromium } from '../scripts/chromium.mjs';
import { writeFileSync } from 'node:fs';
import { dirname, resolve, basename } from 'node:path';

const script = resolve(process.argv[2]);
const args = process.argv.slice(3);
const page_path = resolve(dirname(script), 'step_bench.html');
writeFileSync(
  page_path,
  `<!doctype html><script>var Module = { arguments: ${JSON.stringify(args)}, print: (t) => console.log(t) };</script>` +
    `<script src="${basename(script)}"></script>`,
);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const done = new Promise((resolve_done) =>
    page.on('console', (m) => {
      const t = m.text();
      console.log(t.replace(/^wasm/, 'chromium'));
      if (t.startsWith('# done')) resolve_done();
    }),
  );
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto('file://' + page_path);
  await done;
} finally {
  await browser.close();
}
