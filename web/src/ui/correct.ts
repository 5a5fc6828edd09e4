// "Correct the prediction": ten buttons "Label as 0" ... "Label as 9" under the prediction, and the keys
// 0-9 while the drawing pad has focus. Each hands the label to main.ts, which keeps the drawing as the
// 28x28 image the network sees (in "Your digits") and clears the pad.
import type { AppState } from '../state';
import { byId, el } from './dom';

export interface CorrectIntents {
  label(digit: number): void;
}

export function mountCorrect(intents: CorrectIntents): (s: AppState, previous: AppState) => void {
  const container = byId('label-buttons');
  const buttons: HTMLButtonElement[] = [];
  for (let d = 0; d < 10; ++d) {
    const button = el('button', { type: 'button', 'aria-label': `Label as ${d}`, title: `Label the drawing as ${d} (key ${d})` }, String(d));
    button.addEventListener('click', () => intents.label(d));
    container.append(button);
    buttons.push(button);
  }
  byId('pad').addEventListener('keydown', (e) => {
    if (!/^[0-9]$/.test(e.key) || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    if (!buttons[0].disabled) intents.label(Number(e.key));
  });
  return (s) => {
    for (const b of buttons) b.disabled = s.workerFailed;
  };
}
