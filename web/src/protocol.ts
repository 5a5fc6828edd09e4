// Every message between the page (client.ts) and the training worker (worker.ts), in one place.
// The page sends commands; the worker answers with events, posted as lists (FromWorker[]: one event, or a
// training slice's events together, drawn in one frame). Big arrays travel as transferred buffers.
//
//  page -> worker                     worker -> page
//  (worker starts)                    ready {build}            | fatal (module failed to load)
//  data {set, files}                  data-ready {set, train}  | error (malformed file)
//  test-data {set, files}             test-ready {set, test}, model-tested {test} (a model waiting for them)
//  train {config}                     started, progress*, epoch* ..., finished, model
//                                     | error (invalid setting, or not enough memory for H)
//                                     | finished {reason: 'diverged'}, model, error (loss blew up)
//  pause / resume                     paused / resumed (between batches)
//  stop                               finished {reason: 'stopped'}, model (the model so far is kept and tested)
//  reset                              reset (model, history and results discarded)
//  predict {id, ink}                  prediction {id}
//  load-model {bytes, source, name}   model-loaded, model | error (bad file: the current model is kept), then
//                                     model-tested {test} (in short tasks, once the test images are in)
//  views {units, explain}             (which explanation panels the page shows: the worker sends only those)
//                                     units (the strongest hidden units' pictures: at a run's start, about
//                                       every UNITS_MS and at each epoch's end while shown, and for each new model)
//                                     activity (after a model is tested: how often each unit is active)
//  check-settings {checks}            settings-checked {errors} (settings from a link, each checked as Train
//                                     would check it on the loaded training images; one error per bad one)
//  fine-tune {images, labels}         started {fineTune: true}, progress*, epoch, finished, model, fine-tuned
//                                     {before, after, mix} (the current model trained a short while on the
//                                     user's digits mixed with MNIST's; the model before is kept for one undo)
//                                     | error (no model, no digits, or training already running)
//  undo-fine-tune                     fine-tune-undone, model, model-tested (the model before the last fine-tune
//                                     is back)
//  classify {id, images}              classified {id, predicted} (how the current model reads the user's digits)
//  import-digits {files}              digits-imported {pixels, labels} | error (not a matching IDX image and
//                                     label pair, labels outside 0-9 or images not 28x28: nothing changes)
//  export-digits {pixels, labels}     digits-exported {images, labels} (the pair of IDX files, MNIST's format)
//  debug {action: 'memory'}           memory {info} (heap figures, for the leak test)
//  debug {action: 'timings'}          timings (the worker's time per kind of task and the last run's thread
//                                     tally, for measurements)
//  debug {action: 'reset-timings'}    (forgets them, so a measurement sees only its own tasks)
//  debug {action: 'abort'}            fatal (a test of the worker dying)
// `model` carries the current model's file (model_file.hpp's format) whenever a new model is in place, so the
// page can keep it in IndexedDB and export it. After `fatal` the worker is dead: the page's Reset replaces it.
import type { BuildInfo, EpochStats, Explanation, MemoryInfo, ThreadTally } from '../../wasm/mnist-core';

export type { BuildInfo, Explanation, MemoryInfo, ThreadTally };

export type DataSet = 'subset' | 'full';

/** The hyper-parameters of a run, as the page's form gives them. trainSize 0 = every loaded image. */
export interface TrainConfig {
  hidden: number;
  epochs: number;
  batch: number;
  learningRate: number;
  decay: number;
  trainSize: number;
  seed: number;
  optimizer: 'sgd' | 'momentum' | 'adam';
  momentum: number; // heavy-ball coefficient (momentum only)
  schedule: 'constant' | 'cosine' | 'onecycle';
  warmup: number; // epochs of linear warm-up (cosine, onecycle)
  augment: boolean; // random shifts of up to 2 pixels per image and epoch
}

/** The reference experiment's settings (DESIGN.md). */
export const DEFAULT_CONFIG: TrainConfig = {
  hidden: 256,
  epochs: 10,
  batch: 32,
  learningRate: 0.1,
  decay: 1e-4,
  trainSize: 0,
  seed: 1,
  optimizer: 'sgd',
  momentum: 0.9,
  schedule: 'constant',
  warmup: 1,
  augment: false,
};

