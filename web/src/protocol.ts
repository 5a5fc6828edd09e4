// Every message between the page (client.ts) and the training worker (worker.ts), in one place.
// The page sends commands; the worker answers with events. Big arrays travel as transferred buffers.
//
//  page -> worker                     worker -> page
//  (worker starts)                    ready {build}            | fatal (module failed to load)
//  data {set, files}                  data-ready {set, sizes}  | error (malformed file)
//  train {config}                     started, progress*, epoch* ..., finished, model
//                                     | error (invalid setting, or not enough memory for H)
//                                     | finished {reason: 'diverged'}, model, error (loss blew up)
//  pause / resume                     paused / resumed (between batches)
//  stop                               finished {reason: 'stopped'}, model (the model so far is kept and tested)
//  reset                              reset (model, history and results discarded)
//  predict {id, ink}                  prediction {id}
//  load-model {bytes, source, name}   model-loaded {test}, model | error (bad file: the current model is kept)
//  debug {action: 'memory'}           memory {info} (heap figures, for the leak test)
//  debug {action: 'abort'}            fatal (a test of the worker dying)
// `model` carries the current model's file (model_file.hpp's format) whenever a new model is in place, so the
// page can keep it in IndexedDB and export it. After `fatal` the worker is dead: the page's Reset replaces it.
import type { BuildInfo, EpochStats, MemoryInfo } from '../../wasm/mnist-core';

export type { BuildInfo, MemoryInfo };

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
};

/** IDX files, inflated (not gzip). */
export interface DataFiles {
  trainImages: ArrayBuffer;
  trainLabels: ArrayBuffer;
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
  | { type: 'data'; set: DataSet; files: DataFiles }
  | { type: 'train'; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'reset' }
  | { type: 'predict'; id: number; ink: Float32Array; width: number; height: number }
  | { type: 'load-model'; bytes: ArrayBuffer; source: ModelSource; name: string }
  | { type: 'debug'; action: 'memory' | 'abort' };

/** Where a model that was not trained in this session came from. */
export type ModelSource = 'imported' | 'restored';

export type FinishReason = 'completed' | 'stopped' | 'diverged';

export type FromWorker =
  | { type: 'ready'; build: BuildInfo }
  | { type: 'data-ready'; set: DataSet; train: number; test: number }
  | { type: 'started'; config: TrainConfig; epochSize: number; validationSize: number; totalExamples: number }
  | {
      type: 'progress';
      epoch: number; // completed epochs
      examplesDone: number; // over the whole run
      totalExamples: number;
      samplesPerSecond: number;
      loss: number; // mean cross-entropy of the latest batch
      threads: number; // the threads training runs on now (fewer than the build's when their cores are busy)
      batchLosses: Array<[number, number]>; // new points since the last progress: [epochs done (fractional), loss]
    }
  | { type: 'epoch'; row: EpochRow }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'finished'; reason: FinishReason; seconds: number; test: TestResult | null }
  | { type: 'model'; bytes: ArrayBuffer; hidden: number }
  | { type: 'model-loaded'; source: ModelSource; name: string; hidden: number; test: TestResult | null }
  | { type: 'memory'; info: MemoryInfo }
  | { type: 'fatal'; message: string }
  | { type: 'reset' }
  | {
      type: 'prediction';
      id: number;
      empty: boolean; // no digit drawn: no guess
      image: Float32Array; // (28 * 28) what the network is given
      probabilities: Float32Array | null; // null until a model exists
    }
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

/** What the page says when training diverged. */
export function divergenceMessage(epoch: number, learningRate: number): string {
  const smaller = Number((learningRate / 10).toPrecision(2));
  return (
    `Training diverged in epoch ${epoch}: the loss became NaN, infinite or huge with learning rate ${learningRate}. ` +
    `Try a smaller learning rate (e.g. ${smaller}); the last finite model is kept.`
  );
}
