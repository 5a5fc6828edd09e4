// The training worker: the only code that runs the WebAssembly core on the page. It owns the datasets,
// the trainer and the trained model, trains in time slices of about SLICE_MS so commands (pause, stop,
// predict, ...) are handled between batches, and reports through the messages in protocol.ts. It loads
// models from model files and posts the current model's file (the page keeps it in IndexedDB and exports it).
// Every failure becomes an `error` message, or `fatal` when the module itself is gone; no DOM here.
// Beside it: worker-tasks.ts (its events, queued tasks and their timings), warm-up.ts (the module's warm-up
// before the first run), worker-digits.ts (the user's digits: how the model reads them, their IDX files).
import {
  Core,
  CoreError,
  loadCore,
  simdUnavailable,
  threadsUnavailable,
  release,
  type Dataset,
  type Evaluation,
  type Explanation,
  type Model,
  type MnistModuleOptions,
  type Trainer,
  type TrainerConfig,
} from './core';
import { fineTuneConfig, scores, type FineTuneRun } from './fine-tune';
import {
  EXPLAIN_UNITS,
  asSentence,
  FINE_TUNE,
  GALLERY_SIZE,
  UNITS_SHOWN,
  divergenceMessage,
  lossDiverged,
  type DataSet,
  type FinishReason,
  type Misclassified,
  type TestFiles,
  type ModelSource,
  type ThreadTally,
  type SettingCheck,
  type TestResult,
  type ToWorker,
  type TrainConfig,
  type TrainFiles,
} from './protocol';
import { WarmUp } from './warm-up';
import { classify, exportDigits, importDigits } from './worker-digits';
import { countTaskAs, later, post, record, resetTimings, scope, timed, timings, together } from './worker-tasks';

// A task of the worker stays well under 50 ms (a long task), so pause, stop and predict are served at once.
const SLICE_MS = 20; // training time per slice before yielding to the message queue
const PROGRESS_MS = 200; // at most this often a progress message
const STEP_MS = 5; // target time of one step() or validate() call, so a slice ends close to SLICE_MS
const PIECE_MS = 15; // time per task of the test that ends a run (in evaluateSome calls of about STEP_MS)
const UNITS_MS = 1000; // at most this often the hidden units' pictures while training (and at each epoch's end)

interface Run {
  trainer: Trainer;
  config: TrainConfig;
  batch: number;
  totalExamples: number;
  paused: boolean;
  started: number; // performance.now() at start, moved forward by paused time
  pausedAt: number;
  lastProgress: number;
  rateSince: number; // time and examples of the last samples/s measurement
  rateExamples: number;
  samplesPerSecond: number;
  msPerBatch: number; // running estimate, sets the batches per step() call
  msPerImage: number; // the same for the validation pass's images per validate() call
  validationLeft: number; // images of the epoch's validation pass not yet run (0: none pending)
  points: Array<[number, number]>; // batch losses not yet posted
  lastUnits: number; // performance.now() of the last units message
  threads: number; // what the last step() ran on (the core's governor drops threads whose cores are busy)
  heldBack: boolean; // and fewer than the pool's threads by a measurement, not at a run's start
  fineTune?: FineTuneRun; // a fine-tune of the model kept in `previous`
}

let core: Core | null = null;
let data: { set: DataSet; train: Dataset; test: Dataset | null } | null = null; // test: null until its files are in
let run: Run | null = null;
let model: Model | null = null; // the trained model, kept for predictions until reset or a new run
let previous: Model | null = null; // the model before the last fine-tune, for one undo
let tested: { model: Model; test: Dataset; accuracy: number } | null = null; // the last test's, for reuse
const pending: ToWorker[] = []; // messages that arrived while the module was loading
let dead = false; // the module aborted or never loaded: nothing more runs here (the page replaces the worker)
let aborted = false;
// Which explanation panels the page shows (views): the worker spends nothing on the others.
let views = { units: true, explain: true };
let lastTally: ThreadTally | null = null; // the last run's threads (debug 'timings')
const INVALID_SETTING = 'Invalid setting'; // how the alert starts for a setting the core refuses
let abortReason = ''; // Emscripten's reason, often empty

