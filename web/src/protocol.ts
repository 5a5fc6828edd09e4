// Every message between the page (client.ts) and the training worker (worker.ts), in one place.
// The page sends commands; the worker answers with events. Big arrays travel as transferred buffers.
//
//  page -> worker                     worker -> page
//  (worker starts)                    ready {build}            | error (module failed to load)
//  data {set, files}                  data-ready {set, sizes}  | error (malformed file)
//  train {config}                     started, progress*, epoch* ..., finished | error (invalid setting)
//  pause / resume                     paused / resumed (between batches)
//  stop                               finished {reason: 'stopped'} (the model so far is kept and tested)
//  reset                              reset (model, history and results discarded)
//  predict {id, ink}                  prediction {id}
import type { BuildInfo, EpochStats } from '../../wasm/mnist-core';

export type { BuildInfo };

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
  | { type: 'predict'; id: number; ink: Float32Array; width: number; height: number };

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
      batchLosses: Array<[number, number]>; // new points since the last progress: [epochs done (fractional), loss]
    }
  | { type: 'epoch'; row: EpochRow }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'finished'; reason: 'completed' | 'stopped'; seconds: number; test: TestResult | null }
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
