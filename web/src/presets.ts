// The "Preset" choices: the reference experiment's settings and the fastest measured route to 98 % test
// accuracy, both on the full MNIST set with every image. Pure: ui/preset.ts shows them.
import { DEFAULT_CONFIG, type DataSet, type TrainConfig } from './protocol';
import { applies, parseField, SETTING_FIELDS, type Settings } from './settings';

export interface Preset {
  id: string;
  label: string;
  dataSet: DataSet;
  config: TrainConfig; // trainSize 0: every image of the data set
}

/** The fast route to 98 %: the settings that reach 0.980 test accuracy on the full set in the least training
 *  time. PENDING: an unmeasured guess until the sweep of the options (issue 20, item 4) gives its values. */
export const FAST_98_CONFIG: TrainConfig = {
  ...DEFAULT_CONFIG,
  optimizer: 'adam',
  learningRate: 0.001,
  schedule: 'onecycle',
  warmup: 0.5,
  epochs: 4,
  batch: 64,
};

const OPTIMIZER_LABELS: Record<TrainConfig['optimizer'], string> = { sgd: 'SGD', momentum: 'momentum', adam: 'Adam' };

function fastLabel(c: TrainConfig): string {
  const parts = [OPTIMIZER_LABELS[c.optimizer], ...(c.schedule === 'constant' ? [] : [c.schedule]), ...(c.augment ? ['shifts'] : [])];
  return `Fast route to 98 % (${parts.join(', ')}, ${c.epochs} epoch${c.epochs === 1 ? '' : 's'})`;
}

export const PRESETS: readonly Preset[] = [
  { id: 'reference', label: 'Reference (report: SGD, 10 epochs)', dataSet: 'full', config: DEFAULT_CONFIG },
  { id: 'fast98', label: fastLabel(FAST_98_CONFIG), dataSet: 'full', config: FAST_98_CONFIG },
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
