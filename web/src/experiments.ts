// Wiring for experimenting: the settings the page's link gives, the presets, the runs kept for comparison
// (IndexedDB, runs-storage.ts) and the address bar following the form. No DOM code here (ui/ has it) and no
// state of its own beyond whether the stored runs have been read.
import type { DataSet, SettingCheck } from './protocol';
import { deleteRun, mergeRuns, setHidden, undeleteRun } from './runs';
import { loadRuns, saveRuns } from './runs-storage';
import { settingsFromConfig } from './settings';
import { linkAlert, replaceSettings, type AppState, type Store } from './state';
import { linkChecks, parseLink } from './url-settings';
import { mountLink } from './ui/link';
import { mountPreset } from './ui/preset';
import { mountRuns } from './ui/runs';

type Render = (s: AppState, previous: AppState) => void;

/** Puts the link's settings into the form (a bad value alerts and its field keeps its default) and returns
 *  the data set to load first. */
export function readLink(store: Store, search: string): { dataSet: DataSet; checks: SettingCheck[] } {
  const link = parseLink(search);
  store.update((s) => ({
    settings: { ...s.settings, ...link.settings },
    examplesChosen: link.settings.trainSize !== undefined,
    settingsAlert: linkAlert(null, link.errors),
  }));
  return { dataSet: link.dataSet ?? 'subset', checks: linkChecks(link) };
}

/** Mounts the link, preset and runs UI; loads the kept runs and keeps them stored as they change. */
export function mountExperiments(store: Store, chooseData: (set: DataSet) => void): Render[] {
  const choose = (settings: AppState['settings'], examples: number | null, set: DataSet) => {
    store.update((s) => replaceSettings(s, settings, examples));
    if (set !== store.get().dataSet) chooseData(set);
  };
  const renderPreset = mountPreset({
    choose: (preset) => choose(settingsFromConfig(preset.config), null, preset.dataSet),
  });
  const renderRuns = mountRuns({
    setHidden: (id, hidden) => store.update((s) => ({ runs: setHidden(s.runs, id, hidden) })),
    remove: (id) =>
      store.update((s) => {
        const index = s.runs.findIndex((r) => r.id === id);
        return index < 0 ? {} : { runs: deleteRun(s.runs, id), deletedRun: { run: s.runs[index], index } };
      }),
    undo: () => store.update((s) => (s.deletedRun ? { runs: undeleteRun(s.runs, s.deletedRun), deletedRun: null } : {})),
    restore: (id) => {
      const run = store.get().runs.find((r) => r.id === id);
      if (run) choose(settingsFromConfig(run.config), run.config.trainSize > 0 ? run.config.trainSize : null, run.dataSet);
    },
  });

  // The stored runs come first; runs kept before they were read follow them. Nothing is saved until they
  // have been read, so a slow read never loses them.
  let loaded = false;
  void loadRuns()
    .catch(() => [])
    .then((stored) => {
      loaded = true;
      store.update((s) => ({ runs: mergeRuns(stored, s.runs) }));
    });
  const persist: Render = (s, previous) => {
    if (loaded && s.runs !== previous.runs) void saveRuns(s.runs).catch(() => {});
  };
  return [mountLink(), renderPreset, renderRuns, persist];
}
