// The "Hidden unit weights" panel: the strongest hidden units' incoming weights as 28x28 pictures in a grid
// on the diverging scale (redrawn as the worker sends them, live while training), and one unit's details
// (index, weights to the ten outputs, how often it is active on the test set; dead units marked) on hover,
// tap or the arrow keys; until the user picks one, the strongest unit's (largest incoming weights). Drawing
// only: which units, and every number, come from the core via the worker.
import type { AppState } from '../state';
import { SignedBar, magnitude, putPicture, signed } from './diverging';
import { byId, el, setHidden, setText } from './dom';
import { drawSoon } from './frames';

const TILE = 28;
const GAP = 2;
const COLUMNS = 8;

export interface UnitsIntents {
  /** Whether the panel is on screen, so the worker sends live pictures only while someone can see them. */
  shown(visible: boolean): void;
}

export function mountUnits(intents: UnitsIntents): (s: AppState, previous: AppState) => void {
  const card = byId('units-card');
  const canvas = byId<HTMLCanvasElement>('units');
  const context = canvas.getContext('2d')!;
  const cursor = byId('unit-cursor');
  const note = byId('units-note');
  const title = byId('unit-title');
  const activityText = byId('unit-activity');
  const list = byId('unit-outputs');
  const bars = Array.from({ length: 10 }, (_, c) => {
    const bar = new SignedBar();
    const value = el('span', { class: 'value' });
    const row = list.appendChild(el('li', { class: 'signed-row' }));
    row.append(el('span', { class: 'digit' }, String(c)), bar.element, value);
    return { bar, value };
  });
  let state: AppState | null = null;
  let selectedUnit = -1; // the unit the user picked, kept while it stays in the grid; else the strongest is shown
  let onScreen = false; // drawn only while on screen: a picture no one sees costs the main thread nothing
  let stale = false; // pictures arrived while off screen

  const shown = () => state?.units ?? null;
  const picked = () => positionOf(selectedUnit) >= 0;
  const detailUnit = () => (picked() ? selectedUnit : (shown()?.strongest ?? -1));
  const positionOf = (unit: number) => (shown() ? Array.from(shown()!.units).indexOf(unit) : -1);
  const dead = (unit: number) => {
    const a = state?.activity;
    return !!a && a.counts.length === shown()?.hidden && a.counts[unit] === 0;
  };

  function draw(): void {
    const start = performance.now();
    const u = shown();
    const n = u ? u.units.length : 0;
    const rows = Math.max(1, Math.ceil(n / COLUMNS));
    const width = COLUMNS * (TILE + GAP) - GAP, height = rows * (TILE + GAP) - GAP;
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    const image = context.createImageData(width, height);
    image.data.fill(255);
    for (let i = 0; i < n; ++i) putPicture(image, (i % COLUMNS) * (TILE + GAP), Math.floor(i / COLUMNS) * (TILE + GAP), u!.images, i * 784);
    context.putImageData(image, 0, 0);
    // Dead units: greyed with a diagonal stroke, so they read as "never active" without hovering.
    context.fillStyle = 'rgba(100, 116, 139, 0.55)';
    context.strokeStyle = '#0f172a';
    for (let i = 0; i < n; ++i) {
      if (!dead(u!.units[i])) continue;
      const x = (i % COLUMNS) * (TILE + GAP), y = Math.floor(i / COLUMNS) * (TILE + GAP);
      context.fillRect(x, y, TILE, TILE);
      context.beginPath();
      context.moveTo(x + 3, y + TILE - 3);
      context.lineTo(x + TILE - 3, y + 3);
      context.stroke();
    }
    describe();
    performance.measure('hidden-unit-weights: draw', { start });
  }

  function describe(): void {
    const u = shown();
    if (!u) {
      setText(note, 'Train a model to see what its hidden units look for.');
    } else {
      const which = u.units.length === u.hidden ? `All ${u.hidden} units` : `The ${u.units.length} of ${u.hidden} units with the largest weights, in index order`;
      const when = u.epochs === null ? '' : ` · after ${u.epochs.toFixed(u.epochs % 1 === 0 ? 0 : 1)} epoch${u.epochs === 1 ? '' : 's'}`;
      setText(note, `${which}${when}. Red: ink there excites the unit; blue: ink there inhibits it.`);
    }
    const unit = detailUnit();
    const at = positionOf(unit);
    setHidden(cursor, at < 0);
    if (at < 0 || !u) {
      setText(title, 'Hover, tap or use the arrow keys on a unit');
      setText(activityText, '');
      bars.forEach(({ bar, value }) => (bar.set(0, 1), setText(value, '')));
      return;
    }
    const rows = Math.ceil(u.units.length / COLUMNS);
    Object.assign(cursor.style, {
      left: `${(100 * (at % COLUMNS) * (TILE + GAP)) / canvas.width}%`,
      top: `${(100 * Math.floor(at / COLUMNS) * (TILE + GAP)) / canvas.height}%`,
      width: `${(100 * TILE) / canvas.width}%`,
      height: `${(100 * TILE) / (rows * (TILE + GAP) - GAP)}%`,
    });
    setText(title, picked() ? `Unit ${unit}` : `Unit ${unit}, the strongest`);
    const a = state?.activity;
    if (a && a.counts.length === u.hidden) {
      const count = a.counts[unit];
      const total = a.total.toLocaleString('en-US');
      setText(
        activityText,
        count === 0 ? `Dead: never active on the ${total} test images` : `Active on ${((100 * count) / a.total).toFixed(1)} % of the ${total} test images`,
      );
    } else setText(activityText, 'Activity on the test set: shown once the model is tested');
    const scale = magnitude(u.outputs, at * 10, 10);
    bars.forEach(({ bar, value }, c) => {
      const w = u.outputs[at * 10 + c];
      bar.set(w, scale);
      setText(value, signed(w));
    });
  }

  function select(position: number): void {
    const u = shown();
    if (!u || position < 0 || position >= u.units.length) return;
    selectedUnit = u.units[position];
    describe();
  }

  function tileAt(event: PointerEvent): number {
    const rect = canvas.getBoundingClientRect();
    const x = ((event.clientX - rect.left) * canvas.width) / rect.width;
    const y = ((event.clientY - rect.top) * canvas.height) / rect.height;
    const col = Math.floor(x / (TILE + GAP)), row = Math.floor(y / (TILE + GAP));
    return col >= 0 && col < COLUMNS && row >= 0 ? row * COLUMNS + col : -1;
  }

  // The tile under a resting mouse: when training refreshes the grid, the detail follows the unit now drawn
  // there, rather than jumping to the strongest once the picked unit leaves the grid.
  let hoveredTile = -1;
  canvas.addEventListener('pointermove', (e) => {
    if (e.pointerType !== 'mouse') return;
    hoveredTile = tileAt(e);
    select(hoveredTile);
  });
  canvas.addEventListener('pointerleave', () => (hoveredTile = -1));
  canvas.addEventListener('pointerdown', (e) => select(tileAt(e))); // a tap (and a click)
  canvas.addEventListener('keydown', (e) => {
    const u = shown();
    if (!u) return;
    const at = Math.max(0, positionOf(detailUnit()));
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -COLUMNS, ArrowDown: COLUMNS, Home: -at, End: u.units.length - 1 - at };
    if (e.key === 'Escape' && picked()) {
      e.preventDefault();
      selectedUnit = -1; // back to the strongest
      return describe();
    }
    if (!(e.key in moves)) return;
    e.preventDefault();
    select(Math.max(0, Math.min(u.units.length - 1, at + moves[e.key])));
  });
  const redraw = () => {
    stale = !onScreen;
    if (onScreen) drawSoon('unit grid', draw); // in its own frame when the charts draw too (ui/frames.ts)
  };
  new IntersectionObserver((entries) => {
    onScreen = entries.some((e) => e.isIntersecting);
    intents.shown(onScreen);
    if (onScreen && stale) redraw();
  }).observe(card);

  return (s, previous) => {
    state = s;
    if (s.units !== previous.units && hoveredTile >= 0 && s.units && hoveredTile < s.units.units.length)
      selectedUnit = s.units.units[hoveredTile];
    if (s.units !== previous.units || s.activity !== previous.activity) redraw();
  };
}
