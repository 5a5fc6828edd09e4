// The benchmark's measuring side, in a module worker (where the product runs its module too). The page
// (bench.ts) forwards commands from the Node driver (run.mjs) and this worker answers them:
//   init    load the real MNIST files, the project's modules and TF.js (wasm backend, SIMD, one thread)
//   run     one timed measurement of one system: examples/s over a fixed number of batches after a warm-up
//   run-cores  the same for several of the project's builds at once, their timed batches in alternated blocks
//   peak    the f32x4 multiply-add ceiling (peak.ts), and what two threads get at once (pairRatio)
//   predict latency of one prediction for a drawn digit (preprocess 280x280 ink + forward), median
//   heap    the project module's WebAssembly memory size (the heap's high-water mark: it never shrinks)
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Core, release } from '../../web/src/core';
import type { MnistModule, MnistModuleFactory, Dataset, ThreadTally } from '../../wasm/mnist-core';
import { measurePeak, measurePeakPair } from './peak';

// The reference workload.
const INPUTS = 784;
const HIDDEN = 256;
const CLASSES = 10;
const BATCH = 32;
const LR = 0.1;
const DECAY = 1e-4;
// Each update rule at a learning rate that trains well with it (momentum 0.9 at lr/10 is SGD's step size).
const OPTIMIZER_LR = { sgd: LR, momentum: LR / 10, adam: 1e-3 };

export interface SystemSpec {
  id: string;
  kind: 'core' | 'tfjs-hand' | 'tfjs-fit';
  module?: string; // core: file name in web/generated/
  threads?: number; // core: threads to ask the module for
  pinned?: boolean; // core: every step on all the threads, the governor off (trainer.pinThreads)
  optimizer?: 'sgd' | 'momentum' | 'adam'; // core: the update rule (sgd by default), at its own learning rate
  transposes?: Transposes; // tfjs-hand: how the transposed operands reach the GEMMs (tfjsHandStep)
}

export interface RunOptions {
  warmup: number; // batches
  steps: number; // timed batches
  fitExamples: number; // tfjs-fit: examples in the timed model.fit epoch
  seed: number;
}

export interface RunResult {
  examplesPerSecond: number;
  examples: number;
  seconds: number;
  note?: string;
  tally?: ThreadTally; // run-steps: what the thread governor did
}

interface CoreEntry {
  core: Core;
  train: Dataset;
  test: Dataset;
  threadsApi: string;
  heapAfterLoad: number;
}

const cores = new Map<string, CoreEntry>();
let raw: { trainImages: Uint8Array; trainLabels: Uint8Array; testImages: Uint8Array; testLabels: Uint8Array };
let X: Float32Array; // (60000, 784) pixels / 255, for TF.js
let Y: Float32Array; // (60000, 10) one-hot
let trainCount = 0;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function be32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** The module's WebAssembly memory in bytes. */
function heapBytes(m: MnistModule): number {
  const mod = m as unknown as { HEAP8?: Int8Array; wasmMemory?: WebAssembly.Memory };
  return mod.HEAP8?.length ?? mod.wasmMemory?.buffer.byteLength ?? NaN;
}

/**
 * Asks a build for `threads` threads through its setThreads (wasm/bindings.cpp); a few other names are
 * also tried, and one thread needs none.
 */
function setThreads(m: MnistModule, threads: number): string {
  const mod = m as unknown as Record<string, unknown>;
  for (const name of ['setThreads', 'setThreadCount', 'setThreadsCount', 'setNumThreads']) {
    if (typeof mod[name] === 'function') {
      (mod[name] as (n: number) => unknown)(threads);
      return `${name}(${threads})`;
    }
  }
  if (threads === 1) return 'none (single-thread build)';
  const candidates = Object.keys(mod).filter((k) => /thread/i.test(k));
  throw new Error(`no thread-count function on the module (found: ${candidates.join(', ') || 'none'})`);
}

async function loadCoreSystem(spec: SystemSpec): Promise<CoreEntry> {
  const url = new URL(`/generated/${spec.module}`, self.location.origin).href;
  const factory = (await import(/* @vite-ignore */ url)).default as MnistModuleFactory;
  const core = new Core(await factory());
  const threadsApi = setThreads(core.module, spec.threads ?? 1);
  const train = core.parseDataset(raw.trainImages, raw.trainLabels, 'train');
  const test = core.parseDataset(raw.testImages, raw.testLabels, 'test');
  return { core, train, test, threadsApi, heapAfterLoad: heapBytes(core.module) };
}

