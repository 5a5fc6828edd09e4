// The explanation panels in headless Chromium: the "Hidden unit weights" grid changes from an early epoch's
// end to the end of a run, a unit's details (index, weights to the ten outputs, activity on the test set)
// show on hover, on a tap and from the keyboard, and "Why this prediction" shows 8 units for and 8 against
// the drawn digit with the evidence map, and follows the drawing as it changes.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { drawSeven, pageSuite, train, waitForTestAccuracy } from './harness';

const suite = pageSuite();
const open = (touch = false) => suite.open('', { device: touch ? { hasTouch: true } : {} });

// A canvas's pixels, read from a copy so the page's own canvas is never read back.
const pixelsOf = (canvas: HTMLCanvasElement) => {
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const context = copy.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(canvas, 0, 0);
  return Array.from(context.getImageData(0, 0, copy.width, copy.height).data);
};

// Pixels that are neither white nor transparent.
const coloured = (pixels: number[]) => {
  let n = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3] > 0 && (pixels[i] < 245 || pixels[i + 1] < 245 || pixels[i + 2] < 245)) ++n;
  return n;
};

const why = (p: Page) => p.getByRole('region', { name: 'Why this prediction' });

describe('Hidden unit weights', () => {
  it('changes from the end of an early epoch to the end of the run', async () => {
    const p = await open();
    const grid = p.getByLabel('Hidden unit weights');
    // Keep the grid's pixels the first time its note says "after N epochs" before the last (the note is
    // written right after the drawing). The page draws the latest pictures once a frame, so on a busy
    // machine an epoch's pictures may be drawn over before they are shown: any early epoch will do.
    await p.evaluate((read) => {
      const pixelsOf = new Function(`return (${read})`)() as (c: HTMLCanvasElement) => number[];
      const note = document.getElementById('units-note')!;
      const canvas = document.getElementById('units') as HTMLCanvasElement;
      const w = window as unknown as { early: { epochs: number; pixels: number[] } | null };
      w.early = null;
      new MutationObserver(() => {
        const epochs = Number(/after (\d+) epochs?\./.exec(note.textContent ?? '')?.[1] ?? 0);
        if (!w.early && epochs >= 1 && epochs <= 2) w.early = { epochs, pixels: pixelsOf(canvas) };
      }).observe(note, { childList: true, characterData: true, subtree: true });
    }, pixelsOf.toString());
    // The grid stays on screen while it trains, so the worker sends the live pictures and the page draws
    // them. (A click on Train scrolls the page up to the button, and where that leaves the grid depends on
    // the scroll before: out of view in a 720 px view. A fresh check failed once with the grid never redrawn
    // in a run, as an off-screen grid is not.)
    await train(p, 6000, 5, {}, { keepInView: grid });
    await waitForTestAccuracy(p);
    await expect.poll(() => p.locator('#units-note').textContent()).toMatch(/^The 64 of 256 units with the largest weights, in index order · after 5 epochs\./);
    const early = await p.evaluate(() => (window as unknown as { early: { epochs: number; pixels: number[] } | null }).early);
    expect(early, 'the grid after epoch 1 or 2').not.toBeNull();
    const atEnd = await grid.evaluate(pixelsOf);
    expect(atEnd.length).toBe(early!.pixels.length);
    let changed = 0;
    for (let i = 0; i < atEnd.length; i += 4) if (Math.abs(atEnd[i] - early!.pixels[i]) + Math.abs(atEnd[i + 2] - early!.pixels[i + 2]) > 6) ++changed;
    expect(changed / (atEnd.length / 4)).toBeGreaterThan(0.05);
    expect(coloured(atEnd)).toBeGreaterThan(0.5 * (atEnd.length / 4));
  });

  it("shows a unit's index, output weights and test-set activity on hover, on a tap and from the keyboard", async () => {
    const p = await open(true);
    await train(p, 1500, 2);
    await waitForTestAccuracy(p);
    const grid = p.getByLabel('Hidden unit weights');
    const title = p.locator('#unit-title');
    const activity = p.locator('#unit-activity');
    const box = (await grid.boundingBox())!;
    const tile = box.width / 8; // 8 units a row

    await grid.hover({ position: { x: tile * 2.5, y: tile * 1.5 } }); // row 1, column 2: the 11th unit shown
    await expect.poll(() => title.textContent()).toMatch(/^Unit \d+$/);
    const hovered = await title.textContent();
    await expect.poll(() => activity.textContent()).toMatch(/^(Active on \d+\.\d % of the 10,000 test images|Dead: never active on the 10,000 test images)$/);
    const weights = await p.locator('#unit-outputs li').allTextContents();
    expect(weights).toHaveLength(10);
    weights.forEach((w, c) => expect(w).toMatch(new RegExp(`^${c}[+−]\\d+\\.\\d\\d$`)));

    await grid.tap({ position: { x: tile * 0.5, y: tile * 0.5 } }); // the first unit shown
    await expect.poll(() => title.textContent()).not.toBe(hovered);
    const tapped = await title.textContent();
    expect(tapped).toMatch(/^Unit \d+$/);

    await grid.focus();
    await p.keyboard.press('ArrowRight');
    await expect.poll(() => title.textContent()).not.toBe(tapped);
    expect(await title.textContent()).toMatch(/^Unit \d+$/);
    expect(await activity.textContent()).toMatch(/test images$/);
  });

  it('keeps showing the unit under a resting mouse when training redraws the grid', async () => {
    // A 32-unit run from the link's settings, started without touching the mouse: it rests on the 31st tile.
    const p = await suite.open('?hidden=32&examples=2000&epochs=3');
    const grid = p.getByLabel('Hidden unit weights');
    const title = p.locator('#unit-title');
    await grid.scrollIntoViewIfNeeded();
    await expect.poll(() => p.locator('#units-note').textContent()).toMatch(/^The 64 of 256 units/); // the reference model
    const box = (await grid.boundingBox())!;
    const tile = box.width / 8;
    await p.mouse.move(box.x + tile * 6.5, box.y + tile * 3.5); // row 3, column 6: the 31st unit shown
    await expect.poll(() => title.textContent()).toMatch(/^Unit \d+$/);
    expect(Number((await title.textContent())!.slice(5))).toBeGreaterThan(31); // beyond a 32-unit model
    await p.evaluate(() => (document.getElementById('settings') as HTMLFormElement).requestSubmit()); // Train
    await p.locator('#phase-text').filter({ hasText: /^Finished/ }).waitFor({ timeout: 60_000 });
    await expect.poll(() => p.locator('#units-note').textContent()).toMatch(/^All 32 units/);
    expect(await title.textContent()).toBe('Unit 30'); // the new grid's 31st: every unit, in index order
  });

  it("shows the strongest unit's details before any hover, and the keyboard reaches every unit", async () => {
    const p = await open(); // the reference model, tested: nothing hovered, tapped or focused yet
    const grid = p.getByLabel('Hidden unit weights');
    await grid.evaluate((g) => g.scrollIntoView({ block: 'center', behavior: 'instant' })); // drawn only on screen
    const title = p.locator('#unit-title');
    await expect.poll(() => title.textContent()).toMatch(/^Unit \d+, the strongest$/);
    const strongest = (await title.textContent())!.replace(', the strongest', '');
    await expect.poll(() => p.locator('#unit-activity').textContent()).toMatch(/^(Active on \d+\.\d % of the 10,000 test images|Dead: never active on the 10,000 test images)$/);
    const weights = await p.locator('#unit-outputs li').allTextContents();
    weights.forEach((w, c) => expect(w).toMatch(new RegExp(`^${c}[+−]\\d+\\.\\d\\d$`)));
    expect(await p.locator('#unit-cursor').isVisible(), 'the strongest unit is marked in the grid').toBe(true);

    // From the keyboard alone: Tab reaches the grid, the arrows and Home/End move over its 64 units, Esc goes back.
    await p.getByLabel('Drawing pad').focus();
    for (let tabs = 0; tabs < 20 && !(await grid.evaluate((g) => g === document.activeElement)); ++tabs) await p.keyboard.press('Tab');
    expect(await grid.evaluate((g) => g === document.activeElement), 'Tab reaches the grid').toBe(true);
    const seen = new Set<string>();
    await p.keyboard.press('Home');
    for (let i = 0; i < 64; ++i) {
      seen.add((await title.textContent())!);
      await p.keyboard.press('ArrowRight');
    }
    expect(seen.size, 'every unit of the grid, one after another').toBe(64);
    for (const t of seen) expect(t).toMatch(/^Unit \d+$/);
    expect(seen.has(strongest)).toBe(true);
    await p.keyboard.press('ArrowUp');
    await p.keyboard.press('Escape');
    await expect.poll(() => title.textContent()).toBe(`${strongest}, the strongest`);
  });
});

