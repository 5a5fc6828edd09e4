// The machine's f32x4 multiply-add ceiling for one WebAssembly thread, measured with a tiny module
// assembled here byte by byte (no toolchain): `peak(m: f32, n: i32) -> f32` runs n iterations of an
// unrolled body over C independent chain pairs
//     p_i = f32x4.mul(p_i, m)      (C multiply chains)
//     s_i = f32x4.add(s_i, p_i)    (C add chains)
// so C chains of each kind hide the latency of both instructions and every mul and add lane counts as
// one flop (a multiply-add is 2 flops, as in DESIGN.md's 0.82 Mflop per example). m is a run-time
// argument (1.0), so nothing can be constant-folded and the values neither overflow nor go denormal;
// the result sums every chain, so none is dead. Several chain counts are tried and the best is kept.

const SIMD = 0xfd;
const op = {
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  loop: 0x03,
  brIf: 0x0d,
  end: 0x0b,
  i32Const: 0x41,
  i32Sub: 0x6b,
  v128: 0x7b,
  f32: 0x7d,
  i32: 0x7f,
};
const f32x4Splat = [SIMD, 0x13];
const f32x4ExtractLane0 = [SIMD, 0x1f, 0];
const f32x4Add = [SIMD, 0xe4, 0x01];
const f32x4Mul = [SIMD, 0xe6, 0x01];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** The module's bytes for `chains` chain pairs and an inner body unrolled `unroll` times. */
export function peakModule(chains: number, unroll: number): Uint8Array<ArrayBuffer> {
  const m = 0;
  const n = 1;
  const mv = 2;
  const p = (i: number) => 3 + i;
  const s = (i: number) => 3 + chains + i;
  const code: number[] = [];
  code.push(op.localGet, m, ...f32x4Splat, op.localSet, mv);
  for (let i = 0; i < chains; ++i) {
    code.push(op.localGet, mv, op.localSet, p(i));
    code.push(op.localGet, mv, op.localSet, s(i));
  }
  code.push(op.loop, 0x40);
  for (let u = 0; u < unroll; ++u) {
    for (let i = 0; i < chains; ++i) code.push(op.localGet, p(i), op.localGet, mv, ...f32x4Mul, op.localSet, p(i));
    for (let i = 0; i < chains; ++i) code.push(op.localGet, s(i), op.localGet, p(i), ...f32x4Add, op.localSet, s(i));
  }
  code.push(op.localGet, n, op.i32Const, 1, op.i32Sub, op.localTee, n, op.brIf, 0, op.end);
  code.push(op.localGet, s(0));
  for (let i = 1; i < chains; ++i) code.push(op.localGet, s(i), ...f32x4Add);
  for (let i = 0; i < chains; ++i) code.push(op.localGet, p(i), ...f32x4Add);
  code.push(...f32x4ExtractLane0, op.end);
  const locals = [1, ...uleb(1 + 2 * chains), op.v128];
  const body = [...locals, ...code];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 2, op.f32, op.i32, 1, op.f32]),
    ...section(3, [1, 0]),
    ...section(7, [1, 4, ...[...'peak'].map((c) => c.charCodeAt(0)), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ];
  return new Uint8Array(bytes);
}

export interface PeakResult {
  gflops: number; // best over the variants and repeats
  chains: number; // the chain count that reached it
  variants: Record<string, number>; // chains -> best Gflop/s
}

type PeakKernel = (m: number, n: number) => number;
const UNROLL = 4;

export function instantiatePeak(bytes: Uint8Array<ArrayBuffer>): PeakKernel {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.peak as PeakKernel;
}

/** The iteration count that makes one call of `peak` last about `targetMs`. */
function calibrate(peak: PeakKernel, targetMs: number): number {
  for (let iters = 1 << 16; ; iters *= 4) {
    const t0 = performance.now();
    peak(1, iters);
    const ms = performance.now() - t0;
    if (ms > targetMs / 4) return Math.max(1, Math.round((iters * targetMs) / ms));
  }
}

/** Measures the peak: for each chain count, calibrates n to about `targetMs` and keeps the best of `repeats`. */
export async function measurePeak(targetMs = 150, repeats = 5, chainCounts = [4, 6, 8, 10, 12]): Promise<PeakResult> {
  const variants: Record<string, number> = {};
  let best = 0;
  let bestChains = 0;
  for (const chains of chainCounts) {
    const peak = instantiatePeak(peakModule(chains, UNROLL));
    const flopsPerIter = UNROLL * chains * 2 * 4;
    const iters = calibrate(peak, targetMs);
    let v = 0;
    for (let r = 0; r < repeats; ++r) {
      const t0 = performance.now();
      const out = peak(1, iters);
      const s = (performance.now() - t0) / 1000;
      if (!Number.isFinite(out)) throw new Error('peak kernel returned a non-finite value');
      v = Math.max(v, (iters * flopsPerIter) / s / 1e9);
    }
    variants[String(chains)] = v;
    if (v > best) {
      best = v;
      bestChains = chains;
    }
  }
  return { gflops: best, chains: bestChains, variants };
}

/**
 * What two threads can do at once on this machine right now: the peak kernel (`chains` chain pairs) on this
 * worker and, started at the same moment through shared memory, on a helper worker (peak-helper.ts).
 * Returns 2 x (one thread alone) / (both together), best times of `repeats` alternating measurements: 2 when
 * the two threads get a core each, 1 when they share one. This bounds what any threaded code can gain here,
 * so the bench reports the step's 2-thread speedup beside it. Needs cross-origin isolation (shared memory).
 */
export async function measurePeakPair(chains: number, targetMs = 150, repeats = 5): Promise<number> {
  const bytes = peakModule(chains, UNROLL);
  const peak = instantiatePeak(bytes);
  const iters = calibrate(peak, targetMs);
  const control = new Int32Array(new SharedArrayBuffer(8));
  const helper = new Worker(new URL('./peak-helper.ts', import.meta.url), { type: 'module' });
  try {
    await new Promise<void>((resolve, reject) => {
      helper.onmessage = () => resolve();
      helper.onerror = (e) => reject(new Error(`peak helper worker: ${e.message}`));
      helper.postMessage({ bytes, iters, control });
    });
    let alone = Infinity;
    let together = Infinity;
    for (let round = 1; round <= repeats; ++round) {
      let t0 = performance.now();
      peak(1, iters);
      alone = Math.min(alone, performance.now() - t0);
      t0 = performance.now();
      Atomics.store(control, 0, round);
      Atomics.notify(control, 0);
      peak(1, iters);
      while (Atomics.load(control, 1) !== round)
        if (Atomics.wait(control, 1, round - 1, 30000) === 'timed-out') throw new Error('peak helper worker stalled');
      together = Math.min(together, performance.now() - t0);
    }
    return (2 * alone) / together;
  } finally {
    Atomics.store(control, 0, -1);
    Atomics.notify(control, 0);
    helper.terminate();
  }
}
