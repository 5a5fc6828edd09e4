// Makes the web app manifest's icons under public/icons/: a white "7" on the page's accent blue, as an SVG and as
// 192 and 512 pixel PNGs (encoded here with zlib, so no image library is needed). The digit stays inside the
// central 60 %, so the PNGs also serve as "maskable" icons (the launcher may crop to a circle).
// The outputs are committed; run `node scripts/make-icons.mjs` again only to change the design.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
const background = [0x25, 0x63, 0xeb]; // --accent in web/src/styles.css
const stroke = [[0.32, 0.3], [0.68, 0.3], [0.46, 0.72]]; // the "7", in units of the icon's side
const width = 0.1;

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size) {
  const rows = Buffer.alloc(size * (1 + 3 * size));
  for (let y = 0; y < size; ++y) {
    rows[y * (1 + 3 * size)] = 0; // filter: none
    for (let x = 0; x < size; ++x) {
      const [px, py] = [(x + 0.5) / size, (y + 0.5) / size];
      const d = Math.min(distanceToSegment(px, py, stroke[0], stroke[1]), distanceToSegment(px, py, stroke[1], stroke[2]));
      const ink = Math.max(0, Math.min(1, (width / 2 - d) * size + 0.5)); // one pixel of anti-aliasing
      for (let c = 0; c < 3; ++c) rows[y * (1 + 3 * size) + 1 + 3 * x + c] = Math.round(background[c] + (255 - background[c]) * ink);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const hex = `#${background.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" fill="${hex}"/><polyline points="${stroke.map(([x, y]) => `${x * 100},${y * 100}`).join(' ')}" fill="none" stroke="#fff" stroke-width="${width * 100}" stroke-linecap="round" stroke-linejoin="round"/></svg>\n`;

mkdirSync(out, { recursive: true });
for (const size of [192, 512]) writeFileSync(join(out, `icon-${size}.png`), png(size));
writeFileSync(join(out, 'icon.svg'), svg);
console.log('make-icons: wrote public/icons/icon-192.png, icon-512.png, icon.svg');
