/// <reference types="vite-plugin-pwa/vanillajs" />
// Offline support (issue #18): registers the service worker that vite-plugin-pwa builds (see vite.config.ts),
// once the page's own data has loaded, so the precache download never competes with the first visit's load.
// A new build never reloads the page by itself (a reload would lose a training run): a small note offers
// Reload, and otherwise the new version takes over when every tab of the page has closed.
// Under `npm start` (vite dev) virtual:pwa-register is a no-op: no service worker, no stale caches.
// The note has no stylesheet of its own: it takes the footer's look (a CSS import would be an inline <style>
// under vite dev, which the CSP refuses).
import { registerSW } from 'virtual:pwa-register';

let registered = false;

function note(text: string, action?: { label: string; run: () => void }): void {
  let box = document.getElementById('offline-note');
  if (!box) {
    box = document.createElement('p');
    box.id = 'offline-note';
    box.className = 'offline-note';
    box.setAttribute('role', 'status');
    (document.querySelector('footer') ?? document.body).append(box);
  }
  box.replaceChildren(text);
  if (action) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = action.label;
    button.addEventListener('click', action.run, { once: true });
    box.append(' ', button);
  }
}

/** Registers the service worker (once; later calls do nothing). */
export function registerOffline(): void {
  if (registered || !('serviceWorker' in navigator)) return;
  registered = true;
  const update = registerSW({
    immediate: true,
    onOfflineReady: () => note('Saved for offline use: this page now works without a network.'),
    onNeedRefresh: () =>
      note('A new version is ready. It loads when you next open the page, or now:', { label: 'Reload', run: reload }),
    // Only the tab whose Reload was pressed reloads (below), never another tab that may be training. (The
    // plugin's own reload also misses a page that the first install took over: it counts that as no update.)
    onNeedReload: () => {},
  });
  function reload(): void {
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    void update();
  }
}
