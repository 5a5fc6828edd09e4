// The page's side of the worker: creates it, sends typed commands and hands typed events to one listener.
// The only module that talks to the worker; it holds no state of its own (state.ts does).
import type { FromWorker, ToWorker } from './protocol';

export class TrainerClient {
  private readonly worker: Worker;

  constructor(onEvent: (event: FromWorker) => void, options: { simd: boolean }) {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), {
      type: 'module',
      name: options.simd ? 'simd' : 'nosimd',
    });
    this.worker.addEventListener('message', (e: MessageEvent<FromWorker>) => onEvent(e.data));
    this.worker.addEventListener('error', (e) =>
      onEvent({ type: 'error', code: 'worker', message: `The training worker failed: ${e.message || 'unknown error'}` }),
    );
  }

  send(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }
}
