// Keeps "Your digits" in IndexedDB so they survive a reload: their own database (apart from storage.ts's
// model, so neither needs the other's upgrade), one key holding the whole list. Like storage.ts, every call
// settles even when storage is unavailable; callers treat saving as best-effort.
import { keyValueStore } from './idb';
import type { Digit } from './state';

const store = keyValueStore('mnist-your-digits', 'digits');
const KEY = 'all';

export async function saveDigits(digits: Digit[]): Promise<void> {
  await store.put(KEY, digits);
}

/** The kept digits, skipping anything malformed (an older or foreign value under the key). */
export async function loadDigits(): Promise<Digit[]> {
  const value = await store.get<unknown>(KEY);
  if (!Array.isArray(value)) return [];
  return value.filter(
    (d): d is Digit =>
      Number.isInteger(d?.id) && Number.isInteger(d?.label) && d.label >= 0 && d.label <= 9 &&
      d.pixels instanceof Uint8Array && d.pixels.length === 784,
  );
}
