// What the live "Hidden unit weights" panel costs training (issue #19: samples/s within 3 % of a run with the
// panel hidden). Not a test: it reports, nothing asserts a time. The page's 0.1 s timer cannot resolve 3 %,
// so this measures inside one run, A/B interleaved: the built page trains Full MNIST while the panel is
// scrolled on and off screen every WINDOW_MS (on screen, the worker sends the pictures every second and at
// each epoch's end and the page draws them; off screen, neither). Every progress message the worker posts
// carries its examples done; each window's rate is (examples at its last message - at its first) over the
// time between the two, from SETTLE_MS after the switch. Each shown window is paired with the hidden window
// after it (ABAB...), and the ratio reported is the median of the pairs' ratios over all rounds (one round =
// one run). It also prints what the panel costs in CPU time, which a busy machine inflates on both sides
// alike: the worker's units task (?debug timings) and the page's drawing of the grid (its performance.measure
// entries), as a share of the worker's training slices.
//
//   npm run build && node bench/units-panel-cost.mjs [DIST_DIR or URL] [ROUNDS, default 3] [EPOCHS, default 20]
import { resolve } from 'node:path';
import { launchChromium } from '../scripts/chromium.mjs';
import { median, servePage } from './browser/page-run.mjs';

const WINDOW_MS = 1200;
const SETTLE_MS = 200;
const args = process.argv.slice(2);
const target = args.find((a) => !/^\d+$/.test(a)) ?? 'dist';
const [rounds = 3, epochs = 20] = args.filter((a) => /^\d+$/.test(a)).map(Number);
const server = /^https?:/.test(target) ? { url: target, stop() {} } : await servePage(resolve(target));
const browser = await launchChromium();

// In the page before its scripts: every progress message's [time, examples done], and every views message.
function instrument() {
  const w = window;
  w.bench = { progress: [], views: [] };
  const NativeWorker = w.Worker;
  w.Worker = class extends NativeWorker {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => e.data?.type === 'progress' && w.bench.progress.push([performance.now(), e.data.examplesDone]));
    }
    postMessage(message, transfer) {
      if (message?.type === 'views') w.bench.views.push([performance.now(), message.units]);
      return super.postMessage(message, transfer);
    }
  };
}

async function round() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript(instrument);
  try {
    await page.goto(`${server.url}${server.url.includes('?') ? '&' : '?'}debug`);
    await page.getByText(/training and [\d,]+ test images loaded/).waitFor({ timeout: 120_000 });
    await page.getByLabel('Dataset').selectOption('full');
    await page.getByText(/60,000 training and [\d,]+ test images loaded/).waitFor({ timeout: 120_000 });
    await page.getByLabel('Epochs').fill(String(epochs));
    // Shown: the grid in the middle of the viewport. Hidden: the page scrolled to whichever end leaves it off.
    const show = (on) =>
      page.evaluate((on) => {
        const card = document.getElementById('units-card');
        if (on) return card.scrollIntoView({ block: 'center', behavior: 'instant' });
        window.scrollTo({ top: 0, behavior: 'instant' });
        const r = card.getBoundingClientRect();
        if (r.top < innerHeight && r.bottom > 0) window.scrollTo({ top: document.body.scrollHeight, behavior: 'instant' });
      }, on);
    await show(true);
    await page.waitForTimeout(300);
    await page.evaluate(() => document.getElementById('train').click());
    await page.waitForFunction(() => !/\d/.test(document.getElementById('test-accuracy').textContent));
    const windows = [];
    let shown = true;
    const finished = page.getByLabel('Test accuracy').filter({ hasText: /\d/ }).waitFor({ timeout: 900_000 }).then(() => true);
    for (;;) {
      shown = !shown;
      await show(shown);
      const start = await page.evaluate(() => performance.now());
      const done = await Promise.race([finished, page.waitForTimeout(WINDOW_MS).then(() => false)]);
      const end = await page.evaluate(() => performance.now());
      if (done) break;
      windows.push({ shown, start, end });
    }
    const { progress, views } = await page.evaluate(() => window.bench);
    const timings = await page.evaluate(() => window.mnistDebug.timings());
    const drawMs = await page.evaluate(() => performance.getEntriesByName('hidden-unit-weights: draw').reduce((ms, e) => ms + e.duration, 0));
    if (problems.length) throw new Error(`page errors: ${problems.join('; ')}`);
    // Each window's rate, and whether the page really told the worker the panel's state.
    const rated = windows.map((w) => {
      const inside = progress.filter(([t]) => t >= w.start + SETTLE_MS && t <= w.end);
      const told = views.filter(([t]) => t <= w.start + SETTLE_MS).at(-1)?.[1];
      if (inside.length < 3 || told !== w.shown) return null;
      const [first, last] = [inside[0], inside.at(-1)];
      return { shown: w.shown, rate: ((last[1] - first[1]) * 1000) / (last[0] - first[0]) };
    });
    const pairs = [];
    for (let i = 0; i + 1 < rated.length; ++i)
      if (rated[i]?.shown && rated[i + 1] && !rated[i + 1].shown) pairs.push(rated[i].rate / rated[i + 1].rate);
    const slice = Object.entries(timings).filter(([k]) => k.startsWith('slice')).reduce((ms, [, t]) => ms + t.totalMs, 0);
    return {
      pairs,
      shown: rated.filter((r) => r?.shown).map((r) => Math.round(r.rate)),
      hidden: rated.filter((r) => r && !r.shown).map((r) => Math.round(r.rate)),
      unitsMessages: timings.units?.count ?? 0,
      unitsMeanMs: timings.units ? Number((timings.units.totalMs / timings.units.count).toFixed(2)) : null,
      unitsShareOfSlices: timings.units ? Number(((100 * timings.units.totalMs) / slice).toFixed(3)) : 0,
      drawShareOfSlices: Number(((100 * drawMs) / slice).toFixed(3)),
    };
  } finally {
    await page.close();
  }
}

try {
  const all = [];
  for (let i = 0; i < rounds; ++i) {
    const r = await round();
    all.push(r);
    console.log(JSON.stringify({ round: i + 1, ...r, pairs: r.pairs.map((x) => Number(x.toFixed(4))) }));
  }
  const pairs = all.flatMap((r) => r.pairs);
  console.log(
    JSON.stringify({
      pairs: pairs.length,
      shown_to_hidden_samples_per_s: Number(median(pairs).toFixed(4)),
      median_shown: Math.round(median(all.flatMap((r) => r.shown))),
      median_hidden: Math.round(median(all.flatMap((r) => r.hidden))),
      units_share_of_slices_percent: all.map((r) => r.unitsShareOfSlices),
      draw_share_of_slices_percent: all.map((r) => r.drawShareOfSlices),
    }),
  );
} finally {
  await browser.close();
  server.stop();
}
