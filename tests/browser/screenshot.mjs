// Takes docs/screenshot.png: trains with the page's defaults (the reference settings on the subset),
// draws a digit, and photographs the whole page. Not a test; run against a running server:
//   node tests/browser/screenshot.mjs http://127.0.0.1:5173/ [out.png]
// Prints the test accuracy and the time per epoch.
import { launchChromium } from '../../scripts/chromium.mjs';

const [url = 'http://127.0.0.1:5173/', out = 'docs/screenshot.png'] = process.argv.slice(2);
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
page.on('console', (m) => m.type() === 'error' && console.error('console error:', m.text()));
await page.goto(url);
await page.getByText(/training and [\d,]+ test images loaded/).waitFor({ timeout: 120_000 });
const started = Date.now();
await page.getByRole('button', { name: 'Train' }).click();
// The reference model's accuracy empties when the run starts; wait for the new model's.
await page.waitForFunction(() => !/\d/.test(document.querySelector('#test-accuracy').textContent));
await page.getByLabel('Test accuracy').filter({ hasText: /\d/ }).waitFor({ timeout: 1_800_000 });
const seconds = (Date.now() - started) / 1000;
const epochs = Number(await page.getByLabel('Epochs').inputValue());
const box = await page.getByLabel('Drawing pad').boundingBox();
const at = (x, y) => [box.x + x * box.width, box.y + y * box.height];
await page.mouse.move(...at(0.62, 0.2));
await page.mouse.down();
for (const [x, y] of [[0.4, 0.22], [0.36, 0.45], [0.55, 0.42], [0.66, 0.58], [0.6, 0.76], [0.38, 0.78]])
  await page.mouse.move(...at(x, y), { steps: 12 });
await page.mouse.up();
// The hidden-unit grid draws only while on screen: show it once, as a reader scrolling down would.
await page.getByLabel('Hidden unit weights').scrollIntoViewIfNeeded();
await page.waitForTimeout(600);
await page.evaluate(() => scrollTo(0, 0));
await page.screenshot({ path: out, fullPage: true });
console.log(
  JSON.stringify({
    testAccuracy: await page.getByLabel('Test accuracy').textContent(),
    samplesPerSecond: await page.locator('#stat-rate').textContent(),
    seconds,
    secondsPerEpoch: seconds / epochs,
    prediction: await page.getByRole('status', { name: 'Prediction' }).textContent(),
    build: await page.locator('#build').textContent(),
  }),
);
await browser.close();
