// The page's state, in one place: one object, changed only through `update`, observed by the UI modules.
// `applyEvent` folds every worker event into it (pure: no DOM, no worker). ui/* render from it.
import { MAX_DIGITS } from './protocol';
import type {
  BuildInfo,
  DataSet,
  EpochRow,
  Explanation,
  FineTuneResult,
  FinishReason,
  FromWorker,
  ModelSource,
  SettingCheck,
  TestResult,
  TrainConfig,
  UnitActivity,
  UnitsView,
} from './protocol';
import { keepRun, nextColour, type RunRecord } from './runs';
import { DEFAULT_SETTINGS, fieldsNamed, type SettingKey, type Settings } from './settings';

export type Phase = 'starting' | 'loading-data' | 'idle' | 'training' | 'paused' | 'finished';

export interface PredictionState {
  empty: boolean;
  image: Float32Array;
  probabilities: Float32Array | null;
  explanation?: Explanation | null;
}

/** A digit the user drew and labelled: the 28x28 image the network sees, as bytes (IDX's pixels). */
export interface Digit {
  id: number;
  label: number;
  pixels: Uint8Array; // (784) 0-255
}

export interface FineTuneState {
  running: boolean;
  result: FineTuneResult | null; // the last fine-tune's before and after
  canUndo: boolean; // the worker keeps the model from before it
  undone: boolean;
  previousReason: FinishReason | ModelSource | null; // how the model it started from came about
}

export interface AppState {
  phase: Phase;
  build: BuildInfo | null;
  simdUnavailable: string | null; // why the page runs the scalar build (null: it need not)
  threadsUnavailable: string | null; // why the page runs a single-thread build (null: it need not)
  dataSet: DataSet;
  dataLabel: string;
  dataProgress: { loaded: number; total: number } | null; // while downloading
  trainAvailable: number; // training images loaded (0 until the data is in)
  testAvailable: number;
  run: {
    config: TrainConfig;
    epochSize: number;
    validationSize: number;
    totalExamples: number;
    examplesDone: number;
    samplesPerSecond: number;
    loss: number; // the batch losses' moving average (smoothLoss), the loss chart's grey line's last value
    epochsDone: number;
    threads: number; // the threads the steps run on now (0 until the first progress)
    heldBack: boolean; // fewer than the build's because their cores were measured busy
    colour: string; // its curves' colour (runs.ts), kept when it joins the runs
  } | null;
  history: EpochRow[];
  batchLosses: Array<[number, number]>; // [epochs done (fractional), batch cross-entropy]
  test: TestResult | null;
  finishedReason: FinishReason | ModelSource | null; // how the model on show came about
  seconds: number;
  hasModel: boolean; // the worker holds a model to predict with
  modelFile: { bytes: ArrayBuffer; hidden: number } | null; // the current model's file, for export
  modelName: string; // the imported file's name
  workerFailed: boolean; // the worker died (module failed to load or aborted): Reset replaces it
  alert: string | null;
  prediction: PredictionState | null;
  units: UnitsView | null; // the hidden units' pictures, live while training
  activity: UnitActivity | null; // the current model's, once tested
  settings: Settings; // the settings form's text (settings.ts); the link in the address bar follows it
  examplesChosen: boolean; // "Training examples" was set (typed, a link, a preset), not every image loaded
  settingsAlert: string | null; // bad values in the page's link, shown until the settings change or Train
  runs: RunRecord[]; // the finished and stopped runs kept for comparison, oldest first (runs.ts)
  deletedRun: { run: RunRecord; index: number } | null; // the last run deleted, for Undo until a run is kept
  digits: Digit[]; // "Your digits", kept in IndexedDB (digits-store.ts)
  // How the current model reads them: the answer to classify request `request` for the digits `ids`.
  digitGuesses: { request: number; ids: number[]; predicted: Uint8Array | null } | null;
  fineTune: FineTuneState | null;
  digitExport: { images: ArrayBuffer; labels: ArrayBuffer } | null; // the last exported pair of IDX files
}

/** What a new run or a reset clears: the history, the results and the model (state is never mutated, so
 *  the empty arrays can be shared). */
