// The page's state, in one place: one object, changed only through `update`, observed by the UI modules.
// `applyEvent` folds every worker event into it (pure: no DOM, no worker). ui/* render from it.
import type {
  BuildInfo,
  DataSet,
  EpochRow,
  Explanation,
  FinishReason,
  FromWorker,
  ModelSource,
  TestResult,
  TrainConfig,
  UnitActivity,
  UnitsView,
} from './protocol';

export type Phase = 'starting' | 'loading-data' | 'idle' | 'training' | 'paused' | 'finished';

export interface PredictionState {
  empty: boolean;
  image: Float32Array;
  probabilities: Float32Array | null;
  explanation?: Explanation | null;
}

export interface AppState {
  phase: Phase;
  build: BuildInfo | null;
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
    loss: number;
    epochsDone: number;
    threads: number; // the threads the steps run on now (0 until the first progress)
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

/** The state after a worker event. */
export function applyEvent(s: AppState, e: FromWorker): Partial<AppState> {
  switch (e.type) {
    case 'ready':
      return { build: e.build };
    case 'data-ready':
      return { phase: s.hasModel ? 'finished' : 'idle', dataSet: e.set, trainAvailable: e.train, testAvailable: 0 };
    case 'test-ready':
      return { testAvailable: e.test, dataProgress: null };
    case 'started':
      return {
        phase: 'training',
        alert: null,
        ...NO_RESULTS,
        activity: null,
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
        },
      };
    case 'progress':
      if (!s.run) return {};
      return {
        run: {
          ...s.run,
          examplesDone: e.examplesDone,
          samplesPerSecond: e.samplesPerSecond,
          loss: e.loss,
          epochsDone: e.epoch,
          threads: e.threads,
        },
        batchLosses: e.batchLosses.length ? s.batchLosses.concat(e.batchLosses) : s.batchLosses,
      };
    case 'epoch':
      return { history: [...s.history, e.row], seconds: e.row.seconds };
    case 'paused':
      return s.phase === 'training' ? { phase: 'paused' } : {};
    case 'resumed':
      return s.phase === 'paused' ? { phase: 'training' } : {};
    case 'finished':
      return {
        phase: 'finished',
        test: e.test,
        finishedReason: e.reason,
        seconds: e.seconds,
        hasModel: e.trained,
        run: s.run && e.reason === 'completed' ? { ...s.run, examplesDone: s.run.totalExamples } : s.run,
      };
    case 'reset':
      return {
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
        test: e.test,
        finishedReason: e.source,
        modelName: e.name,
        seconds: 0,
        hasModel: true,
        alert: null,
      };
    case 'model-tested':
      return s.hasModel ? { test: e.test } : {};
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
    case 'error':
      return { alert: e.message };
  }
}
