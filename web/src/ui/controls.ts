// The settings form and the Train/Pause/Resume/Stop/Reset buttons: reads the form into a TrainConfig
// (ranges are checked by the C++ core, so there is one source of truth), and enables what the phase allows.
import type { DataSet, TrainConfig } from '../protocol';
import type { AppState } from '../state';
import { byId, setText } from './dom';

export interface ControlIntents {
  train(config: TrainConfig): void;
  invalid(message: string): void;
  pause(): void;
  resume(): void;
  stop(): void;
  reset(): void;
  dataSet(set: DataSet): void;
}

const fields: Array<{ id: string; key: keyof TrainConfig; label: string; integer: boolean }> = [
  { id: 'hidden', key: 'hidden', label: 'Hidden units', integer: true },
  { id: 'epochs', key: 'epochs', label: 'Epochs', integer: true },
  { id: 'batch', key: 'batch', label: 'Batch size', integer: true },
  { id: 'learning-rate', key: 'learningRate', label: 'Learning rate', integer: false },
  { id: 'decay', key: 'decay', label: 'Weight decay', integer: false },
  { id: 'train-size', key: 'trainSize', label: 'Training examples', integer: true },
  { id: 'seed', key: 'seed', label: 'Seed', integer: true },
];

// The form's values, or the first one that is not a number (a browser gives '' for "abc" in a number input).
function readForm(): TrainConfig | string {
  const config: Partial<TrainConfig> = {};
  for (const f of fields) {
    const input = byId<HTMLInputElement>(f.id);
    const text = input.value.trim();
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) return `${f.label}: enter a number.`;
    if (f.integer && !Number.isInteger(value)) return `${f.label}: enter a whole number, got ${text}.`;
    config[f.key] = value;
  }
  return config as TrainConfig;
}

export function mountControls(intents: ControlIntents): (s: AppState, previous: AppState) => void {
  const form = byId<HTMLFormElement>('settings');
  const select = byId<HTMLSelectElement>('dataset');
  const trainSize = byId<HTMLInputElement>('train-size');
  const buttons = {
    train: byId<HTMLButtonElement>('train'),
    pause: byId<HTMLButtonElement>('pause'),
    resume: byId<HTMLButtonElement>('resume'),
    stop: byId<HTMLButtonElement>('stop'),
    reset: byId<HTMLButtonElement>('reset'),
  };
  let trainSizeEdited = false;
  trainSize.addEventListener('input', () => (trainSizeEdited = true));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const config = readForm();
    if (typeof config === 'string') intents.invalid(config);
    else intents.train(config);
  });
  buttons.pause.addEventListener('click', () => intents.pause());
  buttons.resume.addEventListener('click', () => intents.resume());
  buttons.stop.addEventListener('click', () => intents.stop());
  buttons.reset.addEventListener('click', () => intents.reset());
  select.addEventListener('change', () => {
    trainSizeEdited = false;
    intents.dataSet(select.value as DataSet);
  });

  return (s, previous) => {
    const running = s.phase === 'training' || s.phase === 'paused';
    const ready = s.phase === 'idle' || s.phase === 'finished';
    buttons.train.disabled = !ready || s.workerFailed;
    buttons.pause.disabled = s.phase !== 'training';
    buttons.resume.disabled = s.phase !== 'paused';
    buttons.stop.disabled = !running;
    const onlyReference = s.finishedReason === 'reference' && !running; // Reset would bring back the same model
    buttons.reset.disabled = !(running || s.phase === 'finished' || s.history.length > 0 || s.workerFailed) || onlyReference;
    select.disabled = !ready && s.phase !== 'starting';
    for (const f of fields) byId<HTMLInputElement>(f.id).disabled = running;
    if (select.value !== s.dataSet) select.value = s.dataSet;
    if (s.trainAvailable !== previous.trainAvailable && s.trainAvailable > 0) {
      trainSize.max = String(s.trainAvailable);
      if (!trainSizeEdited) trainSize.value = String(s.trainAvailable);
    }
    const phaseText: Record<AppState['phase'], string> = {
      starting: 'Starting the WebAssembly module…',
      'loading-data': 'Loading the data…',
      idle: 'Ready. Press Train.',
      training: 'Training…',
      paused: 'Paused.',
      finished:
        s.finishedReason === 'stopped'
          ? 'Stopped; the model so far was tested.'
          : s.finishedReason === 'diverged'
            ? 'Diverged; the last finite model was kept and tested.'
            : s.finishedReason === 'imported'
              ? `Imported ${s.modelName}; tested on the test images.`
              : s.finishedReason === 'restored'
                ? 'Restored the model saved in this browser; tested on the test images.'
                : s.finishedReason === 'reference'
                  ? 'Ready with the reference model: draw a digit, or press Train for your own.'
                : `Finished in ${s.seconds.toFixed(1)} s` +
                  (s.history.length ? ` (${(s.seconds / s.history.length).toFixed(2)} s per epoch).` : '.'),
    };
    setText(byId('phase-text'), s.workerFailed ? 'The training worker stopped. Press Reset.' : phaseText[s.phase]);
  };
}
