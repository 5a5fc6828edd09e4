// The drawing pad: pointer drawing (mouse, touch, pen) with a thick round stroke, keyboard drawing (arrows
// move a pen, Space puts it down or lifts it, Esc clears), Clear, and the live prediction: the digit alone in the role=status element, ten probability bars, and the 28x28 image the
// network is given. Asks for a prediction at most once per animation frame, and only one at a time.
import type { AppState } from '../state';
import { byId, drawDigit, el, setText } from './dom';

export interface PadIntents {
  /** ink: (height, width) row-major in [0, 1]; call done() when its prediction has arrived. */
  ink(ink: Float32Array, width: number, height: number): void;
  clear(): void;
}

export interface Pad {
  render(s: AppState, previous: AppState): void;
  predictionArrived(): void;
  /** Asks again for the current drawing (e.g. when a model has become available). */
  refresh(): void;
  /** The drawing's ink now (as ink() gets it), or null when the pad is empty. */
  capture(): { ink: Float32Array; width: number; height: number } | null;
  clear(): void;
}

export function mountPad(intents: PadIntents): Pad {
  const canvas = byId<HTMLCanvasElement>('pad');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const status = byId('prediction');
  const digit28 = byId<HTMLCanvasElement>('digit28');
  const bars = byId('bars');
  const barFills: HTMLElement[] = [];
  const barValues: HTMLElement[] = [];
  for (let d = 0; d < 10; ++d) {
    const item = el('li', { class: 'bar' });
    const track = el('span', { class: 'track' });
    const fill = track.appendChild(el('span', { class: 'fill' }));
    const value = el('span', { class: 'value' }, '');
    item.append(el('span', { class: 'digit' }, String(d)), track, value);
    bars.append(item);
    barFills.push(fill);
    barValues.push(value);
  }

  let drawing = false;
  let hasInk = false;
  let last: { x: number; y: number } | null = null;
  let dirty = false;
  let inFlight = false;
  let frame = 0;

  const lineWidth = () => canvas.width / 12; // about 2 px of MNIST's 20 px digit box at full size
  const point = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * canvas.width, y: ((e.clientY - r.top) / r.height) * canvas.height };
  };
  const strokeTo = (p: { x: number; y: number }) => {
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.lineWidth = lineWidth();
    context.strokeStyle = '#0f172a';
    context.beginPath();
    context.moveTo(last?.x ?? p.x, last?.y ?? p.y);
    context.lineTo(p.x, p.y);
    context.stroke();
    last = p;
    hasInk = true;
    dirty = true;
    schedule();
  };

  const send = () => {
    frame = 0;
    if (!dirty || inFlight) return;
    dirty = false;
    inFlight = true;
    const { ink, width, height } = readInk();
    intents.ink(ink, width, height);
  };
  const readInk = () => {
    const { width, height } = canvas;
    const rgba = context.getImageData(0, 0, width, height).data;
    const ink = new Float32Array(width * height);
    for (let i = 0; i < ink.length; ++i) ink[i] = rgba[i * 4 + 3] / 255; // alpha: the stroke's coverage
    return { ink, width, height };
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(send);
  };

  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    drawing = true;
    last = null;
    strokeTo(point(e));
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const c of events.length ? events : [e]) strokeTo(point(c));
  });
  const end = () => {
    drawing = false;
    last = null;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  const clear = () => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    hasInk = false;
    dirty = false;
    intents.clear();
  };
  byId('clear').addEventListener('click', clear);

  // The keyboard's pen: one step is one pixel of the 28x28 image the network sees, Shift makes it four.
  const penMark = byId('pen');
  const pen = { x: canvas.width / 2, y: canvas.height / 2, down: false };
  const showPen = () => {
    penMark.style.left = `${(pen.x / canvas.width) * 100}%`;
    penMark.style.top = `${(pen.y / canvas.height) * 100}%`;
    penMark.classList.toggle('down', pen.down);
  };
  const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  canvas.addEventListener('keydown', (e) => {
    const move = moves[e.key];
    if (move) {
      const step = (canvas.width / 28) * (e.shiftKey ? 4 : 1);
      pen.x = Math.min(canvas.width, Math.max(0, pen.x + move[0] * step));
      pen.y = Math.min(canvas.height, Math.max(0, pen.y + move[1] * step));
      if (pen.down) strokeTo({ x: pen.x, y: pen.y });
    } else if (e.key === ' ' || e.key === 'Enter') {
      pen.down = !pen.down;
      last = null;
      if (pen.down) strokeTo({ x: pen.x, y: pen.y });
    } else if (e.key === 'Escape' || e.key === 'Delete' || e.key === 'Backspace') {
      pen.down = false;
      clear();
    } else return;
    e.preventDefault(); // no page scrolling while drawing
    showPen();
  });
  canvas.addEventListener('blur', () => {
    pen.down = false;
    last = null;
    showPen();
  });
  showPen();

  return {
    predictionArrived() {
      inFlight = false;
      if (dirty) schedule();
    },
    capture: () => (hasInk ? readInk() : null),
    clear: () => {
      pen.down = false;
      showPen();
      clear();
    },
    refresh() {
      if (hasInk) {
        dirty = true;
        schedule();
      }
    },
    render(s, previous) {
      if (s.prediction === previous.prediction && s.hasModel === previous.hasModel && s.phase === previous.phase) return;
      const p = s.prediction;
      const probabilities = p && !p.empty ? p.probabilities : null;
      let best = -1;
      if (probabilities) best = probabilities.indexOf(Math.max(...probabilities));
      const canPredict = s.hasModel || s.phase === 'training' || s.phase === 'paused';
      setText(
        status,
        best >= 0 ? String(best) : !canPredict ? 'Train a model first' : 'Draw a digit',
      );
      status.classList.toggle('guess', best >= 0);
      for (let d = 0; d < 10; ++d) {
        const v = probabilities ? probabilities[d] : 0;
        barFills[d].style.width = `${(v * 100).toFixed(1)}%`;
        barFills[d].parentElement!.parentElement!.classList.toggle('best', d === best);
        setText(barValues[d], probabilities ? `${Math.round(v * 100)}%` : '');
      }
      drawDigit(digit28, p ? p.image : new Float32Array(784));
    },
  };
}
