// The page's choice of training threads (every core) and how ?threads=N reaches the worker.
import { describe, expect, it } from 'vitest';

import { workerName } from '../../web/src/client';
import { trainingThreads } from '../../web/src/core';

describe('trainingThreads', () => {
  it('trains on every core and never goes below one thread', () => {
    expect(trainingThreads(8)).toBe(8);
    expect(trainingThreads(4)).toBe(4);
    expect(trainingThreads(2)).toBe(2);
    expect(trainingThreads(1)).toBe(1);
    expect(trainingThreads(undefined)).toBe(1);
    expect(trainingThreads(0)).toBe(1);
  });
});

describe('workerName', () => {
  it('carries the build and, when asked for, the thread count', () => {
    expect(workerName({ simd: true })).toBe('build=simd');
    expect(workerName({ simd: false })).toBe('build=nosimd');
    expect(new URLSearchParams(workerName({ simd: true, threads: 2 })).get('threads')).toBe('2');
  });
});
