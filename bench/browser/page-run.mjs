// Drives the built page (dist/, or any `vite build` output) the way a user does, for `npm run bench` and
// for measurements by hand: serve it with `vite preview` (cross-origin isolated, so the threaded build
// loads), open it with ?threads=N, pick the dataset through its Dataset select, press Train with the
// defaults (or a given number of epochs) once the page has settled, and time the run from the click to
// the test accuracy of the finished run. Also a CPU-bound process that keeps one core busy, as a video
// call or a build would on a user's laptop.
//
// By hand: node bench/browser/page-run.mjs DIST_DIR THREADS[,THREADS...] [EPOCHS] [--busy]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/chromium.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const vite = resolve(repo, 'node_modules/.bin/vite');

/** The median of numbers (the mean of the middle two for an even count; NaN for none). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** The thread governor's tally (?debug's mnistDebug.threads(), a trainer's threadTally()) as text: steps and
 *  seconds on one thread and on more, probes, switches, and each of the first probes: when it ended (s of
 *  training), the count it tried, its steps, its judged mean step against the current count's, its stalls. */
export function tallyText(t) {
  const probe = (p) =>
    `${p.at.toFixed(3)}s ${p.threads}t ${p.steps} ${(p.mean * 1e6).toFixed(0)}/${(p.current * 1e6).toFixed(0)}us ` +
    `${(p.stalled * 1e3).toFixed(1)}ms ${p.won ? 'won' : 'lost'}`;
  return (
    `steps 1t ${t.steps[0]} (${t.seconds[0].toFixed(2)} s), 2t ${t.steps[1]} (${t.seconds[1].toFixed(2)} s), ` +
    `${t.probes} probes, ${t.switches} switches` +
    (t.first?.length ? `; first probes: ${t.first.map(probe).join(', ')}` : '')
  );
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve_, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve_(port));
    });
  });
}

/** Serves `outDir` (a `vite build` of the page) with the root vite.config.ts's preview headers; returns
 *  { url, stop }. */
