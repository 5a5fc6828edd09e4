// The whole page in headless Chromium, found by its accessible names (DESIGN.md): it loads, trains and
// draws both charts, stays responsive while the worker trains, predicts a drawn digit, survives Stop (before
// the first batch too), refuses an invalid setting with an alert, and never logs a console error, violates its
// Content-Security-Policy or requests anything from another origin.
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { RUN_COLOURS } from '../../web/src/runs';
import {
  countColour,
  drawSeven,
  hexColour,
  pageSuite,
  REFERENCE_ACCURACY,
  testAccuracy,
  train,
  waitForReferenceModel,
  waitForTestAccuracy,
} from './harness';

const suite = pageSuite();
const open = (query = '') => suite.open(query);

// The first run's colour on the charts (runs.ts): train solid, validation dashed.
const firstRun = hexColour(RUN_COLOURS[0]);

/** Fills the size of a run, presses Train and waits in the page (a MutationObserver, no polling through
 *  DevTools) until the run has finished and its test accuracy is shown, then for two more frames. */
async function trainWaitingInPage(p: Page, examples: number, epochs: number): Promise<void> {
  await p.getByLabel('Training examples').fill(String(examples));
  await p.getByLabel('Epochs').fill(String(epochs));
  const ended = p.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const phase = document.getElementById('phase-text')!;
        const accuracy = document.getElementById('test-accuracy')!;
        const frame = () => new Promise((r) => requestAnimationFrame(r));
        const done = () => /^Finished/.test(phase.textContent ?? '') && /\d/.test(accuracy.textContent ?? '');
        let emptied = false;
        new MutationObserver(() => {
          emptied ||= !/\d/.test(accuracy.textContent ?? '');
          if (emptied && done()) void frame().then(frame).then(() => resolve());
        }).observe(document.body, { childList: true, characterData: true, subtree: true });
      }),
  );
  await p.getByRole('button', { name: 'Train' }).click();
  await ended;
}

