// The one place errors and warnings reach the page: the role=alert element.
import type { AppState } from '../state';
import { byId, setText } from './dom';

export function mountAlert(): (s: AppState) => void {
  const alert = byId('alert');
  return (s) => {
    setText(alert, s.alert ?? '');
    alert.classList.toggle('visible', Boolean(s.alert));
  };
}
