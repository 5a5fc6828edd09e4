// The page in Chromium, Firefox and WebKit, by hand (not part of npm test: Firefox and WebKit are not
// installed there). Serves a built page (`vite preview`, cross-origin isolated), runs the same in-page
// script in each browser: waits for the data, picks the data set through the page's select (a second data
// worker), trains with the defaults for the epochs given, and prints what the page shows: the build, the
// badge's texts during the run, the test accuracy, the seconds from the click to the kept run, samples/s,
// the alert, and console errors (Chromium and Firefox); then the hidden units' pictures once on screen, and
// the prediction of a 7 drawn with the browser's own pointer input. The results must agree to the digit.
//
//   apt-get install firefox-esr webkit2gtk-driver xvfb      # once
//   node scripts/check-browsers.mjs [--browsers chromium,firefox,webkit] [--query ?threads=1] [--set full|subset]
//                                   [--epochs N] [--screenshots DIR] [DIST]
// --screenshots: each browser's page after the run as DIR/<browser>.png (the whole page; WebKit's viewport).
//
// Firefox runs headless over WebDriver BiDi (its own --remote-debugging-port, no geckodriver); WebKit runs
// Debian's MiniBrowser through WebKitWebDriver under xvfb-run (it has no headless mode).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, servePage } from '../bench/browser/page-run.mjs';
import { launchChromium } from './chromium.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  return args.splice(i, 2)[1];
};
const browsers = option('--browsers', 'chromium,firefox,webkit').split(',');
const query = option('--query', '');
const set = option('--set', 'full');
const epochs = Number(option('--epochs', '10'));
const screenshots = option('--screenshots', '');
const screenshotPath = (browser) => join(resolve(screenshots), `${browser}.png`);
const savePng = (browser, base64) => {
  if (!screenshots) return;
  mkdirSync(resolve(screenshots), { recursive: true });
  writeFileSync(screenshotPath(browser), Buffer.from(base64, 'base64'));
};
const dist = resolve(args[0] ?? join(repo, 'dist'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

// Runs in the page, the same in every browser.
async function drive(set, epochs) {
  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (what, f, ms) => {
    for (const t0 = performance.now(); !f(); await sleep(50))
      if (performance.now() - t0 > ms) throw new Error(`waited for ${what}; the page says: ${$('data-text').textContent} / ${$('alert').textContent}`);
  };
  const loaded = (n) => new RegExp(`^${n} training and [\\d,]+ test images loaded`).test($('data-text').textContent);
  await until('the data', () => loaded('[\\d,]+'), 120000);
  if (set === 'full') {
    $('dataset').value = 'full';
    $('dataset').dispatchEvent(new Event('change', { bubbles: true }));
    await until('the full set', () => loaded('60,000'), 120000);
  }
  await sleep(2500); // the worker's warm-up, as a user who reads the page first
  $('epochs').value = String(epochs);
  $('epochs').dispatchEvent(new Event('input', { bubbles: true }));
  const badges = new Set([$('build').textContent]);
  new MutationObserver(() => badges.add($('build').textContent)).observe($('build'), { childList: true, characterData: true, subtree: true });
  const kept = () => document.querySelectorAll('#runs tbody tr').length;
  const before = kept();
  const t0 = performance.now();
  $('train').click();
  await until('the run', () => kept() > before, 900000);
  const seconds = (performance.now() - t0) / 1000;
  return {
    build: $('build').title,
    badges: [...badges].join(' | '),
    accuracy: $('test-accuracy').textContent,
    seconds: seconds.toFixed(2),
    samplesPerSecond: $('stat-rate').textContent,
    alert: $('alert').textContent,
  };
}
const script = `(${drive})(${JSON.stringify(set)}, ${epochs})`;

// After the run, in the page: the hidden units' pictures once their panel is on screen ('units'), the
// drawing pad's box on screen ('pad'), the prediction after a stroke drawn with the browser's own pointer
// input ('prediction'). Each waits up to 5 s.
async function after(step) {
  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (f) => {
    for (const t0 = performance.now(); !f() && performance.now() - t0 < 5000; ) await sleep(50);
  };
  if (step === 'units') {
    $('units').scrollIntoView({ block: 'center' });
    await until(() => /Red:/.test($('units-note').textContent));
    return $('units-note').textContent;
  }
  if (step === 'pad') {
    $('pad').scrollIntoView({ block: 'center' });
    await sleep(300);
    const r = $('pad').getBoundingClientRect();
    return [r.x, r.y, r.width, r.height].map(Math.round).join(',');
  }
  // The prediction follows the stroke as it is drawn: the last one, unchanged for half a second.
  let last = '';
  let since = performance.now();
  await until(() => {
    const now = $('prediction').textContent;
    if (now !== last) [last, since] = [now, performance.now()];
    return /^\d$/.test(now) && performance.now() - since > 500;
  });
  return last;
}
const afterScript = (step) => `(${after})(${JSON.stringify(step)})`;
// A 7, as the browser tests draw it: WebDriver pointer actions in viewport pixels, 10 moves per segment.
function sevenActions(box) {
  const [x0, y0, w, h] = box.split(',').map(Number);
  const at = ([x, y]) => ({ type: 'pointerMove', x: Math.round(x0 + x * w), y: Math.round(y0 + y * h), origin: 'viewport' });
  const points = [[0.3, 0.22], [0.7, 0.22], [0.6, 0.45], [0.5, 0.65], [0.45, 0.8]];
  const actions = [at(points[0]), { type: 'pointerDown', button: 0 }];
  for (let i = 1; i < points.length; ++i)
    for (let k = 1; k <= 10; ++k) {
      const [a, b] = [points[i - 1], points[i]];
      actions.push(at([a[0] + ((b[0] - a[0]) * k) / 10, a[1] + ((b[1] - a[1]) * k) / 10]));
    }
  actions.push({ type: 'pointerUp', button: 0 });
  return [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions }];
}

async function inChromium(url) {
  const browser = await launchChromium();
  const errors = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    const result = await page.evaluate(script);
    result.units = await page.evaluate(afterScript('units'));
    const [x, y, w, h] = (await page.evaluate(afterScript('pad'))).split(',').map(Number);
    await page.mouse.move(x + 0.3 * w, y + 0.22 * h);
    await page.mouse.down();
    for (const [u, v] of [[0.7, 0.22], [0.6, 0.45], [0.5, 0.65], [0.45, 0.8]]) await page.mouse.move(x + u * w, y + v * h, { steps: 10 });
    await page.mouse.up();
    result.prediction = await page.evaluate(afterScript('prediction'));
    if (screenshots) savePng('chromium', (await page.screenshot({ fullPage: true })).toString('base64'));
    return { ...result, errors };
  } finally {
    await browser.close();
  }
}

