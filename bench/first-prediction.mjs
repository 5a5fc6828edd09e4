// Time from navigation to the first prediction of a fresh visit (issue #19: within a second of the page
// loading). Not a test: it reports, nothing asserts a time. Each run opens the built page in a new browser
// context (empty HTTP cache, IndexedDB and service worker: a first visit), draws a seven with the mouse as
// soon as the pad accepts input (its probability bars are mounted), and reads when the "Prediction" status
// first shows a digit, in the page's own clock (milliseconds since navigation started), and that time
// after the page's load event.
//
//   npm run build && node bench/first-prediction.mjs [DIST_DIR or URL ...] [RUNS, default 7] [--timeline]
//
// Prints one JSON line per run and the medians. Given two builds (A B), it alternates them run by run (A B,
// B A, ...) and prints each one's median and the ratio B / A. --timeline adds, per run, when each worker message type was
// first seen on the page, the page's long tasks [start, duration], and when each request of the page and its workers started and ended.
import { resolve } from 'node:path';
import { launchChromium } from '../scripts/chromium.mjs';
import { median, servePage } from './browser/page-run.mjs';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const timeline = process.argv.includes('--timeline');
const runsArg = args.find((a) => /^\d+$/.test(a)) ?? '7';
const targets = args.filter((a) => !/^\d+$/.test(a));
if (targets.length === 0) targets.push('dist');
const servers = [];
for (const target of targets) servers.push(/^https?:/.test(target) ? { url: target, stop() {} } : await servePage(resolve(target)));
const browser = await launchChromium();

// Runs in the page before its scripts: the time the Prediction status first holds a digit, and the time
// each worker message type is first seen (the page's one worker; pthread workers are the module's own).
function instrument() {
  const w = window;
  w.firstLoad = { prediction: null, firstDrawing: null, messages: {}, longTasks: [] };
  new PerformanceObserver((list) => list.getEntries().forEach((e) => w.firstLoad.longTasks.push([Math.round(e.startTime), Math.round(e.duration)]))).observe({ type: 'longtask', buffered: true });
  const watch = () => {
    const status = document.getElementById('prediction');
    if (!status) return false;
    new MutationObserver(() => {
      if (w.firstLoad.prediction === null && /^\d$/.test(status.textContent.trim())) w.firstLoad.prediction = performance.now();
    }).observe(status, { childList: true, characterData: true, subtree: true });
    return true;
  };
  if (!watch()) document.addEventListener('DOMContentLoaded', watch);
  const NativeWorker = w.Worker;
  w.Worker = class extends NativeWorker {
    constructor(...a) {
      super(...a);
      w.firstLoad.messages['(worker created)'] ??= performance.now();
      this.addEventListener('message', (e) => {
        for (const event of [e.data].flat()) w.firstLoad.messages[event?.type ?? '?'] ??= performance.now();
      });
    }
    postMessage(message, ...rest) {
      if (message?.type === 'predict') w.firstLoad.firstDrawing ??= performance.now(); // the pad's first request
      return super.postMessage(message, ...rest);
    }
  };
}

