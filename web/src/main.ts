// Wiring: the store, the worker client, data loading and the ui/* modules. No DOM code here and no
// state of its own beyond request bookkeeping; see state.ts for the state and ui/ for the page.
import { TrainerClient } from './client';
import { loadDataSet, loadManifest, type Manifest } from './data';
import type { DataSet, FromWorker } from './protocol';
import { applyEvent, Store } from './state';
import { mountAlert } from './ui/alert';
import { mountCharts } from './ui/charts';
import { mountControls } from './ui/controls';
import { mountPad } from './ui/pad';
import { mountProgress } from './ui/progress';
import { mountResults } from './ui/results';

const store = new Store();
const simd = !new URLSearchParams(location.search).has('nosimd');
let manifest: Manifest | null = null;
let predictionId = 0;
let clearedAt = 0; // predictions asked before the last Clear are dropped

const client = new TrainerClient(onWorkerEvent, { simd });

function onWorkerEvent(event: FromWorker): void {
  if (event.type === 'prediction') {
    pad.predictionArrived();
    if (event.id <= clearedAt) return;
  }
  const hadModel = store.get().hasModel;
  store.update((s) => applyEvent(s, event));
  if (event.type === 'ready' && store.get().phase === 'starting') store.update({ phase: 'loading-data' });
  if (!hadModel && store.get().hasModel) pad.refresh();
  if (event.type === 'error' && store.get().phase === 'loading-data' && !store.get().dataProgress)
    store.update({ phase: store.get().trainAvailable > 0 ? 'idle' : 'loading-data' });
}

async function chooseData(set: DataSet): Promise<void> {
  const previous = store.get();
  try {
    manifest ??= await loadManifest();
    const spec = manifest.sets[set];
    if (previous.trainAvailable > 0) client.send({ type: 'reset' });
    store.update({ phase: 'loading-data', dataSet: set, dataLabel: spec.label, dataProgress: { loaded: 0, total: 1 }, alert: null });
    const files = await loadDataSet(spec, (loaded, total) => store.update({ dataProgress: { loaded, total } }));
    store.update({ dataProgress: null });
    client.send({ type: 'data', set, files }, [files.trainImages, files.trainLabels, files.testImages, files.testLabels]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    store.update({
      alert: `Could not load the ${set === 'full' ? 'full MNIST set' : 'subset'}: ${message}`,
      dataProgress: null,
      dataSet: previous.trainAvailable > 0 ? previous.dataSet : set,
      phase: previous.trainAvailable > 0 ? 'idle' : 'loading-data',
    });
  }
}

const pad = mountPad({
  ink(ink, width, height) {
    client.send({ type: 'predict', id: ++predictionId, ink, width, height }, [ink.buffer]);
  },
  clear() {
    clearedAt = predictionId;
    store.update({ prediction: null });
  },
});

const renderControls = mountControls({
  train: (config) => {
    store.update({ alert: null });
    client.send({ type: 'train', config });
  },
  invalid: (message) => store.update({ alert: message }),
  pause: () => client.send({ type: 'pause' }),
  resume: () => client.send({ type: 'resume' }),
  stop: () => client.send({ type: 'stop' }),
  reset: () => client.send({ type: 'reset' }),
  dataSet: (set) => void chooseData(set),
});

const renderers = [renderControls, mountProgress(), mountCharts(), mountResults(), mountAlert(), pad.render];
store.subscribe((s, previous) => {
  for (const render of renderers) render(s, previous);
});

void chooseData('subset');