async function init(systems: SystemSpec[]) {
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map(
      (f) => fetchBytes(`/mnist/${f}`),
    ),
  );
  raw = { trainImages, trainLabels, testImages, testLabels };
  trainCount = be32(trainImages, 4);

  const info: Record<string, unknown> = { crossOriginIsolated: self.crossOriginIsolated, trainCount };
  const errors: Record<string, string> = {};
  for (const s of systems.filter((s) => s.kind === 'core')) {
    try {
      const e = await loadCoreSystem(s);
      cores.set(s.id, e);
      info[s.id] = { build: e.core.build, threadsApi: e.threadsApi, heapAfterLoad: e.heapAfterLoad };
    } catch (err) {
      errors[s.id] = String((err as Error)?.message ?? err);
    }
  }

  if (systems.some((s) => s.kind.startsWith('tfjs'))) {
    // TF.js input as an application would hold it: the whole training set pre-scaled in one Float32Array,
    // labels one-hot; batches are subarray views of these (no per-batch JavaScript copies).
    X = new Float32Array(trainCount * INPUTS);
    for (let i = 0; i < X.length; ++i) X[i] = trainImages[16 + i] / 255;
    Y = new Float32Array(trainCount * CLASSES);
    for (let i = 0; i < trainCount; ++i) Y[i * CLASSES + trainLabels[8 + i]] = 1;
    // One thread, SIMD: the page is cross-origin isolated (for the project's threaded build), where TF.js
    // would otherwise pick its threaded binary; this flag makes it load tfjs-backend-wasm-simd.wasm.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(new URL('/tfjs-wasm/', self.location.origin).href);
    if (!(await tf.setBackend('wasm'))) throw new Error('TF.js: the wasm backend did not initialise');
    await tf.ready();
    info.tfjs = {
      version: tf.version.tfjs,
      backend: tf.getBackend(),
      simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      threads: getThreadsCount(),
      binary: 'tfjs-backend-wasm-simd.wasm',
    };
  }
  return { info, errors };
}

// ---- The project's core: its Trainer step API ------------------------------------------------------

