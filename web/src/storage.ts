// Keeps the current model's file in IndexedDB so it survives a reload: one database, one object store,
// one key (idb.ts). Best-effort: without storage (private mode, quota) the calls fail and their callers go on.
import { keyValueStore } from './idb';

const models = keyValueStore('mnist-trainer', 'models');
const KEY = 'current';

export interface SavedModel {
  bytes: ArrayBuffer; // model_file.hpp's format
  hidden: number;
  savedAt: number; // Date.now()
}

export async function saveModel(model: SavedModel): Promise<void> {
  await models.put(KEY, model);
}

export async function loadSavedModel(): Promise<SavedModel | null> {
  const value = await models.get<SavedModel>(KEY);
  return value && value.bytes instanceof ArrayBuffer ? value : null;
}

export async function deleteSavedModel(): Promise<void> {
  await models.delete(KEY);
}
