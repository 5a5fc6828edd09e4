// The page's state folding (state.ts) and the protocol defaults, without a DOM or a worker.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../web/src/protocol';
import { applyEvent, initialState, type AppState } from '../../web/src/state';

const fold = (s: AppState, ...events: Parameters<typeof applyEvent>[1][]) =>
  events.reduce((acc, e) => ({ ...acc, ...applyEvent(acc, e) }), s);

describe('applyEvent', () => {
  const loaded = fold(initialState, { type: 'data-ready', set: 'subset', train: 10000, test: 2000 });
  const started = fold(loaded, {
    type: 'started',
    config: DEFAULT_CONFIG,
    epochSize: 8500,
    validationSize: 1500,
    totalExamples: 85000,
  });

  it('keeps the reference settings as the defaults', () => {
    expect(DEFAULT_CONFIG).toEqual({ hidden: 256, epochs: 10, batch: 32, learningRate: 0.1, decay: 1e-4, trainSize: 0, seed: 1 });
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
      { type: 'progress', epoch: 0, examplesDone: 320, totalExamples: 85000, samplesPerSecond: 9000, loss: 0.9, threads: 2, batchLosses: [[0.01, 2], [0.02, 1.5]] },
      { type: 'progress', epoch: 0, examplesDone: 640, totalExamples: 85000, samplesPerSecond: 9500, loss: 0.7, threads: 1, batchLosses: [[0.03, 1.2]] },
      { type: 'epoch', row: { epoch: 1, trainLoss: 0.5, trainAccuracy: 0.9, validationLoss: 0.4, validationAccuracy: 0.91, seconds: 1 } },
    );
    expect(s.run?.examplesDone).toBe(640);
    expect(s.run?.threads).toBe(1); // the latest: the governor left a busy core
    expect(s.batchLosses).toHaveLength(3);
    expect(s.history).toHaveLength(1);
  });

  it('pauses and resumes only a running training', () => {
    expect(fold(started, { type: 'paused' }).phase).toBe('paused');
    expect(fold(started, { type: 'paused' }, { type: 'resumed' }).phase).toBe('training');
    expect(fold(loaded, { type: 'paused' }).phase).toBe('idle');
  });

  it('keeps the model after a stop and drops everything on reset', () => {
    const test = { accuracy: 0.9, loss: 0.3, count: 2000, confusion: new Array(100).fill(0), wrongCount: 200, misclassified: [] };
    const stopped = fold(started, { type: 'finished', reason: 'stopped', seconds: 2, test });
    expect(stopped.phase).toBe('finished');
    expect(stopped.hasModel).toBe(true);
    const reset = fold(stopped, { type: 'reset' });
    expect(reset.phase).toBe('idle');
    expect(reset.hasModel).toBe(false);
    expect(reset.test).toBeNull();
    expect(reset.history).toEqual([]);
  });
});

describe('saved models and failures in the state', () => {
  const loaded = fold(initialState, { type: 'data-ready', set: 'subset', train: 10000, test: 2000 });
  const test = { accuracy: 0.9, loss: 0.3, count: 2000, confusion: [], wrongCount: 200, misclassified: [] };

  it('shows an imported model as tested and keeps its file for export', () => {
    const bytes = new ArrayBuffer(8);
    const s = fold(
      loaded,
      { type: 'model-loaded', source: 'imported', name: 'a.mnst', hidden: 32, test },
      { type: 'model', bytes, hidden: 32 },
    );
    expect(s.phase).toBe('finished');
    expect(s.finishedReason).toBe('imported');
    expect(s.hasModel).toBe(true);
    expect(s.modelFile).toEqual({ bytes, hidden: 32 });
    expect(fold(s, { type: 'reset' }).modelFile).toBeNull();
  });

  it('marks the worker failed on a fatal event and keeps the model file', () => {
    const s = fold(loaded, { type: 'model', bytes: new ArrayBuffer(8), hidden: 4 }, { type: 'fatal', message: 'gone' });
    expect(s.workerFailed).toBe(true);
    expect(s.alert).toBe('gone');
    expect(s.hasModel).toBe(false);
    expect(s.modelFile).not.toBeNull();
  });
});
