// Shared by the browser tests: launch Debian's Chromium, open the page with every console error or warning,
// page error, failed request, request to another origin and Content-Security-Policy violation recorded as a
// problem, and drive the page by accessible names (DESIGN.md).
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { launchChromium } from '../../scripts/chromium.mjs';

export function launch(extraArgs: string[] = []): Promise<Browser> {
  return launchChromium(extraArgs);
}

export interface Opened {
  page: Page;
  problems: string[];
}

/** Opens the page (a fresh profile: empty IndexedDB) and, unless told not to, waits for the data and for the
 *  reference model, which a fresh profile always starts with, to be tested: then the worker is idle. Given a
 *  context instead of the browser (a test that needs it, e.g. to go offline), opens it there with that
 *  context's viewport; `device` sets the new context's options otherwise. */
export async function openPage(
  browser: Browser | BrowserContext,
  query = '',
  options: { waitForData?: boolean; before?: (page: Page) => Promise<void>; device?: BrowserContextOptions } = {},
): Promise<Opened> {
  const problems: string[] = [];
  const page =
    'newContext' in browser
      ? await browser.newPage({ viewport: { width: 1280, height: 900 }, ...options.device })
      : await browser.newPage();
  // A test that blocks service workers (so that page.route sees every request) is told so by the page.
  const blocked = options.device?.serviceWorkers === 'block' ? 'Service Worker registration blocked by Playwright' : null;
  page.on('console', (m) => {
    if (m.text() === blocked) return;
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // A request still loading when a test reloads the page is aborted by the reload, not failed: each request
  // is tagged with the page's load it belongs to, counted at each main-frame navigation's start.
  let load = 0;
  const loadOf = new WeakMap<Request, number>();
  page.on('requestfailed', (r) => {
    const aborted = r.failure()?.errorText === 'net::ERR_ABORTED';
    if (aborted && (r.url().startsWith('blob:') || (loadOf.get(r) ?? load) < load)) return;
    problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  const base = inject('baseUrl');
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) ++load;
    else loadOf.set(r, load);
    if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
      problems.push(`request left the origin: ${r.url()}`);
  });
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`),
    ),
  );
  await options.before?.(page);
  await page.goto(base + query);
  if (options.waitForData !== false) {
    await waitForData(page);
    await waitForReferenceModel(page);
  }
  return { page, problems };
}

export const waitForData = (p: Page) =>
  p.getByText(/training and [\d,]+ test images loaded/).waitFor({ timeout: 60_000 });

/** Fills the form and presses Train; returns once the run has started (the test accuracy has emptied, as
 *  DESIGN.md says it does when Train is pressed), has already ended (a small run can start and end between
 *  two looks), or the settings were refused (an alert; Train clears the last one). With keepInView, that
 *  part of the page is scrolled into view and stays there: Train is pressed without scrolling to it. */
export async function train(
  p: Page,
  examples: number,
  epochs: number,
  extra: Record<string, string> = {},
  options: { keepInView?: Locator } = {},
): Promise<void> {
  for (const [label, value] of Object.entries(extra)) await p.getByLabel(label, { exact: true }).fill(value);
  await p.getByLabel('Training examples').fill(String(examples));
  await p.getByLabel('Epochs').fill(String(epochs));
  const phase = () => p.locator('#phase-text').textContent();
  const before = await phase();
  const button = p.getByRole('button', { name: 'Train' });
  if (options.keepInView) {
    await options.keepInView.scrollIntoViewIfNeeded();
    await button.dispatchEvent('click');
  } else await button.click();
  await expect
    .poll(async () => {
      const now = (await phase()) ?? '';
      const ended = now !== before && /^(Finished|Stopped|Diverged)/.test(now);
      return ended || !/\d/.test((await testAccuracy(p).textContent()) ?? '') || (await alertText(p)) !== '';
    })
    .toBe(true);
}

/** The shipped reference model's test accuracy as the page shows it (public/models/reference.json). */
const referenceRecord = JSON.parse(
  readFileSync(new URL('../../public/models/reference.json', import.meta.url), 'utf8'),
) as { saved_test_accuracy: number };
export const REFERENCE_ACCURACY = `${(referenceRecord.saved_test_accuracy * 100).toFixed(2)}%`;

/** Waits until the page shows the reference model, loaded and tested. */
export const waitForReferenceModel = (p: Page) =>
  expect.poll(() => testAccuracy(p).textContent(), { timeout: 30_000 }).toBe(REFERENCE_ACCURACY);

export const testAccuracy = (p: Page) => p.getByLabel('Test accuracy');
export const waitForTestAccuracy = (p: Page) => testAccuracy(p).filter({ hasText: /\d/ }).waitFor({ timeout: 90_000 });
export const alertText = (p: Page) => p.getByRole('alert').textContent();

/** Pixels of a canvas (found by its accessible name) whose colour is close to (r, g, b). */
export function countColour(p: Page, label: string, rgb: [number, number, number]): Promise<number> {
  return p.getByLabel(label, { exact: true }).evaluate((canvas: HTMLCanvasElement, [r, g, b]) => {
    // Read a copy, so the page's own canvas is never read back (Chromium warns about repeated readbacks).
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const context = copy.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(canvas, 0, 0);
    const data = context.getImageData(0, 0, copy.width, copy.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4)
      if (Math.abs(data[i] - r) < 30 && Math.abs(data[i + 1] - g) < 30 && Math.abs(data[i + 2] - b) < 30 && data[i + 3] > 200) ++n;
    return n;
  }, rgb);
}

/** '#rrggbb' as [r, g, b]. */
export const hexColour = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

export async function drawSeven(p: Page): Promise<void> {
  const box = (await p.getByLabel('Drawing pad').boundingBox())!;
  const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
  await p.mouse.move(...at(0.3, 0.22));
  await p.mouse.down();
  for (const [x, y] of [[0.7, 0.22], [0.6, 0.45], [0.5, 0.65], [0.45, 0.8]]) await p.mouse.move(...at(x, y), { steps: 10 });
  await p.mouse.up();
}

/** A test file's browser and per-test checks: launched before, closed after; each test's page is closed
 *  and must have logged no problem. `open` opens the page for the running test. */
export function pageSuite(): { open(query?: string, options?: Parameters<typeof openPage>[2]): Promise<Page> } {
  let browser: Browser;
  let opened: Opened | null = null;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    const o = opened;
    opened = null;
    await o?.page.close();
    expect(o?.problems ?? [], 'console errors, page errors or requests that failed').toEqual([]);
  });
  return {
    async open(query = '', options = {}) {
      opened = await openPage(browser, query, options);
      return opened.page;
    },
  };
}