// The module's warm-up before the first run (warm-up.ts).
const warmUp = new WarmUp({
  core: () => core,
  train: () => data?.train ?? null,
  idle: () => !run && !dead,
  aborted: () => aborted,
  fail,
  stepMs: STEP_MS,
});

// Yield to the event loop without setTimeout's clamping: a MessageChannel task runs after pending messages.
const channel = new MessageChannel();
channel.port1.onmessage = () => timed('slice', () => together(slice));
const scheduleSlice = () => channel.port2.postMessage(null);

// The module failed to load or aborted (Emscripten's onAbort ran): its memory is no longer trustworthy, so
// nothing is released or called again; the page shows the message and its Reset starts a fresh worker.
function die(message: string): void {
  if (dead) return;
  dead = true;
  warmUp.drop(); // nothing is released in a dead module
  run = null;
  model = null;
  data = null;
  post({ type: 'fatal', message });
}

// Emscripten's "Aborted(why). Build with -s ASSERTIONS=1 for more info." as a phrase for the page.
function cleanAbort(what: unknown): string {
  const text = (what instanceof Error ? what.message : String(what))
    .replace(/\.? ?Build with -s ASSERTIONS=1 for more info\.?/, '')
    .trim();
  return /^(?:RuntimeError: )?Aborted\((.*)\)$/s.exec(text)?.[1] ?? text;
}

