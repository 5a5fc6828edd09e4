// One IndexedDB object store as get / put / delete of values by key: a dozen lines of the raw API rather
// than a dependency (idb-keyval would do the same; this page needs no more, and no other package to audit).
// Each call opens the database and closes it after, so no connection blocks another tab's upgrade.
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

export function keyValueStore(database: string, store: string): KeyValueStore {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(database, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(store);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  async function withStore<T>(mode: IDBTransactionMode, body: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await open();
    try {
      return await new Promise<T>((resolve, reject) => {
        const tx = db.transaction(store, mode);
        const request = body(tx.objectStore(store));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = tx.onabort = () => reject(tx.error ?? request.error);
      });
    } finally {
      db.close();
    }
  }
  return {
    get: <T,>(key: string) => withStore<T | undefined>('readonly', (s) => s.get(key)),
    put: async (key, value) => void (await withStore('readwrite', (s) => s.put(value, key))),
    delete: async (key) => void (await withStore('readwrite', (s) => s.delete(key))),
  };
}
