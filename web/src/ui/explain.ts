// The "Why this prediction" panel: for the digit on the pad, the hidden units that pushed hardest for the
// predicted digit and against it (each unit's picture and its contribution a1[j] W2[j, c] as a signed bar)
// and the evidence map (input x gradient of the digit's score) on the diverging scale. Redrawn with every
// prediction. Drawing only: the core computes the explanation (include/mnist/explain.hpp).
import { EXPLAIN_UNITS, type Explanation } from '../protocol';
import type { AppState } from '../state';
import { SignedBar, drawPicture, magnitude, signed } from './diverging';
import { byId, el, setHidden, setText } from './dom';

export interface ExplainIntents {
  /** Whether the panel is displayed (not display: none, as a narrow layout or a user style may make it), so the
   *  worker explains predictions only when the panel can show them. Not tied to scrolling: an explanation costs
   *  under a millisecond, and one scrolled into view must already be there. */
  shown(visible: boolean): void;
}

interface Row {
  item: HTMLLIElement;
  picture: HTMLCanvasElement;
  name: HTMLElement;
  bar: SignedBar;
  value: HTMLElement;
}

function makeRows(list: HTMLElement): Row[] {
  return Array.from({ length: EXPLAIN_UNITS }, () => {
    const item = list.appendChild(el('li', { class: 'why-unit' }));
    const picture = el('canvas', { class: 'unit-picture', width: '28', height: '28', 'aria-hidden': 'true' });
    const name = el('span', { class: 'unit-name' });
    const bar = new SignedBar();
    const value = el('span', { class: 'value' });
    item.append(picture, name, bar.element, value);
    item.hidden = true;
    return { item, picture, name, bar, value };
  });
}

export function mountExplain(intents: ExplainIntents): (s: AppState, previous: AppState) => void {
  const card = byId('why-card');
  const summary = byId('why-summary');
  const forTitle = byId('why-for-title');
  const againstTitle = byId('why-against-title');
  const evidence = byId<HTMLCanvasElement>('evidence');
  const evidenceCaption = byId('evidence-caption');
  const body = byId('why-body');
  const pro = makeRows(byId('why-for'));
  const con = makeRows(byId('why-against'));

  function fill(rows: Row[], units: Uint32Array, values: Float32Array, images: Float32Array, first: number, scale: number): void {
    rows.forEach((row, i) => {
      setHidden(row.item, i >= units.length);
      if (row.item.hidden) return;
      drawPicture(row.picture, images, (first + i) * 784);
      setText(row.name, `Unit ${units[i]}`);
      row.bar.set(values[i], scale);
      setText(row.value, signed(values[i]));
    });
  }

  function show(e: Explanation | null | undefined): void {
    const start = performance.now();
    setHidden(body, !e);
    if (!e) {
      setText(summary, 'Draw a digit (with a model trained or training) to see which hidden units decide it.');
      return;
    }
    const c = e.predicted;
    setText(summary, `Score for ${c}: ${e.scores[c].toFixed(2)}, the output bias ${signed(e.bias)} plus every active unit's push (activation × weight to ${c}).`);
    setText(forTitle, `For ${c}`);
    setText(againstTitle, `Against ${c}`);
    const scale = Math.max(magnitude(e.proValues), magnitude(e.conValues));
    fill(pro, e.pro, e.proValues, e.images, 0, scale);
    fill(con, e.con, e.conValues, e.images, e.pro.length, scale);
    drawPicture(evidence, e.evidence);
    setText(evidenceCaption, `Evidence for ${c}: each pixel's ink × how much ink there raises the score (red) or lowers it (blue).`);
    performance.measure('why-this-prediction: draw', { start });
  }

  new ResizeObserver((entries) => intents.shown(entries.some((e) => e.contentRect.width > 0))).observe(card);
  show(null);

  return (s, previous) => {
    if (s.prediction === previous.prediction) return;
    const p = s.prediction;
    show(p && !p.empty && p.probabilities ? p.explanation : null);
  };
}
