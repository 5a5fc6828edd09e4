// Keeps the runs list (runs.ts) in IndexedDB so it survives a reload: its own database (idb.ts), so it never
// has to agree on versions with the model's (storage.ts); one key holds the whole list (at most MAX_RUNS
// runs of a few kilobytes each). Best-effort like the model: without storage the runs are forgotten.
import { keyValueStore } from './idb';
import { isRunRecord, type RunRecord } from './runs';

const runs = keyValueStore('mnist-trainer-runs', 'runs');
const KEY = 'list';

export async function saveRuns(list: readonly RunRecord[]): Promise<void> {
  await runs.put(KEY, list);
}

/** The kept runs, oldest first; what does not look like a run is dropped. */
export async function loadRuns(): Promise<RunRecord[]> {
  const value = await runs.get<unknown>(KEY);
  return Array.isArray(value) ? value.filter(isRunRecord) : [];
}