describe('Why this prediction', () => {
  it('shows 8 units for and 8 against the drawn digit and the evidence map, and follows the drawing', async () => {
    const p = await open();
    expect(await why(p).isVisible(), 'shown at 1280x900 without opening anything').toBe(true);
    await train(p, 1500, 2);
    await waitForTestAccuracy(p);
    await drawSeven(p);
    const prediction = p.getByRole('status', { name: 'Prediction' });
    await expect.poll(() => prediction.textContent()).toMatch(/^\d$/);
    const digit = await prediction.textContent();
    await expect.poll(() => p.locator('#why-for-title').textContent()).toBe(`For ${digit}`);
    expect(await p.locator('#why-against-title').textContent()).toBe(`Against ${digit}`);
    const forUnits = p.locator('#why-for li:not([hidden])');
    const against = p.locator('#why-against li:not([hidden])');
    await expect.poll(() => forUnits.count()).toBe(8);
    expect(await against.count()).toBe(8);
    for (const text of await forUnits.allTextContents()) expect(text).toMatch(/^Unit \d+\+\d+\.\d\d$/);
    for (const text of await against.allTextContents()) expect(text).toMatch(/^Unit \d+−\d+\.\d\d$/);
    const map = p.getByRole('img', { name: 'Evidence map' });
    expect(coloured(await map.evaluate(pixelsOf))).toBeGreaterThan(20);
    const pictures = await p.locator('#why-for canvas').first().evaluate(pixelsOf);
    expect(coloured(pictures)).toBeGreaterThan(100);

    // A bar across the seven changes the drawing; the explanation follows it.
    const before = { summary: await p.locator('#why-summary').textContent(), map: await map.evaluate(pixelsOf) };
    const pad = (await p.getByLabel('Drawing pad').boundingBox())!;
    await p.mouse.move(pad.x + 0.35 * pad.width, pad.y + 0.5 * pad.height);
    await p.mouse.down();
    await p.mouse.move(pad.x + 0.8 * pad.width, pad.y + 0.5 * pad.height, { steps: 10 });
    await p.mouse.up();
    await expect.poll(async () => (await p.locator('#why-summary').textContent()) !== before.summary).toBe(true);
    expect(await map.evaluate(pixelsOf)).not.toEqual(before.map);

    await p.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => p.locator('#why-body').isHidden()).toBe(true);
  });

  it('reads the drawing again while a model trains: the explanation names the new model\'s units', async () => {
    const p = await open();
    await drawSeven(p);
    await expect.poll(() => p.locator('#why-for-title').textContent()).toBe('For 7'); // the reference model, 256 units
    const unitsNamed = async () => (await p.locator('#why-for li:not([hidden]) .unit-name').allTextContents()).map((t) => Number(t.slice(5)));
    expect((await unitsNamed()).some((u) => u >= 32)).toBe(true);
    // A long run of 32 units: its units are numbered below 32, the reference's mostly above.
    await train(p, 20000, 200, { 'Hidden units': '32' });
    await expect.poll(async () => (await unitsNamed()).every((u) => u < 32), { timeout: 20_000 }).toBe(true);
    const summary = await p.locator('#why-summary').textContent();
    await expect.poll(() => p.locator('#why-summary').textContent(), { timeout: 20_000 }).not.toBe(summary); // and again
    await p.getByRole('button', { name: 'Stop' }).click();
    await waitForTestAccuracy(p);
  });
});
