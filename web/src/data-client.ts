// Runs data.ts's loadDataSet in a worker of its own (data-worker.ts), with the same callbacks: the page's main
// thread only passes the files on to the training worker, so a first visit's drawing is never held up by
// 23 MB of response bodies arriving on it.
import type { FromDataWorker, ToDataWorker } from './data-worker';
import { pageBase, type ManifestSet, type Progress } from './data';
import type { TestFiles, TrainFiles } from './protocol';

export function loadDataSetOffThread(set: ManifestSet, onProgress: Progress, onTrain: (files: TrainFiles) => void): Promise<TestFiles> {
  const worker = new Worker(new URL('./data-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<TestFiles>((resolve, reject) => {
    worker.addEventListener('message', (event: MessageEvent<FromDataWorker>) => {
      const m = event.data;
      if (m.type === 'progress') onProgress(m.loaded, m.total);
      else if (m.type === 'train') onTrain(m.files);
      else if (m.type === 'test') resolve(m.files);
      else reject(new Error(m.message));
    });
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      reject(new Error(e.message || 'the data worker could not start'));
    });
    worker.postMessage({ set, base: pageBase() } satisfies ToDataWorker);
  }).finally(() => worker.terminate());
}
