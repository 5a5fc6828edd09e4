// The page's side of "Your digits" and fine-tuning: labelling a drawing (the worker preprocesses it, as for
// a prediction, and the image it returns is kept), keeping the digits in IndexedDB, asking the worker how
// the current model reads them, importing and exporting them as IDX files, and the fine-tune and undo
// commands. State lives in state.ts; the DOM in ui/correct.ts and ui/your-digits.ts.
import type { TrainerClient } from './client';
import { loadDigits, saveDigits } from './digits-store';
import { MAX_DIGITS, type FromWorker } from './protocol';
import { nextDigitId, packDigits, type Digit, type Store } from './state';
import { deleteSavedModel } from './storage';
import type { CorrectIntents } from './ui/correct';
import type { YourDigitsIntents } from './ui/your-digits';

/** The largest file an import reads: MAX_DIGITS images and their header. */
const MAX_IMPORT_BYTES = 16 + MAX_DIGITS * 784;

export interface DigitsWiring {
  /** Sees every worker event before the store does. */
  onEvent(event: FromWorker): void;
  correct: CorrectIntents;
  yourDigits: YourDigitsIntents;
}

export function wireDigits(
  store: Store,
  client: TrainerClient,
  pad: { capture(): { ink: Float32Array; width: number; height: number } | null; clear(): void },
  predict: (ink: Float32Array, width: number, height: number) => number,
): DigitsWiring {
  let pendingLabel: { id: number; label: number } | null = null;
  let loaded = false; // the kept digits are in: from now on every change is saved
  let request = 0;
  const alert = (message: string) => store.update({ alert: message });

  void loadDigits()
    .catch((): Digit[] => [])
    .then((kept) => {
      loaded = true;
      store.update((s) => {
        const first = nextDigitId(kept);
        return { digits: kept.concat(s.digits.map((d, i) => ({ ...d, id: first + i }))) }; // labelled meanwhile
      });
    });

  // Keep the digits, and ask how the current model reads them whenever they or the model change.
  store.subscribe((s, previous) => {
    if (loaded && s.digits !== previous.digits) void saveDigits(s.digits).catch(() => {});
    if (s.digits === previous.digits && s.modelFile === previous.modelFile) return;
    queueMicrotask(() => {
      const now = store.get();
      if (now.digits.length === 0 || now.workerFailed) return;
      const id = ++request;
      store.update({ digitGuesses: { request: id, ids: now.digits.map((d) => d.id), predicted: null } });
      const { pixels } = packDigits(now.digits);
      client.send({ type: 'classify', id, pixels }, [pixels.buffer]);
    });
  });

  return {
    onEvent(event) {
      if (event.type === 'prediction' && pendingLabel?.id === event.id) {
        const { label } = pendingLabel;
        pendingLabel = null;
        if (event.empty) return alert('Draw a digit on the pad first, then label it.');
        const pixels = Uint8Array.from(event.image, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
        if (store.get().digits.length >= MAX_DIGITS)
          return alert(`You keep ${MAX_DIGITS} digits, the most this page keeps: delete some before labelling more.`);
        store.update((s) => ({ digits: s.digits.concat({ id: nextDigitId(s.digits), label, pixels }), alert: null }));
        pad.clear();
      }
      // Undoing a fine-tune of the shipped model: nothing of this browser's is current any more.
      if (event.type === 'fine-tune-undone' && store.get().fineTune?.previousReason === 'reference')
        void deleteSavedModel().catch(() => {});
    },
    correct: {
      label(digit) {
        const drawing = pad.capture();
        if (!drawing) return alert('Draw a digit on the pad first, then label it.');
        pendingLabel = { id: predict(drawing.ink, drawing.width, drawing.height), label: digit };
      },
    },
    yourDigits: {
      remove: (id) => store.update((s) => ({ digits: s.digits.filter((d) => d.id !== id) })),
      removeAll: () => store.update({ digits: [], digitGuesses: null, digitExport: null }),
      exportDigits() {
        const { pixels, labels } = packDigits(store.get().digits);
        client.send({ type: 'export-digits', pixels, labels }, [pixels.buffer, labels.buffer]);
      },
      importFiles(files) {
        if (files.length !== 2)
          return alert(
            `Import digits takes two files, an IDX image file and its IDX label file (MNIST's format); got ${files.length}. ` +
              'The digits you kept are unchanged.',
          );
        const big = files.find((f) => f.size > MAX_IMPORT_BYTES);
        if (big) return alert(`Could not import your digits: ${big.name} holds more than the ${MAX_DIGITS} digits this page keeps. The digits you kept are unchanged.`);
        void Promise.all(files.map((f) => f.arrayBuffer())).then(
          ([a, b]) => client.send({ type: 'import-digits', files: [a, b] }, [a, b]),
          (error) => alert(`Could not read the files: ${error instanceof Error ? error.message : error}. The digits you kept are unchanged.`),
        );
      },
      fineTune() {
        const s = store.get();
        if (s.digits.length === 0)
          return alert('No digits of your own to fine-tune on yet: draw a digit, press the right digit under "Correct the prediction", then Fine-tune.');
        store.update({ alert: null });
        const { pixels, labels } = packDigits(s.digits);
        client.send({ type: 'fine-tune', pixels, labels }, [pixels.buffer, labels.buffer]);
      },
      undo: () => client.send({ type: 'undo-fine-tune' }),
    },
  };
}
