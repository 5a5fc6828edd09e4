// The runs kept for comparison (runs.ts), how state.ts keeps them, and the presets (presets.ts).
import { describe, expect, it } from 'vitest';
import { matchingPreset, PRESETS } from '../../web/src/presets';
import { DEFAULT_CONFIG, type EpochRow } from '../../web/src/protocol';
import {
  chartedRuns,
  deleteRun,
  undeleteRun,
  describeRun,
  isRunRecord,
  keepRun,
  MAX_RUNS,
  mergeRuns,
  nextColour,
  RUN_COLOURS,
  setHidden,
  type RunRecord,
} from '../../web/src/runs';
import { DEFAULT_SETTINGS, settingsFromConfig } from '../../web/src/settings';
import { applyEvent, editSetting, initialState, replaceSettings, type AppState } from '../../web/src/state';

const row = (epoch: number): EpochRow => ({ epoch, trainLoss: 1 / epoch, trainAccuracy: 0.9, validationLoss: 1.1 / epoch, validationAccuracy: 0.89, seconds: epoch });

function run(runs: RunRecord[], seconds = 1): Omit<RunRecord, 'id' | 'hidden'> {
  return {
    colour: nextColour(runs),
    config: DEFAULT_CONFIG,
    dataSet: 'subset',
    history: [row(1)],
    validationSize: 150,
    testAccuracy: 0.9,
    seconds,
    samplesPerSecond: 1000,
    reason: 'completed',
  };
}

function keep(n: number, runs: RunRecord[] = []): RunRecord[] {
  for (let i = 0; i < n; ++i) runs = keepRun(runs, run(runs, i));
  return runs;
}