const NO_RESULTS = {
  history: [],
  batchLosses: [],
  test: null,
  finishedReason: null,
  hasModel: false,
  modelFile: null,
  seconds: 0,
} satisfies Partial<AppState>;

export const initialState: AppState = {
  phase: 'starting',
  build: null,
  simdUnavailable: null,
  threadsUnavailable: null,
  dataSet: 'subset',
  dataLabel: '',
  dataProgress: null,
  trainAvailable: 0,
  testAvailable: 0,
  run: null,
  history: [],
  batchLosses: [],
  test: null,
  finishedReason: null,
  seconds: 0,
  hasModel: false,
  modelFile: null,
  modelName: '',
  workerFailed: false,
  alert: null,
  prediction: null,
  units: null,
  activity: null,
  settings: DEFAULT_SETTINGS,
  examplesChosen: false,
  settingsAlert: null,
  runs: [],
  deletedRun: null,
  digits: [],
  digitGuesses: null,
  fineTune: null,
  digitExport: null,
};

export type Listener = (state: AppState, previous: AppState) => void;

export class Store {
  private state: AppState = initialState;
  private readonly listeners: Listener[] = [];

  get(): AppState {
    return this.state;
  }

  update(change: Partial<AppState> | ((s: AppState) => Partial<AppState>)): void {
    const previous = this.state;
    const patch = typeof change === 'function' ? change(previous) : change;
    this.state = { ...previous, ...patch };
    for (const listener of this.listeners) listener(this.state, previous);
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
    listener(this.state, initialState);
  }
}

/** The batch losses' exponential moving average over about 10 of them: one batch of 32 is too noisy to
 *  show alone (the last, short batch of an epoch read 1.1 where the run's loss was 0.2). NaN starts it. */
export function smoothLoss(average: number, loss: number): number {
  return Number.isFinite(average) ? 0.9 * average + 0.1 * loss : loss;
}

