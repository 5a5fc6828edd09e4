// Vite: the page lives in web/, the embedded data in public/, the static site goes to dist/ with relative
// URLs so any static server (or a sub-path) can host it. The worker is an ES module (it imports the
// Emscripten factory, which finds its .wasm through new URL(..., import.meta.url)).
import { defineConfig } from 'vite';

// Cross-origin isolation (COOP + COEP) lets the worker share memory with its threads: with these headers the
// page loads the threaded build; a static host without them gets the single-thread build, same UI.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: 'web',
  publicDir: '../public',
  base: './',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1024 },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', strictPort: true, headers: isolation },
  preview: { host: '127.0.0.1', strictPort: true, headers: isolation },
});
