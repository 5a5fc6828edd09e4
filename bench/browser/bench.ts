// The benchmark page: starts the measuring worker (worker.ts) and exposes `window.bench(cmd, args)`,
// which run.mjs calls through playwright's page.evaluate; each call is one message to the worker and
// resolves with its answer. The page itself measures nothing (the product runs its module in a worker).
declare global {
  interface Window {
    bench: (cmd: string, args?: unknown) => Promise<unknown>;
    benchReady: Promise<void>;
  }
}

const log = document.getElementById('log')!;
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 1;

window.benchReady = new Promise<void>((resolve, reject) => {
  worker.addEventListener('error', (e) => reject(new Error(`worker failed to start: ${e.message}`)), { once: true });
  worker.addEventListener('message', function ready(ev: MessageEvent) {
    if (ev.data?.ready) {
      worker.removeEventListener('message', ready);
      resolve();
    }
  });
});

worker.addEventListener('message', (ev: MessageEvent) => {
  const { id, result, error } = ev.data ?? {};
  const p = pending.get(id);
  if (!p) return;
  pending.delete(id);
  if (error !== undefined) p.reject(new Error(error));
  else p.resolve(result);
});

window.bench = (cmd: string, args: unknown = {}) => {
  const id = nextId++;
  log.textContent += `${cmd} ${JSON.stringify(args)}\n`;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, cmd, args });
  });
};

export {};
