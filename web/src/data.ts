// Loads the embedded MNIST data from the page's own origin (public/data/, made by scripts/build-data.mjs):
// the manifest, then gzip-compressed IDX files, inflated with DecompressionStream('gzip'): the training
// files first, so training can start while the test files (shared by both sets) still arrive. Reports
// progress in compressed bytes over all four. Pixels stay uint8; parsing happens in the C++ core (worker).
import type { DataSet, TestFiles, TrainFiles } from './protocol';

export interface ManifestSet {
  label: string;
  train: number;
  test: number;
  files: Record<'train-images' | 'train-labels' | 'test-images' | 'test-labels', { url: string; bytes: number }>;
}
export interface Manifest {
  version: number;
  sets: Record<DataSet, ManifestSet>;
}

export type Progress = (loaded: number, total: number) => void;

const base = () => new URL('./', document.baseURI);

export async function loadManifest(): Promise<Manifest> {
  const response = await fetch(new URL('data/manifest.json', base()));
  if (!response.ok) throw new Error(`data/manifest.json: HTTP ${response.status} (run npm run build:data)`);
  return (await response.json()) as Manifest;
}

type FileName = keyof ManifestSet['files'];
const TRAIN_FILES: FileName[] = ['train-images', 'train-labels'];
const TEST_FILES: FileName[] = ['test-images', 'test-labels'];

/** Fetches a set: calls onTrain with the training files as soon as they are in, then resolves with the
 *  test files. Progress counts the compressed bytes of all four. */
export async function loadDataSet(
  set: ManifestSet,
  onProgress: Progress,
  onTrain: (files: TrainFiles) => void,
): Promise<TestFiles> {
  const all = [...TRAIN_FILES, ...TEST_FILES];
  const total = all.reduce((sum, n) => sum + set.files[n].bytes, 0);
  const loaded = new Map<FileName, number>();
  const fetchAll = (names: FileName[]) =>
    Promise.all(
      names.map((name) =>
        fetchGzip(set.files[name].url, (bytes) => {
          loaded.set(name, bytes);
          onProgress([...loaded.values()].reduce((a, b) => a + b, 0), total);
        }),
      ),
    );
  const [trainImages, trainLabels] = await fetchAll(TRAIN_FILES);
  onTrain({ trainImages, trainLabels });
  const [testImages, testLabels] = await fetchAll(TEST_FILES);
  return { testImages, testLabels };
}

// Fetches one file, counting bytes as they arrive, and inflates it. A server that already decoded it
// (Content-Encoding: gzip) hands back plain bytes: the gzip magic tells the two apart.
async function fetchGzip(url: string, onBytes: (loaded: number) => void): Promise<ArrayBuffer> {
  const response = await fetch(new URL(url, base()));
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status}`);
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onBytes(received);
  }
  const blob = new Blob(chunks);
  const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  if (head[0] !== 0x1f || head[1] !== 0x8b) return blob.arrayBuffer();
  try {
    return await new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  } catch (error) {
    throw new Error(`${url}: could not inflate (${error instanceof Error ? error.message : error})`);
  }
}
