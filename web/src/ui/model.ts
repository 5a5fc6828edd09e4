// The saved-model controls: "Export model" downloads the current model's file (mnist-model.mnst), the
// "Import model" file input hands a chosen file to the page. What the model is (784-H-10, where from)
// is shown beside them. Bad files are reported through the alert (ui/alert.ts), not here.
import type { AppState } from '../state';
import { byId, setText } from './dom';

export interface ModelIntents {
  import(file: File): void;
}

export const EXPORT_NAME = 'mnist-model.mnst';

export function mountModel(intents: ModelIntents): (s: AppState, previous: AppState) => void {
  const exportButton = byId<HTMLButtonElement>('export-model');
  const input = byId<HTMLInputElement>('import-model');
  const text = byId('model-text');
  let file: AppState['modelFile'] = null;

  exportButton.addEventListener('click', () => {
    if (!file) return;
    const url = URL.createObjectURL(new Blob([file.bytes], { type: 'application/octet-stream' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = EXPORT_NAME;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  });
  input.addEventListener('change', () => {
    const chosen = input.files?.[0];
    input.value = ''; // choosing the same file again fires change again
    if (chosen) intents.import(chosen);
  });

  return (s) => {
    file = s.hasModel ? s.modelFile : null;
    const running = s.phase === 'training' || s.phase === 'paused';
    exportButton.disabled = !file;
    input.disabled = running || s.workerFailed || s.trainAvailable === 0;
    const tested = s.test ? `${(s.test.accuracy * 100).toFixed(1)} % test accuracy` : 'being tested';
    setText(
      text,
      !file
        ? running && s.run
          ? `${s.fineTune?.running ? 'Fine-tuning' : 'Training'} a 784-${s.run.config.hidden}-10 model: drawings are read by it as it trains.`
          : 'No model yet: train one or import a file.'
        : s.finishedReason === 'reference'
          ? `Reference model, ${tested} (784-${file.hidden}-10, trained with the report's settings). Training replaces it; Reset brings it back.`
          : `Model 784-${file.hidden}-10 (${(file.bytes.byteLength / 1024).toFixed(0)} KB), kept in this browser.`,
    );
  };
}
