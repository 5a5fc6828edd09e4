// Wiring: the store, the worker client, data loading and the ui/* modules. No DOM code here and no
// state of its own beyond request bookkeeping; see state.ts for the state and ui/ for the page.
import { TrainerClient } from './client';
import { loadManifest, type Manifest } from './data';
import { loadDataSetOffThread } from './data-client';
import { wireDigits } from './digits';
import { registerOffline } from './ui/offline';
import { MAX_MODEL_FILE_BYTES, type DataSet, type FromWorker, type MemoryInfo, type TaskTimes, type ThreadTally } from './protocol';
import { applyEvent, editSetting, initialState, Store } from './state';
import { mountExperiments, readLink } from './experiments';
import { deleteSavedModel, loadSavedModel, saveModel } from './storage';
import { mountAlert } from './ui/alert';
import { mountCharts } from './ui/charts';
import { mountControls } from './ui/controls';
import { mountCorrect } from './ui/correct';
import { mountExplain } from './ui/explain';
import { mountJump } from './ui/jump';
import { mountModel } from './ui/model';
import { mountPad } from './ui/pad';
import { mountProgress } from './ui/progress';
import { mountResults } from './ui/results';
import { mountUnits } from './ui/units';
import { mountYourDigits } from './ui/your-digits';

const store = new Store();
const query = new URLSearchParams(location.search);
const simd = !query.has('nosimd'); // ?nosimd: the scalar build
const threads = Number(query.get('threads')) || undefined; // ?threads=N: train with N threads (threaded build)
// ?dataset=full&hidden=...: the settings (url-settings.ts). Their ranges are checked by the core once the
// training images are in (linkChecks), so a bad one alerts and goes back to its default before Train.
const { dataSet: firstDataSet, checks: linkChecksLeft } = readLink(store, location.search);
let manifest: Manifest | null = null;
let predictionId = 0;
let clearedAt = 0; // predictions asked before the last Clear are dropped
// Counts what the user does to the model (import, Train, Reset). A restore that sees the count move while it
// reads storage is dropped: the user's action wins and is never lost to it.
let modelActions = 0;
// Resets sent to the worker, and the worker's answers to them.
let resetsSent = 0;
let resetsAnswered = 0;
// The user's Reset until the worker answers it: which answer that is (counted in resetsSent), the kept model's
// deletion, and the user's action count then. A run's model file that arrives meanwhile was posted before the
// worker got the Reset: it is not kept, or the discarded model would come back. On the answer, once the
// deletion is done, the reference model is loaded (before it, the page still had the old model and would skip
// the load), unless the user has acted since.
let pendingReset: { answer: number; deleted: Promise<void>; actions: number } | null = null;

const LIVE_READ_MS = 1000;
let lastLiveRead = 0;

const memoryWaiters: Array<(info: MemoryInfo) => void> = [];
const timingWaiters: Array<(event: { tasks: Record<string, TaskTimes>; threads: ThreadTally | null }) => void> = [];

const client = new TrainerClient(onWorkerEvent, { simd, threads });

function onWorkerEvent(event: FromWorker): void {
  if (event.type === 'model-loaded' || event.type === 'fatal') startFirstData();
  if (event.type === 'ready') setTimeout(startFirstData, 1000);
  digits.onEvent(event);
  if (event.type === 'prediction') {
    pad.predictionArrived();
    if (event.id <= clearedAt) return;
  }
  if (event.type === 'memory') {
    for (const resolve of memoryWaiters.splice(0)) resolve(event.info);
    return;
  }
  if (event.type === 'timings') {
    for (const resolve of timingWaiters.splice(0)) resolve(event);
    return;
  }
  if (event.type === 'reset' && event.answer) ++resetsAnswered;
  // The current model's file is kept in IndexedDB (best-effort: a browser without storage just forgets it);
  // the shipped reference model is not: it comes back by itself.
  if (event.type === 'model' && store.get().finishedReason !== 'reference' && !pendingReset)
    void saveModel({ bytes: event.bytes, hidden: event.hidden, savedAt: Date.now() }).catch(() => {});
  if (event.type === 'data-ready' && needsFirstModel && !store.get().hasModel) void loadFirstModel();
  if (event.type === 'data-ready' && linkChecksLeft.length)
    client.send({ type: 'check-settings', checks: linkChecksLeft.splice(0) });
  if (event.type === 'test-ready') registerOffline(); // the service worker, once the first load is done
  const hadModel = store.get().hasModel;
  store.update((s) => applyEvent(s, event));
  if (event.type === 'ready' && store.get().phase === 'starting') store.update({ phase: 'loading-data' });
  if (event.type === 'ready') client.send({ type: 'views', ...views }); // a replaced worker starts with both on
  if (!hadModel && store.get().hasModel) pad.refresh();
  // While a model trains, the drawing on the pad is read again about once a second (and at each epoch's end),
  // so the prediction and its explanation follow the model as it learns.
  if ((event.type === 'progress' || event.type === 'epoch') && store.get().phase === 'training') {
    const now = performance.now();
    if (event.type === 'epoch' || now - lastLiveRead >= LIVE_READ_MS) {
      lastLiveRead = now;
      pad.refresh();
    }
  }
  // A run that diverged in its first epoch keeps no model: the one from before it comes back (kept in
  // IndexedDB, or the reference model), as after Reset.
  if (event.type === 'finished' && event.reason === 'diverged' && !event.trained) void loadFirstModel();
  if (event.type === 'reset' && event.answer && resetsAnswered === pendingReset?.answer) {
    const { deleted, actions } = pendingReset;
    pendingReset = null;
    void deleted.then(() => {
      if (modelActions === actions) void loadFirstModel(); // the reference model comes back
    });
  }
  if (event.type === 'error' && store.get().phase === 'loading-data' && !store.get().dataProgress)
    store.update({ phase: store.get().trainAvailable > 0 ? 'idle' : 'loading-data' });
}