async function inFirefox(url) {
  const WebSocket = createRequire(join(repo, 'package.json'))('ws'); // (Vite's dependency)
  const port = await freePort();
  const profile = mkdtempSync(join(tmpdir(), 'firefox-'));
  const firefox = spawn('firefox-esr', ['--headless', '--no-remote', '--profile', profile, `--remote-debugging-port=${port}`, '--width=1280', '--height=900'], { stdio: 'ignore' });
  const errors = [];
  try {
    let socket = null;
    for (let i = 0; i < 100 && !socket; ++i) {
      await sleep(300);
      socket = await new Promise((done) => {
        const s = new WebSocket(`ws://127.0.0.1:${port}/session`);
        s.on('open', () => done(s));
        s.on('error', () => done(null));
      });
    }
    if (!socket) throw new Error('Firefox did not open its WebDriver BiDi port');
    let id = 0;
    const waiting = new Map();
    socket.on('message', (data) => {
      const m = JSON.parse(data);
      if (waiting.has(m.id)) waiting.get(m.id)(m), waiting.delete(m.id);
      else if (m.method === 'log.entryAdded' && m.params.level === 'error') errors.push(m.params.text);
    });
    const send = (method, params) =>
      new Promise((done, fail) => {
        waiting.set(++id, (m) => (m.type === 'error' ? fail(new Error(`${method}: ${m.error} ${m.message}`)) : done(m.result)));
        socket.send(JSON.stringify({ id, method, params }));
      });
    await send('session.new', { capabilities: {} });
    await send('session.subscribe', { events: ['log.entryAdded'] });
    const context = (await send('browsingContext.getTree', {})).contexts[0].context;
    await send('browsingContext.navigate', { context, url, wait: 'complete' });
    const r = await send('script.evaluate', { expression: script, target: { context }, awaitPromise: true });
    if (r.type === 'exception') throw new Error(r.exceptionDetails.text);
    const plain = (v) => (v.type === 'object' ? Object.fromEntries(v.value.map(([k, x]) => [k, plain(x)])) : v.value);
    const evaluate = async (expression) => plain((await send('script.evaluate', { expression, target: { context }, awaitPromise: true })).result);
    const result = plain(r.result);
    result.units = await evaluate(afterScript('units'));
    const box = await evaluate(afterScript('pad'));
    await send('input.performActions', { context, actions: sevenActions(box) });
    result.prediction = await evaluate(afterScript('prediction'));
    if (screenshots) savePng('firefox', (await send('browsingContext.captureScreenshot', { context, origin: 'document' })).data);
    await send('session.end', {}).catch(() => {});
    return { ...result, errors };
  } finally {
    firefox.kill('SIGTERM');
    await sleep(500);
    rmSync(profile, { recursive: true, force: true });
  }
}

