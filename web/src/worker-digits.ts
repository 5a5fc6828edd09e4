// The worker's side of "Your digits": how a model reads each of the user's digits, and the digits to and
// from MNIST's IDX pair of files, checked by the core. Each answers with one event (protocol.ts).
import { CoreError, release, type Core, type Dataset, type Model } from './core';
import { asSentence } from './protocol';
import { post } from './worker-tasks';

// How `model` reads each of the user's digits (n * 784 bytes): argmax per image, in chunks so the float
// copy crossing into the module stays small. No model: `predicted` is null.
const CLASSIFY_CHUNK = 1000;
export function classify(core: Core, model: Model | null, id: number, pixels: Uint8Array): void {
  const n = pixels.length / 784;
  if (!model || n === 0) return post({ type: 'classified', id, predicted: model ? new Uint8Array(0) : null });
  const predicted = new Uint8Array(n);
  for (let first = 0; first < n; first += CLASSIFY_CHUNK) {
    const count = Math.min(CLASSIFY_CHUNK, n - first);
    const images = Float32Array.from(pixels.subarray(first * 784, (first + count) * 784), (v) => v / 255);
    const probabilities = core.predict(model, images);
    for (let i = 0; i < count; ++i) predicted[first + i] = argmax(probabilities.subarray(i * 10, i * 10 + 10));
  }
  post({ type: 'classified', id, predicted }, [predicted.buffer]);
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; ++i) if (values[i] > values[best]) best = i;
  return best;
}

// An IDX image file and its label file in either order (told apart by their magic), checked by the core.
export function importDigits(core: Core, files: [ArrayBuffer, ArrayBuffer]): void {
  const magic = (b: ArrayBuffer) => (b.byteLength >= 4 ? new DataView(b).getUint32(0) : 0);
  const [images, labels] = magic(files[0]) === 0x801 && magic(files[1]) === 0x803 ? [files[1], files[0]] : files;
  let digits: Dataset;
  try {
    digits = core.parseDataset(new Uint8Array(images), new Uint8Array(labels), 'digits');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof CoreError ? error.code : 'internal';
    post({ type: 'error', code, message: `Could not import your digits: ${asSentence(message)} The digits you kept are unchanged.` });
    return;
  }
  try {
    const pixels = digits.pixels();
    const labelBytes = digits.labels();
    post({ type: 'digits-imported', pixels, labels: labelBytes }, [pixels.buffer, labelBytes.buffer]);
  } finally {
    release(digits);
  }
}

export function exportDigits(core: Core, pixels: Uint8Array, labels: Uint8Array): void {
  const files = core.encodeIdx(pixels, labels);
  const images = files.images.buffer as ArrayBuffer;
  const labelFile = files.labels.buffer as ArrayBuffer;
  post({ type: 'digits-exported', images, labels: labelFile }, [images, labelFile]);
}