/** The state after a worker event. */
export function applyEvent(s: AppState, e: FromWorker): Partial<AppState> {
  switch (e.type) {
    case 'ready':
      return { build: e.build, simdUnavailable: e.simdUnavailable, threadsUnavailable: e.threadsUnavailable };
    case 'data-ready':
      return {
        phase: s.hasModel ? 'finished' : 'idle',
        dataSet: e.set,
        trainAvailable: e.train,
        testAvailable: 0,
        ...(s.examplesChosen ? {} : { settings: { ...s.settings, trainSize: String(e.train) } }),
      };
    case 'test-ready':
      return { testAvailable: e.test, dataProgress: null };
    case 'started':
      return {
        phase: 'training',
        alert: null,
        ...NO_RESULTS,
        activity: null,
        fineTune: e.fineTune
          ? { running: true, result: null, canUndo: false, undone: false, previousReason: s.finishedReason }
          : null,
        run: {
          config: e.config,
          epochSize: e.epochSize,
          validationSize: e.validationSize,
          totalExamples: e.totalExamples,
          examplesDone: 0,
          samplesPerSecond: 0,
          loss: NaN,
          epochsDone: 0,
          threads: 0,
          heldBack: false,
          colour: nextColour(s.runs),
        },
      };
    case 'progress':
      if (!s.run) return {};
      return {
        run: {
          ...s.run,
          examplesDone: e.examplesDone,
          samplesPerSecond: e.samplesPerSecond,
          loss: e.batchLosses.reduce((average, [, loss]) => smoothLoss(average, loss), s.run.loss),
          epochsDone: e.epoch,
          threads: e.threads,
          heldBack: e.heldBack,
        },
        batchLosses: e.batchLosses.length ? s.batchLosses.concat(e.batchLosses) : s.batchLosses,
      };
    case 'epoch':
      return { history: [...s.history, e.row], seconds: e.row.seconds };
    case 'paused':
      return s.phase === 'training' ? { phase: 'paused' } : {};
    case 'resumed':
      return s.phase === 'paused' ? { phase: 'training' } : {};
    case 'finished': {
      const run = s.run && finishedRun(s.run, e.reason, e.seconds);
      return {
        phase: 'finished',
        test: e.test,
        finishedReason: e.reason,
        seconds: e.seconds,
        hasModel: e.trained,
        run,
        ...(run && e.trained && !s.fineTune?.running
          ? { runs: keepFinishedRun(s, run, e.reason, e.seconds, e.test?.accuracy ?? null), deletedRun: null }
          : {}),
        fineTune: s.fineTune && { ...s.fineTune, running: false },
      };
    }
    case 'fine-tuned':
      return s.fineTune ? { fineTune: { ...s.fineTune, result: e.result, canUndo: true } } : {};
    case 'fine-tune-undone':
      return {
        phase: s.trainAvailable > 0 ? 'finished' : s.phase,
        run: null,
        history: [],
        batchLosses: [],
        test: null, // model-tested follows
        hasModel: true,
        finishedReason: s.fineTune?.previousReason ?? 'restored',
        fineTune: s.fineTune && { ...s.fineTune, canUndo: false, undone: true },
      };
    case 'classified':
      return s.digitGuesses?.request === e.id ? { digitGuesses: { ...s.digitGuesses, predicted: e.predicted } } : {};
    case 'digits-imported': {
      // A digit already kept (the same label and pixels: the files exported from here, imported again) is not
      // kept twice.
      const kept = new Set(s.digits.map(digitKey));
      const added = toDigits(e.pixels, e.labels, nextDigitId(s.digits)).filter((d) => !kept.has(digitKey(d)));
      if (added.length === 0)
        return { alert: `Every one of the ${e.labels.length} digits in these files is already kept: nothing was added.` };
      if (s.digits.length + added.length > MAX_DIGITS)
        return {
          alert:
            `Could not import your digits: ${added.length} more would make ${s.digits.length + added.length}, ` +
            `above the ${MAX_DIGITS} this page keeps. The digits you kept are unchanged.`,
        };
      return { digits: s.digits.concat(added), alert: null };
    }
    case 'digits-exported':
      return { digitExport: { images: e.images, labels: e.labels } };
    case 'reset':
      return {
        fineTune: null,
        phase: s.trainAvailable > 0 ? 'idle' : s.phase,
        run: null,
        ...NO_RESULTS,
        prediction: s.prediction ? { ...s.prediction, probabilities: null, explanation: null } : null,
        units: null,
        activity: null,
      };
    case 'model':
      return { modelFile: { bytes: e.bytes, hidden: e.hidden } };
    case 'model-loaded':
      return {
        phase: s.trainAvailable > 0 ? 'finished' : s.phase, // before the data is in, the page is still loading it
        run: null,
        history: [],
        batchLosses: [],
        test: null, // model-tested follows
        finishedReason: e.source,
        modelName: e.name,
        seconds: 0,
        hasModel: true,
        // An import clears the last alert (a refused file, say); a model coming back by itself keeps it (the
        // divergence that brought it back, a data set that failed to load).
        ...(e.source === 'imported' ? { alert: null } : {}),
        fineTune: null,
      };
    case 'model-tested':
      return s.hasModel ? { test: e.test, runs: withLateAccuracy(s, e.test.accuracy) } : {};
    case 'memory':
    case 'timings':
      return {};
    case 'units':
      return { units: { hidden: e.hidden, units: e.units, images: e.images, outputs: e.outputs, strongest: e.strongest, epochs: e.epochs } };
    case 'activity':
      return { activity: { counts: e.counts, total: e.total } };
    case 'fatal':
      return { workerFailed: true, alert: e.message, run: null, hasModel: false };
    case 'prediction':
      return {
        prediction: { empty: e.empty, image: e.image, probabilities: e.probabilities, explanation: e.explanation ?? null },
      };
    case 'settings-checked':
      return linkSettingsRefused(s, e.errors);
    case 'error':
      return { alert: e.message };
  }
}

/** Settings from the link that the core refused: each goes back to its default (unless the user has edited it
 *  since), and the alert says why, as it would for the same value typed and trained. */
function linkSettingsRefused(s: AppState, errors: Array<SettingCheck & { message: string }>): Partial<AppState> {
  if (errors.length === 0) return {};
  const settings = { ...s.settings };
  let examplesChosen = s.examplesChosen;
  for (const { key, text } of errors) {
    if (settings[key] !== text) continue;
    if (key === 'trainSize') {
      examplesChosen = false; // back to following the data set: every image
      settings.trainSize = String(s.trainAvailable);
    } else settings[key] = DEFAULT_SETTINGS[key];
  }
  return { settings, examplesChosen, settingsAlert: linkAlert(s.settingsAlert, errors.map((e) => e.message)) };
}