function fail(error: unknown, context = ''): void {
  if (aborted) {
    const why = abortReason ? `: ${abortReason}` : '';
    return die(`The training worker stopped (the WebAssembly module aborted${why}). Press Reset to start a fresh one.`);
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof CoreError ? error.code : 'internal';
  post({ type: 'error', code, message: context ? `${context}: ${message}` : message });
}

function examplesDone(r: Run): number {
  return r.trainer.epoch() * r.trainer.epochSize() + r.trainer.position();
}

// ---- Data -----------------------------------------------------------------------------------------------
function loadData(set: DataSet, files: TrainFiles): void {
  if (!core) throw new Error('the WebAssembly module is not loaded');
  if (run) throw new Error('cannot change the data while training; stop first');
  const train = core.parseDataset(new Uint8Array(files.trainImages), new Uint8Array(files.trainLabels), 'train');
  warmUp.newData(); // its trainer reads the old data: it makes another on the new
  if (data) release(data.train, data.test);
  data = { set, train, test: null };
  post({ type: 'data-ready', set, train: train.size() });
}

// The test files come after the training files (training may have started): a model already in place
// (loaded, or trained while they loaded) is tested now.
function loadTestData(set: DataSet, files: TestFiles): void {
  if (!core || !data || data.set !== set) return; // the page moved on to another set
  const test = core.parseDataset(new Uint8Array(files.testImages), new Uint8Array(files.testLabels), 'test');
  release(data.test);
  data.test = test;
  post({ type: 'test-ready', set, test: test.size() });
  if (model && !run) testLoadedModel(core, model, test);
  warmUp.arm();
}

// A model put in place (loaded, or there when the test files came) is tested in short tasks, so a drawing's
// prediction never waits for the whole test set (one task of 0.2 s before); then its units' activity.
function testLoadedModel(c: Core, m: Model, test: Dataset): void {
  testInPieces(c, m, test, (result) => {
    if (!result) return; // the test files changed: tested when the new ones are in
    post({ type: 'model-tested', test: result });
    postActivity(m, test);
  });
}

// ---- Training -------------------------------------------------------------------------------------------
/** The page's settings as the module's TrainerConfig: every field the core reads, by name. */
function trainerConfig(c: TrainConfig): TrainerConfig {
  const { hidden, epochs, batch, learningRate, decay, trainSize, seed } = c;
  const { optimizer, momentum, schedule, warmup, augment } = c;
  return { hidden, epochs, batch, learningRate, decay, trainSize, seed, optimizer, momentum, schedule, warmup, augment };
}

function startTraining(config: TrainConfig): void {
  if (!core || !data) throw new Error('the data is not loaded yet');
  if (run) throw new Error('training is already running');
  const trainer = core.createTrainer(data.train, trainerConfig(config)); // throws CoreError for an invalid setting
  release(model, previous);
  model = previous = null;
  beginRun(trainer, config);
}

// Train's checks for settings a link gave, before anyone presses Train: the same message for each bad one.
function checkSettings(checks: SettingCheck[]): void {
  if (!core || !data) return;
  const errors: Array<SettingCheck & { message: string }> = [];
  for (const check of checks) {
    try {
      core.checkConfig(trainerConfig(check.config), data.train.size());
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      errors.push({ ...check, message: `${INVALID_SETTING}: ${asSentence(error.message)}` });
    }
  }
  post({ type: 'settings-checked', errors });
}

function beginRun(trainer: Trainer, config: TrainConfig, fineTune?: FineTuneRun): void {
  warmUp.end(); // the run warms up whatever is left
  const now = performance.now();
  run = {
    trainer,
    config,
    batch: config.batch,
    totalExamples: trainer.epochSize() * config.epochs,
    paused: false,
    started: now,
    pausedAt: 0,
    lastProgress: now,
    rateSince: now,
    rateExamples: 0,
    samplesPerSecond: 0,
    msPerBatch: 1,
    msPerImage: 0.01,
    validationLeft: 0,
    points: [],
    lastUnits: now,
    threads: 0,
    heldBack: false,
    fineTune,
  };
  post({
    type: 'started',
    config,
    epochSize: trainer.epochSize(),
    validationSize: trainer.validationSize(),
    totalExamples: run.totalExamples,
    fineTune: fineTune !== undefined,
  });
  later('units', () => {
    if (run?.trainer === trainer) postUnits(trainer, 0); // the starting noise
  });
  scheduleSlice();
}

// ---- Fine-tuning (include/mnist/fine_tune.hpp): a run of the core's trainer from the current model ----------
function startFineTune(pixels: Uint8Array, labels: Uint8Array): void {
  if (!core || !data) throw new Error('the data is not loaded yet');
  if (run) throw new Error('Training is running: fine-tune once it has finished.');
  if (!model) throw new Error('There is no model to fine-tune yet: train or import one first.');
  const files = core.encodeIdx(pixels, labels);
  const user = core.parseDataset(files.images, files.labels, 'your digits');
  let trainer: Trainer;
  try {
    trainer = core.createFineTuner(model, data.train, user, FINE_TUNE);
  } catch (error) {
    release(user);
    throw error;
  }
  const mnistExamples = Math.min(FINE_TUNE.mnistExamples, data.train.size());
  const fineTune: FineTuneRun = {
    user,
    before: scores(core, model, user, data.test, knownAccuracy(model, data.test)),
    digits: user.size(),
    mnistExamples,
    userExamples: trainer.epochSize() - mnistExamples,
  };
  release(previous);
  previous = model; // kept for one undo
  model = null;
  beginRun(trainer, fineTuneConfig(trainer, previous.hidden()), fineTune);
}

// The test accuracy of `m` on `test` if a test of it has already run (so it is not computed again).
function knownAccuracy(m: Model, test: Dataset | null): number | null {
  return tested && tested.model === m && tested.test === test ? tested.accuracy : null;
}

// After a fine-tune's run: the scores before and after, and its mix. A fine-tune stopped before its first
// step leaves the model it started from in place.
/** `test` is the fine-tuned model's test result, already computed by the run's end (null before the files). */
function finishFineTune(f: FineTuneRun, seconds: number, steps: number, test: TestResult | null): void {
  if (!core || !data) return;
  try {
    if (!model || steps === 0) return;
    post({
      type: 'fine-tuned',
      result: {
        before: f.before,
        after: { user: core.evaluate(model, f.user).accuracy, test: test?.accuracy ?? null },
        seconds,
        digits: f.digits,
        mnistExamples: f.mnistExamples,
        userExamples: f.userExamples,
        steps,
      },
    });
  } finally {
    release(f.user);
  }
}

function undoFineTune(): void {
  if (!core || run || !previous) return;
  release(model);
  model = previous;
  previous = null;
  post({ type: 'fine-tune-undone' }); // its test follows (model-tested)
  postModel(core, model);
  postUnits(model, null);
  if (data?.test) testLoadedModel(core, model, data.test);
}

function slice(): void {
  const r = run;
  if (!r || r.paused || !core) return;
  try {
    const start = performance.now();
    let now = start;
    while (now - start < SLICE_MS) {
      if (r.validationLeft > 0) {
        // The epoch's validation pass, in pieces between the slices' yields like the steps.
        const images = Math.min(r.validationLeft, Math.max(64, Math.round(STEP_MS / r.msPerImage)));
        const done = core.validate(r.trainer, images);
        const after = performance.now();
        record('validate', after - now);
        r.msPerImage = 0.7 * r.msPerImage + (0.3 * (after - now)) / images;
        r.validationLeft = done ? 0 : r.validationLeft - images;
        now = after;
        if (done && epochEnded(r, now)) return;
        if (done) break; // yield so the page sees the epoch before the next one starts
        continue;
      }
      const batches = Math.max(1, Math.min(1024, Math.round(STEP_MS / r.msPerBatch)));
      const result = core.step(r.trainer, batches);
      const after = performance.now();
      record(result.status === 'running' ? 'step' : 'step (epoch end)', after - now);
      if (result.batches > 0) {
        r.msPerBatch = 0.7 * r.msPerBatch + (0.3 * (after - now)) / result.batches;
        r.threads = result.threads;
        r.heldBack = result.heldBack;
        const epochs = r.trainer.epoch() + r.trainer.position() / r.trainer.epochSize();
        r.points.push([result.status === 'running' ? epochs : r.trainer.epoch(), result.batchLoss]);
      }
      now = after;
      if (lossDiverged(result)) return finish('diverged');
      if (result.status !== 'running') {
        if (r.trainer.validationPending()) {
          r.validationLeft = r.trainer.validationSize();
          if (r.msPerImage === 0.01) r.msPerImage = (0.4 * r.msPerBatch) / r.batch; // a forward pass, about
          continue;
        }
        if (epochEnded(r, now)) return;
        break;
      }
    }
    if (now - r.lastProgress >= PROGRESS_MS && !epochEndsSoon(r)) postProgress(r, now);
    if (views.units && now - r.lastUnits >= UNITS_MS)
      postUnits(r.trainer, r.trainer.epoch() + r.trainer.position() / r.trainer.epochSize(), r);
    scheduleSlice();
  } catch (error) {
    abandon(error);
  }
}

// A progress message due less than half a period before the epoch's end (which posts one) waits for it: one
// frame for both, where two frames 20-40 ms apart cost the training threads their cores twice.
function epochEndsSoon(r: Run): boolean {
  const batchesLeft = (r.trainer.epochSize() - r.trainer.position()) / r.batch;
  return r.validationLeft > 0 || batchesLeft * r.msPerBatch < PROGRESS_MS / 2;
}

// An epoch's end, its validation done: the progress, its history row, and the run's end or the units'
// pictures. Returns true when the run has ended.
function epochEnded(r: Run, now: number): boolean {
  const finished = r.trainer.finished();
  countTaskAs(finished ? 'slice (run end)' : 'slice (epoch end)');
  postProgress(r, now);
  const history = r.trainer.history();
  post({ type: 'epoch', row: { ...history[history.length - 1], seconds: (now - r.started) / 1000 } });
  if (finished) {
    finish('completed');
    return true;
  }
  if (views.units) postUnits(r.trainer, r.trainer.epoch(), r);
  return false;
}

function postProgress(r: Run, now: number): void {
  const done = examplesDone(r);
  if (now - r.rateSince >= 500 || r.samplesPerSecond === 0) {
    const rate = ((done - r.rateExamples) * 1000) / Math.max(1, now - r.rateSince);
    r.samplesPerSecond = r.samplesPerSecond === 0 ? rate : 0.5 * r.samplesPerSecond + 0.5 * rate;
    r.rateSince = now;
    r.rateExamples = done;
  }
  post({
    type: 'progress',
    epoch: r.trainer.epoch(),
    examplesDone: done,
    totalExamples: r.totalExamples,
    samplesPerSecond: r.samplesPerSecond,
    threads: r.threads,
    heldBack: r.heldBack,
    batchLosses: r.points,
  });
  r.points = [];
  r.lastProgress = now;
}

// Ends the run (completed, stopped, or diverged): keeps its model, tests it, and posts the result and the
// model's file. After divergence the trainer has put back the parameters of the epoch's start (trainer.hpp's
// mark_diverged), so that is the model kept. The test and what follows run as later tasks (later), each
// short, so messages are served meanwhile; a model replaced meanwhile (reset, a load) drops them.
function finish(reason: FinishReason): void {
  const r = run;
  if (!r || !core || !data) return;
  const c = core;
  run = null;
  const seconds = ((r.paused ? r.pausedAt : performance.now()) - r.started) / 1000;
  const epoch = r.trainer.epoch();
  const epochs = epoch + r.trainer.position() / r.trainer.epochSize();
  let m: Model | null = null;
  let done = 0; // examples trained (read before the trainer is released)
  try {
    if (r.validationLeft > 0) {
      // Stopped during an epoch's validation pass: finished at once, so the epoch's row is complete.
      c.validate(r.trainer, r.validationLeft);
      const history = r.trainer.history();
      post({ type: 'epoch', row: { ...history[history.length - 1], seconds } });
    }
    done = examplesDone(r);
    lastTally = r.trainer.threadTally();
    // Diverged in its first epoch, the trainer is back at its random start: not a model worth keeping.
    const untrained = reason === 'diverged' && epoch === 0;
    if (done > 0 && !untrained) m = c.model(r.trainer);
  } finally {
    release(r.trainer);
  }
  if (r.fineTune && !m) [m, previous] = [previous, null]; // nothing changed: no undo either
  model = m;
  const ended = (test: TestResult | null) => {
    post({ type: 'finished', reason, seconds, trained: m !== null, test });
    if (r.fineTune) finishFineTune(r.fineTune, seconds, Math.ceil(done / r.batch), test);
    if (reason === 'diverged')
      post({ type: 'error', code: 'diverged', message: divergenceMessage(epoch + 1, r.config.learningRate, m !== null) });
    if (!m) return;
    later('model', () => {
      if (model === m) postModel(c, m);
    });
    later('units', () => {
      if (model === m) postUnits(m, epochs);
    });
    if (test && data?.test) postActivity(m, data.test); // else when the test files arrive
  };
  if (m && data.test) testInPieces(c, m, data.test, ended);
  else ended(null);
}

function postModel(c: Core, m: Model): void {
  const bytes = c.modelBytes(m);
  post({ type: 'model', bytes: bytes.buffer as ArrayBuffer, hidden: m.hidden() }, [bytes.buffer]);
}

// ---- Saved models ---------------------------------------------------------------------------------------
// Replaces the current model only when the file loads: a bad file leaves everything as it was.
function loadModel(bytes: ArrayBuffer, source: ModelSource, name: string): void {
  if (!core) return;
  if (run) throw new Error('Stop training before loading a model.');
  let loaded: Model;
  try {
    loaded = core.loadModel(new Uint8Array(bytes));
  } catch (error) {
    const what = source === 'imported' ? `Could not import ${name}` : 'The saved model could not be restored';
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof CoreError ? error.code : 'internal';
    post({ type: 'error', code, message: `${what}: ${asSentence(message)} The current model is kept.` });
    return;
  }
  release(model, previous);
  model = loaded;
  previous = null;
  post({ type: 'model-loaded', source, name, hidden: model.hidden() });
  postModel(core, model); // the page keeps (and can export) whatever model is current
  postUnits(model, null);
  if (data?.test) testLoadedModel(core, model, data.test); // else when the test files arrive
}

// ---- Explanations (include/mnist/explain.hpp) --------------------------------------------------------------
// The strongest units' pictures, from a model or straight from a running trainer (no model copy), transferred.
function postUnits(source: Model | Trainer, epochs: number | null, r?: Run): void {
  const c = core;
  if (!c) return;
  timed('units', () => {
    const p = c.units(source, UNITS_SHOWN);
    const { hidden, units, images, outputs, strongest } = p;
    post({ type: 'units', hidden, units, images, outputs, strongest, epochs }, [
      p.units.buffer,
      p.images.buffer,
      p.outputs.buffer,
    ]);
  });
  if (r) r.lastUnits = performance.now();
}

// How often each unit is active on the test set: a forward pass like the test's, once per new model, in
// tasks of ACTIVITY_CHUNK images after the one that tested the model (so no task grows by much, and a
// drawing is answered between them), dropped if the model is replaced or released meanwhile.
const ACTIVITY_CHUNK = 1000;
function postActivity(m: Model, test: Dataset, first = 0, counts: Uint32Array | null = null): void {
  setTimeout(() =>
    timed('activity', () => {
      if (!core || dead || model !== m || data?.test !== test) return;
      try {
        const part = core.activity(m, test, first, ACTIVITY_CHUNK);
        if (counts) part.forEach((c, j) => (counts[j] += c));
        const total = counts ?? part;
        if (first + ACTIVITY_CHUNK < test.size()) return postActivity(m, test, first + ACTIVITY_CHUNK, total);
        post({ type: 'activity', counts: total, total: test.size() }, [total.buffer]);
      } catch (error) {
        fail(error);
      }
    }),
  );
}

// The test of a model in tasks of about PIECE_MS (later), then ended(result); ended(null) if the test files were
// replaced meanwhile (the model is then tested when the new ones arrive); nothing if the model was.
function testInPieces(c: Core, m: Model, test: Dataset, ended: (result: TestResult | null) => void): void {
  c.startEvaluation(m, test);
  let images = 1000; // per evaluateSome call, sized to about STEP_MS
  const piece = () => {
    if (dead || model !== m) return;
    if (data?.test !== test) return ended(null);
    try {
      const start = performance.now();
      let now = start;
      let done = false;
      while (!done && now - start < PIECE_MS) {
        done = c.evaluateSome(m, images);
        const after = performance.now();
        images = Math.max(64, Math.min(10_000, Math.round((images * STEP_MS) / Math.max(0.1, after - now))));
        now = after;
      }
      if (!done) return later('test', piece);
      const result = testResult(c.evaluation(m, 0), test);
      tested = { model: m, test, accuracy: result.accuracy };
      ended(result);
    } catch (error) {
      fail(error);
    }
  };
  later('test', piece);
}

// The page's test result from an evaluation: the figures and the first GALLERY_SIZE misclassified digits.
function testResult(e: Evaluation, test: Dataset): TestResult {
  const misclassified: Misclassified[] = Array.from(e.wrong.subarray(0, GALLERY_SIZE), (index, i) => ({
    index,
    label: test.label(index),
    predicted: e.wrongPredicted[i],
    pixels: test.image(index) as Uint8Array,
  }));
  return {
    accuracy: e.accuracy,
    loss: e.loss,
    count: e.count,
    confusion: Array.from(e.confusion),
    wrongCount: e.wrong.length,
    misclassified,
  };
}

// Drops the run after an unexpected failure, so the page is usable again.
function abandon(error: unknown): void {
  if (aborted) return fail(error); // the module is dead: release nothing
  if (run) release(run.trainer, run.fineTune?.user);
  run = null;
  fail(error, 'Training stopped');
  post({ type: 'reset', answer: false });
}

function reset(): void {
  if (run) release(run.trainer, run.fineTune?.user);
  run = null;
  release(model, previous);
  model = previous = null;
  post({ type: 'reset', answer: true });
}

// ---- Prediction -----------------------------------------------------------------------------------------
function predict(id: number, ink: Float32Array, width: number, height: number): void {
  if (!core) return;
  const digit = core.preprocess(ink, width, height);
  let probabilities: Float32Array | null = null;
  let explanation: Explanation | null = null;
  if (!digit.empty) {
    // A finished model, or a snapshot of the one being trained (so predictions improve live).
    const snapshot = !model && run && examplesDone(run) > 0 ? core.model(run.trainer) : null;
    const m = model ?? snapshot;
    try {
      if (m) probabilities = core.predict(m, digit.pixels);
      if (m && views.explain) explanation = core.explain(m, digit.pixels, EXPLAIN_UNITS);
    } finally {
      release(snapshot);
    }
  }
  const transfer: Transferable[] = [digit.pixels.buffer];
  if (probabilities) transfer.push(probabilities.buffer);
  if (explanation) {
    const e = explanation;
    for (const a of [e.scores, e.pro, e.proValues, e.con, e.conValues, e.images, e.evidence]) transfer.push(a.buffer);
  }
  post({ type: 'prediction', id, empty: digit.empty, image: digit.pixels, probabilities, explanation }, transfer);
}

// ---- Messages -------------------------------------------------------------------------------------------
function handle(message: ToWorker): void {
  try {
    switch (message.type) {
      case 'data':
        return loadData(message.set, message.files);
      case 'test-data':
        return loadTestData(message.set, message.files);
      case 'train':
        return startTraining(message.config);
      case 'check-settings':
        return checkSettings(message.checks);
      case 'pause':
        if (run && !run.paused) {
          run.paused = true;
          run.pausedAt = performance.now();
          postProgress(run, run.pausedAt);
          post({ type: 'paused' });
        }
        return;
      case 'resume':
        if (run && run.paused) {
          const now = performance.now();
          run.started += now - run.pausedAt;
          run.rateSince = now;
          run.rateExamples = examplesDone(run);
          run.paused = false;
          post({ type: 'resumed' });
          scheduleSlice();
        }
        return;
      case 'stop':
        if (run) {
          if (run.points.length > 0) postProgress(run, performance.now());
          finish('stopped');
        }
        return;
      case 'reset':
        return reset();
      case 'predict':
        return predict(message.id, message.ink, message.width, message.height);
      case 'load-model':
        return loadModel(message.bytes, message.source, message.name);
      case 'fine-tune':
        return startFineTune(message.pixels, message.labels);
      case 'undo-fine-tune':
        return undoFineTune();
      case 'classify':
        if (core) classify(core, model, message.id, message.pixels);
        return;
      case 'import-digits':
        if (core) importDigits(core, message.files);
        return;
      case 'export-digits':
        if (core) exportDigits(core, message.pixels, message.labels);
        return;
      case 'debug':
        if (message.action === 'abort') core?.module.abortModule();
        else if (message.action === 'timings') post({ type: 'timings', tasks: timings, threads: lastTally });
        else if (message.action === 'reset-timings') resetTimings();
        else if (core) post({ type: 'memory', info: core.memory() });
        return;
      case 'views':
        views = { units: message.units, explain: message.explain };
        return;
    }
  } catch (error) {
    const invalid = error instanceof CoreError && error.code === 'invalid-argument';
    if (message.type === 'train' && invalid) fail(new CoreError(error.code, asSentence(error.message)), INVALID_SETTING);
    else fail(error);
  }
}

scope.addEventListener('message', (event) => {
  if (dead) return;
  if (core) timed(event.data.type, () => handle(event.data));
  else pending.push(event.data);
});

const workerOptions = new URLSearchParams(scope.name);
const moduleOptions: MnistModuleOptions = {
  onAbort: (what) => {
    aborted = true;
    abortReason = cleanAbort(`Aborted(${what ?? ''})`);
  },
};
const preferSimd = workerOptions.get('build') !== 'nosimd';
loadCore(preferSimd, moduleOptions, Number(workerOptions.get('threads')) || undefined)
  .then((c) => {
    core = c;
    post({ type: 'ready', build: c.build, simdUnavailable: simdUnavailable(preferSimd), threadsUnavailable: threadsUnavailable() });
    // The data files wait for everything else that came while the module loaded: a first visit's model
    // and drawing must not queue behind parsing 15 MB of images (their own order is kept).
    const isData = (m: ToWorker) => m.type === 'data' || m.type === 'test-data';
    const queued = pending.splice(0);
    for (const m of [...queued.filter((m) => !isData(m)), ...queued.filter(isData)]) handle(m);
  })
  .catch((error) =>
    die(
      `Could not load the WebAssembly module (${cleanAbort(error) || 'unknown error'}). ` +
        'Check the connection, then press Reset to try again.',
    ),
  );
