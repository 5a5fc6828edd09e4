// The settings in the address bar: the query string follows the form (history.replaceState, so editing adds
// no history entries), and "Copy link" copies the page's link, with a visible "Copied".
import type { AppState } from '../state';
import { writeLink } from '../url-settings';
import { byId, el, setText } from './dom';

const CONFIRM_MS = 2500;

export function mountLink(): (s: AppState, previous: AppState) => void {
  const button = byId<HTMLButtonElement>('copy-link');
  const status = byId('copy-status');
  let clearStatus = 0;
  button.addEventListener('click', () => {
    void copyText(location.href).then((copied) => {
      setText(status, copied ? 'Copied' : 'Could not copy: copy the link from the address bar.');
      clearTimeout(clearStatus);
      clearStatus = window.setTimeout(() => setText(status, ''), CONFIRM_MS);
    });
  });

  return (s, previous) => {
    if (s.settings === previous.settings && s.dataSet === previous.dataSet && s.examplesChosen === previous.examplesChosen) return;
    const search = writeLink(location.search, s.settings, s.dataSet, s.examplesChosen);
    if (search !== location.search) history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
  };
}

// The Clipboard API where there is one (secure contexts), else a selected text area and the older copy
// command (browsers without the API, or that refuse it).
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (no permission, not focused): try the fallback
  }
  const focused = document.activeElement as HTMLElement | null;
  const area = el('textarea', { class: 'offscreen', readonly: '', 'aria-hidden': 'true', tabindex: '-1' });
  area.value = text;
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
    focused?.focus();
  }
}
