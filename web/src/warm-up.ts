// V8 compiles a WebAssembly function with its optimizing tier only after it has run a while (dynamic
// tiering), on background threads. Left to the first run, those compiles (0.3-0.4 s of CPU in a trace of
// the full run) take the training threads' cores while its first steps run the baseline code. So once
// training data is in, throwaway trainers run the step on all the pool's threads and on one (where the
// governor starts), and a model the evaluation pass, in tasks of about stepMs; the compiles then happen
// while the page waits for its user. It starts a while after the test images are in, so a first visit's
// loading, model test and first drawing have the cores (begun at the training images, it made the first
// prediction 0.1 s later). A run ends it where it is (and one before it needs none); new data, it goes on with.
import { release, type Core, type Dataset, type Model, type Trainer } from './core';
import { later } from './worker-tasks';

const WARM_UP_BATCHES = 300; // per thread count: with 256 units, 80 left 0.09-0.22 s of the compiles to the run, 150 0.07 s
const WARM_UP_HIDDEN = 64; // the same kernels as 256 units (16-column slabs), a quarter of the memory
const WARM_UP_AFTER_MS = 1000;
const CONFIG = { hidden: WARM_UP_HIDDEN, epochs: 1, seed: 1 };

/** What the warm-up needs of the worker, read when it runs. */
export interface WarmUpHost {
  core(): Core | null;
  train(): Dataset | null; // the training images, null before they are in
  idle(): boolean; // no run, and the module alive
  aborted(): boolean; // the module aborted: nothing may be released
  fail(error: unknown): void;
  stepMs: number; // target time of one call into the module
}

// The running warm-up: its phase (0: steps on all the pool's threads; 1: on the governor's, one to start;
// 2: the evaluation), batches done in it (of 32 images in the evaluation), batches per call (sized to
// about stepMs), and what it holds: one object at a time (a trainer, then a model), so it adds little to
// the heap's high-water mark; both are made again on new data (newData), so it goes on from there.
interface Warm {
  phase: number;
  done: number;
  batches: number;
  trainer: Trainer | null;
  model: Model | null;
}

export class WarmUp {
  // pending: until test images are in; armed: its timer runs; running; done: once per worker (a run warms up too)
  private state: 'pending' | 'armed' | 'running' | 'done' = 'pending';
  private warm: Warm | null = null;

  constructor(private readonly host: WarmUpHost) {}

  /** The test images are in: it starts WARM_UP_AFTER_MS later if the worker is idle then (once). */
  arm(): void {
    if (this.state !== 'pending') return;
    this.state = 'armed';
    setTimeout(() => {
      if (this.state !== 'armed') return;
      if (this.host.core() && this.host.train() && this.host.idle()) this.start();
      else this.state = 'pending';
    }, WARM_UP_AFTER_MS);
  }

  /** New training data: what it holds reads the old, so it makes them again on the new. */
  newData(): void {
    if (!this.warm) return;
    release(this.warm.model, this.warm.trainer);
    this.warm.model = this.warm.trainer = null;
  }

  /** A run starts (it warms up whatever is left): never again. */
  end(): void {
    this.newData(); // releases what it holds
    this.warm = null;
    this.state = 'done';
  }

  /** The module died: never again, and nothing is released in a dead module. */
  drop(): void {
    this.warm = null;
    this.state = 'done';
  }

  private start(): void {
    this.state = 'running';
    this.warm = { phase: 0, done: 0, batches: 4, trainer: null, model: null };
    later('warm-up', () => this.piece());
  }

  private piece(): void {
    const w = this.warm;
    const c = this.host.core();
    const train = this.host.train();
    if (!w || !c || !train) return; // ended by a run
    const next = () => later('warm-up', () => this.piece());
    try {
      if (w.phase < 2 && !w.trainer) {
        // A task of its own (20-30 ms on the full set's 60,000 images), as is the model's below.
        w.trainer = c.createTrainer(train, CONFIG);
        if (w.phase === 0) w.trainer.pinThreads();
        return next();
      }
      if (w.phase === 2 && !w.model) {
        const t = c.createTrainer(train, CONFIG); // the data changed since phase 1's trainer made the model
        try {
          w.model = c.model(t);
        } finally {
          release(t);
        }
        c.startEvaluation(w.model, train);
        return next();
      }
      const start = performance.now();
      const n = Math.min(w.batches, WARM_UP_BATCHES - w.done);
      let ended: boolean;
      if (w.trainer) {
        c.step(w.trainer, n);
        ended = w.trainer.finished();
      } else ended = c.evaluateSome(w.model!, 32 * n);
      w.done += n;
      w.batches = Math.max(1, Math.min(16, Math.round((n * this.host.stepMs) / Math.max(0.1, performance.now() - start))));
      if (ended || w.done >= WARM_UP_BATCHES) {
        if (w.phase === 1 && w.trainer) {
          w.model = c.model(w.trainer);
          c.startEvaluation(w.model, train);
        }
        release(w.trainer);
        w.trainer = null;
        w.phase += 1;
        w.done = 0;
      }
      if (w.phase < 3) next();
      else this.end();
    } catch (error) {
      if (this.host.aborted()) this.drop();
      else this.end(); // and not tried again: the page shows the error
      this.host.fail(error);
    }
  }
}
