// "Teach it your handwriting": the gallery "Your digits" (each kept image with its label and how the current
// model reads it, a delete button each and "Delete all digits"), their export and import as a pair of IDX
// files, "Fine-tune" with its progress and its before/after, and "Undo fine-tune". Bad imports and the
// no-digits case reach the page's alert through main.ts.
import type { FineTuneResult } from '../protocol';
import type { AppState, Digit } from '../state';
import { byId, drawDigit, el, setHidden, setProgress, setText } from './dom';

export interface YourDigitsIntents {
  remove(id: number): void;
  removeAll(): void;
  exportDigits(): void;
  importFiles(files: File[]): void;
  fineTune(): void;
  undo(): void;
}

export const EXPORT_IMAGES_NAME = 'your-digits-images-idx3-ubyte';
export const EXPORT_LABELS_NAME = 'your-digits-labels-idx1-ubyte';
const SHOWN = 400; // the gallery draws at most this many (an import can hold thousands)

const percent = (v: number) => `${(v * 100).toFixed(2)}%`;

function resultTable(r: FineTuneResult): HTMLElement {
  const table = el('table', { class: 'fine-tune-table' });
  table.append(el('caption', { class: 'hint' }, 'Fine-tune: before and after'));
  const head = table.appendChild(el('tr'));
  head.append(el('td'), el('th', { scope: 'col' }, 'Before'), el('th', { scope: 'col' }, 'After'));
  const right = (accuracy: number) => `${Math.round(accuracy * r.digits)} of ${r.digits}`;
  const user = table.appendChild(el('tr', { 'data-row': 'user' }));
  user.append(el('th', { scope: 'row' }, 'Your digits'), el('td', {}, right(r.before.user)), el('td', {}, right(r.after.user)));
  const test = table.appendChild(el('tr', { 'data-row': 'test' }));
  const shown = (v: number | null) => (v === null ? 'not loaded' : percent(v));
  test.append(el('th', { scope: 'row' }, 'Test accuracy'), el('td', {}, shown(r.before.test)), el('td', {}, shown(r.after.test)));
  const box = el('div');
  box.append(
    table,
    el(
      'p',
      { class: 'hint' },
      `${r.seconds.toFixed(1)} s, ${r.steps} steps: one pass over ${r.mnistExamples.toLocaleString('en-US')} MNIST ` +
        `training images and your ${r.digits} digit${r.digits === 1 ? '' : 's'}, repeated to ${r.userExamples.toLocaleString('en-US')} ` +
        `examples (about ${Math.round((32 * r.userExamples) / (r.userExamples + r.mnistExamples))} of every 32 yours).`,
    ),
  );
  return box;
}

export function mountYourDigits(intents: YourDigitsIntents): (s: AppState, previous: AppState) => void {
  const list = byId('your-digits');
  const note = byId('digits-note');
  const fineTune = byId<HTMLButtonElement>('fine-tune');
  const undo = byId<HTMLButtonElement>('undo-fine-tune');
  const removeAll = byId<HTMLButtonElement>('delete-digits');
  const exportButton = byId<HTMLButtonElement>('export-digits');
  const input = byId<HTMLInputElement>('import-digits');
  const files = byId('digit-files');
  const progress = byId<HTMLProgressElement>('fine-tune-progress');
  const result = byId('fine-tune-result');
  const urls: string[] = [];

  fineTune.addEventListener('click', () => intents.fineTune());
  undo.addEventListener('click', () => intents.undo());
  removeAll.addEventListener('click', () => intents.removeAll());
  exportButton.addEventListener('click', () => intents.exportDigits());
  input.addEventListener('change', () => {
    const chosen = Array.from(input.files ?? []);
    input.value = '';
    if (chosen.length) intents.importFiles(chosen);
  });
  list.addEventListener('click', (e) => {
    const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-id]');
    if (button) intents.remove(Number(button.dataset.id));
  });

  const renderList = (digits: Digit[], guesses: AppState['digitGuesses']) => {
    const guess = new Map<number, number>();
    if (guesses?.predicted) guesses.ids.forEach((id, i) => guess.set(id, guesses.predicted![i]));
    list.replaceChildren();
    for (const d of digits.slice(0, SHOWN)) {
      const read = guess.get(d.id);
      const item = el('li');
      const canvas = el('canvas', { width: '28', height: '28', role: 'img', 'aria-label': `Your digit labelled ${d.label}` });
      drawDigit(canvas, d.pixels, 1 / 255);
      // "label → what the model reads", as the test gallery writes its digits.
      const reads = read === undefined ? 'not read yet' : `the model reads ${read}`;
      const caption = el('span', { title: `Labelled ${d.label}; ${reads}` }, `${d.label} → `);
      caption.append(el('span', read !== undefined && read !== d.label ? { class: 'wrong' } : {}, read === undefined ? '–' : String(read)));
      const remove = el('button', { type: 'button', class: 'delete', 'data-id': String(d.id), 'aria-label': `Delete this ${d.label}` }, '×');
      item.append(canvas, caption, remove);
      list.append(item);
    }
  };

  const renderFiles = (exported: AppState['digitExport']) => {
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    files.replaceChildren();
    setHidden(files, !exported);
    if (!exported) return;
    files.append(el('span', {}, 'Save both files:'));
    for (const [bytes, name] of [[exported.images, EXPORT_IMAGES_NAME], [exported.labels, EXPORT_LABELS_NAME]] as const) {
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      urls.push(url);
      files.append(el('a', { href: url, download: name }, name));
    }
  };

  return (s, previous) => {
    const running = s.phase === 'training' || s.phase === 'paused';
    const fineTuning = Boolean(s.fineTune?.running);
    fineTune.disabled = running || s.workerFailed || !s.hasModel || s.trainAvailable === 0;
    undo.disabled = running || !s.fineTune?.canUndo;
    removeAll.disabled = s.digits.length === 0;
    exportButton.disabled = s.digits.length === 0 || s.workerFailed;
    input.disabled = s.workerFailed;
    if (s.digits !== previous.digits || s.digitGuesses !== previous.digitGuesses) renderList(s.digits, s.digitGuesses);
    if (s.digitExport !== previous.digitExport) renderFiles(s.digitExport);
    const n = s.digits.length;
    setText(
      note,
      n === 0
        ? 'Draw a digit the model gets wrong, then press the right digit under "Correct the prediction": it is kept here (in this browser) for fine-tuning.'
        : `${n} digit${n === 1 ? '' : 's'} of yours, kept in this browser` +
            (n > SHOWN ? ` (the first ${SHOWN} shown)` : '') +
            '; under each, its label → what the model reads.',
    );
    setHidden(progress, !fineTuning);
    if (fineTuning && s.run) setProgress(progress, s.run.examplesDone, Math.max(1, s.run.totalExamples));
    if (s.fineTune !== previous.fineTune) {
      const f = s.fineTune;
      result.replaceChildren();
      if (f?.running) result.append(el('p', {}, 'Fine-tuning…'));
      else if (f?.undone) result.append(el('p', {}, 'Fine-tune undone: the model from before it is back.'));
      else if (f?.result) result.append(resultTable(f.result));
    }
  };
}
