// The two training charts: loss and accuracy per epoch, train vs validation, redrawn at each epoch's end,
// plus the per-batch loss of the epochs so far (faint), redrawn with every progress message.
import type { AppState } from '../state';
import { drawChart, type Series } from './chart';
import { byId } from './dom';

const palette = { train: '#2563eb', validation: '#ea580c', batch: 'rgba(100, 116, 139, 0.6)' };

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function mountCharts(): (s: AppState, previous: AppState) => void {
  const lossCanvas = byId<HTMLCanvasElement>('loss-chart');
  const accuracyCanvas = byId<HTMLCanvasElement>('accuracy-chart');
  let latest: AppState | null = null;
  let frame = 0;
  const sizes = new Map<Element, { width: number; height: number }>();
  const sizeOf = (canvas: HTMLCanvasElement) => sizes.get(canvas) ?? { width: 0, height: 0 };
  let lossScale = { count: -1, value: 0 }; // the 97th percentile of batch losses, recomputed when they change

  const draw = () => {
    frame = 0;
    const s = latest;
    if (!s) return;
    const epochs = s.run?.config.epochs ?? 10;
    const h = s.history;
    const trainLoss: Series = { points: h.map((r) => [r.epoch, r.trainLoss]), color: palette.train, width: 2, dots: true };
    const validationLoss: Series = {
      points: h.filter(() => (s.run?.validationSize ?? 1) > 0).map((r) => [r.epoch, r.validationLoss]),
      color: palette.validation,
      width: 2,
      dots: true,
    };
    // The batch losses, smoothed (an exponential moving average over about 10 points) and thinned to
    // about two points per pixel.
    const stride = Math.max(1, Math.floor(s.batchLosses.length / (2 * (sizeOf(lossCanvas).width || 400))));
    const smoothed: Array<[number, number]> = [];
    let average = NaN;
    s.batchLosses.forEach(([x, loss], i) => {
      average = Number.isFinite(average) ? 0.9 * average + 0.1 * loss : loss;
      if (i % stride === 0) smoothed.push([x, average]);
    });
    const batch: Series = { points: smoothed, color: palette.batch, width: 1.5 };
    if (lossScale.count !== s.batchLosses.length)
      lossScale = { count: s.batchLosses.length, value: quantile(s.batchLosses.map((p) => p[1]), 0.97) };
    const lossValues = [...h.flatMap((r) => [r.trainLoss, r.validationLoss]), lossScale.value];
    drawChart(lossCanvas, sizeOf(lossCanvas), {
      xMax: epochs,
      yMin: 0,
      yMax: Math.max(0.1, ...lossValues) * 1.1,
      yFormat: (v) => v.toFixed(v < 1 ? 2 : 1),
      series: [batch, trainLoss, validationLoss],
      empty: 'Loss appears here while training',
    });

    const accuracies = h.flatMap((r) => [r.trainAccuracy, r.validationAccuracy]).filter((v) => v > 0);
    const low = accuracies.length ? Math.min(...accuracies) : 0.8;
    drawChart(accuracyCanvas, sizeOf(accuracyCanvas), {
      xMax: epochs,
      yMin: Math.max(0, Math.floor((low - 0.01) * 20) / 20),
      yMax: 1,
      yFormat: (v) => `${Math.round(v * 100)}%`,
      series: [
        { points: h.map((r) => [r.epoch, r.trainAccuracy]), color: palette.train, width: 2, dots: true },
        {
          points: h.filter(() => (s.run?.validationSize ?? 1) > 0).map((r) => [r.epoch, r.validationAccuracy]),
          color: palette.validation,
          width: 2,
          dots: true,
        },
      ],
      empty: 'Accuracy appears after the first epoch',
    });
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(draw);
  };
  const observer = new ResizeObserver((entries) => {
    for (const e of entries) sizes.set(e.target, { width: e.contentRect.width, height: e.contentRect.height });
    schedule();
  });
  observer.observe(lossCanvas);
  observer.observe(accuracyCanvas);

  return (s, previous) => {
    latest = s;
    if (s.history !== previous.history || s.batchLosses !== previous.batchLosses || s.run !== previous.run) schedule();
  };
}
