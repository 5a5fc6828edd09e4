// Results after training: the test accuracy (no digits until training has finished), the confusion
// matrix as a heat-map table, and a gallery of misclassified test digits with true and predicted labels.
import type { TestResult } from '../protocol';
import type { AppState } from '../state';
import { byId, el, setText } from './dom';

type Rgb = [number, number, number];
const BLUE: Rgb = [37, 99, 235];
const ORANGE: Rgb = [234, 88, 12];
const INK: Rgb = [15, 23, 42];

function blendOnWhite(colour: Rgb, alpha: number): Rgb {
  return colour.map((c) => Math.round(alpha * c + (1 - alpha) * 255)) as Rgb;
}

// WCAG's relative luminance and contrast ratio: a cell's count is written in white or in ink, whichever
// reads better on its tint (axe checks it; a fixed white failed on the light tints).
function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function readableOn(background: Rgb): string {
  const l = luminance(background);
  const onWhite = 1.05 / (l + 0.05);
  const onInk = (l + 0.05) / (luminance(INK) + 0.05);
  return onWhite > onInk ? '#fff' : `rgb(${INK.join(', ')})`;
}

function renderConfusion(container: HTMLElement, test: TestResult | null): void {
  container.replaceChildren();
  if (!test) return;
  const table = el('table');
  table.append(el('caption', {}, 'Rows: true digit · columns: predicted digit'));
  const head = el('tr');
  head.append(el('td', { class: 'corner' }, '')); // a header cell would have no text (axe: empty-table-header)
  for (let p = 0; p < 10; ++p) head.append(el('th', { scope: 'col' }, String(p)));
  table.appendChild(el('thead')).append(head);
  const body = table.appendChild(el('tbody'));
  for (let t = 0; t < 10; ++t) {
    const row = body.appendChild(el('tr'));
    row.append(el('th', { scope: 'row' }, String(t)));
    const rowTotal = test.confusion.slice(t * 10, t * 10 + 10).reduce((a, b) => a + b, 0) || 1;
    for (let p = 0; p < 10; ++p) {
      const count = test.confusion[t * 10 + p];
      const share = count / rowTotal;
      const cell = row.appendChild(el('td', { title: `true ${t}, predicted ${p}: ${count}` }, String(count)));
      const tint: [Rgb, number] | null =
        t === p ? [BLUE, 0.15 + 0.7 * share] : count > 0 ? [ORANGE, Math.min(0.85, 0.12 + 4 * share)] : null;
      if (tint) {
        const background = blendOnWhite(...tint);
        cell.style.background = `rgb(${background.join(', ')})`;
        cell.style.color = readableOn(background);
      }
      if (count === 0) cell.classList.add('zero');
    }
  }
  container.append(table);
}

// The gallery is one sprite image (all digits side by side, drawn into a canvas that is never shown) and one
// tile per digit showing its part of the sprite: a single paint, however many digits there are.
let spriteUrl = '';

function renderGallery(container: HTMLElement, test: TestResult | null): void {
  container.replaceChildren();
  if (spriteUrl) URL.revokeObjectURL(spriteUrl);
  spriteUrl = '';
  if (!test) return;
  const items = test.misclassified;
  if (items.length === 0) {
    container.append(el('p', { class: 'muted' }, 'No test digit was misclassified.'));
    return;
  }
  const sprite = el('canvas', { width: String(28 * items.length), height: '28' });
  const context = sprite.getContext('2d')!;
  const image = context.createImageData(28 * items.length, 28);
  items.forEach((m, i) => {
    for (let y = 0; y < 28; ++y)
      for (let x = 0; x < 28; ++x) {
        const o = (y * 28 * items.length + i * 28 + x) * 4;
        const v = 255 - m.pixels[y * 28 + x];
        image.data[o] = image.data[o + 1] = image.data[o + 2] = v;
        image.data[o + 3] = 255;
      }
  });
  context.putImageData(image, 0, 0);
  const tiles = items.map((m, i) => {
    const figure = el('figure', { class: 'wrong' });
    const tile = el('div', { class: 'tile', role: 'img', 'aria-label': `test image ${m.index}: true ${m.label}, predicted ${m.predicted}` });
    tile.style.backgroundSize = `${items.length * 100}% 100%`;
    tile.style.backgroundPosition = `${items.length > 1 ? (i / (items.length - 1)) * 100 : 0}% 0`;
    const caption = el('figcaption', { 'aria-hidden': 'true' });
    caption.append(el('span', { class: 'true' }, String(m.label)), ' → ', el('span', { class: 'predicted' }, String(m.predicted)));
    figure.append(tile, caption);
    return { figure, tile };
  });
  container.append(...tiles.map((t) => t.figure));
  sprite.toBlob((blob) => {
    if (!blob || !container.contains(tiles[0].figure)) return;
    spriteUrl = URL.createObjectURL(blob);
    for (const t of tiles) t.tile.style.backgroundImage = `url(${spriteUrl})`;
  });
}

export function mountResults(): (s: AppState, previous: AppState) => void {
  const accuracy = byId('test-accuracy');
  const detail = byId('test-detail');
  const confusion = byId('confusion');
  const gallery = byId('gallery');
  // On a phone the gallery starts folded: hundreds of tiles would push the rest of the page far down.
  if (matchMedia('(max-width: 600px)').matches) byId<HTMLDetailsElement>('gallery-panel').open = false;

  return (s, previous) => {
    if (s.test === previous.test && s.phase === previous.phase && s.testAvailable === previous.testAvailable) return;
    const t = s.test;
    setText(accuracy, t ? `${(t.accuracy * 100).toFixed(2)}%` : '—');
    setText(
      detail,
      t
        ? `${t.count - t.wrongCount} of ${t.count} test images right` +
            (s.finishedReason === 'stopped' ? ' (training was stopped early)' : '') +
            `; ${t.wrongCount} wrong, the first ${t.misclassified.length} shown below.`
        : s.phase === 'training' || s.phase === 'paused'
          ? 'Shown when training has finished.'
          : s.hasModel && s.testAvailable === 0
            ? 'The model is tested as soon as the test images have loaded.'
            : 'Train a model to see how it does on the test images.',
    );
    if (s.test !== previous.test) {
      renderConfusion(confusion, t);
      renderGallery(gallery, t);
    }
  };
}
