// The data worker: fetches and inflates one data set (data.ts's loadDataSet) off the page's main thread and
// hands the files over (transferred, not copied). One set per worker; data-client.ts starts and ends it.
import { loadDataSet, type ManifestSet } from './data';
import type { TestFiles, TrainFiles } from './protocol';

export type ToDataWorker = { set: ManifestSet; base: string };
export type FromDataWorker =
  | { type: 'progress'; loaded: number; total: number }
  | { type: 'train'; files: TrainFiles }
  | { type: 'test'; files: TestFiles }
  | { type: 'error'; message: string };

const PROGRESS_MS = 50; // at most this often a progress message (the last one always goes)
const post = (message: FromDataWorker, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

self.addEventListener('message', (event: MessageEvent<ToDataWorker>) => {
  let last = 0;
  const { set, base } = event.data;
  loadDataSet(
    set,
    base,
    (loaded, total) => {
      const now = performance.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      post({ type: 'progress', loaded, total });
    },
    (files) => post({ type: 'train', files }, [files.trainImages, files.trainLabels]),
  ).then(
    (files) => post({ type: 'test', files }, [files.testImages, files.testLabels]),
    (error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
  );
});
