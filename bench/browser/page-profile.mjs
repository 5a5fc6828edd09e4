// Profiles the page's full reference run by phase against the bench's step alone, in one session (not a
// test: it reports, nothing asserts a time). Each round first times the step alone for the page's
// examples (the bench page's run-steps: E epochs of step(), validation untimed, on each thread count),
// then runs the built page (one or more `vite build` outputs, e.g. before and after a change) on each
// thread count, in rotated orders: Full MNIST, the defaults (10 epochs of 51,000, validation each epoch,
// the final test), the "Hidden unit weights" grid on screen. Per run it prints the wall time (click on
// Train to the test accuracy), its ratio to the step alone (510,000 examples at the step's examples/s), the worker's time
// per kind of task (?debug's timings: the steps, the epoch-end steps with the validation pass, slices,
// the run's end, units, activity, messages) and its idle time, the main thread's busy time (CDP
// Performance.getMetrics TaskDuration) and the longest task on each thread (PerformanceObserver
// 'longtask' on the main thread; the worker's own timing of each task).
//
// Needs the bench page built (npm run bench once, or vite build --config bench/browser/vite.config.ts).
//   node bench/browser/page-profile.mjs [--rounds N] [--threads 1,2] [--epochs E] DIST_DIR [DIST_DIR...]
import { spawn } from 'node:child_process';
import { execSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/chromium.mjs';
import { clickTrainTimed, freePort, servePage, tallyText, waitForRunEnd } from './page-run.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [, value] = args.splice(i, 2);
  return value;
};
const ROUNDS = Number(option('--rounds', '3'));
const THREADS = option('--threads', '1,2').split(',').map(Number);
const EPOCHS = Number(option('--epochs', '10'));
const dists = args;
if (!dists.length) {
  console.error('usage: node bench/browser/page-profile.mjs [--rounds N] [--threads 1,2] [--epochs E] DIST_DIR...');
  process.exit(2);
}
const EXAMPLES = EPOCHS * 51_000;
const log = (...a) => console.log(...a);
const load = () => execSync('uptime').toString().trim().replace(/.*load average: /, '');

async function serveBench() {
  const port = await freePort();
  const child = spawn(resolve(repo, 'node_modules/.bin/vite'), ['preview', '--config', 'bench/browser/vite.config.ts', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 150; ++i) {
    try {
      if ((await fetch(url)).ok) return { url, stop: () => child.kill('SIGTERM') };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGTERM');
  throw new Error('the bench page did not answer');
}

const SPECS = [
  { id: 'wasm-simd', label: '1 thread', kind: 'core', module: 'mnist_simd.mjs', threads: 1 },
  { id: 'wasm-threads-2', label: '2 threads', kind: 'core', module: 'mnist_threads.mjs', threads: 2 },
];

async function openBench(browser, url) {
  const page = await browser.newPage();
  await page.goto(url);
  await page.evaluate(() => window.benchReady);
  const call = (cmd, a = {}) => page.evaluate(([c, x]) => window.bench(c, x), [cmd, a]);
  const { errors } = await call('init', { systems: SPECS });
  if (Object.keys(errors).length) throw new Error(JSON.stringify(errors));
  // The step alone for the page's examples (run-steps, as npm run bench times it beside each page run).
  return async (seed) => {
    const out = {};
    for (const spec of SPECS.filter((x) => THREADS.includes(x.threads))) {
      const r = await call('run-steps', { spec, seed, epochs: EPOCHS });
      log(`  step alone ${spec.threads}t: ${r.note}; governor: ${tallyText(r.tally)}`);
      out[spec.threads] = r.examplesPerSecond;
      if (r.tally?.steps[1] > 0) out.usPerStep2 = (r.tally.seconds[1] / r.tally.steps[1]) * 1e6;
    }
    return out;
  };
}

const diff = (after, before) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, t]) => {
        const b = before[k] ?? { count: 0, totalMs: 0, maxMs: 0 };
        return [k, { count: t.count - b.count, totalMs: t.totalMs - b.totalMs, maxMs: t.maxMs }];
      })
      .filter(([, t]) => t.count > 0),
  );

async function runPage(browser, url, threads) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  try {
    await page.goto(`${url}?threads=${threads}&debug`);
    const loaded = (n) => page.getByText(new RegExp(`${n} training and [\\d,]+ test images loaded`)).waitFor({ timeout: 120_000 });
    await loaded('[\\d,]+');
    await page.getByLabel('Dataset').selectOption('full');
    await loaded('60,000');
    if (EPOCHS !== 10) await page.getByLabel('Epochs').fill(String(EPOCHS));
    await page.evaluate(() => document.getElementById('units').scrollIntoView({ block: 'center', behavior: 'instant' }));
    await page.waitForTimeout(500);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    await page.evaluate(() => window.mnistDebug.resetTimings?.());
    const before = await page.evaluate(() => window.mnistDebug.timings());
    const m0 = await metric();
    await page.evaluate(() => (window.longTasks = []));
    const runSeconds = await clickTrainTimed(page);
    await waitForRunEnd(page, 600_000);
    const seconds = await runSeconds();
    const m1 = await metric();
    await page.waitForTimeout(1500); // the run's end's later tasks (activity), for the longest task
    const after = await page.evaluate(() => window.mnistDebug.timings());
    const longTasks = await page.evaluate(() => window.longTasks);
    const tally = await page.evaluate(() => window.mnistDebug.threads?.() ?? null);
    if (problems.length) throw new Error(`page errors: ${problems.join('; ')}`);
    return {
      seconds,
      accuracy: (await page.getByLabel('Test accuracy').textContent()).trim(),
      worker: diff(after, before),
      mainBusyS: m1.TaskDuration - m0.TaskDuration,
      mainScriptS: m1.ScriptDuration - m0.ScriptDuration,
      mainLayoutS: m1.LayoutDuration - m0.LayoutDuration + m1.RecalcStyleDuration - m0.RecalcStyleDuration,
      mainFrames: m1.Frames - m0.Frames,
      mainLongestMs: Math.max(0, ...longTasks),
      mainLongTasks: longTasks.length,
      tally,
    };
  } finally {
    await page.close();
  }
}

