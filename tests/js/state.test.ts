// The page's state folding (state.ts) and the protocol defaults, without a DOM or a worker.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, MAX_DIGITS, type FromWorker } from '../../web/src/protocol';
import { applyEvent, initialState, type AppState } from '../../web/src/state';

const fold = (s: AppState, ...events: Parameters<typeof applyEvent>[1][]) =>
  events.reduce((acc, e) => ({ ...acc, ...applyEvent(acc, e) }), s);

describe('applyEvent', () => {
  const loaded = fold(initialState, { type: 'data-ready', set: 'subset', train: 10000 }, { type: 'test-ready', set: 'subset', test: 2000 });
  const started = fold(loaded, {
    type: 'started',
    config: DEFAULT_CONFIG,
    epochSize: 8500,
    validationSize: 1500,
    totalExamples: 85000,
  });

  it('keeps the reference settings as the defaults', () => {
    expect(DEFAULT_CONFIG).toEqual({
      hidden: 256, epochs: 10, batch: 32, learningRate: 0.1, decay: 1e-4, trainSize: 0, seed: 1,
      optimizer: 'sgd', momentum: 0.9, schedule: 'constant', warmup: 1, augment: false,
    });
  });

  it('goes from loading to idle to training, clearing the last alert', () => {
    expect(loaded.phase).toBe('idle');
    expect(fold(loaded, { type: 'error', code: 'x', message: 'bad' }).alert).toBe('bad');
    expect(started.phase).toBe('training');
    expect(started.alert).toBeNull();
  });

  it('accumulates progress, batch losses and epoch rows', () => {
    const s = fold(
      started,
      { type: 'progress', epoch: 0, examplesDone: 320, totalExamples: 85000, samplesPerSecond: 9000, threads: 2, heldBack: false, batchLosses: [[0.01, 2], [0.02, 1.5]] },
      { type: 'progress', epoch: 0, examplesDone: 640, totalExamples: 85000, samplesPerSecond: 9500, threads: 1, heldBack: true, batchLosses: [[0.03, 1.2]] },
      { type: 'epoch', row: { epoch: 1, trainLoss: 0.5, trainAccuracy: 0.9, validationLoss: 0.4, validationAccuracy: 0.91, seconds: 1 } },
    );
    expect(s.run?.examplesDone).toBe(640);
    expect(s.run?.threads).toBe(1); // the latest: the governor left a busy core
    expect(s.run?.heldBack).toBe(true);
    expect(s.batchLosses).toHaveLength(3);
    expect(s.history).toHaveLength(1);
    // The loss shown is the batch losses' moving average, as the chart draws it: 2, then 2 - 0.05, ...
    expect(s.run?.loss).toBeCloseTo(0.9 * (0.9 * 2 + 0.1 * 1.5) + 0.1 * 1.2, 12);
  });

  it('pauses and resumes only a running training', () => {
    expect(fold(started, { type: 'paused' }).phase).toBe('paused');
    expect(fold(started, { type: 'paused' }, { type: 'resumed' }).phase).toBe('training');
    expect(fold(loaded, { type: 'paused' }).phase).toBe('idle');
  });

  it('keeps the model after a stop and drops everything on reset', () => {
    const test = { accuracy: 0.9, loss: 0.3, count: 2000, confusion: new Array(100).fill(0), wrongCount: 200, misclassified: [] };
    const progress: FromWorker = { type: 'progress', epoch: 0, examplesDone: 640, totalExamples: 85000, samplesPerSecond: 9000, threads: 1, heldBack: false, batchLosses: [] };
    const stopped = fold(started, progress, { type: 'finished', reason: 'stopped', seconds: 2, trained: true, test });
    expect(stopped.phase).toBe('finished');
    expect(stopped.hasModel).toBe(true);
    // At the end the samples/s figure is the run's own (what the runs table keeps), not the last estimate.
    expect(stopped.run?.samplesPerSecond).toBe(320);
    expect(stopped.runs.at(-1)?.samplesPerSecond).toBe(320);
    const reset = fold(stopped, { type: 'reset', answer: true });
    expect(reset.phase).toBe('idle');
    expect(reset.hasModel).toBe(false);
    expect(reset.test).toBeNull();
    expect(reset.history).toEqual([]);
  });
});

