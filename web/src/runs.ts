// The runs kept for comparison: each finished or stopped run's settings, curves and results, at most
// MAX_RUNS of them, each with its own colour from a colour-blind-safe palette. Pure list logic (state.ts
// holds the list, runs-storage.ts keeps it in IndexedDB, ui/runs.ts and ui/charts.ts show it).
import type { DataSet, EpochRow, FinishReason, TrainConfig } from './protocol';

export interface RunRecord {
  id: number; // 1, 2, ... in the order the runs finished; never reused while the list holds the run
  colour: string; // one of RUN_COLOURS, distinct from every other kept run's
  config: TrainConfig;
  dataSet: DataSet;
  history: EpochRow[]; // per epoch: losses, accuracies, seconds
  validationSize: number; // 0: no validation curves
  testAccuracy: number | null; // null until the test images are in
  seconds: number;
  samplesPerSecond: number; // examples trained over the run's seconds
  reason: FinishReason;
  hidden: boolean; // kept in the table, not drawn on the charts
}

/** Runs kept, and drawn at once (the running one included). */
export const MAX_RUNS = 8;

/** Okabe and Ito's colour-blind-safe palette, in the order runs take it; its yellow, too pale on white, is
 *  replaced by Paul Tol's wine. */
export const RUN_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#882255'];

/** The colour of the next run: the first one no run it will be drawn beside has (the newest MAX_RUNS - 1;
 *  the oldest of a full list makes way when the next run is kept). */
export function nextColour(runs: readonly RunRecord[]): string {
  const used = new Set(runs.slice(-(MAX_RUNS - 1)).map((r) => r.colour));
  return RUN_COLOURS.find((c) => !used.has(c)) ?? RUN_COLOURS[0];
}

/** The list with `run` added as the newest (its id the next one), the oldest dropped beyond MAX_RUNS. */
export function keepRun(runs: readonly RunRecord[], run: Omit<RunRecord, 'id' | 'hidden'>): RunRecord[] {
  const id = runs.reduce((max, r) => Math.max(max, r.id), 0) + 1;
  return [...runs, { ...run, id, hidden: false }].slice(-MAX_RUNS);
}

export function setHidden(runs: readonly RunRecord[], id: number, hidden: boolean): RunRecord[] {
  return runs.map((r) => (r.id === id && r.hidden !== hidden ? { ...r, hidden } : r));
}

export function deleteRun(runs: readonly RunRecord[], id: number): RunRecord[] {
  return runs.filter((r) => r.id !== id);
}

/** The runs with a deleted one back where it was (Undo), unless a run of its id is there already. */
export function undeleteRun(runs: readonly RunRecord[], deleted: { run: RunRecord; index: number }): RunRecord[] {
  if (runs.some((r) => r.id === deleted.run.id)) return [...runs];
  const at = Math.min(deleted.index, runs.length);
  return [...runs.slice(0, at), deleted.run, ...runs.slice(at)];
}

/** The kept runs drawn on the charts, oldest first: the shown ones among the newest MAX_RUNS, or the
 *  newest MAX_RUNS - 1 while another run trains (it is drawn too, on top). */
export function chartedRuns(runs: readonly RunRecord[], training: boolean): RunRecord[] {
  return runs.slice(-(training ? MAX_RUNS - 1 : MAX_RUNS)).filter((r) => !r.hidden);
}

/** The stored list followed by runs kept before it was read (their ids and colours made fresh). */
export function mergeRuns(stored: readonly RunRecord[], current: readonly RunRecord[]): RunRecord[] {
  let runs = stored.slice(-MAX_RUNS);
  for (const { id: _id, hidden: _hidden, ...run } of current) runs = keepRun(runs, { ...run, colour: nextColour(runs) });
  return runs;
}

/** Whether a stored value is a run this page can show (storage may hold anything an older page wrote). */
export function isRunRecord(x: unknown): x is RunRecord {
  const r = x as RunRecord;
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isInteger(r.id) &&
    typeof r.colour === 'string' &&
    typeof r.config === 'object' &&
    r.config !== null &&
    Array.isArray(r.history) &&
    typeof r.seconds === 'number' &&
    typeof r.hidden === 'boolean'
  );
}

const OPTIMIZER_NAMES: Record<TrainConfig['optimizer'], string> = { sgd: 'SGD', momentum: 'momentum', adam: 'Adam' };

/** A run's settings in one line, e.g. "H 256 · 10 epochs · batch 32 · lr 0.1 · decay 0.0001 · SGD". Only
 *  what differs from the reference is said about the optimizer's and schedule's extras. */
export function describeRun(config: TrainConfig, dataSet: DataSet): string {
  const parts = [
    `H ${config.hidden}`,
    `${config.epochs} epoch${config.epochs === 1 ? '' : 's'}`,
    `batch ${config.batch}`,
    `lr ${config.learningRate}`,
    `decay ${config.decay}`,
    config.optimizer === 'momentum' ? `momentum ${config.momentum}` : OPTIMIZER_NAMES[config.optimizer] ?? String(config.optimizer),
  ];
  if (config.schedule && config.schedule !== 'constant') parts.push(`${config.schedule}, warm-up ${config.warmup}`);
  if (config.augment) parts.push('shifts');
  parts.push(`${config.trainSize > 0 ? config.trainSize.toLocaleString('en-US') : 'all'} ${dataSet === 'full' ? 'full-set' : 'subset'} examples`);
  parts.push(`seed ${config.seed}`);
  return parts.join(' · ');
}