// Sleeps this worker for `ms` without spinning (Atomics.wait is allowed in workers; it needs the shared
// memory of a cross-origin isolated page, and there is nothing to rest from without it).
function rest(ms: number) {
  if (typeof SharedArrayBuffer !== 'undefined') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// The project's builds measured together: a trainer each, warmed up, then the timed batches in `blocks`
// blocks per build, alternated A B, B A, A B, ... so that a change in the machine's load (2 shared cores)
// falls on every build alike, and their ratio (2 threads against 1) compares like with like. Before each
// block the worker rests 4 ms, so the threaded build's pool has stopped spinning (ThreadPool spins 2 ms)
// when the next block starts; then BLOCK_WARMUP untimed batches, because the first batches after a rest
// run slow (caches gone cold, the pool's threads asleep; figures in docs/performance.md), which a training
// run, with no rests, never pays. Each build still trains o.steps timed batches in all.
const BLOCK_WARMUP = 5;
function runCores(specs: SystemSpec[], o: RunOptions, blocks: number): Record<string, RunResult> {
  const runs = specs.map((spec) => {
    const e = cores.get(spec.id);
    if (!e) throw new Error(`${spec.id} is not loaded`);
    // epochs: 1 and one trainer per measurement: the epoch has 1,593 batches (51,000 examples), more than
    // warm-up + timed batches, so no timed step() ends an epoch (whose validation pass would be timed).
    const optimizer = spec.optimizer ?? 'sgd';
    const trainer = e.core.createTrainer(e.train, {
      hidden: HIDDEN,
      batch: BATCH,
      learningRate: OPTIMIZER_LR[optimizer],
      decay: DECAY,
      epochs: 1,
      seed: o.seed,
      optimizer,
    });
    if (spec.pinned) trainer.pinThreads();
    return { spec, core: e.core, trainer, seconds: 0, batches: 0, loss: NaN };
  });
  const n = Math.max(1, Math.min(blocks, o.steps));
  try {
    for (const r of runs) {
      const perEpoch = Math.floor(r.trainer.epochSize() / BATCH);
      const batches = o.warmup + (runs.length > 1 ? n * BLOCK_WARMUP : 0) + o.steps;
      if (batches >= perEpoch)
        throw new Error(`warm-up + steps (${batches} batches) must stay below one epoch (${perEpoch} batches)`);
      if (o.warmup > 0) r.core.step(r.trainer, o.warmup);
    }
    for (let b = 0; b < n; ++b) {
      const steps = Math.floor((o.steps * (b + 1)) / n) - Math.floor((o.steps * b) / n);
      const order = b % 2 === 0 ? runs : [...runs].reverse();
      for (const r of order) {
        if (runs.length > 1) {
          rest(4);
          r.core.step(r.trainer, BLOCK_WARMUP);
        }
        const t0 = performance.now();
        const s = r.core.step(r.trainer, steps);
        r.seconds += (performance.now() - t0) / 1000;
        if (s.status !== 'running' || s.batches !== steps)
          throw new Error(`${r.spec.id}: step(${steps}) ran ${s.batches} batches with status ${s.status}`);
        if (!Number.isFinite(s.batchLoss)) throw new Error(`${r.spec.id}: training diverged`);
        r.batches += steps;
        r.loss = s.batchLoss;
      }
    }
    const out: Record<string, RunResult> = {};
    for (const r of runs) {
      const examples = r.batches * BATCH;
      out[r.spec.id] = {
        examplesPerSecond: examples / r.seconds,
        examples,
        seconds: r.seconds,
        note: `last batch loss ${r.loss.toFixed(3)}`,
      };
    }
    return out;
  } finally {
    for (const r of runs) r.trainer.delete();
  }
}

// The step alone for the examples of the page's full run (issue #25's page/step ratio, measured beside each
// page run rather than scaled from run-cores' 500 batches): one trainer of `epochs` epochs with the page's
// settings, step() timed in calls of STEP_CALL batches (the page's calls are shorter, about 5 ms), each
// epoch's validation pass run untimed between epochs (the page's own is part of what the ratio charges it).
const STEP_CALL = 100;
function runSteps(spec: SystemSpec, seed: number, epochs: number): RunResult {
  const e = cores.get(spec.id);
  if (!e) throw new Error(`${spec.id} is not loaded`);
  const trainer = e.core.createTrainer(e.train, { hidden: HIDDEN, batch: BATCH, learningRate: LR, decay: DECAY, epochs, seed });
  let seconds = 0;
  let validation = 0; // the epochs' validation passes, timed apart
  let batches = 0;
  try {
    for (;;) {
      const t0 = performance.now();
      const s = e.core.step(trainer, STEP_CALL);
      seconds += (performance.now() - t0) / 1000;
      batches += s.batches;
      if (s.status === 'diverged') throw new Error(`${spec.id}: training diverged`);
      if (s.status === 'finished') break;
      if (s.status === 'epoch-ended') {
        const v0 = performance.now();
        while (!e.core.validate(trainer, 1e9));
        validation += (performance.now() - v0) / 1000;
      }
    }
    const examples = epochs * trainer.epochSize();
    const note = `${batches} batches, validation ${validation.toFixed(3)} s`;
    return { examplesPerSecond: examples / seconds, examples, seconds, note, tally: trainer.threadTally() };
  } finally {
    trainer.delete();
  }
}

// ---- TF.js, hand-tuned ---------------------------------------------------------------------------

function heInit(rows: number, cols: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([rows, cols], 0, Math.sqrt(2 / rows), 'float32', seed) as tf.Tensor2D;
}

type Transposes = 'layout' | 'explicit' | 'flags';

/**
 * The hand-tuned TF.js training step (nothing is skipped; the maths is the project's: mean
 * cross-entropy + decay * (|W1|^2 + |W2|^2), plain SGD). What makes it fast:
 *  - gradients written out by hand, no tape (tf.grad/variableGrads record and replay every op);
 *  - every GEMM reaches XNNPACK: tfjs-backend-wasm 4.22 sends a matMul to XNNPACK only when neither
 *    transposeA nor transposeB is set, and runs a flagged one through its scalar fallback loop
 *    (batch_mat_mul_impl.cc, slow_batch_matmul), so transposes are explicit (tf.transpose, then a plain
 *    matMul);
 *  - XNNPACK packs the GEMM's right operand ("weights") into a new operator whenever that tensor is
 *    new, which for a variable updated every step means every step: with W1 (784x256) on the right,
 *    the forward GEMM spent most of its time packing W1. So ('layout', the default) W1 is kept
 *    transposed, W1t (256x784), and layer 1 runs in transposed form with the small batch on the right:
 *      forward  ht = relu(W1t @ x^T + b1)        (x^T is 784x32: cheap to pack)
 *      backward dW1t = d1t @ x,  d1t = (W2 @ d2^T) * step(ht),  dW2 = ht @ d2
 *    ('explicit' keeps W1 784x256 and transposes x, h and W2 explicitly; 'flags' uses matMul's flags.)
 *  - lr/batch folded into the logits' error once, so the weight gradients come out already scaled, and
 *    decay folded into one shrink factor: W <- W * (1 - 2 lr decay) - gradient;
 *  - relu' as step(h) (h > 0 exactly where z > 0), so z1 is never kept;
 *  - batches cut from the pre-scaled Float32Array with subarray (one copy into the wasm heap, as any
 *    tensor creation), everything inside tf.tidy, and the only data sync at the end of the timed window.
 */
function tfjsHandStep(transposes: Transposes, seed: number) {
  const layout = transposes === 'layout';
  const W1 = tf.variable(layout ? tf.transpose(heInit(INPUTS, HIDDEN, seed)) : heInit(INPUTS, HIDDEN, seed));
  const b1 = tf.variable(layout ? tf.zeros([HIDDEN, 1]) : tf.zeros([HIDDEN]));
  const W2 = tf.variable(heInit(HIDDEN, CLASSES, seed + 1));
  const b2 = tf.variable(tf.zeros([CLASSES]));
  const shrink = tf.scalar(1 - 2 * LR * DECAY);
  const scale = tf.scalar(LR / BATCH);
  const batches = Math.floor(trainCount / BATCH);
  const explicit = transposes === 'explicit';
  // a^T b and a b^T
  const matMulTN = (a: tf.Tensor, b: tf.Tensor) => (explicit ? tf.matMul(tf.transpose(a), b) : tf.matMul(a, b, true, false));
  const matMulNT = (a: tf.Tensor, b: tf.Tensor) => (explicit ? tf.matMul(a, tf.transpose(b)) : tf.matMul(a, b, false, true));
  let batchIndex = 0;
  const step = () =>
    tf.tidy(() => {
      const off = (batchIndex++ % batches) * BATCH;
      const x = tf.tensor2d(X.subarray(off * INPUTS, (off + BATCH) * INPUTS), [BATCH, INPUTS]);
      const y = tf.tensor2d(Y.subarray(off * CLASSES, (off + BATCH) * CLASSES), [BATCH, CLASSES]);
      if (layout) {
        const ht = tf.relu(tf.add(tf.matMul(W1, tf.transpose(x)), b1)); // (256, 32)
        const p = tf.softmax(tf.fused.matMul({ a: tf.transpose(ht), b: W2, bias: b2 }));
        const d2 = tf.mul(tf.sub(p, y), scale); // lr * dCE/dlogits (32, 10)
        const d1t = tf.mul(tf.matMul(W2, tf.transpose(d2)), tf.step(ht)); // before W2 is updated
        W2.assign(tf.sub(tf.mul(W2, shrink), tf.matMul(ht, d2)));
        b2.assign(tf.sub(b2, tf.sum(d2, 0)));
        W1.assign(tf.sub(tf.mul(W1, shrink), tf.matMul(d1t, x)));
        b1.assign(tf.sub(b1, tf.sum(d1t, 1, true)));
        return;
      }
      const h = tf.fused.matMul({ a: x, b: W1, bias: b1, activation: 'relu' });
      const p = tf.softmax(tf.fused.matMul({ a: h, b: W2, bias: b2 }));
      const d2 = tf.mul(tf.sub(p, y), scale); // lr * dCE/dlogits
      const dh = matMulNT(d2, W2); // before W2 is updated
      const d1 = tf.mul(dh, tf.step(h));
      W2.assign(tf.sub(tf.mul(W2, shrink), matMulTN(h, d2)));
      b2.assign(tf.sub(b2, tf.sum(d2, 0)));
      W1.assign(tf.sub(tf.mul(W1, shrink), matMulTN(x, d1)));
      b1.assign(tf.sub(b1, tf.sum(d1, 0)));
    });
  // Untimed sanity: accuracy on the first 2,000 training images, so a broken loop cannot look fast.
  const accuracy = () =>
    tf.tidy(() => {
      const n = 2000;
      const x = tf.tensor2d(X.subarray(0, n * INPUTS), [n, INPUTS]);
      const w1 = layout ? tf.transpose(W1) : W1;
      const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), tf.reshape(b1, [HIDDEN]))), W2), b2);
      const labels = tf.argMax(tf.tensor2d(Y.subarray(0, n * CLASSES), [n, CLASSES]), 1);
      return tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')).dataSync()[0];
    });
  const sync = () => b2.dataSync();
  const dispose = () => tf.dispose([W1, b1, W2, b2, shrink, scale]);
  return { step, accuracy, sync, dispose };
}

