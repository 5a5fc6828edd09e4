// Loads the embedded MNIST data from the page's own origin (public/data/, made by scripts/build-data.mjs):
// the manifest, then gzip-compressed IDX files, inflated with DecompressionStream('gzip'): the training
// files first, so training can start while the test files (shared by both sets) still arrive. Reports
// progress in compressed bytes over all four. Pixels stay uint8; parsing happens in the C++ core (worker).
// The page runs loadDataSet in its own worker (data-client.ts): 23 MB of bodies never touch the main thread.
import type { DataSet, TestFiles, TrainFiles } from './protocol';

export interface ManifestSet {
  label: string;
  train: number;
  test: number;
  files: Record<'train-images' | 'train-labels' | 'test-images' | 'test-labels', DataFile>;
}
/** A gzip-compressed IDX file: its URL, its size as served and once inflated. */
export interface DataFile {
  url: string;
  bytes: number;
  rawBytes: number;
}
export interface Manifest {
  version: number;
  sets: Record<DataSet, ManifestSet>;
}

export type Progress = (loaded: number, total: number) => void;

/** The page's directory: data URLs in the manifest are relative to it. */
export const pageBase = () => new URL('./', document.baseURI).href;

export async function loadManifest(): Promise<Manifest> {
  const response = await fetch(new URL('data/manifest.json', pageBase()));
  if (!response.ok) throw new Error(`data/manifest.json: HTTP ${response.status} (run npm run build:data)`);
  return (await response.json()) as Manifest;
}

type FileName = keyof ManifestSet['files'];
const TRAIN_FILES: FileName[] = ['train-images', 'train-labels'];
const TEST_FILES: FileName[] = ['test-images', 'test-labels'];

/** Fetches a set (its URLs relative to `base`): calls onTrain with the training files as soon as they are
 *  in, then resolves with the test files. Progress counts the compressed bytes of all four. */
export async function loadDataSet(
  set: ManifestSet,
  base: string,
  onProgress: Progress,
  onTrain: (files: TrainFiles) => void,
): Promise<TestFiles> {
  const all = [...TRAIN_FILES, ...TEST_FILES];
  const total = all.reduce((sum, n) => sum + set.files[n].bytes, 0);
  const loaded = new Map<FileName, number>();
  const fetchAll = (names: FileName[]) =>
    Promise.all(
      names.map((name) =>
        fetchGzip(set.files[name], base, (bytes) => {
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

// Fetches one file, counting compressed bytes as they arrive, and inflates it. A server that sends it with
// Content-Encoding: gzip (vite preview does) has the browser inflate it, which hands back plain bytes: the
// gzip magic tells the two apart, and plain bytes count at the file's compression ratio. The chunks are
// joined into one buffer here, not through a Blob: a Blob of 15 MB goes through the browser's blob store and
// back, which held the page's main thread for 0.3 s and more on a first visit.
async function fetchGzip(file: DataFile, base: string, onBytes: (loaded: number) => void): Promise<ArrayBuffer> {
  const { url } = file;
  const response = await fetch(new URL(url, base));
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status}`);
  let ratio = 0; // compressed bytes per byte received, once the first chunk tells
  const bytes = await readAll(response.body, (received, first) => {
    if (ratio === 0 && first.byteLength >= 2) ratio = isGzip(first) ? 1 : file.bytes / Math.max(1, file.rawBytes);
    onBytes(Math.round(received * (ratio || 1)));
  });
  if (!isGzip(bytes)) return bytes.buffer;
  try {
    return await new Response(new Response(bytes).body!.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  } catch (error) {
    throw new Error(`${url}: could not inflate (${error instanceof Error ? error.message : error})`);
  }
}

const isGzip = (bytes: Uint8Array) => bytes[0] === 0x1f && bytes[1] === 0x8b;

async function readAll(body: ReadableStream<Uint8Array>, onBytes: (loaded: number, first: Uint8Array) => void): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onBytes(received, chunks[0]);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