// The model the page starts with: the one kept in this browser from an earlier visit, else the shipped
// reference model. Loaded at once, without waiting for the data (the worker tests it when the test images
// are in), so a first visit can draw at once; again after Reset or with a new worker.
const REFERENCE_MODEL_URL = './models/reference.mnst'; // made by scripts/make-reference-model.sh
let needsFirstModel = true;
let firstModelTicket = 0; // only the latest load may finish
async function loadFirstModel(): Promise<void> {
  needsFirstModel = false;
  const ticket = ++firstModelTicket;
  const actionsBefore = modelActions;
  // Both at once: a fresh visit must not wait for IndexedDB to answer before it fetches the reference model.
  const reference = fetchReferenceModel().catch(() => null);
  const saved = await loadSavedModel().catch(() => null);
  const bytes = saved ? saved.bytes : await reference;
  const s = store.get();
  if (!bytes || ticket !== firstModelTicket || modelActions !== actionsBefore) return;
  if (s.hasModel || s.phase === 'training' || s.phase === 'paused' || s.workerFailed) return;
  const source = saved ? 'restored' : 'reference';
  client.send({ type: 'load-model', bytes, source, name: saved ? 'saved model' : 'reference model' }, [bytes]);
}

async function fetchReferenceModel(): Promise<ArrayBuffer> {
  const response = await fetch(REFERENCE_MODEL_URL);
  if (!response.ok) throw new Error(`${REFERENCE_MODEL_URL}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

async function importModel(file: File): Promise<void> {
  ++modelActions;
  if (file.size > MAX_MODEL_FILE_BYTES) {
    const mb = (file.size / 1e6).toFixed(0);
    store.update({ alert: `Could not import ${file.name}: ${mb} MB is larger than any model this page can load. The current model is kept.` });
    return;
  }
  try {
    const bytes = await file.arrayBuffer();
    client.send({ type: 'load-model', bytes, source: 'imported', name: file.name }, [bytes]);
  } catch (error) {
    store.update({ alert: `Could not read ${file.name}: ${error instanceof Error ? error.message : error}. The current model is kept.` });
  }
}

// Reset: discards the model (here and in IndexedDB); after the worker died, replaces the worker instead and
// loads the data again (the saved model then comes back: a crash loses nothing that was kept).
function reset(): void {
  ++modelActions;
  const s = store.get();
  if (!s.workerFailed) {
    sendReset();
    pendingReset = { answer: resetsSent, deleted: deleteSavedModel().catch(() => {}), actions: modelActions };
    return;
  }
  needsFirstModel = true;
  client.restart();
  resetsSent = resetsAnswered = 0; // the new worker has been sent none
  pendingReset = null;
  const { settings, examplesChosen, runs } = s; // the user's settings and kept runs outlive the worker
  store.update({ ...initialState, dataSet: s.dataSet, dataLabel: s.dataLabel, prediction: null, settings, examplesChosen, runs });
  void chooseData(s.dataSet);
}

function sendReset(): void {
  ++resetsSent;
  client.send({ type: 'reset' });
}

// Loads a data set: the worker gets the training files as soon as they are in (Train works from then on)
// and the test files when they follow. Only the latest choice may finish. The model stays: both sets share
// the test images, and its test is run again on them once they are in. Until the chosen set's training
// images are in, the page counts none (the worker still holds the old set's), so Train waits for them.
let dataLoad = 0;
async function chooseData(set: DataSet): Promise<void> {
  const previous = store.get();
  const load = ++dataLoad;
  let trainSent = false;
  try {
    manifest ??= await loadManifest();
    const spec = manifest.sets[set];
    store.update({
      phase: 'loading-data',
      dataSet: set,
      dataLabel: spec.label,
      dataProgress: { loaded: 0, total: 1 },
      trainAvailable: 0,
      ...(store.get().workerFailed ? {} : { alert: null }),
    });
    const test = await loadDataSetOffThread(
      spec,
      (loaded, total) => load === dataLoad && store.update({ dataProgress: { loaded, total } }),
      (files) => {
        if (load !== dataLoad) return;
        trainSent = true;
        client.send({ type: 'data', set, files }, [files.trainImages, files.trainLabels]);
      },
    );
    if (load === dataLoad) client.send({ type: 'test-data', set, files: test }, [test.testImages, test.testLabels]);
  } catch (error) {
    if (load !== dataLoad) return;
    const message = error instanceof Error ? error.message : String(error);
    if (trainSent) {
      store.update({ alert: `Could not load the test images: ${message}. Training works; testing needs them: reload the page to try again.`, dataProgress: null });
      return;
    }
    const kept = previous.trainAvailable > 0; // the worker still holds the set loaded before
    // Offline, a service worker's cache has the sets loaded before and no others.
    const why = navigator.onLine === false ? 'this browser is offline, and only the data sets loaded before are kept for offline use.' : message;
    store.update({
      alert: `Could not load the ${set === 'full' ? 'full MNIST set' : 'subset'}: ${why}`,
      dataProgress: null,
      dataSet: kept ? previous.dataSet : set,
      ...(kept ? { dataLabel: previous.dataLabel } : {}),
      trainAvailable: previous.trainAvailable,
      phase: kept ? (store.get().hasModel ? 'finished' : 'idle') : 'loading-data',
    });
  }
}

function predict(ink: Float32Array, width: number, height: number): number {
  client.send({ type: 'predict', id: ++predictionId, ink, width, height }, [ink.buffer]);
  return predictionId;
}

const pad = mountPad({
  ink: predict,
  clear() {
    clearedAt = predictionId;
    store.update({ prediction: null });
  },
});

const renderControls = mountControls({
  train: (config) => {
    ++modelActions;
    store.update({ alert: null, settingsAlert: null });
    client.send({ type: 'train', config });
  },
  invalid: (message) => store.update({ alert: message, settingsAlert: null }),
  edit: (key, text) => store.update((s) => editSetting(s, key, text)),
  pause: () => client.send({ type: 'pause' }),
  resume: () => client.send({ type: 'resume' }),
  stop: () => client.send({ type: 'stop' }),
  reset,
  dataSet: (set) => {
    store.update({ examplesChosen: false }); // the training examples follow the new set: every image
    void chooseData(set);
  },
});

const renderModel = mountModel({ import: (file) => void importModel(file) });

// The explanation panels on screen: the worker sends live unit pictures and explanations only for those.
const views = { units: true, explain: true };
function viewsChanged(change: Partial<typeof views>): void {
  const explainAppeared = change.explain === true && !views.explain;
  Object.assign(views, change);
  client.send({ type: 'views', ...views });
  if (explainAppeared) pad.refresh(); // explain the drawing already on the pad
}
const renderUnits = mountUnits({ shown: (units) => viewsChanged({ units }) });
const renderExplain = mountExplain({ shown: (explain) => viewsChanged({ explain }) });

const renderExperiments = mountExperiments(store, (set) => void chooseData(set));
const digits = wireDigits(store, client, pad, predict);

mountJump();
const renderers = [renderControls, renderModel, mountProgress(), mountCharts(), mountResults(), mountAlert({ dismiss: () => store.update({ alert: null, settingsAlert: null }) }), pad.render, renderUnits, renderExplain, mountCorrect(digits.correct), mountYourDigits(digits.yourDigits), ...renderExperiments];
store.subscribe((s, previous) => {
  for (const render of renderers) render(s, previous);
});

// Test hooks, only with ?debug in the URL: the worker's memory figures, and killing its module.
function debugTimings() {
  return new Promise<{ tasks: Record<string, TaskTimes>; threads: ThreadTally | null }>((resolve) => {
    timingWaiters.push(resolve);
    client.send({ type: 'debug', action: 'timings' });
  });
}
if (new URLSearchParams(location.search).has('debug')) {
  (window as unknown as { mnistDebug: object }).mnistDebug = {
    memory: () =>
      new Promise<MemoryInfo>((resolve) => {
        memoryWaiters.push(resolve);
        client.send({ type: 'debug', action: 'memory' });
      }),
    abort: () => client.send({ type: 'debug', action: 'abort' }),
    resetTimings: () => client.send({ type: 'debug', action: 'reset-timings' }),
    timings: () => debugTimings().then((e) => e.tasks),
    threads: () => debugTimings().then((e) => e.threads), // the last run's ThreadTally
  };
}

void loadFirstModel();
// The first data set starts loading once the first model is in place (or 1 s after the module is ready, if
// none comes): inflating its images would otherwise share the two cores with the module's compile and the
// model's load, which a first visit's first prediction waits for.
let firstDataStarted = false;
function startFirstData(): void {
  if (firstDataStarted) return;
  firstDataStarted = true;
  void chooseData(firstDataSet);
}