function runTfjsHand(o: RunOptions, transposes: Transposes = 'layout'): RunResult {
  const { step, accuracy, sync, dispose } = tfjsHandStep(transposes, o.seed);
  try {
    for (let i = 0; i < o.warmup; ++i) step();
    sync();
    const t0 = performance.now();
    for (let i = 0; i < o.steps; ++i) step();
    sync(); // the only sync (the wasm backend runs eagerly; this makes sure of it)
    const seconds = (performance.now() - t0) / 1000;
    const acc = accuracy();
    if (!(acc > 0.5)) throw new Error(`TF.js hand-tuned loop does not learn (accuracy ${acc})`);
    const examples = o.steps * BATCH;
    return { examplesPerSecond: examples / seconds, examples, seconds, note: `train-subset accuracy ${acc.toFixed(3)}` };
  } finally {
    dispose();
  }
}

// ---- TF.js, model.fit -------------------------------------------------------------------------------

async function runTfjsFit(o: RunOptions): Promise<RunResult> {
  const l2 = () => tf.regularizers.l2({ l2: DECAY });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [INPUTS], kernelRegularizer: l2() }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelRegularizer: l2() }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(LR), loss: 'categoricalCrossentropy' });
  const n = Math.min(o.fitExamples, trainCount);
  const w = Math.min(o.warmup * BATCH, trainCount);
  const xs = tf.tensor2d(X.subarray(0, n * INPUTS), [n, INPUTS]);
  const ys = tf.tensor2d(Y.subarray(0, n * CLASSES), [n, CLASSES]);
  const xw = tf.tensor2d(X.subarray((trainCount - w) * INPUTS), [w, INPUTS]);
  const yw = tf.tensor2d(Y.subarray((trainCount - w) * CLASSES), [w, CLASSES]);
  try {
    await model.fit(xw, yw, { batchSize: BATCH, epochs: 1, verbose: 0 });
    const t0 = performance.now();
    const h = await model.fit(xs, ys, { batchSize: BATCH, epochs: 1, verbose: 0 });
    const seconds = (performance.now() - t0) / 1000;
    const loss = Number(h.history.loss[0]);
    if (!Number.isFinite(loss)) throw new Error('model.fit diverged');
    return { examplesPerSecond: n / seconds, examples: n, seconds, note: `epoch loss ${loss.toFixed(3)}` };
  } finally {
    tf.dispose([xs, ys, xw, yw]);
    model.dispose();
  }
}

