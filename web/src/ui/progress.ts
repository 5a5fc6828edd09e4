// The build badge, the data download indicator, and the training progress bar with its figures
// (epoch, samples/s, time left, batch loss).
import type { AppState } from '../state';
import { byId, setHidden, setProgress, setText } from './dom';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function mountProgress(): (s: AppState) => void {
  const badge = byId('build');
  const dataStatus = byId('data-status');
  const dataText = byId('data-text');
  const dataBar = byId<HTMLProgressElement>('data-progress');
  const bar = byId<HTMLProgressElement>('train-progress');
  const epoch = byId('stat-epoch');
  const rate = byId('stat-rate');
  const left = byId('stat-left');
  const loss = byId('stat-loss');

  return (s) => {
    if (s.build) {
      // While a run trains on fewer threads than the build has because the core's governor found the
      // others' cores busy (another program runs there), say so; not while a run starts on one thread.
      const using = s.phase === 'training' && s.run?.heldBack ? s.run.threads : 0;
      const fewer = using > 0 && using < s.build.threads;
      const busy = s.build.threads - using === 1 ? 'the other core is busy' : 'the other cores are busy';
      const threads = fewer
        ? ` · ${using} of ${s.build.threads} threads (${busy})`
        : s.build.threads > 1
          ? ` · ${s.build.threads} threads`
          : '';
      setText(badge, (s.build.simd ? 'WebAssembly SIMD' : 'WebAssembly (no SIMD)') + threads);
      badge.classList.toggle('simd', s.build.simd);
      badge.title = !s.build.simd
        ? `Scalar build: ${s.simdUnavailable ?? 'no WebAssembly SIMD'}`
        : s.build.maxThreads > 1
          ? `SIMD build, ${s.build.kernels} kernels, ${s.build.threads} of up to ${s.build.maxThreads} threads`
          : `SIMD build, ${s.build.kernels} kernels, one thread${s.threadsUnavailable ? `: ${s.threadsUnavailable}` : ''}`;
    }

    if (s.dataProgress) {
      const { loaded, total } = s.dataProgress;
      setHidden(dataStatus, false);
      setProgress(dataBar, loaded, Math.max(1, total));
      const mb = `${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`;
      setText(
        dataText,
        s.trainAvailable > 0
          ? `${number.format(s.trainAvailable)} training images loaded, training can start; test images: ${mb}`
          : `Loading ${s.dataLabel} (${mb})`,
      );
    } else if (s.trainAvailable > 0) {
      setHidden(dataStatus, false);
      setProgress(dataBar, 1, 1);
      setText(
        dataText,
        `${number.format(s.trainAvailable)} training and ${number.format(s.testAvailable)} test images loaded`,
      );
    }

    const r = s.run;
    if (!r) {
      setProgress(bar, 0, bar.max);
      for (const e of [epoch, rate, left, loss]) setText(e, '–');
      return;
    }
    setProgress(bar, r.examplesDone, Math.max(1, r.totalExamples));
    const running = Math.min(r.config.epochs, r.epochsDone + (s.phase === 'finished' ? 0 : 1));
    setText(epoch, `${running} / ${r.config.epochs}`);
    setText(rate, r.samplesPerSecond > 0 ? number.format(r.samplesPerSecond) : '–');
    const remaining = r.totalExamples - r.examplesDone;
    setText(
      left,
      s.phase === 'finished'
        ? '0 s'
        : r.samplesPerSecond > 0
          ? formatDuration(remaining / r.samplesPerSecond)
          : '–',
    );
    setText(loss, Number.isFinite(r.loss) ? r.loss.toFixed(4) : '–');
  };
}
