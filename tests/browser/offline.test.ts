// Offline (issue #18): after one visit the service worker (vite-plugin-pwa / Workbox, see vite.config.ts) serves
// the page, the modules and the subset with no network; the page stays cross-origin isolated (the threaded
// build) and trains and classifies a drawing. Also: the web app manifest that lets it install.
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { drawSeven, launch, openPage, testAccuracy, train, waitForData, waitForReferenceModel, waitForTestAccuracy } from './harness';

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;
let problems: string[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close(); // its own profile: service worker and caches go with it
  context = undefined;
  page = undefined;
  expect(problems, 'console errors, page errors or requests that failed').toEqual([]);
});

async function open(): Promise<Page> {
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ({ page, problems } = await openPage(context));
  return page;
}

describe('offline', () => {
  it('after one visit, reloads with no network, cross-origin isolated, trains and classifies a drawing', async () => {
    const p = await open();
    const ctx = context!;
    // First visit: the service worker installs (precaching everything), activates and takes over this page.
    await p.getByText('Saved for offline use').waitFor({ timeout: 60_000 });
    await p.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => p.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    const precached = await p.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys())
        if (name.startsWith('workbox-precache')) urls.push(...(await (await caches.open(name)).keys()).map((r) => r.url));
      return urls.map((u) => new URL(u).pathname);
    });
    for (const file of ['subset/train-images', 'subset/train-labels', 'test/test-images', 'test/test-labels'])
      expect(precached.filter((u) => u.endsWith(`/data/${file}.idx.gz`)), file).toHaveLength(1);
    expect(precached.filter((u) => u.endsWith('/models/reference.mnst')), 'the reference model').toHaveLength(1);
    expect(precached.filter((u) => u.endsWith('.wasm'))).toHaveLength(3);
    expect(precached.some((u) => u.includes('/data/full/')), 'the full set is cached on use, not precached').toBe(false);
    const online = { isolated: await p.evaluate(() => crossOriginIsolated), build: await p.locator('#build').textContent() };
    expect(online.isolated).toBe(true);
    expect(online.build).toMatch(/ · \d+ threads$/);

    // Offline: every request of the page (and its workers) must come from the service worker, and the service
    // worker itself must not reach for the network.
    await ctx.setOffline(true);
    const responses: Response[] = [];
    const serviceWorkerFetches: string[] = [];
    p.on('response', (r) => responses.push(r));
    ctx.on('request', (r) => {
      if (r.serviceWorker()) serviceWorkerFetches.push(r.url());
    });
    expect(await p.evaluate(() => navigator.onLine)).toBe(false);
    await p.reload();
    await waitForData(p);
    await waitForReferenceModel(p);
    expect(await p.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect.poll(() => p.locator('#build').textContent()).toBe(online.build);

    await train(p, 2000, 2);
    await waitForTestAccuracy(p);
    expect(Number((await testAccuracy(p).textContent())!.replace('%', ''))).toBeGreaterThan(70);
    const prediction = p.getByRole('status', { name: 'Prediction' });
    await drawSeven(p);
    await expect.poll(() => prediction.textContent()).toMatch(/^\d$/);
    expect(await p.getByRole('alert').textContent()).toBe('');

    const fetched = responses.filter((r) => /^https?:/.test(r.url()));
    expect(fetched.length).toBeGreaterThan(10);
    expect(fetched.filter((r) => !r.fromServiceWorker()).map((r) => r.url()), 'answered by the network').toEqual([]);
    expect(serviceWorkerFetches, 'the service worker went to the network').toEqual([]);
  });

  it('links a web app manifest that installs: name, start URL, scope, standalone, 192 and 512 pixel icons', async () => {
    const p = await open();
    const href = await p.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBeTruthy();
    const manifest = await p.evaluate(async (url) => {
      const response = await fetch(url);
      return { type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
    }, href!);
    expect(manifest.type).toMatch(/manifest\+json|application\/json/);
    expect(manifest.body).toMatchObject({ name: 'MNIST trainer', short_name: 'MNIST', start_url: './', scope: './', display: 'standalone' });
    expect(manifest.body.theme_color).toBe(await p.locator('meta[name="theme-color"]').getAttribute('content'));
    const icons = manifest.body.icons as Array<{ src: string; sizes: string; type: string }>;
    for (const size of ['192x192', '512x512']) expect(icons.some((i) => i.sizes === size && i.type === 'image/png'), size).toBe(true);
    // Each icon loads as an image of its stated size.
    const sizes = await p.evaluate(
      (list) =>
        Promise.all(
          list.map(
            (icon) =>
              new Promise<string>((resolve, reject) => {
                const img = new Image();
                img.onload = () => resolve(icon.type === 'image/svg+xml' ? 'any' : `${img.naturalWidth}x${img.naturalHeight}`);
                img.onerror = () => reject(new Error(`${icon.src} did not load`));
                img.src = new URL(icon.src, document.baseURI).href;
              }),
          ),
        ),
      icons,
    );
    expect(sizes).toEqual(icons.map((i) => i.sizes));
  });
});