/** The alert for settings a link gave that cannot be used: LINK_ALERT_HEAD, then one line each. */
export const LINK_ALERT_HEAD = 'This link has settings the page cannot use; those fields keep their defaults:';
export function linkAlert(previous: string | null, messages: string[]): string | null {
  if (messages.length === 0) return previous;
  return [previous ?? LINK_ALERT_HEAD, ...messages].join('\n');
}

/** The examples a run trained, and its samples/s over its whole time: at its end the progress figures show
 *  what the runs table keeps, not the last live estimate (which can lag a short run by a whole epoch). */
type RunState = NonNullable<AppState['run']>;
function finishedRun(run: RunState, reason: FinishReason, seconds: number): RunState {
  const examplesDone = reason === 'completed' ? run.totalExamples : run.examplesDone;
  return { ...run, examplesDone, samplesPerSecond: seconds > 0 ? examplesDone / seconds : run.samplesPerSecond };
}

/** The runs with the one that just ended (finishedRun's) added. */
function keepFinishedRun(s: AppState, run: RunState, reason: FinishReason, seconds: number, testAccuracy: number | null): RunRecord[] {
  return keepRun(s.runs, {
    colour: run.colour,
    config: run.config,
    dataSet: s.dataSet,
    history: s.history,
    validationSize: run.validationSize,
    testAccuracy,
    seconds,
    samplesPerSecond: seconds > 0 ? run.samplesPerSecond : 0,
    reason,
  });
}

/** The runs with the newest one's test accuracy filled in, when it ended before the test images were in
 *  and the model on show is still its model. */
function withLateAccuracy(s: AppState, accuracy: number): RunRecord[] {
  const newest = s.runs[s.runs.length - 1];
  const ownModel = s.finishedReason === 'completed' || s.finishedReason === 'stopped' || s.finishedReason === 'diverged';
  if (!newest || newest.testAccuracy !== null || !ownModel) return s.runs;
  return [...s.runs.slice(0, -1), { ...newest, testAccuracy: accuracy }];
}

/** The state after the user typed into a settings field. */
export function editSetting(s: AppState, key: SettingKey, text: string): Partial<AppState> {
  return {
    settings: { ...s.settings, [key]: text },
    examplesChosen: s.examplesChosen || key === 'trainSize',
    settingsAlert: null,
    ...(fieldsNamed(s.alert).includes(key) ? { alert: null } : {}), // the value it was about is being changed
  };
}

/** The state after every setting was replaced at once (a preset, a run's settings): `examples` null keeps
 *  the training examples following the data set (every image loaded). */
export function replaceSettings(s: AppState, settings: Settings, examples: number | null): Partial<AppState> {
  return {
    settings: { ...settings, trainSize: examples === null ? (s.trainAvailable > 0 ? String(s.trainAvailable) : s.settings.trainSize) : String(examples) },
    examplesChosen: examples !== null,
    settingsAlert: null,
  };
}

/** The id after the largest kept (ids stay unique across deletes, imports and reloads). */
export function nextDigitId(digits: Digit[]): number {
  return digits.reduce((m, d) => Math.max(m, d.id), 0) + 1;
}

/** What makes two digits the same: the label and every pixel. */
function digitKey(d: Digit): string {
  return `${d.label}:${d.pixels.join(',')}`;
}

/** n images (n * 784 bytes) and n labels as Digits with ids from `firstId`. */
export function toDigits(pixels: Uint8Array, labels: Uint8Array, firstId: number): Digit[] {
  return Array.from(labels, (label, i) => ({ id: firstId + i, label, pixels: pixels.slice(i * 784, (i + 1) * 784) }));
}

/** The digits as one block of pixels and one of labels, as the worker and the IDX files take them. */
export function packDigits(digits: Digit[]): { pixels: Uint8Array; labels: Uint8Array } {
  const pixels = new Uint8Array(digits.length * 784);
  digits.forEach((d, i) => pixels.set(d.pixels, i * 784));
  return { pixels, labels: Uint8Array.from(digits, (d) => d.label) };
}