// WebKitWebDriver has no console log: errors stay unknown here ('-').
async function inWebKit(url) {
  const port = await freePort();
  const driver = spawn('WebKitWebDriver', [`--port=${port}`], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const response = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const { value } = await response.json();
    if (value?.error) throw new Error(`${path}: ${value.error} ${value.message}`);
    return value;
  };
  try {
    await sleep(1000);
    const { sessionId } = await call('POST', '/session', { capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } } });
    await call('POST', `/session/${sessionId}/url`, { url });
    // The run takes longer than fetch's 300 s header timeout allows for one call: start it, then poll.
    await call('POST', `/session/${sessionId}/execute/sync`, { script: `window.__check = ${script}.then((r) => (window.__result = r), (e) => (window.__result = { alert: String(e) }));`, args: [] });
    for (;;) {
      await sleep(1000);
      const r = await call('POST', `/session/${sessionId}/execute/sync`, { script: 'return window.__result ?? null;', args: [] });
      if (r) {
        const evaluate = (script) =>
          call('POST', `/session/${sessionId}/execute/async`, { script: `const done = arguments[0]; ${script}.then(done);`, args: [] });
        r.units = await evaluate(afterScript('units'));
        await call('POST', `/session/${sessionId}/actions`, { actions: sevenActions(await evaluate(afterScript('pad'))) });
        r.prediction = await evaluate(afterScript('prediction'));
        if (screenshots) savePng('webkit', await call('GET', `/session/${sessionId}/screenshot`));
        await call('DELETE', `/session/${sessionId}`).catch(() => {});
        return { ...r, errors: '-' };
      }
    }
  } finally {
    driver.kill('SIGTERM');
  }
}

// WebKit needs a display: the script runs itself again under xvfb-run for it.
if (browsers.includes('webkit') && !process.env.DISPLAY && spawnSync('which', ['xvfb-run']).status === 0) {
  const again = spawnSync('xvfb-run', ['-a', '-s', '-screen 0 1280x900x24', process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(again.status ?? 1);
}

const runners = { chromium: inChromium, firefox: inFirefox, webkit: inWebKit };
const server = await servePage(dist);
let failed = false;
try {
  console.log(`${dist}${query}: ${set}, ${epochs} epochs`);
  for (const name of browsers) {
    try {
      const r = await runners[name](`${server.url}${query}`);
      console.log(`${name.padEnd(8)} ${r.accuracy} in ${r.seconds} s, ${r.samplesPerSecond} samples/s; ${r.build}; badge: ${r.badges}` +
        `; a drawn 7: ${r.prediction}; units: ${r.units.split('.')[0]}` +
        `; alert: ${r.alert || 'none'}; console errors: ${Array.isArray(r.errors) ? r.errors.length || 'none' : r.errors}`);
      if (Array.isArray(r.errors)) for (const e of r.errors) console.log(`  ${e}`);
    } catch (error) {
      failed = true;
      console.log(`${name.padEnd(8)} failed: ${error instanceof Error ? error.message : error}`);
    }
  }
} finally {
  server.stop();
}
process.exit(failed ? 1 : 0);