describe('runs', () => {
  it('numbers runs in order and gives each a colour no other kept run has', () => {
    const runs = keep(MAX_RUNS);
    expect(runs.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(runs.map((r) => r.colour)).size).toBe(MAX_RUNS);
    expect(runs.map((r) => r.colour)).toEqual(RUN_COLOURS);
  });

  it('keeps the newest MAX_RUNS, the next one taking the colour of the one that makes way', () => {
    const runs = keep(MAX_RUNS + 1);
    expect(runs.map((r) => r.id)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(runs[runs.length - 1].colour).toBe(RUN_COLOURS[0]);
    expect(new Set(runs.map((r) => r.colour)).size).toBe(MAX_RUNS);
  });

  it('keeps colours distinct after deletions', () => {
    let runs = keep(MAX_RUNS);
    runs = deleteRun(runs, 3);
    runs = keep(3, runs);
    expect(runs).toHaveLength(MAX_RUNS);
    expect(new Set(runs.map((r) => r.colour)).size).toBe(MAX_RUNS);
    expect(runs.map((r) => r.id)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('hides, shows and deletes one run, leaving the others as they were', () => {
    const runs = keep(3);
    const hidden = setHidden(runs, 2, true);
    expect(hidden.map((r) => r.hidden)).toEqual([false, true, false]);
    expect(hidden[0]).toBe(runs[0]);
    expect(chartedRuns(hidden, false).map((r) => r.id)).toEqual([1, 3]);
    expect(setHidden(hidden, 2, false).map((r) => r.hidden)).toEqual([false, false, false]);
    expect(deleteRun(runs, 2).map((r) => r.id)).toEqual([1, 3]);
  });

  it('puts a deleted run back where it was, once; a run kept since clears the undo', () => {
    const runs = keep(3);
    const deleted = { run: runs[1], index: 1 };
    const back = undeleteRun(deleteRun(runs, 2), deleted);
    expect(back.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(back[1]).toBe(runs[1]);
    expect(undeleteRun(back, deleted).map((r) => r.id)).toEqual([1, 2, 3]); // already there
    expect(undeleteRun([runs[0]], { run: runs[2], index: 2 }).map((r) => r.id)).toEqual([1, 3]); // past the end
  });

  it('draws at most MAX_RUNS at once, counting the one training', () => {
    const runs = keep(MAX_RUNS);
    expect(chartedRuns(runs, false)).toHaveLength(MAX_RUNS);
    expect(chartedRuns(runs, true).map((r) => r.id)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(nextColour(runs)).toBe(runs[0].colour); // the running one takes the colour of the one it replaces
  });

  it('puts stored runs first and renumbers runs kept before they were read', () => {
    const stored = keep(2);
    const early = keep(1);
    const merged = mergeRuns(stored, early);
    expect(merged.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(merged[2].seconds).toBe(early[0].seconds);
    expect(new Set(merged.map((r) => r.colour)).size).toBe(3);
  });

  it('recognises what storage gives back', () => {
    expect(isRunRecord(keep(1)[0])).toBe(true);
    expect(isRunRecord({ id: 1 })).toBe(false);
    expect(isRunRecord(null)).toBe(false);
  });

  it('describes a run in one line', () => {
    expect(describeRun({ ...DEFAULT_CONFIG, trainSize: 1500 }, 'subset')).toBe(
      'H 256 · 10 epochs · batch 32 · lr 0.1 · decay 0.0001 · SGD · 1,500 subset examples · seed 1',
    );
    expect(describeRun({ ...DEFAULT_CONFIG, optimizer: 'momentum', momentum: 0.95, schedule: 'cosine', warmup: 0.5, augment: true }, 'full')).toBe(
      'H 256 · 10 epochs · batch 32 · lr 0.1 · decay 0.0001 · momentum 0.95 · cosine, warm-up 0.5 · shifts · all full-set examples · seed 1',
    );
  });
});

const fold = (s: AppState, ...events: Parameters<typeof applyEvent>[1][]) => events.reduce((acc, e) => ({ ...acc, ...applyEvent(acc, e) }), s);
const test = (accuracy: number) => ({ accuracy, loss: 0.3, count: 2000, confusion: new Array(100).fill(0), wrongCount: 200, misclassified: [] });

describe('state: runs and settings', () => {
  const loaded = fold(initialState, { type: 'data-ready', set: 'subset', train: 2000 }, { type: 'test-ready', set: 'subset', test: 2000 });
  const config = { ...DEFAULT_CONFIG, trainSize: 1000, epochs: 2 };
  const started = fold(loaded, { type: 'started', config, epochSize: 850, validationSize: 150, totalExamples: 1700 });
  const trained = fold(
    started,
    { type: 'epoch', row: row(1) },
    { type: 'progress', epoch: 1, examplesDone: 1200, totalExamples: 1700, samplesPerSecond: 5000, threads: 1, heldBack: false, batchLosses: [] },
  );

  it('keeps a finished run with its settings, curves, accuracy, seconds and samples per second', () => {
    const s = fold(trained, { type: 'epoch', row: row(2) }, { type: 'finished', reason: 'completed', seconds: 2, trained: true, test: test(0.91) });
    expect(s.runs).toHaveLength(1);
    expect(s.runs[0]).toEqual({
      id: 1, colour: RUN_COLOURS[0], config, dataSet: 'subset', history: [row(1), row(2)], validationSize: 150,
      testAccuracy: 0.91, seconds: 2, samplesPerSecond: 850, reason: 'completed', hidden: false,
    });
    const again = fold(s, { type: 'started', config, epochSize: 850, validationSize: 150, totalExamples: 1700 });
    expect(again.run?.colour).toBe(RUN_COLOURS[1]);
    expect(again.runs).toBe(s.runs); // a new run and a reset keep the list
    expect(fold(again, { type: 'reset', answer: true }).runs).toBe(s.runs);
  });

  it('forgets the deleted run it could bring back once another run is kept, not before', () => {
    const deleted = { run: keep(1)[0], index: 0 };
    const s = fold({ ...trained, deletedRun: deleted }, { type: 'finished', reason: 'stopped', seconds: 1.5, trained: false, test: null });
    expect(s.deletedRun).toBe(deleted); // nothing kept
    const kept = fold({ ...trained, deletedRun: deleted }, { type: 'finished', reason: 'completed', seconds: 2, trained: true, test: test(0.9) });
    expect(kept.deletedRun).toBeNull();
  });

  it('keeps a stopped run, fills its accuracy when the test images come later, and drops a run that trained nothing', () => {
    const stopped = fold(trained, { type: 'finished', reason: 'stopped', seconds: 1.5, trained: true, test: null });
    expect(stopped.runs[0]).toMatchObject({ reason: 'stopped', testAccuracy: null, samplesPerSecond: 800, history: [row(1)] });
    expect(fold(stopped, { type: 'model-tested', test: test(0.8) }).runs[0].testAccuracy).toBe(0.8);
    expect(fold(started, { type: 'finished', reason: 'stopped', seconds: 0.1, trained: false, test: null }).runs).toEqual([]);
  });

  it('fills Training examples with the images loaded until they are chosen', () => {
    expect(loaded.settings.trainSize).toBe('2000');
    const chosen = { ...loaded, ...editSetting(loaded, 'trainSize', '500') };
    expect(chosen.examplesChosen).toBe(true);
    expect(fold(chosen, { type: 'data-ready', set: 'full', train: 60000 }).settings.trainSize).toBe('500');
    expect(fold(loaded, { type: 'data-ready', set: 'full', train: 60000 }).settings.trainSize).toBe('60000');
  });

  it('clears the link\'s alert when a setting changes, and replaces every setting at once', () => {
    const warned = { ...loaded, settingsAlert: 'Batch size: enter a whole number, got 2.5.' };
    expect(editSetting(warned, 'batch', '3').settingsAlert).toBeNull();
    const replaced = replaceSettings(warned, settingsFromConfig({ ...DEFAULT_CONFIG, optimizer: 'adam' }), null);
    expect(replaced).toEqual({ settings: { ...DEFAULT_SETTINGS, optimizer: 'adam', trainSize: '2000' }, examplesChosen: false, settingsAlert: null });
    expect(replaceSettings(warned, DEFAULT_SETTINGS, 300).settings?.trainSize).toBe('300');
  });

  it('clears an alert about a setting once that setting is edited, and only then', () => {
    const refused = { ...loaded, alert: 'Invalid setting: learning rate must be a finite number above 0, got -1.' };
    expect(editSetting(refused, 'learningRate', '0.1').alert).toBeNull();
    expect('alert' in editSetting(refused, 'batch', '64')).toBe(false);
    const typed = { ...loaded, alert: 'Batch size: enter a whole number, got 2.5.' };
    expect(editSetting(typed, 'batch', '3').alert).toBeNull();
    const other = { ...loaded, alert: 'Could not import x.mnst: not a model file. The current model is kept.' };
    expect('alert' in editSetting(other, 'batch', '3')).toBe(false);
  });
});

describe('presets', () => {
  it('offers the reference settings and the fast route to 98 %', () => {
    expect(PRESETS[0].label).toBe('Reference: SGD, 10 epochs');
    expect(PRESETS[0].config).toEqual(DEFAULT_CONFIG);
    expect(PRESETS[1].label).toBe('Fast to 98 %: Adam, 3 epochs');
  });

  it('names the preset the form shows, and none once a field differs or examples are chosen', () => {
    for (const p of PRESETS) {
      const settings = settingsFromConfig(p.config, 60000);
      expect(matchingPreset(settings, 'full', false)).toBe(p);
      expect(matchingPreset(settings, 'subset', false)).toBeNull();
      expect(matchingPreset(settings, 'full', true)).toBeNull();
      expect(matchingPreset({ ...settings, seed: '2' }, 'full', false)).toBeNull();
    }
    // Momentum is not a setting of SGD: a value there changes nothing.
    expect(matchingPreset({ ...settingsFromConfig(DEFAULT_CONFIG), momentum: '0.5' }, 'full', false)).toBe(PRESETS[0]);
  });
});