// ---- Prediction latency --------------------------------------------------------------------------

/** A hand-drawn-looking "7" on a 280x280 canvas: ink in [0, 1], a round pen of radius 9 px. */
function drawnDigit(): Float32Array {
  const W = 280;
  const ink = new Float32Array(W * W);
  const strokes: Array<[number, number, number, number]> = [
    [70, 60, 205, 58],
    [205, 58, 130, 235],
    [110, 150, 185, 148],
  ];
  for (const [x0, y0, x1, y1] of strokes) {
    const len = Math.hypot(x1 - x0, y1 - y0);
    for (let t = 0; t <= len; t += 1) {
      const cx = x0 + ((x1 - x0) * t) / len;
      const cy = y0 + ((y1 - y0) * t) / len;
      for (let y = Math.floor(cy - 10); y <= cy + 10; ++y)
        for (let x = Math.floor(cx - 10); x <= cx + 10; ++x) {
          const d = Math.hypot(x - cx, y - cy);
          if (x >= 0 && y >= 0 && x < W && y < W && d <= 9) ink[y * W + x] = Math.max(ink[y * W + x], d < 7 ? 1 : (9 - d) / 2);
        }
    }
  }
  return ink;
}

function predictLatency(id: string, calls: number) {
  const e = cores.get(id);
  if (!e) throw new Error(`${id} is not loaded`);
  const { core } = e;
  const trainer = core.createTrainer(e.train, { hidden: HIDDEN, batch: BATCH, learningRate: LR, decay: DECAY, epochs: 1, seed: 7 });
  let model = null;
  try {
    core.step(trainer, 300); // a model that has learnt something (untimed)
    model = core.model(trainer);
    const ink = drawnDigit();
    const once = () => {
      const d = core.preprocess(ink, 280, 280);
      if (d.empty) throw new Error('the drawn digit came out empty');
      return core.predict(model!, d.pixels);
    };
    for (let i = 0; i < 20; ++i) once();
    const ms: number[] = [];
    let probs = once();
    for (let i = 0; i < calls; ++i) {
      const t0 = performance.now();
      probs = once();
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    const predicted = probs.indexOf(Math.max(...probs));
    return { medianMs: ms[ms.length >> 1], p90Ms: ms[Math.floor(ms.length * 0.9)], calls, predicted };
  } finally {
    release(model, trainer);
  }
}

// ---- Messages --------------------------------------------------------------------------------------

async function handle(cmd: string, args: any): Promise<unknown> {
  switch (cmd) {
    case 'init':
      return init(args.systems as SystemSpec[]);
    case 'run': {
      const spec = args.spec as SystemSpec;
      const o = args.options as RunOptions;
      if (spec.kind === 'core') return runCores([spec], o, 1)[spec.id];
      if (spec.kind === 'tfjs-hand') return runTfjsHand(o, spec.transposes ?? 'layout');
      if (spec.kind === 'tfjs-fit') return runTfjsFit(o);
      throw new Error(`unknown kind ${spec.kind}`);
    }
    case 'run-steps':
      return runSteps(args.spec as SystemSpec, args.seed as number, args.epochs as number);
    case 'run-cores':
      return runCores(args.specs as SystemSpec[], args.options as RunOptions, args.blocks as number);
    case 'tfjs-profile': {
      // Diagnostic: per-kernel wall time of the hand-tuned step (tf.profile), averaged over `steps` steps.
      const { step, dispose } = tfjsHandStep(args.transposes ?? 'layout', 1);
      const totals: Record<string, number> = {};
      const steps = args.steps ?? 50;
      try {
        for (let i = 0; i < 20; ++i) step();
        for (let i = 0; i < steps; ++i) {
          const info = await tf.profile(step);
          for (const k of info.kernels) {
            const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
            totals[key] = (totals[key] ?? 0) + (k.kernelTimeMs as number) / steps;
          }
        }
      } finally {
        dispose();
      }
      return Object.entries(totals).sort((x, y) => y[1] - x[1]);
    }
    case 'peak': {
      const peak = await measurePeak();
      // Two threads at once need shared memory; without isolation the pair is not measured.
      const pairRatio = self.crossOriginIsolated ? await measurePeakPair(peak.chains) : null;
      return { ...peak, pairRatio };
    }
    case 'predict':
      return predictLatency(args.id, args.calls ?? 300);
    case 'heap': {
      const out: Record<string, number> = {};
      for (const [id, e] of cores) out[id] = heapBytes(e.core.module);
      return out;
    }
    default:
      throw new Error(`unknown command ${cmd}`);
  }
}

self.onmessage = async (ev: MessageEvent) => {
  const { id, cmd, args } = ev.data;
  try {
    const result = await handle(cmd, args);
    self.postMessage({ id, result });
  } catch (err) {
    self.postMessage({ id, error: String((err as Error)?.stack ?? err) });
  }
};
self.postMessage({ ready: true });
