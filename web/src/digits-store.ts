// Keeps "Your digits" in IndexedDB so they survive a reload: their own database (apart from storage.ts's
// model, so neither needs the other's upgrade), one object store, one key holding the whole list. Like
// storage.ts, every call settles even when storage is unavailable; callers treat saving as best-effort.
import type { Digit } from './state';

const DB = 'mnist-your-digits';
const STORE = 'digits';
const KEY = 'all';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = body(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = tx.onabort = () => reject(tx.error ?? request.error);
    });
  } finally {
    db.close();
  }
}

export async function saveDigits(digits: Digit[]): Promise<void> {
  await withStore('readwrite', (s) => s.put(digits, KEY));
}

/** The kept digits, skipping anything malformed (an older or foreign value under the key). */
export async function loadDigits(): Promise<Digit[]> {
  const value = await withStore<unknown>('readonly', (s) => s.get(KEY));
  if (!Array.isArray(value)) return [];
  return value.filter(
    (d): d is Digit =>
      Number.isInteger(d?.id) && Number.isInteger(d?.label) && d.label >= 0 && d.label <= 9 &&
      d.pixels instanceof Uint8Array && d.pixels.length === 784,
  );
}
