// Canvas drawing by frames: each view queues its drawing here instead of calling requestAnimationFrame
// itself, and a frame runs queued drawings until it has spent BUDGET_MS, leaving the rest to the next
// frame. Every requestAnimationFrame callback of a frame runs in one task, and the charts and the unit grid
// take 5-20 ms each to draw here (text and pixels on a software canvas), so a Train click, which redraws all
// three, made one task of 40-100 ms (traced). A view queued again before its turn is drawn once.
const BUDGET_MS = 8;
const queued = new Map<string, () => void>(); // in the order first queued
let frame = 0;

/** Draws with `draw` in a coming frame (once, however often it is queued before then). */
export function drawSoon(view: string, draw: () => void): void {
  queued.set(view, draw);
  if (!frame) frame = requestAnimationFrame(drawFrame);
}

function drawFrame(): void {
  frame = 0;
  const start = performance.now();
  for (const [view, draw] of queued) {
    queued.delete(view);
    draw();
    if (performance.now() - start >= BUDGET_MS) break;
  }
  if (queued.size > 0 && !frame) frame = requestAnimationFrame(drawFrame);
}
