// Vitest in Node: the WebAssembly module through web/src/core.ts, and the page's pure modules.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/js/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
