// A fresh visit's first epoch: opens the built page in a new browser context (empty cache, IndexedDB and
// service worker), presses Train with the defaults as soon as it is enabled (or WAIT_MS later, when the
// worker's warm-up has run), and times, in the page's clock, the click to the end of the first epoch (the
// Epoch figure turning to "2 / N"). Prints each visit, with the thread governor's tally (?debug),
// and the median. Not a test: it reports, nothing asserts a time.
//   node bench/first-epoch.mjs DIST_DIR [VISITS] [WAIT_MS]
import { launchChromium } from '../scripts/chromium.mjs';
import { median, servePage, tallyText } from './browser/page-run.mjs';

const [dist, visitsArg, waitArg] = process.argv.slice(2);
if (!dist) {
  console.error('usage: node bench/first-epoch.mjs DIST_DIR [VISITS] [WAIT_MS]');
  process.exit(2);
}
const visits = Number(visitsArg ?? 5);
const wait = Number(waitArg ?? 0);

const server = await servePage(dist);
const browser = await launchChromium();
const seconds = [];
try {
  for (let i = 0; i < visits; ++i) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}?debug`);
      await page.waitForFunction(() => !document.getElementById('train').disabled, null, { timeout: 60_000, polling: 10 });
      const enabled = await page.evaluate(() => performance.now() / 1000);
      if (wait) await page.waitForTimeout(wait);
      await page.evaluate(() => {
        const epoch = document.getElementById('stat-epoch');
        const t = (window.firstEpoch = { click: null, end: null });
        document.getElementById('train').addEventListener('click', () => (t.click ??= performance.now()), { capture: true });
        new MutationObserver(() => {
          if (t.click !== null && t.end === null && /^2 \//.test(epoch.textContent)) t.end = performance.now();
        }).observe(epoch, { childList: true, characterData: true, subtree: true });
      });
      await page.getByRole('button', { name: 'Train' }).click();
      await page.waitForFunction(() => window.firstEpoch.end !== null, null, { timeout: 60_000 });
      const t = await page.evaluate(() => window.firstEpoch);
      const examples = await page.getByLabel('Training examples').inputValue();
      const badge = await page.locator('#build').textContent();
      seconds.push((t.end - t.click) / 1000);
      await page.getByRole('button', { name: 'Stop' }).click();
      const tally = await page.evaluate(() => window.mnistDebug.threads());
      console.log(
        `visit ${i + 1}: Train enabled at ${enabled.toFixed(2)} s, pressed ${wait} ms later; first epoch's end ` +
          `${seconds.at(-1).toFixed(3)} s after the click (${examples} examples; ${badge})` +
          (tally ? `\n    governor: ${tallyText(tally)}` : ''),
      );
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.stop();
}
console.log(JSON.stringify({ visits, wait_ms: wait, median_first_epoch_s: median(seconds), first_epoch_s: seconds }));
