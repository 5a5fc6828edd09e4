// The page's side of the worker: creates it, sends typed commands and hands typed events to one listener.
// The only module that talks to the worker; it holds no state of its own (state.ts does). A worker that
// died (its script or module failed to load, or the module aborted) is replaced by restart().
import type { FromWorker, ToWorker } from './protocol';

export class TrainerClient {
  private worker: Worker;

  constructor(
    private readonly onEvent: (event: FromWorker) => void,
    private readonly options: { simd: boolean; threads?: number },
  ) {
    this.worker = this.create();
  }

  private create(): Worker {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), {
      type: 'module',
      name: workerName(this.options),
    });
    // Events of a worker that has been replaced are dropped.
    const live = () => worker === this.worker;
    // The worker posts its events as lists (a slice's together, so they are drawn in one frame).
    worker.addEventListener('message', (e: MessageEvent<FromWorker[]>) => {
      for (const event of e.data) if (live()) this.onEvent(event);
    });
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      if (live())
        this.onEvent({
          type: 'fatal',
          message: `The training worker failed (${e.message || 'it could not start'}). Press Reset to start a fresh one.`,
        });
    });
    worker.addEventListener('messageerror', () => {
      if (live()) this.onEvent({ type: 'error', code: 'worker', message: 'A message from the training worker could not be read.' });
    });
    return worker;
  }

  send(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /** Ends the current worker (whatever it was doing) and starts a fresh one. */
  restart(): void {
    const old = this.worker;
    this.worker = this.create();
    old.terminate();
  }
}

/** The worker's options travel in its name (read by worker.ts): "build=simd" or "build=nosimd", "&threads=N". */
export function workerName(options: { simd: boolean; threads?: number }): string {
  const name = new URLSearchParams({ build: options.simd ? 'simd' : 'nosimd' });
  if (options.threads) name.set('threads', String(options.threads));
  return name.toString();
}