function summary(r, stepEps) {
  const w = r.worker;
  const ms = (k) => w[k]?.totalMs ?? 0;
  // Tasks at the top level ('(every task)'; before it existed, the kinds that are never nested).
  const top = w['(every task)'] ?? {
    totalMs: Object.entries(w).filter(([k]) => !/^(step|validate|units)/.test(k)).reduce((a, [, t]) => a + t.totalMs, 0),
    maxMs: Math.max(0, ...Object.entries(w).filter(([k]) => !/^(step|validate)/.test(k)).map(([, t]) => t.maxMs)),
  };
  const busy = top.totalMs;
  const steps = ms('step') + ms('step (epoch end)');
  const stepOnly = EXAMPLES / stepEps;
  const longestWorker = top.maxMs;
  const kinds = Object.entries(w)
    .sort((a, b) => b[1].totalMs - a[1].totalMs)
    .map(([k, t]) => `${k} ${(t.totalMs / 1000).toFixed(3)} s/${t.count} max ${t.maxMs.toFixed(1)}`)
    .join('; ');
  return (
    `${r.seconds.toFixed(2)} s (step alone ${stepOnly.toFixed(2)} s, x${(r.seconds / stepOnly).toFixed(3)}), ${r.accuracy}; ` +
    `worker: step calls ${(steps / 1000).toFixed(2)} s, tasks ${(busy / 1000).toFixed(2)} s, idle ${(r.seconds - busy / 1000).toFixed(2)} s, ` +
    `longest task ${longestWorker.toFixed(1)} ms; main: busy ${r.mainBusyS.toFixed(2)} s (script ${r.mainScriptS.toFixed(2)}, ` +
    `style+layout ${r.mainLayoutS.toFixed(2)}, ${r.mainFrames} frames), ` +
    `longest ${r.mainLongestMs.toFixed(0)} ms (${r.mainLongTasks} long)` +
    (r.tally ? `; governor: ${tallyText(r.tally)}` : '') +
    `\n      ${kinds}`
  );
}

const bench = await serveBench();
const servers = [];
for (const d of dists) servers.push(await servePage(d));
const browser = await launchChromium();
try {
  const stepOnly = await openBench(browser, bench.url);
  const results = dists.map(() => Object.fromEntries(THREADS.map((t) => [t, []])));
  const ratios = dists.map(() => Object.fromEntries(THREADS.map((t) => [t, []])));
  const perStep = dists.map(() => []);
  for (let round = 0; round < ROUNDS; ++round) {
    const eps = await stepOnly(round + 1);
    log(`round ${round + 1}: load ${load()}; step alone ${THREADS.map((t) => `${t}t ${Math.round(eps[t])} ex/s`).join(', ')}`);
    const runs = dists.flatMap((_, d) => THREADS.map((t) => [d, t]));
    for (let i = 0; i < runs.length; ++i) {
      const [d, t] = runs[(i + round) % runs.length];
      const r = await runPage(browser, servers[d].url, t);
      results[d][t].push(r);
      ratios[d][t].push(r.seconds / (EXAMPLES / eps[t]));
      log(`  ${dists[d]} ${t}t: ${summary(r, eps[t])}`);
      // The page's 2-thread steps against the step alone's, per step (the governor's tallies): what the
      // page's other work on the two cores costs the steps themselves.
      if (r.tally?.steps[1] > 0 && eps.usPerStep2) {
        const us = (r.tally.seconds[1] / r.tally.steps[1]) * 1e6;
        perStep[d].push(us / eps.usPerStep2);
        log(`      2-thread steps: page ${us.toFixed(1)} us, alone ${eps.usPerStep2.toFixed(1)} us, x${(us / eps.usPerStep2).toFixed(3)}`);
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (let d = 0; d < dists.length; ++d)
    for (const t of THREADS)
      log(
        `${dists[d]} ${t}t: page ${results[d][t].map((r) => r.seconds.toFixed(2)).join(', ')} s; ` +
          `page / step alone ${ratios[d][t].map((x) => x.toFixed(3)).join(', ')} (median x${median(ratios[d][t]).toFixed(3)})`,
      );
  for (let d = 0; d < dists.length; ++d)
    if (perStep[d].length) log(`${dists[d]}: 2-thread steps page / alone ${perStep[d].map((x) => x.toFixed(3)).join(', ')} (median x${median(perStep[d]).toFixed(3)})`);
  log(`load ${load()}`);
} finally {
  await browser.close();
  for (const s of servers) s.stop();
  bench.stop();
}
