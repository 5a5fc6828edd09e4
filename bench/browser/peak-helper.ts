// The second thread of the two-thread peak (peak.ts, measurePeakPair): a dedicated worker that runs the
// same peak kernel as the bench worker, started and joined through shared memory so both run at once.
// Protocol: one message { bytes, iters, control } (the module, its iteration count, an Int32Array(2) on a
// SharedArrayBuffer); it answers 'ready', then for each new value written to control[0] (a round number)
// runs the kernel once and stores that number in control[1]. A negative control[0] ends it.
import { instantiatePeak } from './peak';

self.onmessage = (ev: MessageEvent<{ bytes: Uint8Array<ArrayBuffer>; iters: number; control: Int32Array }>) => {
  const { bytes, iters, control } = ev.data;
  const peak = instantiatePeak(bytes);
  self.postMessage('ready');
  for (let seen = 0; ; ) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    if (seen < 0) break;
    peak(1, iters);
    Atomics.store(control, 1, seen);
    Atomics.notify(control, 1);
  }
  self.close();
};
