// The WebAssembly module in Node, both builds, through the Core wrapper the worker uses: gradients against
// a double-precision JavaScript reference, training lowers the loss, errors carry the C++ message, and
// no Embind object outlives a test.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Core, CoreError, release, simdSupported } from '../../web/src/core';
import { firstImages, loadCoreInNode, readIdx, type Build } from './load';
import { referenceGradients, relativeError } from './reference';

let images: Uint8Array, labels: Uint8Array, testImages: Uint8Array, testLabels: Uint8Array;
beforeAll(async () => {
  [images, labels, testImages, testLabels] = await Promise.all([
    readIdx('train-images-idx3-ubyte'),
    readIdx('train-labels-idx1-ubyte'),
    readIdx('t10k-images-idx3-ubyte'),
    readIdx('t10k-labels-idx1-ubyte'),
  ]);
});

it('detects WebAssembly SIMD in Node 20', () => {
  expect(simdSupported()).toBe(true);
});

describe.each<Build>(['simd', 'nosimd'])('the %s build', (build) => {
  let core: Core;
  beforeAll(async () => {
    core = await loadCoreInNode(build);
  });
  afterEach(() => {
    expect(core.liveObjects()).toBe(0);
  });

  it('reports which build it is', () => {
    expect(core.build.simd).toBe(build === 'simd');
  });

  it('parses the IDX files with the core and keeps every image', () => {
    const train = core.parseDataset(images, labels, 'train');
    const test = core.parseDataset(testImages, testLabels, 'test');
    try {
      expect(train.size()).toBe(60000);
      expect(test.size()).toBe(10000);
      expect(train.label(0)).toBe(labels[8]);
      expect(Array.from(train.image(1)!)).toEqual(Array.from(images.subarray(16 + 784, 16 + 2 * 784)));
    } finally {
      release(train, test);
    }
  });

  it('matches the double-precision reference gradients to a relative error below 1e-4', () => {
    const patched = (b: Uint8Array, count: number) => {
      const copy = b.slice();
      new DataView(copy.buffer).setUint32(4, count);
      return copy;
    };
    const small = core.parseDataset(patched(images.subarray(0, 16 + 200 * 784), 200), patched(labels.subarray(0, 8 + 200), 200), 'train');
    const trainer = core.createTrainer(small, { hidden: 24, epochs: 1, batch: 16, seed: 7 });
    core.step(trainer, 3); // move away from the initialisation so every term matters
    const model = core.model(trainer);
    try {
      const { x, y } = firstImages(images, labels, 12);
      const decay = 1e-3;
      const got = core.gradients(model, x, y, decay);
      const want = referenceGradients(model.parameters(), x, y, decay);
      expect(Math.abs(got.cost - want.cost) / want.cost).toBeLessThan(1e-4);
      for (const name of ['dW1', 'db1', 'dW2', 'db2'] as const)
        expect(relativeError(got[name], want[name]), name).toBeLessThan(1e-4);
    } finally {
      release(model, trainer, small);
    }
  });

  it('lowers the loss on a fixed batch with a few training batches', () => {
    const data = core.parseDataset(images, labels, 'train');
    const trainer = core.createTrainer(data, { trainSize: 2000, epochs: 1, seed: 3 });
    const { x, y } = firstImages(images, labels, 256);
    const before = core.model(trainer);
    const lossBefore = core.gradients(before, x, y, 0).cost;
    const result = core.step(trainer, 20);
    const after = core.model(trainer);
    const lossAfter = core.gradients(after, x, y, 0).cost;
    try {
      expect(result.batches).toBe(20);
      expect(result.status).toBe('running');
      expect(lossAfter).toBeLessThan(0.8 * lossBefore);
    } finally {
      release(before, after, trainer, data);
    }
  });

  it('trains an epoch and records its history row', () => {
    const data = core.parseDataset(images, labels, 'train');
    const trainer = core.createTrainer(data, { hidden: 32, trainSize: 1000, epochs: 1 });
    try {
      let result = core.step(trainer, 1000);
      expect(result.status).toBe('finished');
      // The epoch's validation pass is left to validate(), in pieces (the worker's short tasks).
      expect(trainer.validationPending()).toBe(true);
      expect(trainer.history()[0].validationAccuracy).toBe(0);
      expect(core.validate(trainer, 100)).toBe(false);
      expect(core.validate(trainer, 100)).toBe(true);
      expect(trainer.validationPending()).toBe(false);
      result = core.step(trainer, 1);
      expect(result.batches).toBe(0);
      const [row] = trainer.history();
      expect(row.epoch).toBe(1);
      expect(row.validationAccuracy).toBeGreaterThan(0.5);
      expect(trainer.validationSize()).toBe(150);
    } finally {
      release(trainer, data);
    }
  });

  it('rejects a bad hyper-parameter with the C++ message and allocates nothing', () => {
    const valid = core.parseDataset(images, labels, 'train');
    try {
      expect(() => core.createTrainer(valid, { learningRate: -1 })).toThrowError(
        new CoreError('invalid-argument', 'learning rate must be a finite number above 0, got -1'),
      );
      expect(() => core.createTrainer(valid, { batch: 0 })).toThrowError('batch size must be between 1 and 4096, got 0');
      expect(() => core.createTrainer(valid, { trainSize: 70000 })).toThrowError(
        'training examples must be at most the 60000 images loaded, got 70000',
      );
      expect(core.liveObjects()).toBe(1);
    } finally {
      release(valid);
    }
  });

  it('names the optimizer and schedule it does not know, and checks momentum and warm-up', () => {
    const valid = core.parseDataset(images, labels, 'train');
    try {
      expect(() => core.createTrainer(valid, { optimizer: 'rmsprop' })).toThrowError(
        new CoreError('invalid-argument', "optimizer must be sgd, momentum or adam, got 'rmsprop'"),
      );
      expect(() => core.createTrainer(valid, { schedule: 'step' })).toThrowError(
        new CoreError('invalid-argument', "schedule must be constant, cosine or onecycle, got 'step'"),
      );
      expect(() => core.createTrainer(valid, { optimizer: 'momentum', momentum: 1 })).toThrowError(
        'momentum must be at least 0 and below 1, got 1',
      );
      expect(() => core.createTrainer(valid, { schedule: 'cosine', warmup: 10 })).toThrowError(
        'warm-up must be at least 0 and fewer than the 10 epochs, got 10',
      );
      expect(core.liveObjects()).toBe(1);
    } finally {
      release(valid);
    }
  });

  it('trains with Adam, a cosine schedule and shifts, each seed giving its own run', () => {
    const data = core.parseDataset(images, labels, 'train');
    const config = {
      ...{ hidden: 32, epochs: 3, batch: 20, trainSize: 1000, learningRate: 0.003 },
      ...{ optimizer: 'adam', schedule: 'cosine', warmup: 0.5, augment: true },
    };
    const run = (seed: number) => {
      const trainer = core.createTrainer(data, { ...config, seed });
      try {
        while (core.step(trainer, 1000).status !== 'finished');
        while (!core.validate(trainer, 1000)); // the last epoch's validation, left to validate() as in the worker
        return trainer.history();
      } finally {
        release(trainer);
      }
    };
    try {
      const [a, b, other] = [run(1), run(1), run(2)];
      expect(a[2].validationAccuracy).toBeGreaterThan(0.7); // 850 shifted images, 3 epochs: 0.77 natively
      expect(a[2].trainLoss).toBeLessThan(a[0].trainLoss);
      expect(b).toEqual(a);
      expect(other).not.toEqual(a);
    } finally {
      release(data);
    }
  });

  it('rejects a label file given as images with the parser message', () => {
    let error: unknown;
    try {
      core.parseDataset(labels, labels, 'train');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError).code).toBe('malformed-data');
    expect((error as CoreError).message).toBe('train images: magic 0x00000801, expected 0x00000803 - is this a label file?');
  });

  it('predicts probabilities that sum to one and evaluates a test set', () => {
    const data = core.parseDataset(images, labels, 'train');
    const test = core.parseDataset(testImages, testLabels, 'test');
    const trainer = core.createTrainer(data, { hidden: 64, trainSize: 3000, epochs: 1 });
    core.step(trainer, 1000);
    const model = core.model(trainer);
    try {
      const { x } = firstImages(images, labels, 3);
      const p = core.predict(model, x);
      expect(p.length).toBe(30);
      for (let r = 0; r < 3; ++r) expect(p.subarray(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const e = core.evaluate(model, test);
      expect(e.count).toBe(10000);
      expect(e.accuracy).toBeGreaterThan(0.8);
      expect(e.confusion.reduce((a, b) => a + b, 0)).toBe(10000);
      expect(e.wrong.length).toBe(Math.round((1 - e.accuracy) * 10000));
      expect(e.wrongPredicted.length).toBe(e.wrong.length);
      // In pieces, as the worker tests a model between messages: the same figures.
      core.startEvaluation(model, test);
      let pieces = 1;
      while (!core.evaluateSome(model, 777)) ++pieces;
      expect(pieces).toBe(13);
      const inPieces = core.evaluation(model);
      expect(inPieces.accuracy).toBe(e.accuracy);
      expect(inPieces.loss).toBeCloseTo(e.loss, 5);
      expect(Array.from(inPieces.confusion)).toEqual(Array.from(e.confusion));
      expect(Array.from(inPieces.wrong)).toEqual(Array.from(e.wrong));
      expect(Array.from(inPieces.wrongPredicted)).toEqual(Array.from(e.wrongPredicted));
      // What each misclassified image was predicted as, as predict() says.
      const few = Array.from(e.wrong.subarray(0, 5));
      const pixels = new Float32Array(few.length * 784);
      few.forEach((index, i) => (test.image(index) as Uint8Array).forEach((v, k) => (pixels[i * 784 + k] = v / 255)));
      const probabilities = core.predict(model, pixels);
      few.forEach((_, i) => {
        const row = Array.from(probabilities.subarray(i * 10, i * 10 + 10));
        expect(e.wrongPredicted[i]).toBe(row.indexOf(Math.max(...row)));
      });
      expect(() => core.predict(model, new Float32Array(100))).toThrowError('predict: expected a multiple of 784 pixels, got 100');
    } finally {
      release(model, trainer, test, data);
    }
  });

  it('preprocesses a drawing: nothing drawn is empty, a stroke is centred in 28x28', () => {
    const w = 200, h = 160;
    expect(core.preprocess(new Float32Array(w * h), w, h).empty).toBe(true);
    const ink = new Float32Array(w * h);
    for (let y = 20; y < 120; ++y) for (let x = 30; x < 45; ++x) ink[y * w + x] = 1; // a "1" off to the left
    const digit = core.preprocess(ink, w, h);
    expect(digit.empty).toBe(false);
    let mass = 0, cx = 0, cy = 0;
    digit.pixels.forEach((v, i) => {
      mass += v;
      cx += v * ((i % 28) + 0.5);
      cy += v * (Math.floor(i / 28) + 0.5);
    });
    expect(Math.abs(cx / mass - 14)).toBeLessThan(0.6);
    expect(Math.abs(cy / mass - 14)).toBeLessThan(0.6);
    expect(() => core.preprocess(new Float32Array(10), w, h)).toThrowError('preprocess: expected width * height ink values');
  });
});
