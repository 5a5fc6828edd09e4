// The one place errors and warnings reach the page: the role=alert element.
import type { AppState } from '../state';
import { byId, setText } from './dom';

export function mountAlert(): (s: AppState) => void {
  const alert = byId('alert');
  return (s) => {
    const text = [s.settingsAlert, s.alert].filter(Boolean).join(' ');
    setText(alert, text);
    alert.classList.toggle('visible', text !== '');
  };
}