async function firstVisit(server) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const requests = [];
  const logged = []; // "T what epoch-ms" lines a build instrumented by hand logs
  if (timeline) page.on('requestfinished', (r) => requests.push(r));
  if (timeline) page.on('console', (m) => /^T /.test(m.text()) && logged.push(m.text().split(' ')));
  await page.addInitScript(instrument);
  try {
    await page.goto(server.url, { waitUntil: 'commit' });
    await page.locator('#bars li').nth(9).waitFor({ state: 'attached', timeout: 30_000 });
    const padReady = await page.evaluate(() => performance.now());
    const box = await page.getByLabel('Drawing pad').boundingBox();
    const at = (x, y) => [box.x + x * box.width, box.y + y * box.height];
    await page.mouse.move(...at(0.3, 0.22));
    await page.mouse.down();
    for (const [x, y] of [[0.7, 0.22], [0.6, 0.45], [0.5, 0.65], [0.45, 0.8]]) await page.mouse.move(...at(x, y), { steps: 3 });
    await page.mouse.up();
    const drawn = await page.evaluate(() => performance.now());
    await page.waitForFunction(() => window.firstLoad.prediction !== null, null, { timeout: 60_000, polling: 20 });
    const r = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      return { prediction: window.firstLoad.prediction, firstDrawing: window.firstLoad.firstDrawing, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, paint: paint ? paint.startTime : null, messages: window.firstLoad.messages, longTasks: window.firstLoad.longTasks, origin: performance.timeOrigin };
    });
    if (problems.length) throw new Error(`page errors: ${problems.join('; ')}`);
    const ms = (t) => Math.round(t);
    const run = {
      predictionMs: ms(r.prediction),
      domContentLoadedMs: ms(r.domContentLoaded),
      firstPaintMs: r.paint === null ? null : ms(r.paint), // first contentful paint: the page shows
      loadMs: ms(r.load), // the load event: the page has loaded
      padReadyMs: ms(padReady),
      drawnMs: ms(drawn),
      firstDrawingMs: ms(r.firstDrawing), // the pad's first request: the drawing's first stroke reached the page
    };
    if (timeline) {
      run.messages = Object.fromEntries(Object.entries(r.messages).map(([k, v]) => [k, ms(v)]).sort((a, b) => a[1] - b[1]));
      run.longTasks = r.longTasks;
      if (logged.length) run.logged = logged.map(([, what, at]) => [what, ms(Number(at) - r.origin)]);
      run.requests = requests
        .map((q) => {
          const t = q.timing();
          const start = t.startTime - r.origin;
          return [q.url().replace(server.url, '').replace(/-[\w-]{8}\./, '.'), ms(start), ms(start + t.responseEnd)];
        })
        .sort((a, b) => a[1] - b[1]);
    }
    return run;
  } finally {
    await context.close();
  }
}

try {
  for (const server of servers) await firstVisit(server); // warms the servers' file caches and Chromium, not counted
  const runs = targets.map(() => []);
  for (let i = 0; i < Number(runsArg); ++i) {
    const order = targets.map((_, k) => k);
    if (i % 2 === 1) order.reverse();
    for (const k of order) {
      const run = await firstVisit(servers[k]);
      runs[k].push(run);
      console.log(JSON.stringify({ build: targets[k], ...run }));
    }
  }
  const summary = runs.map((r, k) => {
    const pick = (key) => r.map((run) => run[key]);
    return {
      build: targets[k],
      runs: r.length,
      median_first_prediction_s: median(pick('predictionMs')) / 1000,
      first_prediction_s: pick('predictionMs').map((t) => t / 1000),
      median_dom_content_loaded_s: median(pick('domContentLoadedMs')) / 1000,
      median_pad_ready_s: median(pick('padReadyMs')) / 1000,
      median_load_s: median(pick('loadMs')) / 1000,
      // From the page loading (its load event) to the first prediction: the issue's "within a second of the
      // page loading"; the time before the load event is mostly the browser's (a fresh context's renderer).
      median_prediction_after_load_s: median(r.map((run) => run.predictionMs - run.loadMs)) / 1000,
      // From the drawing's first stroke reaching the page to its answer on screen: what the page adds once the
      // user has drawn (the stroke itself comes through the automation's input events, each a round trip).
      median_prediction_after_first_drawing_s: median(r.map((run) => run.predictionMs - run.firstDrawingMs)) / 1000,
    };
  });
  for (const s of summary) console.log(JSON.stringify(s));
  if (summary.length === 2)
    console.log(JSON.stringify({ first_prediction_ratio: Number((summary[1].median_first_prediction_s / summary[0].median_first_prediction_s).toFixed(3)) }));
} finally {
  await browser.close();
  for (const server of servers) server.stop();
}
