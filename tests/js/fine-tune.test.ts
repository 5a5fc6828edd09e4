// Fine-tuning and IDX files through the module, as the worker uses them: encodeIdx round-trips through
// parseDataset and pixels()/labels(), bad digits are refused with the core's message, and a fine-tuner
// started from the shipped model teaches it test digits it got wrong, with no Embind object left behind.
import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Core, CoreError, release } from '../../web/src/core';
import { FINE_TUNE } from '../../web/src/protocol';
import { loadCoreInNode, readIdx } from './load';

let core: Core;
let trainImages: Uint8Array, trainLabels: Uint8Array, testImages: Uint8Array, testLabels: Uint8Array;
let reference: Uint8Array;
beforeAll(async () => {
  core = await loadCoreInNode('simd');
  [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdx('train-images-idx3-ubyte'),
    readIdx('train-labels-idx1-ubyte'),
    readIdx('t10k-images-idx3-ubyte'),
    readIdx('t10k-labels-idx1-ubyte'),
  ]);
  reference = new Uint8Array(await readFile(new URL('../../public/models/reference.mnst', import.meta.url)));
}, 60_000); // the module and 70,000 images: seconds on a busy machine
afterEach(() => {
  expect(core.liveObjects()).toBe(0);
});

describe('IDX files of your digits', () => {
  it('encodes digits as MNIST-format files that parse back to the same pixels and labels', () => {
    const pixels = testImages.slice(16, 16 + 5 * 784);
    const labels = testLabels.slice(8, 13);
    const files = core.encodeIdx(pixels, labels);
    expect(Array.from(files.images.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28]);
    expect(Array.from(files.labels.subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 0, 0, 5]);
    const back = core.parseDataset(files.images, files.labels, 'digits');
    try {
      expect(back.pixels()).toEqual(pixels);
      expect(back.labels()).toEqual(labels);
    } finally {
      release(back);
    }
  });

  it('refuses a label outside 0-9 with the core message', () => {
    expect(() => core.encodeIdx(new Uint8Array(784), new Uint8Array([12]))).toThrow(
      new CoreError('malformed-data', 'digits labels: label 12 at index 0, expected a digit 0-9'),
    );
  });
});

describe('a fine-tune of the shipped model', () => {
  it('learns five test digits it got wrong and keeps its accuracy on the other test images', () => {
    const model = core.loadModel(reference);
    const train = core.parseDataset(trainImages, trainLabels, 'train');
    const test = core.parseDataset(testImages, testLabels, 'test');
    let user = null, trainer = null, tuned = null;
    try {
      const wrong = Array.from(core.evaluate(model, test).wrong.subarray(0, 5));
      const pixels = new Uint8Array(wrong.length * 784);
      wrong.forEach((index, i) => pixels.set(test.image(index)!, i * 784));
      const labels = Uint8Array.from(wrong, (index) => test.label(index));
      const files = core.encodeIdx(pixels, labels);
      user = core.parseDataset(files.images, files.labels, 'your digits');
      trainer = core.createFineTuner(model, train, user, FINE_TUNE);
      expect(trainer.epochSize()).toBe(12000 + 1715); // 4 of every 32: 12,000 * 4 / 28 = 1714.3, as 343 copies of 5
      expect(trainer.validationSize()).toBe(0);
      while (core.step(trainer, 1000).status === 'running');
      expect(trainer.finished()).toBe(true);
      tuned = core.model(trainer);
      expect(core.evaluate(model, user).accuracy).toBe(0);
      expect(core.evaluate(tuned, user).accuracy).toBe(1);
      const before = core.evaluate(model, test), after = core.evaluate(tuned, test);
      const rest = (e: typeof before) => (e.count * e.accuracy) / (e.count - 5);
      expect(rest(after)).toBeGreaterThan(rest(before) - 0.005);
    } finally {
      release(model, train, test, user, trainer, tuned);
    }
  });

  it('refuses to start without digits of your own', () => {
    const model = core.loadModel(reference);
    const first = core.encodeIdx(trainImages.slice(16, 16 + 100 * 784), trainLabels.slice(8, 108));
    const train = core.parseDataset(first.images, first.labels, 'train');
    const files = core.encodeIdx(new Uint8Array(0), new Uint8Array(0));
    const none = core.parseDataset(files.images, files.labels, 'your digits');
    try {
      expect(() => core.createFineTuner(model, train, none, FINE_TUNE)).toThrow(
        new CoreError('invalid-argument', 'no digits of your own to fine-tune on: label a drawing first'),
      );
    } finally {
      release(model, train, none);
    }
  });
});
