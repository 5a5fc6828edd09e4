// A small line chart on a canvas: axes with ticks, a few series, sharp on high-DPI screens.
// Drawing only; what to draw comes from charts.ts.
export interface Series {
  points: Array<[number, number]>;
  color: string;
  width: number;
  dots?: number; // a dot of this radius at each point (a one-epoch run is a dot, not a line)
  dash?: number[]; // a dashed line: setLineDash's lengths
}

export interface ChartSpec {
  xMax: number; // x from 0 to xMax (epochs)
  yMin: number;
  yMax: number;
  yFormat: (v: number) => string;
  series: Series[];
  empty: string; // drawn when there is nothing yet
}

const colors = { axis: '#94a3b8', grid: '#e2e8f0', text: '#475569' };

export function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

// `size` is the canvas's CSS size, measured by a ResizeObserver (reading clientWidth here would force a layout).
export function drawChart(canvas: HTMLCanvasElement, size: { width: number; height: number }, spec: ChartSpec): void {
  const ratio = window.devicePixelRatio || 1;
  const cssWidth = size.width || 320;
  const cssHeight = size.height || 200;
  if (canvas.width !== Math.round(cssWidth * ratio) || canvas.height !== Math.round(cssHeight * ratio)) {
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
  }
  const c = canvas.getContext('2d');
  if (!c) return;
  c.setTransform(ratio, 0, 0, ratio, 0, 0);
  c.clearRect(0, 0, cssWidth, cssHeight);
  c.font = '11px system-ui, sans-serif';

  const pad = { left: 44, right: 10, top: 10, bottom: 24 };
  const w = cssWidth - pad.left - pad.right;
  const h = cssHeight - pad.top - pad.bottom;
  const span = spec.yMax - spec.yMin || 1;
  const x = (v: number) => pad.left + (v / Math.max(spec.xMax, 1e-9)) * w;
  const y = (v: number) => pad.top + h - ((v - spec.yMin) / span) * h;

  // Grid and y ticks.
  c.strokeStyle = colors.grid;
  c.fillStyle = colors.text;
  c.lineWidth = 1;
  c.textAlign = 'right';
  c.textBaseline = 'middle';
  const yStep = niceStep(span, Math.max(4, Math.floor(h / 45))); // a tick about every 45 px or more, at least 4
  for (let v = Math.ceil(spec.yMin / yStep) * yStep; v <= spec.yMax + 1e-9; v += yStep) {
    c.beginPath();
    c.moveTo(pad.left, Math.round(y(v)) + 0.5);
    c.lineTo(pad.left + w, Math.round(y(v)) + 0.5);
    c.stroke();
    c.fillText(spec.yFormat(v), pad.left - 6, y(v));
  }
  // x ticks (epochs).
  c.textAlign = 'center';
  c.textBaseline = 'top';
  const xStep = Math.max(1, niceStep(spec.xMax, Math.max(2, Math.floor(w / 50))));
  for (let v = 0; v <= spec.xMax + 1e-9; v += xStep) c.fillText(String(Math.round(v)), x(v), pad.top + h + 6);
  c.strokeStyle = colors.axis;
  c.beginPath();
  c.moveTo(pad.left + 0.5, pad.top);
  c.lineTo(pad.left + 0.5, pad.top + h + 0.5);
  c.lineTo(pad.left + w, pad.top + h + 0.5);
  c.stroke();

  const anything = spec.series.some((s) => s.points.length > 0);
  if (!anything) {
    c.fillStyle = colors.text;
    c.textAlign = 'center';
    c.textBaseline = 'middle';
    c.fillText(spec.empty, pad.left + w / 2, pad.top + h / 2);
    return;
  }

  c.save();
  c.beginPath();
  c.rect(pad.left, pad.top - 4, w + 4, h + 8);
  c.clip();
  for (const s of spec.series) {
    if (s.points.length === 0) continue;
    c.strokeStyle = s.color;
    c.fillStyle = s.color;
    c.lineWidth = s.width;
    c.lineJoin = 'round';
    c.setLineDash(s.dash ?? []);
    c.beginPath();
    s.points.forEach(([px, py], i) => (i === 0 ? c.moveTo(x(px), y(py)) : c.lineTo(x(px), y(py))));
    c.stroke();
    c.setLineDash([]);
    if (s.dots)
      for (const [px, py] of s.points) {
        c.beginPath();
        c.arc(x(px), y(py), s.dots, 0, 2 * Math.PI);
        c.fill();
      }
  }
  c.restore();
}
