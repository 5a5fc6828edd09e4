// The settings form and the Train/Pause/Resume/Stop/Reset buttons. The form's text lives in the state
// (settings.ts): every edit goes there, and the fields show it, so a link, a preset or a run's settings
// fill them the same way. Train reads it into a TrainConfig (the page checks the form of each value; the
// ranges are the C++ core's, one source of truth), and the buttons follow the phase.
import type { DataSet, TrainConfig } from '../protocol';
import { applies, fieldsNamed, readSettings, SETTING_FIELDS, type SettingKey } from '../settings';
import type { AppState } from '../state';
import { byId, setHidden, setText } from './dom';

export interface ControlIntents {
  train(config: TrainConfig): void;
  invalid(message: string): void;
  edit(key: SettingKey, text: string): void;
  pause(): void;
  resume(): void;
  stop(): void;
  reset(): void;
  dataSet(set: DataSet): void;
}

export function mountControls(intents: ControlIntents): (s: AppState, previous: AppState) => void {
  const form = byId<HTMLFormElement>('settings');
  const select = byId<HTMLSelectElement>('dataset');
  const trainSize = byId<HTMLInputElement>('train-size');
  const inputs = SETTING_FIELDS.map((f) => ({ key: f.key, input: byId<HTMLInputElement | HTMLSelectElement>(f.id) }));
  const optional = {
    momentum: byId('momentum-field'),
    warmup: byId('warmup-field'),
    warmupHint: byId('warmup-hint'),
  };
  const buttons = {
    train: byId<HTMLButtonElement>('train'),
    pause: byId<HTMLButtonElement>('pause'),
    resume: byId<HTMLButtonElement>('resume'),
    stop: byId<HTMLButtonElement>('stop'),
    reset: byId<HTMLButtonElement>('reset'),
  };
  let latest: AppState | null = null;

  for (const { key, input } of inputs) {
    input.addEventListener(input instanceof HTMLSelectElement ? 'change' : 'input', () => intents.edit(key, input.value));
  }
  let trainPressed = false; // until the next alert: the answer to Train (the core's comes from the worker)
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!latest) return;
    trainPressed = true;
    const config = readSettings(latest.settings);
    if (typeof config === 'string') intents.invalid(config);
    else intents.train(config);
  });
  buttons.pause.addEventListener('click', () => intents.pause());
  buttons.resume.addEventListener('click', () => intents.resume());
  buttons.stop.addEventListener('click', () => intents.stop());
  buttons.reset.addEventListener('click', () => intents.reset());
  select.addEventListener('change', () => intents.dataSet(select.value as DataSet));

  // The fields the alert names are marked invalid and described by it; after Train, the first one takes the
  // focus, so the value to fix is where the user is (the alert itself floats at the window's bottom). A
  // link's refused values are not marked: their fields hold the defaults again, which are valid.
  function markInvalid(s: AppState, previous: AppState): void {
    const named = fieldsNamed(s.alert);
    for (const { key, input } of inputs) {
      const invalid = named.includes(key);
      if ((input.getAttribute('aria-invalid') === 'true') === invalid) continue;
      if (invalid) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', 'alert');
      } else {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
    }
    const fresh = named[0];
    if (fresh && s.alert !== previous.alert && trainPressed) inputs.find((i) => i.key === fresh)?.input.focus();
    if (s.alert && s.alert !== previous.alert) trainPressed = false;
  }

  return (s, previous) => {
    latest = s;
    const running = s.phase === 'training' || s.phase === 'paused';
    const ready = s.phase === 'idle' || s.phase === 'finished';
    buttons.train.disabled = !ready || s.workerFailed;
    buttons.pause.disabled = s.phase !== 'training';
    buttons.resume.disabled = s.phase !== 'paused';
    buttons.stop.disabled = !running;
    const onlyReference = s.finishedReason === 'reference' && !running; // Reset would bring back the same model
    buttons.reset.disabled = !(running || s.phase === 'finished' || s.history.length > 0 || s.workerFailed) || onlyReference;
    select.disabled = !ready && s.phase !== 'starting';
    // Written only when they change (a progress message renders about five times a second), and a field's
    // text only when the state says something else, so typing is never disturbed.
    const wasRunning = previous.phase === 'training' || previous.phase === 'paused';
    if (running !== wasRunning || s === previous) for (const { input } of inputs) input.disabled = running;
    if (s.settings !== previous.settings || s === previous) {
      for (const { key, input } of inputs) if (input.value !== s.settings[key]) input.value = s.settings[key];
      setHidden(optional.momentum, !applies('momentum', s.settings));
      setHidden(optional.warmup, !applies('warmup', s.settings));
      setHidden(optional.warmupHint, !applies('warmup', s.settings));
    }
    if (s.alert !== previous.alert || s === previous) markInvalid(s, previous);
    if (running) trainPressed = false; // Train was taken
    if (select.value !== s.dataSet) select.value = s.dataSet;
    if (s.trainAvailable !== previous.trainAvailable && s.trainAvailable > 0) trainSize.max = String(s.trainAvailable);
    const phaseText: Record<AppState['phase'], string> = {
      starting: 'Starting the WebAssembly module…',
      'loading-data': 'Loading the data…',
      idle: 'Ready. Press Train.',
      training: 'Training…',
      paused: 'Paused.',
      finished: finishedText(s),
    };
    setText(byId('phase-text'), s.workerFailed ? 'The training worker stopped. Press Reset.' : phaseText[s.phase]);
  };
}

/** What the phase line says once nothing runs: how the model on show came about. */
function finishedText(s: AppState): string {
  if (s.fineTune?.undone) return 'Fine-tune undone: the model from before it is back.';
  if (s.fineTune && (s.finishedReason === 'completed' || s.finishedReason === 'stopped'))
    return `Fine-tuned on your digits in ${s.seconds.toFixed(1)} s: before and after are under "Teach it your handwriting".`;
  switch (s.finishedReason) {
    case 'stopped':
      return s.hasModel
        ? 'Stopped; the model so far was tested.'
        : 'Stopped before the first batch: there is no model. Press Train, or Reset for the reference model.';
    case 'diverged':
      return s.hasModel ? 'Diverged; the last finite model was kept and tested.' : 'Diverged in its first epoch: no model of this run is kept.';
    case 'imported':
      return `Imported ${s.modelName}; tested on the test images.`;
    case 'restored':
      return 'Restored the model saved in this browser; tested on the test images.';
    case 'reference':
      return 'Ready with the reference model: draw a digit, or press Train for your own.';
    default:
      return `Finished in ${s.seconds.toFixed(1)} s` + (s.history.length ? ` (${(s.seconds / s.history.length).toFixed(2)} s per epoch).` : '.');
  }
}