// The last kept run's validation loss and accuracy per epoch, read from the page's IndexedDB (runs-storage.ts).
function keptValidation(p: Page): Promise<number[]> {
  return p.evaluate(
    () =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open('mnist-trainer-runs', 1);
        // Not there yet (the run is saved just after its end): never create it here, the page does.
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => resolve([]);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('runs')) return db.close(), resolve([]);
          const get = db.transaction('runs').objectStore('runs').get('list');
          get.onsuccess = () => {
            db.close();
            const runs = (get.result ?? []) as Array<{ history: Array<{ validationLoss: number; validationAccuracy: number }> }>;
            const last = runs[runs.length - 1];
            resolve(last ? last.history.flatMap((r) => [r.validationLoss, r.validationAccuracy]) : []);
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

describe('the server', () => {
  // WebKit refuses a worker script whose revalidation (304) came without the page's COEP: the second data
  // worker (a change of data set) then could not start. vite preview sent them only on full responses.
  it('sends the cross-origin isolation headers on a revalidation (304) too', async () => {
    const url = new URL('data/manifest.json', inject('baseUrl'));
    const first = await fetch(url);
    const again = await fetch(url, { headers: { 'If-None-Match': first.headers.get('ETag') ?? '' } });
    expect(again.status).toBe(304);
    for (const response of [first, again]) {
      expect(response.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
      expect(response.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    }
  });
});

describe('the page', () => {
  it('loads with every control named as DESIGN.md says, ready with the reference model', async () => {
    const p = await open();
    for (const name of ['Hidden units', 'Epochs', 'Batch size', 'Learning rate', 'Weight decay', 'Training examples', 'Seed'])
      await expect(p.getByLabel(name, { exact: true }).count(), name).resolves.toBe(1);
    for (const name of ['Train', 'Pause', 'Resume', 'Stop', 'Reset', 'Clear'])
      await expect(p.getByRole('button', { name, exact: true }).count(), name).resolves.toBe(1);
    for (const name of ['Drawing pad', 'Loss per epoch', 'Accuracy per epoch'])
      await expect(p.getByLabel(name, { exact: true }).count(), name).resolves.toBe(1);
    expect(await p.getByLabel('Hidden units').inputValue()).toBe('256');
    expect(await p.getByLabel('Epochs').inputValue()).toBe('10');
    expect(await p.getByLabel('Batch size').inputValue()).toBe('32');
    expect(await p.getByLabel('Learning rate').inputValue()).toBe('0.1');
    expect(Number(await p.getByLabel('Weight decay').inputValue())).toBe(1e-4);
    expect(await p.getByLabel('Training examples').inputValue()).toBe('20000');
    expect(await p.getByLabel('Seed').inputValue()).toBe('1');
    await waitForReferenceModel(p);
    expect(await p.locator('#model-text').textContent()).toMatch(/^Reference model, \d+\.\d % test accuracy \(784-256-10,/);
    expect(await p.getByRole('status', { name: 'Prediction' }).textContent()).toBe('Draw a digit');
    expect(await p.getByRole('alert').textContent()).toBe('');
    expect(await p.locator('#build').textContent()).toMatch(/^WebAssembly SIMD( · \d+ threads)?$/);
    expect(await p.evaluate(() => getComputedStyle(document.querySelector('#pad')!).touchAction)).toBe('none');
  });

  it('predicts a drawing on a fresh visit with no training; Train empties the test accuracy, Reset brings the reference back', async () => {
    const p = await open();
    const prediction = p.getByRole('status', { name: 'Prediction' });
    await drawSeven(p);
    await expect.poll(() => prediction.textContent()).toBe('7');
    await waitForReferenceModel(p);
    expect(await p.locator('#phase-text').textContent()).toBe('Ready with the reference model: draw a digit, or press Train for your own.');
    expect(await p.getByRole('button', { name: 'Reset' }).isDisabled()).toBe(true);

    await train(p, 20000, 5);
    await expect.poll(() => p.getByLabel('Training progress').evaluate((e: HTMLProgressElement) => e.value)).toBeGreaterThan(0);
    await p.getByRole('button', { name: 'Pause' }).click(); // so the check below sees a run in progress
    await p.getByRole('button', { name: 'Resume' }).waitFor();
    await expect.poll(() => p.getByRole('button', { name: 'Resume' }).isEnabled()).toBe(true);
    expect(await testAccuracy(p).textContent()).not.toMatch(/\d/); // no digits while a run trains
    await p.getByRole('button', { name: 'Resume' }).click();
    await waitForTestAccuracy(p);
    expect(await testAccuracy(p).textContent()).not.toBe(REFERENCE_ACCURACY);
    expect(await p.locator('#model-text').textContent()).toMatch(/^Model 784-256-10 \(\d+ KB\), kept in this browser\.$/);

    await p.getByRole('button', { name: 'Reset' }).click();
    await waitForReferenceModel(p);
    await p.getByRole('button', { name: 'Clear' }).click();
    await drawSeven(p);
    await expect.poll(() => prediction.textContent()).toBe('7');
  });

  it('trains as soon as the training images are in, and tests the model when the test images follow', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const p = await suite.open('', {
      waitForData: false, // (a first visit: no service worker answers yet, so page.route sees every request)
      before: async (page) => void (await page.route('**/data/test/test-images.idx.gz', (route) => held.then(() => route.continue()))),
    });
    await p.getByText(/^20,000 training images loaded, training can start; test images: /).waitFor({ timeout: 60_000 });
    // Compressed bytes of all four files so far, though the server sends them with Content-Encoding: gzip
    // and the browser inflates them (15.7 MB of training images in): all but the test images.
    // (polled: on a busy machine the byte count's last report can come after the training images' message)
    await expect.poll(() => p.locator('#data-text').textContent()).toMatch(/test images: 3\.2 of 4\.8 MB$/);
    await train(p, 1000, 1);
    await expect.poll(() => p.locator('#phase-text').textContent()).toMatch(/^Finished/);
    expect(await testAccuracy(p).textContent()).not.toMatch(/\d/);
    expect(await p.locator('#test-detail').textContent()).toBe('The model is tested as soon as the test images have loaded.');
    await drawSeven(p);
    await expect.poll(() => p.getByRole('status', { name: 'Prediction' }).textContent()).toMatch(/^\d$/);
    release();
    await waitForTestAccuracy(p);
    expect(await p.locator('#test-detail').textContent()).toMatch(/^\d+ of 10000 test images right/);
    await p.getByText('20,000 training and 10,000 test images loaded').waitFor();
  });

  it('keeps the model and the prediction while another data set loads, and trains only once its images are in', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const p = await suite.open('', {
      // No service worker (it would answer the full set's requests itself, out of page.route's sight).
      device: { serviceWorkers: 'block' },
      before: async (page) => void (await page.route('**/data/full/**', (route) => held.then(() => route.continue()))),
    });
    const prediction = p.getByRole('status', { name: 'Prediction' });
    await drawSeven(p);
    await expect.poll(() => prediction.textContent()).toBe('7');
    await p.getByLabel('Dataset').selectOption('full');
    await expect.poll(() => p.locator('#data-text').textContent()).toMatch(/^Loading Full MNIST: 60,000 images \([\d.]+ of [\d.]+ MB\)$/);
    // The worker still holds the subset: Train waits for the full set's training images (a run started now
    // trained on the subset and was kept as a full-set run), while the model and its answer stay.
    const trainButton = p.getByRole('button', { name: 'Train' });
    expect(await trainButton.isDisabled()).toBe(true);
    expect(await prediction.textContent()).toBe('7');
    expect(await testAccuracy(p).textContent()).toBe(REFERENCE_ACCURACY);
    expect(await p.locator('#model-text').textContent()).toMatch(/^Reference model/);
    await p.waitForTimeout(300);
    expect(await trainButton.isDisabled()).toBe(true);
    release();
    await p.getByText('60,000 training and 10,000 test images loaded').waitFor({ timeout: 60_000 });
    expect(await trainButton.isDisabled()).toBe(false);
    expect(await testAccuracy(p).textContent()).toBe(REFERENCE_ACCURACY);
    expect(await prediction.textContent()).toBe('7');
    expect(await p.getByLabel('Training examples').inputValue()).toBe('60000');
  });

  it('refuses an invalid hyper-parameter with an alert in view, marks the field and focuses it; does not train', async () => {
    const p = await open();
    const rate = p.getByLabel('Learning rate');
    await rate.fill('-1');
    await p.getByRole('button', { name: 'Train' }).click();
    await expect
      .poll(() => p.getByRole('alert').textContent())
      .toBe('Invalid setting: learning rate must be a finite number above 0, got -1.');
    // The alert floats in the window (the Settings card's end may be a screen away); the field it names is
    // marked, described by it, and has the focus.
    expect(await p.getByRole('alert').isVisible()).toBe(true);
    const box = await p.getByRole('alert').boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(p.viewportSize()!.height);
    expect(await rate.getAttribute('aria-invalid')).toBe('true');
    expect(await rate.getAttribute('aria-describedby')).toBe('alert');
    expect(await rate.evaluate((e) => e === document.activeElement)).toBe(true);
    expect(await p.getByLabel('Batch size').getAttribute('aria-invalid')).toBeNull();
    expect(await p.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);
    expect(await p.getByRole('button', { name: 'Train' }).isEnabled()).toBe(true);
    expect(await p.getByLabel('Training progress').evaluate((e: HTMLProgressElement) => e.value)).toBe(0);
    expect(await testAccuracy(p).textContent()).toBe(REFERENCE_ACCURACY); // the model on show is kept

    await rate.fill('0.1'); // the value it was about changes: the alert and the mark go
    expect(await p.getByRole('alert').textContent()).toBe('');
    expect(await rate.getAttribute('aria-invalid')).toBeNull();
    await p.getByLabel('Batch size').fill('2.5');
    await p.getByRole('button', { name: 'Train' }).click();
    await expect.poll(() => p.getByRole('alert').textContent()).toBe('Batch size: enter a whole number, got 2.5.');
    expect(await p.getByLabel('Batch size').evaluate((e) => e === document.activeElement)).toBe(true);
    await p.getByRole('button', { name: 'Dismiss the message' }).click();
    expect(await p.getByRole('alert').textContent()).toBe('');
    expect(await p.getByRole('button', { name: 'Dismiss the message' }).isHidden()).toBe(true);
  });

  it('trains a small subset with a responsive page, draws both charts, tests and predicts a drawing', async () => {
    const p = await open();
    await p.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({
        type: 'longtask',
      });
    });
    await trainWaitingInPage(p, 1000, 2);
    // Read before any other query: Playwright's selector engine runs on the page's main thread (tens of
    // milliseconds over this DOM), and the long tasks measured are the page's own.
    const longTasks = await p.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    await waitForTestAccuracy(p);
    const accuracy = Number((await testAccuracy(p).textContent())!.replace('%', ''));
    expect(accuracy).toBeGreaterThan(70);
    expect(await countColour(p, 'Loss per epoch', firstRun)).toBeGreaterThan(40);
    expect(await countColour(p, 'Accuracy per epoch', firstRun)).toBeGreaterThan(40);
    expect(await p.locator('#confusion tbody tr').count()).toBe(10);
    expect(await p.locator('#gallery figure').count()).toBeGreaterThan(0);
    // A freeze guard, not a timing: the page's longest task here is its run-end drawing, 50-108 ms on an
    // idle machine (style and layout of the results about 50 ms, the confusion table 13 ms) and 122 ms
    // once with other test files running; training or testing on the main thread would take seconds.
    expect(Math.max(0, ...longTasks), `long tasks: ${longTasks.join(', ')} ms`).toBeLessThan(250);

    const prediction = p.getByRole('status', { name: 'Prediction' });
    await p.mouse.click(...(await (async () => {
      const box = (await p.getByLabel('Drawing pad').boundingBox())!;
      return [box.x + box.width / 2, box.y + box.height / 2] as const;
    })()));
    await expect.poll(() => prediction.textContent()).toBe('Draw a digit');
    await drawSeven(p);
    await expect.poll(() => prediction.textContent()).toMatch(/^\d$/);
    await p.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => prediction.textContent()).toBe('Draw a digit');
  });

  it("posts an epoch's end as one message (its progress and its row), so the page draws it in one frame", async () => {
    // Every message from the page's worker, as the list of its events' types (pthread workers are the module's).
    const p = await suite.open('', {
      before: async (page) => {
        await page.addInitScript(() => {
          const w = window as unknown as { workerMessages: string[][] };
          w.workerMessages = [];
          const NativeWorker = window.Worker;
          window.Worker = class extends NativeWorker {
            constructor(...args: ConstructorParameters<typeof Worker>) {
              super(...args);
              this.addEventListener('message', (e) =>
                w.workerMessages.push(([] as Array<{ type?: string }>).concat(e.data).map((event) => event?.type ?? '?')),
              );
            }
          };
        });
      },
    });
    await train(p, 6000, 3);
    await waitForTestAccuracy(p);
    const messages = await p.evaluate(() => (window as unknown as { workerMessages: string[][] }).workerMessages);
    const epochEnds = messages.filter((m) => m.includes('epoch'));
    expect(epochEnds).toHaveLength(3);
    for (const m of epochEnds) expect(m).toContain('progress');
  });

  it('says so when stopped before the first batch, and Reset brings the reference model back', async () => {
    const p = await open();
    await p.getByLabel('Training examples').fill('2000');
    // Stop sent right behind Train, as a user on a slow machine can press it before the first batch ends.
    await p.evaluate(() => {
      (document.getElementById('train') as HTMLButtonElement).click();
      const stop = document.getElementById('stop') as HTMLButtonElement;
      stop.disabled = false;
      stop.click();
    });
    await expect
      .poll(() => p.locator('#phase-text').textContent())
      .toBe('Stopped before the first batch: there is no model. Press Train, or Reset for the reference model.');
    expect(await testAccuracy(p).textContent()).not.toMatch(/\d/);
    await drawSeven(p);
    await expect.poll(() => p.getByRole('status', { name: 'Prediction' }).textContent()).toBe('Train a model first');
    await p.getByRole('button', { name: 'Reset' }).click();
    await waitForReferenceModel(p);
    await expect.poll(() => p.getByRole('status', { name: 'Prediction' }).textContent()).toBe('7');
  });

  it('pauses, resumes and stops in the middle of an epoch, and trains again afterwards', async () => {
    const p = await open();
    await train(p, 10000, 20); // 170,000 examples: seconds of training, so Stop lands mid-run on a busy machine too
    const progress = p.getByLabel('Training progress');
    const done = () => progress.evaluate((e: HTMLProgressElement) => e.value);
    await expect.poll(done).toBeGreaterThan(0);
    await p.getByRole('button', { name: 'Pause' }).click();
    await p.getByRole('button', { name: 'Resume' }).waitFor({ state: 'visible' });
    await expect.poll(() => p.getByRole('button', { name: 'Resume' }).isEnabled()).toBe(true);
    const paused = await done();
    expect(await p.locator('#model-text').textContent()).toBe('Training a 784-256-10 model: drawings are read by it as it trains.');
    await p.waitForTimeout(400);
    expect(await done()).toBe(paused);
    await p.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(done).toBeGreaterThan(paused);
    await p.getByRole('button', { name: 'Stop' }).click();
    await waitForTestAccuracy(p);
    expect(await p.getByText('Stopped; the model so far was tested.').count()).toBe(1);
    expect(await done()).toBeLessThan(8500 * 20);
    await p.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => testAccuracy(p).textContent()).toBe(REFERENCE_ACCURACY); // the reference model is back

    await train(p, 600, 1);
    await waitForTestAccuracy(p);
    expect(await p.getByRole('alert').textContent()).toBe('');
  });

  // Each thread computes whole columns of H in the same order as one thread would, so the runs agree exactly.
  it('trains with 2 threads (?threads=2) to exactly the accuracy and validation figures of 1 thread', async () => {
    const accuracies: string[] = [];
    const validations: number[][] = [];
    for (const threads of [1, 2]) {
      const p = await open(`?threads=${threads}`);
      await expect
        .poll(() => p.locator('#build').textContent())
        .toBe(threads === 1 ? 'WebAssembly SIMD' : 'WebAssembly SIMD · 2 threads');
      await train(p, 3000, 2);
      await waitForTestAccuracy(p);
      accuracies.push((await testAccuracy(p).textContent())!);
      // The kept run's validation loss and accuracy per epoch, as stored (every bit: the threads split the
      // validation passes between them).
      await expect.poll(() => keptValidation(p).then((v) => v.length)).toBe(4);
      validations.push(await keptValidation(p));
    }
    expect(accuracies[0]).toMatch(/^\d+\.\d+%$/);
    expect(accuracies[1]).toBe(accuracies[0]);
    expect(validations[1]).toEqual(validations[0]);
  });

  it('runs the single-thread build when the server sends no isolation headers, says why, and trains', async () => {
    const p = await suite.open('', {
      before: async (page) =>
        void (await page.route('**/*', async (route) => {
          const response = await route.fetch();
          const headers = { ...response.headers() };
          delete headers['cross-origin-opener-policy'];
          delete headers['cross-origin-embedder-policy'];
          await route.fulfill({ response, headers });
        })),
    });
    expect(await p.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await p.locator('#build').textContent()).toBe('WebAssembly SIMD');
    expect(await p.locator('#build').getAttribute('title')).toBe(
      'SIMD build, wasmsimd kernels, one thread: the page is not cross-origin isolated (its server sends no COOP and COEP headers)',
    );
    await train(p, 1000, 1);
    await waitForTestAccuracy(p);
  });

  it('falls back to the build without SIMD and still trains', async () => {
    const p = await open('?nosimd');
    await expect.poll(() => p.locator('#build').textContent()).toBe('WebAssembly (no SIMD)');
    expect(await p.locator('#build').getAttribute('title')).toBe('Scalar build: the page was opened with ?nosimd');
    await p.getByLabel('Hidden units').fill('64');
    await train(p, 500, 1);
    await waitForTestAccuracy(p);
  });
});
