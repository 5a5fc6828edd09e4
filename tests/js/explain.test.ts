// The explanation bindings in Node, both builds: the strongest units' pictures are W1's columns and W2's
// rows of the largest-norm units, a trainer's live pictures equal its model's, the activity counts and an
// image's explanation match a double-precision JavaScript reference, errors carry the C++ message, and no
// Embind object outlives a test.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Core, CoreError, release, type Dataset, type Model, type Trainer } from '../../web/src/core';
import type { Parameters } from '../../wasm/mnist-core';
import { firstImages, loadCoreInNode, readIdx, type Build } from './load';

let images: Uint8Array, labels: Uint8Array;
beforeAll(async () => {
  [images, labels] = await Promise.all([readIdx('train-images-idx3-ubyte'), readIdx('train-labels-idx1-ubyte')]);
});

// The first `count` images of an IDX pair, as IDX files of `count` images.
function firstFiles(count: number): [Uint8Array, Uint8Array] {
  const patched = (b: Uint8Array, header: number, size: number) => {
    const copy = b.slice(0, header + count * size);
    new DataView(copy.buffer).setUint32(4, count);
    return copy;
  };
  return [patched(images, 16, 784), patched(labels, 8, 1)];
}

// z1 = x W1 + b1 for one image, in double.
function hiddenInputs(P: Parameters, x: ArrayLike<number>): Float64Array {
  const H = P.hidden;
  const z1 = Float64Array.from(P.b1);
  for (let k = 0; k < 784; ++k) if (x[k] !== 0) for (let j = 0; j < H; ++j) z1[j] += x[k] * P.W1[k * H + j];
  return z1;
}

describe.each<Build>(['simd', 'nosimd'])('the %s build', (build) => {
  let core: Core;
  let data: Dataset;
  let trainer: Trainer;
  let model: Model;
  beforeAll(async () => {
    core = await loadCoreInNode(build);
  });
  // A model 2 batches into training (H = 80: more than the 64 shown), and its trainer.
  const setUp = () => {
    data = core.parseDataset(...firstFiles(400), 'train');
    trainer = core.createTrainer(data, { hidden: 80, epochs: 1, batch: 32, seed: 5 });
    core.step(trainer, 2);
    model = core.model(trainer);
  };
  afterEach(() => {
    release(model, trainer, data);
    expect(core.liveObjects()).toBe(0);
  });

  it('shows the 64 units of largest incoming norm, in index order, as W1 columns and W2 rows', () => {
    setUp();
    const P = model.parameters();
    const pictures = core.units(model, 64);
    expect(pictures.hidden).toBe(80);
    expect(pictures.units.length).toBe(64);
    const norms = Array.from({ length: 80 }, (_, j) => {
      let s = 0;
      for (let k = 0; k < 784; ++k) s += P.W1[k * 80 + j] ** 2;
      return s;
    });
    const strongest = norms.map((n, j) => [n, j]).sort((a, b) => b[0] - a[0]).slice(0, 64).map(([, j]) => j).sort((a, b) => a - b);
    expect(Array.from(pictures.units)).toEqual(strongest);
    expect(pictures.strongest, 'the unit of largest norm of all').toBe(norms.indexOf(Math.max(...norms)));
    const columns = Float32Array.from({ length: 64 * 784 }, (_, i) => P.W1[(i % 784) * 80 + strongest[Math.floor(i / 784)]]);
    const rows = Float32Array.from({ length: 64 * 10 }, (_, i) => P.W2[strongest[Math.floor(i / 10)] * 10 + (i % 10)]);
    expect(pictures.images).toEqual(columns);
    expect(pictures.outputs).toEqual(rows);
  });

  it('gives a training run the same pictures as a snapshot of its model', () => {
    setUp();
    core.step(trainer, 1);
    const live = core.units(trainer, 64);
    const snapshot = core.model(trainer);
    try {
      const shown = core.units(snapshot, 64);
      expect(Array.from(live.units)).toEqual(Array.from(shown.units));
      expect(live.images).toEqual(shown.images);
      expect(live.outputs).toEqual(shown.outputs);
    } finally {
      release(snapshot);
    }
  });

  it('counts the images each unit is active on as a plain loop does', () => {
    setUp();
    const P = model.parameters();
    const counts = core.activity(model, data);
    expect(counts.length).toBe(80);
    const expected = new Array<number>(80).fill(0);
    for (let i = 0; i < data.size(); ++i) {
      const x = Array.from(data.image(i)!, (v) => v / 255);
      hiddenInputs(P, x).forEach((z, j) => (expected[j] += z > 0 ? 1 : 0));
    }
    expect(Array.from(counts)).toEqual(expected);
    const parts = [core.activity(model, data, 0, 150), core.activity(model, data, 150, 1000)];
    expect(Array.from(parts[0], (c, j) => c + parts[1][j])).toEqual(expected);
  });

  it('explains an image: the scores, 8 units for and 8 against with their contributions and pictures, and input x gradient', () => {
    setUp();
    const P = model.parameters();
    const { x } = firstImages(images, labels, 1);
    const e = core.explain(model, x, 8);
    const z1 = hiddenInputs(P, x);
    const a1 = Array.from(z1, (z) => Math.max(0, z));
    const scores = Array.from({ length: 10 }, (_, c) => a1.reduce((s, a, j) => s + a * P.W2[j * 10 + c], P.b2[c]));
    scores.forEach((s, c) => expect(e.scores[c]).toBeCloseTo(s, 4));
    expect(e.predicted).toBe(scores.indexOf(Math.max(...scores)));
    const c = e.predicted;
    const contribution = (j: number) => a1[j] * P.W2[j * 10 + c];
    expect(e.pro.length).toBe(8);
    expect(e.con.length).toBe(8);
    const all = a1.map((_, j) => contribution(j)).sort((p, q) => q - p);
    Array.from(e.pro).forEach((j, i) => {
      expect(e.proValues[i]).toBeCloseTo(contribution(j), 5);
      expect(e.proValues[i]).toBeCloseTo(all[i], 5);
    });
    Array.from(e.con).forEach((j, i) => {
      expect(e.conValues[i]).toBeCloseTo(contribution(j), 5);
      expect(e.conValues[i]).toBeCloseTo(all[all.length - 1 - i], 5);
    });
    expect(e.bias).toBe(P.b2[c]);
    [...e.pro, ...e.con].forEach((j, i) => {
      for (let k = 0; k < 784; k += 37) expect(e.images[i * 784 + k]).toBe(P.W1[k * 80 + j]);
    });
    for (let k = 0; k < 784; ++k) {
      let gradient = 0;
      for (let j = 0; j < 80; ++j) if (z1[j] > 0) gradient += P.W1[k * 80 + j] * P.W2[j * 10 + c];
      expect(e.evidence[k]).toBeCloseTo(x[k] * gradient, 5);
    }
  });

  it('refuses to explain anything but 784 pixels, with the C++ message', () => {
    setUp();
    expect(() => core.explain(model, new Float32Array(10), 8)).toThrow(CoreError);
    expect(() => core.explain(model, new Float32Array(10), 8)).toThrow('explain: expected 784 pixels, got 10');
  });
});