/** IDX files, inflated (not gzip): the training files arrive first, the test files while training runs. */
export interface TrainFiles {
  trainImages: ArrayBuffer;
  trainLabels: ArrayBuffer;
}
export interface TestFiles {
  testImages: ArrayBuffer;
  testLabels: ArrayBuffer;
}

export interface EpochRow extends EpochStats {
  seconds: number; // since training started
}

export interface Misclassified {
  index: number; // in the test set
  label: number;
  predicted: number;
  pixels: Uint8Array; // (28 * 28)
}

export interface TestResult {
  accuracy: number; // fraction in [0, 1]
  loss: number;
  count: number;
  confusion: number[]; // (10 * 10) [true * 10 + predicted]
  wrongCount: number;
  misclassified: Misclassified[]; // the first few, for the gallery
}

export type ToWorker =
  | { type: 'data'; set: DataSet; files: TrainFiles }
  | { type: 'test-data'; set: DataSet; files: TestFiles }
  | { type: 'train'; config: TrainConfig }
  | { type: 'check-settings'; checks: SettingCheck[] }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'reset' }
  | { type: 'predict'; id: number; ink: Float32Array; width: number; height: number }
  | { type: 'load-model'; bytes: ArrayBuffer; source: ModelSource; name: string }
  | { type: 'fine-tune'; pixels: Uint8Array; labels: Uint8Array } // the user's digits: (n * 784) and (n)
  | { type: 'undo-fine-tune' }
  | { type: 'classify'; id: number; pixels: Uint8Array } // (n * 784)
  | { type: 'import-digits'; files: [ArrayBuffer, ArrayBuffer] } // an IDX image file and its label file, either order
  | { type: 'export-digits'; pixels: Uint8Array; labels: Uint8Array }
  | { type: 'debug'; action: 'memory' | 'abort' | 'timings' | 'reset-timings' }
  | { type: 'views'; units: boolean; explain: boolean };

/** The hidden units the "Hidden unit weights" grid shows: at most UNITS_SHOWN, those of largest incoming
 *  weight norm, in index order (include/mnist/explain.hpp). */
export interface UnitsView {
  hidden: number; // H
  units: Uint32Array; // (n) unit indices
  images: Float32Array; // (n * 784) incoming weights as 28x28 images
  outputs: Float32Array; // (n * 10) weights to the ten outputs
  strongest: number; // the unit of largest incoming norm: the details show it until the user picks one
  epochs: number | null; // epochs trained when taken (fractional), null for a model not trained here
}

/** How often each hidden unit is active (z1 > 0) on the test set, for the current model. */
export interface UnitActivity {
  counts: Uint32Array; // (H)
  total: number; // test images
}

/** One setting from a link (`key` and its text) in a config that differs from the defaults only where needed. */
export interface SettingCheck {
  key: keyof TrainConfig;
  text: string;
  config: TrainConfig;
}

