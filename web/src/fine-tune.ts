// Worker-side pieces of a fine-tune (worker.ts runs it like any run): what it remembers from its start,
// the scores it reports before and after, and the TrainConfig it shows as its settings. No DOM here.
import type { Core, Dataset, Model, Trainer } from './core';
import { DEFAULT_CONFIG, FINE_TUNE, type FineTuneScores, type TrainConfig } from './protocol';

export interface FineTuneRun {
  user: Dataset; // the user's digits (the worker releases them when the run ends)
  before: FineTuneScores;
  digits: number;
  mnistExamples: number;
  userExamples: number;
}

/** Accuracy of `model` on the user's digits and on the test set (null until its files are in; `knownTest`: the
 *  test accuracy when already measured). */
export function scores(core: Core, model: Model, user: Dataset, test: Dataset | null, knownTest: number | null = null): FineTuneScores {
  return { user: core.evaluate(model, user).accuracy, test: knownTest ?? (test ? core.evaluate(model, test).accuracy : null) };
}

/** The fine-tune's settings as a run's (the page shows its progress like a run's). */
export function fineTuneConfig(trainer: Trainer, hidden: number): TrainConfig {
  return {
    ...DEFAULT_CONFIG, // plain SGD, constant rate, no augmentation
    hidden,
    epochs: FINE_TUNE.epochs,
    batch: FINE_TUNE.batch,
    learningRate: FINE_TUNE.learningRate,
    decay: DEFAULT_CONFIG.decay,
    trainSize: trainer.epochSize(),
    seed: DEFAULT_CONFIG.seed,
  };
}
