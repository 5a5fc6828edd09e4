// Debian's Chromium, headless, for every program of the project that drives a browser (the browser tests,
// `npm run bench`, the kernel benchmark in Chromium, the screenshot): its path and flags in one place.
// The flags keep a run quiet and repeatable: no sandbox (CI runs as root), no GPU, and no background
// traffic (updates, sync, QUIC) competing with a benchmark or showing up as a failed request in a test.
import { chromium } from 'playwright-core';

const chromiumPath = '/usr/bin/chromium';

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches it headless, with `extraArgs` after the common flags. */
export function launchChromium(extraArgs = []) {
  return chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs, ...extraArgs], headless: true });
}