/** The worker's time per kind of task (a message type, or 'slice' for a training slice), for measurements. */
export interface TaskTimes {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** Units in the grid when H is larger. */
export const UNITS_SHOWN = 64;
/** Units for and against the prediction in "Why this prediction". */
export const EXPLAIN_UNITS = 8;

/** The mix a fine-tune trains on (include/mnist/fine_tune.hpp): one pass over MNIST_EXAMPLES training images
 *  and the user's digits repeated so that, on average, USER_PER_BATCH of every BATCH examples are theirs. */
export const FINE_TUNE = { mnistExamples: 12000, userPerBatch: 4, batch: 32, epochs: 1, learningRate: 0.02 } as const;

/** The most digits "Your digits" keeps (7.8 MB of pixels). */
export const MAX_DIGITS = 10000;

/** Accuracy (fractions) on the user's digits and on the loaded test set (null while its files load). */
export interface FineTuneScores {
  user: number;
  test: number | null;
}

export interface FineTuneResult {
  before: FineTuneScores;
  after: FineTuneScores;
  seconds: number;
  digits: number; // the user's digits trained on
  mnistExamples: number; // MNIST images in the mix
  userExamples: number; // the user's digits in the mix, with repeats
  steps: number; // batches of FINE_TUNE.batch
}

/** Where a loaded model came from: a file, this browser's storage, or the page's shipped reference model. */
export type ModelSource = 'imported' | 'restored' | 'reference';

export type FinishReason = 'completed' | 'stopped' | 'diverged';

export type FromWorker =
  // Why the scalar build, why one thread only (null: SIMD, threads work).
  | { type: 'ready'; build: BuildInfo; simdUnavailable: string | null; threadsUnavailable: string | null }
  | { type: 'data-ready'; set: DataSet; train: number }
  | { type: 'test-ready'; set: DataSet; test: number }
  | {
      type: 'started';
      config: TrainConfig;
      epochSize: number;
      validationSize: number;
      totalExamples: number;
      fineTune?: boolean; // a fine-tune of the current model, not a run from scratch
    }
  | {
      type: 'progress';
      epoch: number; // completed epochs
      examplesDone: number; // over the whole run
      totalExamples: number;
      samplesPerSecond: number;
      threads: number; // the threads training runs on now (fewer than the build's when their cores are busy)
      heldBack: boolean; // fewer because the governor measured more slower (at a run's start it is on one)
      batchLosses: Array<[number, number]>; // new points since the last progress: [epochs done (fractional), loss]
    }
  | { type: 'epoch'; row: EpochRow }
  | { type: 'paused' }
  | { type: 'resumed' }
  // test is null when no example was trained (no model) or, until model-tested, while the test files load
  | { type: 'finished'; reason: FinishReason; seconds: number; trained: boolean; test: TestResult | null }
  | { type: 'model'; bytes: ArrayBuffer; hidden: number }
  | { type: 'model-loaded'; source: ModelSource; name: string; hidden: number } // its test follows: model-tested
  | { type: 'model-tested'; test: TestResult }
  | { type: 'fine-tuned'; result: FineTuneResult }
  | { type: 'fine-tune-undone' } // its test follows: model-tested
  | { type: 'classified'; id: number; predicted: Uint8Array | null } // null: no model
  | { type: 'digits-imported'; pixels: Uint8Array; labels: Uint8Array }
  | { type: 'digits-exported'; images: ArrayBuffer; labels: ArrayBuffer }
  | { type: 'memory'; info: MemoryInfo }
  | ({ type: 'units' } & UnitsView)
  | ({ type: 'activity' } & UnitActivity)
  | { type: 'timings'; tasks: Record<string, TaskTimes>; threads: ThreadTally | null } // threads: the last run's
  | { type: 'fatal'; message: string }
  | { type: 'reset'; answer: boolean } // answer: to a reset message (else the worker dropped a failed run)
  | {
      type: 'prediction';
      id: number;
      empty: boolean; // no digit drawn: no guess
      image: Float32Array; // (28 * 28) what the network is given
      probabilities: Float32Array | null; // null until a model exists
      explanation?: Explanation | null; // with a guess, while the page shows "Why this prediction"
    }
  | { type: 'settings-checked'; errors: Array<SettingCheck & { message: string }> }
  | { type: 'error'; code: string; message: string };

/** How many misclassified test digits the worker sends for the gallery. */
export const GALLERY_SIZE = 48;

/** The largest model file the page reads: H = kMaxHidden (config.hpp) in model_file.hpp's format. */
export const MAX_MODEL_FILE_BYTES = 20 + 4 * (784 * 262144 + 262144 + 262144 * 10 + 10) + 4;

/** True when a step stopped because training diverged: the core's check (trainer.hpp) saw a NaN, infinite
 *  or exploded batch loss (above 1000 per example; a random guess costs 2.3) and kept the epoch's start. */
export function lossDiverged(step: { status: string }): boolean {
  return step.status === 'diverged';
}

/** A message as a sentence: the core's end without a full stop. */
export function asSentence(message: string): string {
  return /[.?!]$/.test(message) ? message : `${message}.`;
}

/** What the page says when training diverged: `kept`, the model of the epoch's start is kept (a run that
 *  diverged in its first epoch keeps none: its start is the random initial model). Above the reference's
 *  0.1 it suggests 0.1 (a tenth of 1000 diverges too), below it a tenth. */
export function divergenceMessage(epoch: number, learningRate: number, kept: boolean): string {
  const suggestion = learningRate > 0.1 ? "0.1, the reference's" : String(Number((learningRate / 10).toPrecision(2)));
  return (
    `Training diverged in epoch ${epoch}: the loss became NaN, infinite or huge with learning rate ${learningRate}. ` +
    `Try a smaller learning rate (e.g. ${suggestion}); ` +
    (kept ? 'the last finite model is kept.' : 'no model of this run is kept, and the one from before it is back.')
  );
}
