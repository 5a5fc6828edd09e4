// The settings in the page's query string, as TensorFlow Playground keeps them: read at load into the form,
// written back as the form changes. Pure: strings in, strings out (main.ts does location and history).
// Keys the table does not own (threads, nosimd, debug) are kept as they are, in place.
import type { DataSet, SettingCheck } from './protocol';
import {
  DEFAULT_SETTINGS,
  applies,
  parseDataSet,
  parseField,
  readSettings,
  SETTING_FIELDS,
  type SettingKey,
  type Settings,
} from './settings';

export const DATASET_KEY = 'dataset';
const OWNED = new Set([DATASET_KEY, ...SETTING_FIELDS.map((f) => f.urlKey)]);

export interface LinkSettings {
  settings: Partial<Settings>; // the valid values the link gives, as the form's text
  dataSet: DataSet | null;
  errors: string[]; // one message per bad value, worded as for a typed one (settings.ts)
}

/** Reads `search` (location.search, with or without its '?'). A key given twice: the last one counts. */
export function parseLink(search: string): LinkSettings {
  const query = new URLSearchParams(search);
  const result: LinkSettings = { settings: {}, dataSet: null, errors: [] };
  const dataSet = query.get(DATASET_KEY);
  if (dataSet !== null) {
    const parsed = parseDataSet(dataSet);
    if ('error' in parsed) result.errors.push(parsed.error);
    else result.dataSet = parsed.value;
  }
  for (const f of SETTING_FIELDS) {
    const all = query.getAll(f.urlKey);
    if (all.length === 0) continue;
    const text = all[all.length - 1].trim();
    const parsed = parseField(f, text);
    if ('error' in parsed) result.errors.push(parsed.error);
    else result.settings[f.key] = text;
  }
  return result;
}

/** The checks Train would make of each setting the link gives (ranges are the core's: the worker runs them),
 *  one per setting: the defaults with that one value, and the link's optimizer and schedule, which decide
 *  whether it applies. A setting that does not apply there is not checked, as Train would not read it. */
export function linkChecks(link: LinkSettings): SettingCheck[] {
  // Training examples left empty follow the data set: every image (0).
  const context = { ...DEFAULT_SETTINGS, trainSize: '0', ...pick(link.settings, ['optimizer', 'schedule']) };
  const checks: SettingCheck[] = [];
  for (const [key, text] of Object.entries(link.settings) as Array<[SettingKey, string]>) {
    if (!applies(key, context)) continue;
    const config = readSettings({ ...context, [key]: text });
    if (typeof config !== 'string') checks.push({ key, text, config });
  }
  return checks;
}

function pick(settings: Partial<Settings>, keys: SettingKey[]): Partial<Settings> {
  return Object.fromEntries(keys.filter((k) => settings[k] !== undefined).map((k) => [k, settings[k]]));
}

/** Whether a field's text says the same as its default (so the link can leave it out). */
function isDefault(key: SettingKey, text: string): boolean {
  const fallback = DEFAULT_SETTINGS[key];
  if (text.trim() === fallback) return true;
  const f = SETTING_FIELDS.find((x) => x.key === key)!;
  return f.kind !== 'choice' && text.trim() !== '' && Number(text) === Number(fallback);
}

/** The query string for the form (with its '?', or '' when there is nothing to say): `search`'s other keys
 *  first, as they were, then every setting that is not its default, in the form's order. Training examples
 *  go in only when chosen (otherwise they follow the data set: every image loaded). */
export function writeLink(search: string, settings: Settings, dataSet: DataSet, examplesChosen: boolean): string {
  const others = search
    .replace(/^\?/, '')
    .split('&')
    .filter((part) => part !== '' && !OWNED.has(decodeKey(part)));
  const ours: string[] = [];
  if (dataSet !== 'subset') ours.push(`${DATASET_KEY}=${dataSet}`);
  for (const f of SETTING_FIELDS) {
    const text = settings[f.key].trim();
    if (f.key === 'trainSize' ? !examplesChosen : isDefault(f.key, text)) continue;
    ours.push(`${f.urlKey}=${encodeURIComponent(text)}`);
  }
  const parts = [...others, ...ours];
  return parts.length ? `?${parts.join('&')}` : '';
}

function decodeKey(part: string): string {
  const key = part.split('=')[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}
