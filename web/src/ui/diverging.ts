// The diverging colour scale both explanation panels draw on: blue for negative, white at zero, red for
// positive, symmetric around zero (each picture scaled by its own largest magnitude), and the signed bars
// beside the pictures. Drawing only: the numbers come from the core (include/mnist/explain.hpp).
import { el } from './dom';

type Rgb = readonly [number, number, number];
export const NEGATIVE: Rgb = [33, 102, 172]; // ColorBrewer RdBu's ends: told apart by red-green colour-blind eyes
export const POSITIVE: Rgb = [178, 24, 43];

/** The largest |v| of values[offset, offset + n), or 1 when all are zero (so zero maps to white). */
export function magnitude(values: ArrayLike<number>, offset = 0, n = values.length): number {
  let m = 0;
  for (let i = offset; i < offset + n; ++i) m = Math.max(m, Math.abs(values[i]));
  return m > 0 ? m : 1;
}

// The scale as 511 colours, index 255 + round(255 v / scale): one table look-up per pixel, so a grid of 64
// pictures draws in a millisecond or two even before the JIT has warmed up.
const LEVELS = 255;
const PALETTE = (() => {
  const table = new Uint8ClampedArray((2 * LEVELS + 1) * 4);
  for (let i = 0; i <= 2 * LEVELS; ++i) {
    const t = (i - LEVELS) / LEVELS;
    const end = t < 0 ? NEGATIVE : POSITIVE;
    const a = Math.abs(t);
    table.set([255 + a * (end[0] - 255), 255 + a * (end[1] - 255), 255 + a * (end[2] - 255), 255], i * 4);
  }
  return table;
})();
const PALETTE32 = new Uint32Array(PALETTE.buffer); // the same colours, one RGBA word each

/** Writes v / scale (clamped to [-1, 1]) as RGBA at data[at..at+4): white at 0, NEGATIVE at -1, POSITIVE at +1. */
export function putDiverging(data: Uint8ClampedArray, at: number, v: number, scale: number): void {
  const i = LEVELS + Math.round(Math.max(-LEVELS, Math.min(LEVELS, (LEVELS * v) / scale)));
  data[at] = PALETTE[i * 4];
  data[at + 1] = PALETTE[i * 4 + 1];
  data[at + 2] = PALETTE[i * 4 + 2];
  data[at + 3] = 255;
}

/** Draws 784 values from values[offset..] as a 28x28 picture at (x, y) of `image` (an ImageData of any size),
 *  symmetric around zero by their own largest magnitude. */
export function putPicture(image: ImageData, x: number, y: number, values: ArrayLike<number>, offset = 0): void {
  const gain = LEVELS / magnitude(values, offset, 784);
  const words = new Uint32Array(image.data.buffer, image.data.byteOffset, image.width * image.height);
  for (let r = 0; r < 28; ++r) {
    const at = (y + r) * image.width + x, from = offset + r * 28;
    for (let c = 0; c < 28; ++c) words[at + c] = PALETTE32[LEVELS + Math.round(Math.max(-LEVELS, Math.min(LEVELS, gain * values[from + c])))];
  }
}

/** A 28x28 canvas showing one picture. */
export function drawPicture(canvas: HTMLCanvasElement, values: ArrayLike<number>, offset = 0): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  const image = context.createImageData(28, 28);
  putPicture(image, 0, 0, values, offset);
  context.putImageData(image, 0, 0);
}

/** A bar for a signed value: a track with zero in the middle, filled right (positive) or left (negative). */
export class SignedBar {
  readonly element = el('span', { class: 'signed-track', 'aria-hidden': 'true' });
  private readonly fill = this.element.appendChild(el('span', { class: 'signed-fill' }));

  set(value: number, scale: number): void {
    const share = Math.min(1, Math.abs(value) / (scale || 1)) * 50;
    this.fill.style.width = `${share}%`;
    this.fill.style.left = value < 0 ? `${50 - share}%` : '50%';
    this.fill.classList.toggle('negative', value < 0);
  }
}

/** A signed value as text: "+0.42" or "−0.17" (a true minus sign). */
export function signed(value: number, digits = 2): string {
  const text = Math.abs(value).toFixed(digits);
  return value < 0 && Number(text) !== 0 ? `−${text}` : `+${text}`;
}
