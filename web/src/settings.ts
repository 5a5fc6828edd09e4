// The settings form as data: one table of the fields (their names on the page and in the link, and what
// each accepts), the form's text, and its reading into a TrainConfig. Pure: no DOM. The page checks only
// what it owns (a number, a whole number, one of the choices); ranges are the C++ core's (config.hpp).
import { DEFAULT_CONFIG, type DataSet, type TrainConfig } from './protocol';

export type SettingKey = keyof TrainConfig;

/** The form's text, field by field, as typed (a select's value; augment is 'off' or 'shift'). */
export type Settings = Record<SettingKey, string>;

export interface SettingField {
  key: SettingKey;
  id: string; // the input's id in index.html
  urlKey: string; // its key in the page's query string
  label: string; // its accessible name, and how messages name it
  kind: 'integer' | 'number' | 'choice';
  choices?: readonly string[];
}

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export const SCHEDULES = ['constant', 'cosine', 'onecycle'] as const;
export const AUGMENTATIONS = ['off', 'shift'] as const;
export const DATA_SETS: readonly DataSet[] = ['subset', 'full'];

/** Every setting of a run, in the form's order. */
export const SETTING_FIELDS: readonly SettingField[] = [
  { key: 'hidden', id: 'hidden', urlKey: 'hidden', label: 'Hidden units', kind: 'integer' },
  { key: 'epochs', id: 'epochs', urlKey: 'epochs', label: 'Epochs', kind: 'integer' },
  { key: 'batch', id: 'batch', urlKey: 'batch', label: 'Batch size', kind: 'integer' },
  { key: 'learningRate', id: 'learning-rate', urlKey: 'lr', label: 'Learning rate', kind: 'number' },
  { key: 'decay', id: 'decay', urlKey: 'decay', label: 'Weight decay', kind: 'number' },
  { key: 'trainSize', id: 'train-size', urlKey: 'examples', label: 'Training examples', kind: 'integer' },
  { key: 'seed', id: 'seed', urlKey: 'seed', label: 'Seed', kind: 'integer' },
  { key: 'optimizer', id: 'optimizer', urlKey: 'optimizer', label: 'Optimizer', kind: 'choice', choices: OPTIMIZERS },
  { key: 'momentum', id: 'momentum', urlKey: 'momentum', label: 'Momentum', kind: 'number' },
  { key: 'schedule', id: 'schedule', urlKey: 'schedule', label: 'Schedule', kind: 'choice', choices: SCHEDULES },
  { key: 'warmup', id: 'warmup', urlKey: 'warmup', label: 'Warm-up', kind: 'number' },
  { key: 'augment', id: 'augment', urlKey: 'augment', label: 'Augmentation', kind: 'choice', choices: AUGMENTATIONS },
];

/** The form's text for a config (trainSize 0, "every loaded image", shows as `available`). */
export function settingsFromConfig(config: TrainConfig, available = 0): Settings {
  const settings = {} as Settings;
  for (const f of SETTING_FIELDS) {
    const value = config[f.key];
    settings[f.key] = typeof value === 'boolean' ? (value ? 'shift' : 'off') : String(value);
  }
  if (config.trainSize === 0) settings.trainSize = available > 0 ? String(available) : '';
  return settings;
}

export const DEFAULT_SETTINGS: Settings = settingsFromConfig(DEFAULT_CONFIG);

/** Whether a field matters for the settings around it: Momentum for the momentum optimizer only, Warm-up
 *  for the schedules that have one. The others are shown, read and checked only when they apply. */
export function applies(key: SettingKey, s: Pick<Settings, 'optimizer' | 'schedule'>): boolean {
  if (key === 'momentum') return s.optimizer === 'momentum';
  if (key === 'warmup') return s.schedule === 'cosine' || s.schedule === 'onecycle';
  return true;
}

// A number as a number input accepts it (HTML's valid floating-point number): no '0x10', '+5' or 'Infinity'.
const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** One field's value, or the message the page shows for it (the same for a typed value and a link's). */
export function parseField(f: SettingField, raw: string): { value: number | string } | { error: string } {
  const text = raw.trim();
  if (f.kind === 'choice') {
    if (f.choices!.includes(text)) return { value: text };
    return { error: `${f.label}: choose ${orList(f.choices!)}, got ${text === '' ? 'nothing' : text}.` };
  }
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value)) return { error: `${f.label}: enter a number.` };
  if (f.kind === 'integer' && !Number.isInteger(value)) return { error: `${f.label}: enter a whole number, got ${text}.` };
  return { value };
}

/** The dataset choice, or its message. */
export function parseDataSet(raw: string): { value: DataSet } | { error: string } {
  const text = raw.trim();
  return (DATA_SETS as readonly string[]).includes(text)
    ? { value: text as DataSet }
    : { error: `Dataset: choose ${orList(DATA_SETS)}, got ${text === '' ? 'nothing' : text}.` };
}

/** The form read into a TrainConfig, or the first field's message. A field that does not apply is not
 *  read: the run gets its default. */
export function readSettings(settings: Settings): TrainConfig | string {
  const config = { ...DEFAULT_CONFIG } as Record<SettingKey, number | string | boolean>;
  for (const f of SETTING_FIELDS) {
    if (!applies(f.key, settings)) continue;
    const parsed = parseField(f, settings[f.key]);
    if ('error' in parsed) return parsed.error;
    config[f.key] = f.key === 'augment' ? parsed.value === 'shift' : parsed.value;
  }
  return config as unknown as TrainConfig;
}

function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The fields an alert's lines name: a value the page refused ("Batch size: enter a whole number, …") or
 *  one the core refused ("Invalid setting: batch size must be …"), so the form can mark them. */
export function fieldsNamed(alert: string | null): SettingKey[] {
  if (!alert) return [];
  const keys: SettingKey[] = [];
  for (const line of alert.split('\n')) {
    const text = line.replace(/^Invalid setting: /, '').toLowerCase();
    const field = SETTING_FIELDS.find((f) => text.startsWith(`${f.label.toLowerCase()}:`) || text.startsWith(`${f.label.toLowerCase()} `));
    if (field && !keys.includes(field.key)) keys.push(field.key);
  }
  return keys;
}