describe('staged data and a model before its test', () => {
  const trainOnly = fold(initialState, { type: 'data-ready', set: 'subset', train: 10000 });
  const test = { accuracy: 0.97, loss: 0.1, count: 10000, confusion: [], wrongCount: 300, misclassified: [] };

  it('lets training start with the training images alone, and counts the test images when they come', () => {
    expect(trainOnly.phase).toBe('idle');
    expect(trainOnly.testAvailable).toBe(0);
    expect(fold(trainOnly, { type: 'test-ready', set: 'subset', test: 10000 }).testAvailable).toBe(10000);
  });

  it('keeps a model that finished before the test images and shows its test when it arrives', () => {
    const started = fold(trainOnly, { type: 'started', config: DEFAULT_CONFIG, epochSize: 8500, validationSize: 1500, totalExamples: 8500 });
    const finished = fold(started, { type: 'finished', reason: 'completed', seconds: 1, trained: true, test: null });
    expect(finished.hasModel).toBe(true);
    expect(finished.test).toBeNull();
    expect(fold(finished, { type: 'model-tested', test }).test).toEqual(test);
    // A test that arrives after the model was dropped is not shown.
    expect(fold(finished, { type: 'reset', answer: true }, { type: 'model-tested', test }).test).toBeNull();
  });

  it('shows a model loaded before the data, and goes to finished when the training images come', () => {
    const early = fold(initialState, { type: 'model-loaded', source: 'reference', name: 'reference model', hidden: 256 });
    expect(early.hasModel).toBe(true);
    expect(early.phase).toBe('starting');
    const ready = fold(early, { type: 'data-ready', set: 'subset', train: 20000 });
    expect(ready.phase).toBe('finished');
    expect(fold(ready, { type: 'model-tested', test }).test).toEqual(test);
  });
});

describe('saved models and failures in the state', () => {
  const loaded = fold(initialState, { type: 'data-ready', set: 'subset', train: 10000 }, { type: 'test-ready', set: 'subset', test: 2000 });
  const test = { accuracy: 0.9, loss: 0.3, count: 2000, confusion: [], wrongCount: 200, misclassified: [] };

  it('shows an imported model as tested and keeps its file for export', () => {
    const bytes = new ArrayBuffer(8);
    const s = fold(
      loaded,
      { type: 'model-loaded', source: 'imported', name: 'a.mnst', hidden: 32 },
      { type: 'model', bytes, hidden: 32 },
      { type: 'model-tested', test },
    );
    expect(s.test).toEqual(test);
    expect(s.phase).toBe('finished');
    expect(s.finishedReason).toBe('imported');
    expect(s.hasModel).toBe(true);
    expect(s.modelFile).toEqual({ bytes, hidden: 32 });
    expect(fold(s, { type: 'reset', answer: true }).modelFile).toBeNull();
  });

  it('marks the worker failed on a fatal event and keeps the model file', () => {
    const s = fold(loaded, { type: 'model', bytes: new ArrayBuffer(8), hidden: 4 }, { type: 'fatal', message: 'gone' });
    expect(s.workerFailed).toBe(true);
    expect(s.alert).toBe('gone');
    expect(s.hasModel).toBe(false);
    expect(s.modelFile).not.toBeNull();
  });
  it('keeps the latest unit pictures and activity, forgets the activity when a run starts and both at a reset', () => {
    const units = { hidden: 256, units: new Uint32Array(64), images: new Float32Array(64 * 784), outputs: new Float32Array(640), strongest: 0 };
    const s = fold(
      loaded,
      { type: 'units', ...units, epochs: null },
      { type: 'activity', counts: new Uint32Array(256), total: 2000 },
    );
    expect(s.units?.epochs).toBeNull();
    expect(s.activity?.total).toBe(2000);
    const training = fold(s, { type: 'started', config: DEFAULT_CONFIG, epochSize: 8500, validationSize: 1500, totalExamples: 85000 });
    expect(training.activity).toBeNull();
    expect(training.units, 'the last pictures stay until the run sends its own').toBe(s.units);
    const live = fold(training, { type: 'units', ...units, epochs: 0.5 });
    expect(live.units?.epochs).toBe(0.5);
    const reset = fold(live, { type: 'reset', answer: true });
    expect(reset.units).toBeNull();
    expect(reset.activity).toBeNull();
  });

  it('keeps the explanation that comes with a prediction, and drops it at a reset', () => {
    const explanation = {
      scores: new Float32Array(10),
      predicted: 7,
      bias: 0.1,
      pro: new Uint32Array(8),
      proValues: new Float32Array(8),
      con: new Uint32Array(8),
      conValues: new Float32Array(8),
      images: new Float32Array(16 * 784),
      evidence: new Float32Array(784),
    };
    const s = fold(loaded, { type: 'prediction', id: 1, empty: false, image: new Float32Array(784), probabilities: new Float32Array(10), explanation });
    expect(s.prediction?.explanation).toBe(explanation);
    expect(fold(s, { type: 'reset', answer: true }).prediction?.explanation).toBeNull();
    const without = fold(loaded, { type: 'prediction', id: 2, empty: true, image: new Float32Array(784), probabilities: null });
    expect(without.prediction?.explanation).toBeNull();
  });
});

