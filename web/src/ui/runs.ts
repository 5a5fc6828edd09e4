// The "Runs" table (every kept run: its colour, settings, results and what can be done with it) and the
// charts' legend (the runs drawn, the running one last, and which line is which). Rows are kept per run
// and updated in place, so a button keeps keyboard focus across updates.
import { chartedRuns, describeRun, type RunRecord } from '../runs';
import type { AppState } from '../state';
import { byId, el, setHidden, setText } from './dom';

export interface RunIntents {
  setHidden(id: number, hidden: boolean): void;
  remove(id: number): void;
  undo(): void; // brings the last deleted run back
  restore(id: number): void;
}

interface Row {
  tr: HTMLTableRowElement;
  swatch: HTMLElement;
  name: HTMLElement;
  settings: HTMLElement;
  accuracy: HTMLElement;
  seconds: HTMLElement;
  rate: HTMLElement;
  toggle: HTMLButtonElement;
  restore: HTMLButtonElement;
  run: RunRecord | null;
}

const REASONS: Record<RunRecord['reason'], string> = { completed: '', stopped: ' (stopped)', diverged: ' (diverged)' };

export function mountRuns(intents: RunIntents): (s: AppState, previous: AppState) => void {
  const table = byId('runs');
  const body = table.querySelector('tbody')!;
  const empty = byId('runs-empty');
  const legend = byId('legend');
  const undoLine = byId('runs-undo');
  const undoText = byId('runs-undo-text');
  const undo = byId<HTMLButtonElement>('runs-undo-button');
  undo.addEventListener('click', () => {
    const id = latestDeleted;
    intents.undo();
    if (id !== null) (rows.get(id)?.tr.querySelector('button:last-child') as HTMLButtonElement | null)?.focus();
  });
  let latestDeleted: number | null = null;
  const rows = new Map<number, Row>();

  function makeRow(id: number): Row {
    const swatch = el('span', { class: 'run-swatch' });
    const name = el('span');
    // data-label: each number's heading, shown beside it where a phone lays a row out as a card.
    const cells = {
      settings: el('td', { class: 'run-settings' }),
      accuracy: el('td', { class: 'number', 'data-label': 'Test accuracy' }),
      seconds: el('td', { class: 'number', 'data-label': 'Seconds' }),
      rate: el('td', { class: 'number', 'data-label': 'Samples/s' }),
    };
    const toggle = el('button', { type: 'button' });
    const restore = el('button', { type: 'button', 'aria-label': `Use settings of run ${id}` }, 'Use settings');
    const remove = el('button', { type: 'button', 'aria-label': `Delete run ${id}` }, 'Delete');
    const row: Row = { tr: el('tr'), swatch, name, ...cells, toggle, restore, run: null };
    toggle.addEventListener('click', () => row.run && intents.setHidden(id, !row.run.hidden));
    restore.addEventListener('click', () => intents.restore(id));
    remove.addEventListener('click', () => {
      // Focus goes to the next run's Delete (or the previous one's), not to the page's top.
      const next = row.tr.nextElementSibling ?? row.tr.previousElementSibling;
      intents.remove(id);
      ((next?.querySelector('button:last-child') as HTMLButtonElement | null) ?? undo).focus();
    });
    const head = el('th', { scope: 'row' });
    head.append(swatch, name);
    const actions = el('td', { class: 'run-actions' });
    actions.append(toggle, restore, remove);
    row.tr.append(head, cells.settings, cells.accuracy, cells.seconds, cells.rate, actions);
    return row;
  }

  function update(row: Row, run: RunRecord): void {
    if (row.run === run) return;
    row.run = run;
    // A hidden run: a hollow swatch and the word (not faded text, which would fall below 4.5:1 contrast).
    row.swatch.style.background = run.hidden ? 'transparent' : run.colour;
    row.swatch.style.borderColor = run.colour;
    setText(row.name, `Run ${run.id}${REASONS[run.reason] ?? ''}${run.hidden ? ', hidden' : ''}`);
    setText(row.settings, describeRun(run.config, run.dataSet));
    setText(row.accuracy, run.testAccuracy === null ? '–' : `${(run.testAccuracy * 100).toFixed(2)}%`);
    setText(row.seconds, run.seconds.toFixed(1));
    setText(row.rate, Math.round(run.samplesPerSecond).toLocaleString('en-US'));
    setText(row.toggle, run.hidden ? 'Show' : 'Hide');
    row.toggle.setAttribute('aria-label', `${run.hidden ? 'Show' : 'Hide'} run ${run.id}`);
  }

  function renderTable(runs: readonly RunRecord[]): void {
    const ids = new Set(runs.map((r) => r.id));
    for (const [id, row] of rows) if (!ids.has(id)) (row.tr.remove(), rows.delete(id));
    runs.forEach((run, i) => {
      let row = rows.get(run.id);
      if (!row) rows.set(run.id, (row = makeRow(run.id)));
      update(row, run);
      if (body.children[i] !== row.tr) body.insertBefore(row.tr, body.children[i] ?? null);
    });
    setHidden(empty, runs.length > 0);
    setHidden(table, runs.length === 0);
  }

  function renderLegend(s: AppState): void {
    const training = s.phase === 'training' || s.phase === 'paused';
    const items = chartedRuns(s.runs, training).map((r) => legendItem(r.colour, `Run ${r.id}`));
    if (training && s.run) {
      const id = s.runs.reduce((max, r) => Math.max(max, r.id), 0) + 1;
      items.push(legendItem(s.run.colour, `Run ${id} (training)`));
    }
    items.push(legendItem('', 'Train', 'line-solid'), legendItem('', 'Validation', 'line-dashed'));
    if (s.batchLosses.length) items.push(legendItem('', 'Batch loss, smoothed (latest run)', 'line-batch'));
    legend.replaceChildren(...items);
  }

  let training = false;
  return (s, previous) => {
    if (s.runs !== previous.runs || !body.children.length) renderTable(s.runs);
    if (s.deletedRun !== previous.deletedRun || s === previous) {
      latestDeleted = s.deletedRun?.run.id ?? null;
      setHidden(undoLine, !s.deletedRun);
      if (s.deletedRun) {
        setText(undoText, `Run ${s.deletedRun.run.id} deleted.`);
        undo.setAttribute('aria-label', `Undo deleting run ${s.deletedRun.run.id}`);
      }
    }
    // A run's settings go into the form only between runs (the form is locked while one trains).
    const nowTraining = s.phase === 'training' || s.phase === 'paused';
    if (nowTraining !== training || s.runs !== previous.runs) for (const row of rows.values()) row.restore.disabled = nowTraining;
    training = nowTraining;
    const batchShown = (x: AppState) => x.batchLosses.length > 0;
    if (s.runs !== previous.runs || s.run?.colour !== previous.run?.colour || s.phase !== previous.phase || batchShown(s) !== batchShown(previous))
      renderLegend(s);
  };
}

function legendItem(colour: string, text: string, kind = ''): HTMLLIElement {
  const swatch = el('span', { class: `swatch ${kind}` });
  if (colour) swatch.style.background = colour;
  const item = el('li');
  item.append(swatch, text);
  return item;
}
