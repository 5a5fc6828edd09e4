// Small DOM helpers for the ui/* modules (the only modules that touch the DOM).
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Sets textContent only when it changed (keeps screen readers from re-announcing). */
export function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Shows or hides an element, touching it only on a change: setting `hidden` again to the same value still
 * restyles the element (a progress message renders the page about five times a second). */
export function setHidden(element: HTMLElement, hidden: boolean): void {
  if (element.hidden !== hidden) element.hidden = hidden;
}

/** Sets a progress bar, touching it only on a change (each write restyles the bar's inner parts). */
export function setProgress(bar: HTMLProgressElement, value: number, max: number): void {
  if (bar.max !== max) bar.max = max;
  if (bar.value !== value) bar.value = value;
}

/** Draws a 28x28 image (values in [0, 1] or [0, 255]) as dark ink on white into a 28x28 canvas. */
export function drawDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, scale = 1): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  const image = context.createImageData(28, 28);
  for (let i = 0; i < 784; ++i) {
    const ink = Math.max(0, Math.min(1, pixels[i] * scale));
    const v = Math.round(255 * (1 - ink));
    image.data[i * 4] = v;
    image.data[i * 4 + 1] = v;
    image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}
