// Whole-page tests in real headless Chromium (playwright-core, Debian's /usr/bin/chromium) against a
// production build served by `vite preview`, which tests/browser/server.ts builds and starts on a free port.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/browser/server.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    // A page's answer can take a few seconds on a busy 2-core machine; expect.poll's 1 s default flaked.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
  },
});
