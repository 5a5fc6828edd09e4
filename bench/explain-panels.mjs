// Measures what the explanation panels cost on the page (not a test: it reports, nothing asserts a time).
// Against a running server (npm run build && npm run preview, or any URL of the built page):
//   node bench/explain-panels.mjs http://127.0.0.1:4173/ [runs per side, default 3]
// Trains the subset's 20,000 examples for 3 epochs with the default settings, alternating runs with the
// "Hidden unit weights" panel on screen (live pictures) and hidden (display: none: the worker sends none),
// and prints per run the samples/s (examples trained over the worker's training seconds), the longest
// main-thread task (PerformanceObserver longtask) and the worker's longest task (its timed handlers and
// slices, ?debug). Then draws digits and prints "Why this prediction"'s update: the worker's predict
// task (preprocess, predict and explain) and the page's drawing of the panel.
import { launchChromium } from '../scripts/chromium.mjs';

const [url = 'http://127.0.0.1:4173/', perSide = '3'] = process.argv.slice(2);
const browser = await launchChromium();

async function openPage() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${url}${url.includes('?') ? '&' : '?'}debug`);
  await page.getByText(/training and [\d,]+ test images loaded/).waitFor({ timeout: 120_000 });
  return page;
}

async function trainRun(shown) {
  const page = await openPage();
  if (!shown) await page.evaluate(() => (document.getElementById('units-card').style.display = 'none'));
  await page.getByLabel('Training examples').fill('20000');
  await page.getByLabel('Epochs').fill('3');
  // At once (the page scrolls smoothly otherwise), after the fills (which scroll to their inputs), so the
  // grid is on screen while it trains; Train is then clicked from a script, which does not scroll.
  await page.evaluate((id) => document.getElementById(id).scrollIntoView({ block: 'center', behavior: 'instant' }), shown ? 'units' : 'results-card');
  await page.waitForTimeout(300);
  await page.evaluate(() => (window.longTasks = []));
  let pictures = 0;
  await page.exposeFunction('countPicture', () => ++pictures);
  await page.evaluate(() => new MutationObserver(() => window.countPicture()).observe(document.getElementById('units-note'), { childList: true, characterData: true, subtree: true }));
  await page.evaluate(() => document.getElementById('train').click());
  // The reference model's accuracy empties when the run starts; then wait for the new model's.
  await page.waitForFunction(() => !/\d/.test(document.getElementById('test-accuracy').textContent));
  await page.getByLabel('Test accuracy').filter({ hasText: /\d/ }).waitFor({ timeout: 600_000 });
  const phase = await page.locator('.phase').first().textContent();
  const seconds = Number(/Finished in ([\d.]+) s/.exec(phase ?? '')?.[1]);
  const longTasks = await page.evaluate(() => window.longTasks);
  const gridDraws = await page.evaluate(() => performance.getEntriesByName('hidden-unit-weights: draw').map((e) => e.duration));
  const worker = await page.evaluate(() => window.mnistDebug.timings());
  const ms = (kind) => (worker[kind] ? Number(worker[kind].maxMs.toFixed(1)) : null);
  await page.close();
  return {
    panel: shown ? 'shown' : 'hidden',
    samplesPerSecond: Math.round((3 * 17000) / seconds),
    seconds,
    unitPicturesDrawn: pictures,
    gridDrawMs: gridDraws.map((d) => Number(d.toFixed(1))),
    mainLongestMs: Math.round(Math.max(0, ...longTasks)),
    mainLongTasks: longTasks.length,
    // the worker's longest task of each kind: a training slice, one that ended an epoch (the validation pass)
    // or the run (the test), the units message (nested in a slice), the activity pass (its own task)
    workerMaxMs: { slice: ms('slice'), epochEnd: ms('slice (epoch end)'), runEnd: ms('slice (run end)'), units: ms('units'), activity: ms('activity') },
    unitsMessages: worker.units?.count ?? 0,
    unitsMeanMs: worker.units ? Number((worker.units.totalMs / worker.units.count).toFixed(2)) : null,
  };
}

const runs = [];
for (let i = 0; i < 2 * Number(perSide); ++i) {
  const r = await trainRun(i % 2 === 0);
  runs.push(r);
  console.log(JSON.stringify(r));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const side of ['shown', 'hidden']) {
  const rates = runs.filter((r) => r.panel === side).map((r) => r.samplesPerSecond);
  console.log(`${side}: samples/s ${rates.join(', ')} (mean ${Math.round(mean(rates))}, median ${median(rates)})`);
  const cost = runs.filter((r) => r.panel === side).map((r) => (r.unitsMessages * r.unitsMeanMs) / (10 * r.seconds));
  console.log(`${side}: the worker's units messages took ${cost.map((c) => c.toFixed(2)).join(', ')} % of the training time`);
}

// "Why this prediction": a short training run, then strokes drawn one after another.
const page = await openPage();
await page.getByLabel('Training examples').fill('3000');
await page.getByLabel('Epochs').fill('2');
await page.getByRole('button', { name: 'Train' }).click();
await page.getByLabel('Test accuracy').filter({ hasText: /\d/ }).waitFor({ timeout: 300_000 });
const before = await page.evaluate(() => window.mnistDebug.timings());
const box = await page.getByLabel('Drawing pad').boundingBox();
const at = (x, y) => [box.x + x * box.width, box.y + y * box.height];
for (let stroke = 0; stroke < 6; ++stroke) {
  await page.mouse.move(...at(0.2 + 0.1 * stroke, 0.2));
  await page.mouse.down();
  for (const [x, y] of [[0.7, 0.25], [0.55, 0.5], [0.45, 0.8]]) await page.mouse.move(...at(x - 0.05 * stroke, y), { steps: 15 });
  await page.mouse.up();
  await page.waitForTimeout(200);
}
const after = await page.evaluate(() => window.mnistDebug.timings());
const draws = await page.evaluate(() => performance.getEntriesByName('why-this-prediction: draw').map((e) => e.duration));
const predicts = after.predict.count - (before.predict?.count ?? 0);
const predictMs = after.predict.totalMs - (before.predict?.totalMs ?? 0);
console.log(
  JSON.stringify({
    updates: draws.length,
    workerPredictMeanMs: Number((predictMs / predicts).toFixed(2)),
    workerPredictMaxMs: Number(after.predict.maxMs.toFixed(2)),
    pageDrawMeanMs: Number(mean(draws).toFixed(2)),
    pageDrawMaxMs: Number(Math.max(...draws).toFixed(2)),
  }),
);
await browser.close();
