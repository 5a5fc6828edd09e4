// Keeps the current model's file in IndexedDB so it survives a reload: one database, one object store,
// one key. A dozen lines of the raw API rather than a dependency (idb-keyval would do the same in 600
// bytes; this page needs get, put and delete of one value, and no other package to audit or pin).
// Every function resolves even when storage is unavailable (private mode, quota): saving is best-effort.
const DB = 'mnist-trainer';
const STORE = 'models';
const KEY = 'current';

export interface SavedModel {
  bytes: ArrayBuffer; // model_file.hpp's format
  hidden: number;
  savedAt: number; // Date.now()
}

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

export async function saveModel(model: SavedModel): Promise<void> {
  await withStore('readwrite', (s) => s.put(model, KEY));
}

export async function loadSavedModel(): Promise<SavedModel | null> {
  const value = await withStore<SavedModel | undefined>('readonly', (s) => s.get(KEY));
  return value && value.bytes instanceof ArrayBuffer ? value : null;
}

export async function deleteSavedModel(): Promise<void> {
  await withStore('readwrite', (s) => s.delete(KEY));
}