describe('your digits and fine-tuning in the state', () => {
  const test = { accuracy: 0.9784, loss: 0.08, count: 10000, confusion: [], wrongCount: 216, misclassified: [] };
  const reference = fold(
    initialState,
    { type: 'data-ready', set: 'subset', train: 20000 },
    { type: 'model-loaded', source: 'reference', name: 'reference model', hidden: 256 },
    { type: 'model-tested', test },
  );
  const result = {
    before: { user: 0, test: 0.9784 },
    after: { user: 1, test: 0.978 },
    seconds: 0.4,
    digits: 3,
    mnistExamples: 12000,
    userExamples: 1716,
    steps: 429,
  };
  const tuning = fold(reference, {
    type: 'started',
    config: DEFAULT_CONFIG,
    epochSize: 8001,
    validationSize: 0,
    totalExamples: 8001,
    fineTune: true,
  });

  it('treats a fine-tune like a run: no test accuracy while it runs, the new one and the before/after when it ends', () => {
    expect(tuning.test).toBeNull();
    expect(tuning.fineTune).toEqual({ running: true, result: null, canUndo: false, undone: false, previousReason: 'reference' });
    const done = fold(
      tuning,
      { type: 'finished', reason: 'completed', seconds: 0.4, trained: true, test: { ...test, accuracy: 0.978 } },
      { type: 'fine-tuned', result },
    );
    expect(done.test?.accuracy).toBe(0.978);
    expect(done.finishedReason).toBe('completed'); // kept in IndexedDB like a trained model
    expect(done.fineTune).toMatchObject({ running: false, result, canUndo: true });

    const undone = fold(done, { type: 'fine-tune-undone' });
    expect(undone.test).toBeNull(); // its test follows
    expect(fold(undone, { type: 'model-tested', test }).test).toBe(test);
    expect(undone.finishedReason).toBe('reference');
    expect(undone.fineTune).toMatchObject({ canUndo: false, undone: true });
    expect(fold(done, { type: 'reset', answer: true }).fineTune).toBeNull();
  });

  it('keeps a digit imported again once, and says so when the files hold nothing new', () => {
    const one = { ...reference, digits: [{ id: 4, label: 7, pixels: new Uint8Array(784).fill(3) }] };
    const pixels = new Uint8Array(2 * 784).fill(3); // a 7 already kept, and the same pixels labelled 1
    const s = fold(one, { type: 'digits-imported', pixels, labels: new Uint8Array([7, 1]) });
    expect(s.digits.map((d) => d.label)).toEqual([7, 1]);
    expect(s.alert).toBeNull();
    const again = fold(s, { type: 'digits-imported', pixels, labels: new Uint8Array([7, 1]) });
    expect(again.digits).toBe(s.digits);
    expect(again.alert).toBe('Every one of the 2 digits in these files is already kept: nothing was added.');
  });

  it('forgets a fine-tune when a run from scratch starts', () => {
    const run = fold(tuning, { type: 'started', config: DEFAULT_CONFIG, epochSize: 17000, validationSize: 3000, totalExamples: 170000 });
    expect(run.fineTune).toBeNull();
  });

  it('appends imported digits with fresh ids, and keeps only the answer to the latest classify request', () => {
    const one = { ...reference, digits: [{ id: 4, label: 7, pixels: new Uint8Array(784) }] };
    const pixels = new Uint8Array(2 * 784).fill(9);
    const s = fold(one, { type: 'digits-imported', pixels, labels: new Uint8Array([3, 5]) });
    expect(s.digits.map((d) => [d.id, d.label, d.pixels.length, d.pixels[0]])).toEqual([
      [4, 7, 784, 0],
      [5, 3, 784, 9],
      [6, 5, 784, 9],
    ]);
    const full = { ...one, digits: Array.from({ length: MAX_DIGITS - 1 }, (_, i) => ({ id: i + 1, label: 1, pixels: new Uint8Array(784) })) };
    const refused = fold(full, { type: 'digits-imported', pixels, labels: new Uint8Array([3, 5]) });
    expect(refused.digits).toBe(full.digits);
    expect(refused.alert).toBe(
      `Could not import your digits: 2 more would make ${MAX_DIGITS + 1}, above the ${MAX_DIGITS} this page keeps. The digits you kept are unchanged.`,
    );
    const asked = { ...s, digitGuesses: { request: 2, ids: [4, 5, 6], predicted: null } };
    expect(fold(asked, { type: 'classified', id: 1, predicted: new Uint8Array([1, 1, 1]) }).digitGuesses?.predicted).toBeNull();
    expect(Array.from(fold(asked, { type: 'classified', id: 2, predicted: new Uint8Array([7, 3, 6]) }).digitGuesses!.predicted!)).toEqual([7, 3, 6]);
  });
});
