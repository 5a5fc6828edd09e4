// The "Preset" choices: the reference experiment's settings and the fastest measured route to 98 % test
// accuracy, both on the full MNIST set with every image. Pure: ui/preset.ts shows them.
import { DEFAULT_CONFIG, type DataSet, type TrainConfig } from './protocol';
import { applies, parseField, SETTING_FIELDS, type Settings } from './settings';

export interface Preset {
  id: string;
  name: string; // what it is called alone ("Reference, on the subset")
  label: string; // the name and what it is, as the select shows it
  dataSet: DataSet;
  config: TrainConfig; // trainSize 0: every image of the data set
}

/** The fast route to 98 %: the settings that reached 0.980 test accuracy on the full set in the least training
 *  time in a sweep of the options (its record is in docs/). */
export const FAST_98_CONFIG: TrainConfig = {
  hidden: 256,
  epochs: 3,
  batch: 128,
  learningRate: 0.01,
  decay: 0,
  trainSize: 0,
  seed: 1,
  optimizer: 'adam',
  momentum: 0.9,
  schedule: 'cosine',
  warmup: 0.2,
  augment: false,
};

const OPTIMIZER_LABELS: Record<TrainConfig['optimizer'], string> = { sgd: 'SGD', momentum: 'momentum', adam: 'Adam' };

// Short enough for the select's width on a phone; the form below it shows the rest.
function label(name: string, c: TrainConfig): string {
  return `${name}: ${OPTIMIZER_LABELS[c.optimizer]}, ${c.epochs} epoch${c.epochs === 1 ? '' : 's'}`;
}

export const PRESETS: readonly Preset[] = [
  { id: 'reference', name: 'Reference', label: label('Reference', DEFAULT_CONFIG), dataSet: 'full', config: DEFAULT_CONFIG },
  { id: 'fast98', name: 'Fast to 98 %', label: label('Fast to 98 %', FAST_98_CONFIG), dataSet: 'full', config: FAST_98_CONFIG },
];

/** The preset the form and data set show, if any: every field that applies says the preset's value, and the
 *  training examples follow the data set. */
export function matchingPreset(settings: Settings, dataSet: DataSet, examplesChosen: boolean): Preset | null {
  if (examplesChosen) return null;
  return (
    PRESETS.find(
      (p) =>
        p.dataSet === dataSet &&
        SETTING_FIELDS.every((f) => {
          if (f.key === 'trainSize' || !applies(f.key, settings)) return true;
          const parsed = parseField(f, settings[f.key]);
          const wanted = p.config[f.key];
          return 'value' in parsed && parsed.value === (typeof wanted === 'boolean' ? (wanted ? 'shift' : 'off') : wanted);
        }),
    ) ?? null
  );
}
