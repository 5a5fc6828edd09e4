// The two training charts, loss and accuracy per epoch, with the kept runs overlaid (each in its colour:
// train solid, validation dashed) and the running one drawn on top, redrawn at each epoch's end; plus the
// per-batch loss of the latest run (faint), redrawn with every progress message (the accuracy chart, which
// has no batch points, only when its epochs or runs change: each canvas drawn costs the main thread a layer
// update, taken from the training threads' two cores).
import type { EpochRow } from '../protocol';
import { chartedRuns } from '../runs';
import { type AppState, smoothLoss } from '../state';
import { drawChart, type Series } from './chart';
import { byId } from './dom';
import { drawSoon } from './frames';

const BATCH_COLOUR = 'rgba(100, 116, 139, 0.6)';
const VALIDATION_DASH = [5, 4];

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** One run's curves on a chart: what to plot, in its colour, thicker and dotted while it trains. */
interface Curves {
  history: EpochRow[];
  validation: boolean;
  colour: string;
  live: boolean;
}

function seriesOf(c: Curves, train: (r: EpochRow) => number, validation: (r: EpochRow) => number): Series[] {
  const width = c.live ? 2.5 : 1.75;
  const dots = c.live ? 3 : 2.5;
  const series: Series[] = [{ points: c.history.map((r) => [r.epoch, train(r)]), color: c.colour, width, dots }];
  if (c.validation)
    series.push({ points: c.history.map((r) => [r.epoch, validation(r)]), color: c.colour, width, dots, dash: VALIDATION_DASH });
  return series;
}

export function mountCharts(): (s: AppState, previous: AppState) => void {
  const lossCanvas = byId<HTMLCanvasElement>('loss-chart');
  const accuracyCanvas = byId<HTMLCanvasElement>('accuracy-chart');
  let latest: AppState | null = null;
  const sizes = new Map<Element, { width: number; height: number }>();
  const sizeOf = (canvas: HTMLCanvasElement) => sizes.get(canvas) ?? { width: 0, height: 0 };
  let lossScale = { count: -1, value: 0 }; // the 97th percentile of batch losses, recomputed when they change
  let accuracyStale = true; // its epochs, the runs or its size changed since it was drawn

  // The runs on the charts now: the kept ones, and the running one on top; and the epochs the x axis spans.
  const charted = (s: AppState) => {
    const training = s.phase === 'training' || s.phase === 'paused';
    const curves: Curves[] = chartedRuns(s.runs, training).map((r) => ({
      history: r.history,
      validation: r.validationSize > 0,
      colour: r.colour,
      live: false,
    }));
    if (training && s.run) curves.push({ history: s.history, validation: s.run.validationSize > 0, colour: s.run.colour, live: true });
    const rows = curves.flatMap((c) => c.history.map((r) => ({ r, validation: c.validation })));
    const planned = training && s.run ? s.run.config.epochs : 0;
    const epochs = Math.max(planned, ...rows.map(({ r }) => r.epoch)) || 10;
    return { curves, rows, epochs };
  };

  const drawLoss = () => {
    const s = latest;
    if (!s) return;
    const { curves, rows, epochs } = charted(s);

    // The batch losses, smoothed as the stats show them (smoothLoss) and thinned to about two points per
    // pixel.
    const stride = Math.max(1, Math.floor(s.batchLosses.length / (2 * (sizeOf(lossCanvas).width || 400))));
    const smoothed: Array<[number, number]> = [];
    let average = NaN;
    s.batchLosses.forEach(([x, loss], i) => {
      average = smoothLoss(average, loss);
      if (i % stride === 0) smoothed.push([x, average]);
    });
    const batch: Series = { points: smoothed, color: BATCH_COLOUR, width: 1.5 };
    if (lossScale.count !== s.batchLosses.length)
      lossScale = { count: s.batchLosses.length, value: quantile(s.batchLosses.map((p) => p[1]), 0.97) };
    const lossValues = [...rows.flatMap(({ r, validation }) => (validation ? [r.trainLoss, r.validationLoss] : [r.trainLoss])), lossScale.value];
    drawChart(lossCanvas, sizeOf(lossCanvas), {
      xMax: epochs,
      yMin: 0,
      yMax: Math.max(0.1, ...lossValues.filter(Number.isFinite)) * 1.1,
      yFormat: (v) => v.toFixed(v < 1 ? 2 : 1),
      series: [batch, ...curves.flatMap((c) => seriesOf(c, (r) => r.trainLoss, (r) => r.validationLoss))],
      empty: 'Loss appears here while training',
    });
  };

  const drawAccuracy = () => {
    const s = latest;
    if (!s) return;
    accuracyStale = false;
    const { curves, rows, epochs } = charted(s);
    const accuracies = rows
      .flatMap(({ r, validation }) => (validation ? [r.trainAccuracy, r.validationAccuracy] : [r.trainAccuracy]))
      .filter((v) => v > 0);
    const low = accuracies.length ? Math.min(...accuracies) : 0.8;
    drawChart(accuracyCanvas, sizeOf(accuracyCanvas), {
      xMax: epochs,
      yMin: Math.max(0, Math.floor((low - 0.01) * 20) / 20),
      yMax: 1,
      yFormat: (v) => `${Math.round(v * 100)}%`,
      series: curves.flatMap((c) => seriesOf(c, (r) => r.trainAccuracy, (r) => r.validationAccuracy)),
      empty: 'Accuracy appears after the first epoch',
    });
  };
  // Each chart in a frame of its own when both are due (ui/frames.ts).
  const schedule = () => {
    drawSoon('loss chart', drawLoss);
    if (accuracyStale) drawSoon('accuracy chart', drawAccuracy);
  };
  const observer = new ResizeObserver((entries) => {
    for (const e of entries) sizes.set(e.target, { width: e.contentRect.width, height: e.contentRect.height });
    accuracyStale = true;
    schedule();
  });
  observer.observe(lossCanvas);
  observer.observe(accuracyCanvas);

  return (s, previous) => {
    latest = s;
    if (s.history !== previous.history || s.run?.config !== previous.run?.config || s.runs !== previous.runs || s.phase !== previous.phase)
      accuracyStale = true;
    if (accuracyStale || s.batchLosses !== previous.batchLosses || s.run !== previous.run) schedule();
  };
}