export async function servePage(outDir) {
  const port = await freePort();
  const child = spawn(vite, ['preview', '--outDir', resolve(outDir), '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/`;
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`vite preview did not answer at ${url}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts one CPU-bound process (an endless loop in Node, one core's worth); returns its stop(). */
export function keepOneCoreBusy() {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stop);
  return stop;
}

/**
 * Clicks the page's Train button, waits until the test accuracy has emptied (the run started), and returns a
 * reader of the run's seconds in the page's own clock: from the click's event to the mutation that puts the
 * new test accuracy in. Read it once the accuracy is shown (waitForRunEnd). Playwright's waitFor polls (up to
 * every 500 ms), which would round a 4 s run up by as much; so would timing the click's round trip. The page
 * also records the build badge's texts (window.runTimes.badges), so nothing polls it during the run.
 */
export async function clickTrainTimed(page) {
  await page.evaluate(() => {
    const accuracy = document.getElementById('test-accuracy');
    const badge = document.getElementById('build');
    let [started, ended] = [() => {}, () => {}];
    const times = (window.runTimes = { click: null, emptied: !/\d/.test(accuracy.textContent), end: null, badges: [badge.textContent.trim()] });
    window.runStarted = new Promise((resolve) => (started = resolve));
    window.runEnded = new Promise((resolve) => (ended = resolve));
    if (times.emptied) started();
    document.getElementById('train').addEventListener('click', () => (times.click ??= performance.now()), { capture: true });
    new MutationObserver(() => {
      if (times.click === null || times.end !== null) return;
      if (!/\d/.test(accuracy.textContent)) (times.emptied = true), started();
      else if (times.emptied) (times.end = performance.now()), ended();
    }).observe(accuracy, { childList: true, characterData: true, subtree: true });
    new MutationObserver(() => {
      const text = badge.textContent.trim();
      if (times.end === null && text !== times.badges[times.badges.length - 1]) times.badges.push(text);
    }).observe(badge, { childList: true, characterData: true, subtree: true });
  });
  await page.getByRole('button', { name: 'Train' }).click();
  await inPage(page, () => window.runStarted, 10_000, 'the run did not start');
  return async () => {
    const t = await page.evaluate(() => window.runTimes);
    if (t.click === null || t.end === null) throw new Error(`the run's start or end was not seen: ${JSON.stringify(t)}`);
    return (t.end - t.click) / 1000;
  };
}

/**
 * Waits for the end of the run clickTrainTimed started (its new test accuracy shown) with one call that
 * resolves in the page: Playwright's waitFor would poll the page through DevTools meanwhile, each time
 * running its selector engine on the page's main thread (70-100 ms of it in a traced 4 s run), which a
 * user's page does not pay. (Its waitForFunction, too, first injects Playwright's script into the page:
 * 11 ms of compiling on the main thread as the run starts.)
 */
export async function waitForRunEnd(page, timeoutMs) {
  await inPage(page, () => window.runEnded, timeoutMs, `no run end within ${timeoutMs / 1000} s`);
}

/** Awaits a promise of the page's (`f` returns it, in the page) for up to timeoutMs. */
async function inPage(page, f, timeoutMs, message) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(message)), timeoutMs)));
  try {
    await Promise.race([page.evaluate(f), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One training run in the page at `url` with `threads` threads (?threads=N): the dataset picked through
 * the Dataset select ('full': Full MNIST, whose 60,000 images the Training examples field then holds),
 * the reference defaults (or the settings in `query`, a link's query string), `epochs` if given. Returns { seconds (click to test accuracy), testAccuracy
 * (the page's text), badgesSeen (the build badge's texts, in order, from before the click to the end) }.
 */
export async function runPage(browser, url, { threads, dataset = 'full', epochs, query = '', timeoutMs = 600_000 } = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  try {
    await page.goto(`${url}?threads=${threads}${query ? `&${query}` : ''}`); // query: settings as a link gives them
    const loaded = (n) => page.getByText(new RegExp(`${n} training and [\\d,]+ test images loaded`)).waitFor({ timeout: 120_000 });
    await loaded('[\\d,]+');
    if (dataset === 'full') {
      await page.getByLabel('Dataset').selectOption('full');
      await loaded('60,000');
    }
    if (epochs) await page.getByLabel('Epochs').fill(String(epochs));
    const accuracy = page.getByLabel('Test accuracy');
    const phase = page.locator('#phase-text');
    // Settled first: the reference model's test accuracy, still on its way, would otherwise land after
    // the click and look like the end of the run (and its pass would share the run's cores).
    await phase.filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
    if (/reference model/.test(await phase.textContent())) await accuracy.filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
    // "Test accuracy" empties at once when Train is pressed and shows the new model's at the end, when
    // the phase reads "Finished in ...".
    const runSeconds = await clickTrainTimed(page);
    await waitForRunEnd(page, timeoutMs);
    await phase.filter({ hasText: /^Finished in/ }).waitFor({ timeout: 60_000 });
    const seconds = await runSeconds();
    const badgesSeen = await page.evaluate(() => window.runTimes.badges); // what the build badge said (the threads in use)
    if (problems.length) throw new Error(`page errors: ${problems.join('; ')}`);
    // With ?debug in the query: what the core's thread governor did (steps and seconds on 1 and on 2), and
    // the worker's time per kind of task (step, validate, ...).
    const threadTally = await page.evaluate(() => window.mnistDebug?.threads() ?? null);
    const tasks = await page.evaluate(() => window.mnistDebug?.timings() ?? null);
    return {
      seconds,
      testAccuracy: (await accuracy.textContent()).trim(),
      badgesSeen,
      ...(threadTally ? { threadTally } : {}),
      ...(tasks ? { tasks } : {}),
    };
  } finally {
    await page.close();
  }
}

// By hand: prints one JSON line per run.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir, threadList, epochsArg, ...flags] = process.argv.slice(2);
  if (!outDir || !threadList) {
    console.error('usage: node bench/browser/page-run.mjs DIST_DIR THREADS[,THREADS...] [EPOCHS] [--busy]');
    process.exit(2);
  }
  const busy = flags.includes('--busy') || epochsArg === '--busy';
  const epochs = epochsArg && epochsArg !== '--busy' ? Number(epochsArg) : undefined;
  const server = await servePage(outDir);
  const browser = await launchChromium();
  const stopLoad = busy ? keepOneCoreBusy() : () => {};
  try {
    for (const threads of threadList.split(',').map(Number)) {
      const r = await runPage(browser, server.url, { threads, epochs });
      console.log(JSON.stringify({ threads, epochs: epochs ?? 10, busy, ...r }));
    }
  } finally {
    stopLoad();
    await browser.close();
    server.stop();
  }
}
