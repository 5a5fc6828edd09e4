// The one place errors and warnings reach the page: the role=alert element, in a box that floats at the
// bottom of the window while it has something to say; its × dismisses it. A message of several lines (a
// link's bad settings, one each) keeps its lines.
import type { AppState } from '../state';
import { byId, setHidden, setText } from './dom';

export function mountAlert(intents: { dismiss(): void }): (s: AppState) => void {
  const box = byId('alert-box');
  const alert = byId('alert');
  const close = byId<HTMLButtonElement>('alert-close');
  close.addEventListener('click', () => intents.dismiss());
  return (s) => {
    const text = [s.settingsAlert, s.alert].filter(Boolean).join('\n');
    setText(alert, text);
    box.classList.toggle('visible', text !== '');
    setHidden(close, text === '');
  };
}
