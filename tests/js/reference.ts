// The reference network of DESIGN.md in plain JavaScript doubles: cost and gradients for a batch,
//   a1 = relu(X W1 + b1), p = softmax(a1 W2 + b2), cost = mean CE + c (sum W1^2 + sum W2^2),
//   dz2 = (p - Y) / n, dW2 = a1^T dz2 + 2c W2, db2 = sum dz2, dz1 = dz2 W2^T * [z1 > 0],
//   dW1 = X^T dz1 + 2c W1, db1 = sum dz1.
// Slow and obvious on purpose: the golden values the wasm build is checked against.
import type { Parameters } from '../../wasm/mnist-core';

export interface ReferenceGradients {
  cost: number;
  dW1: Float64Array;
  db1: Float64Array;
  dW2: Float64Array;
  db2: Float64Array;
}

export function referenceGradients(P: Parameters, x: Float32Array, y: Uint8Array, c: number): ReferenceGradients {
  const n = y.length, H = P.hidden, D = 784, K = 10;
  const z1 = new Float64Array(n * H), a1 = new Float64Array(n * H), p = new Float64Array(n * K);
  let ce = 0;
  for (let r = 0; r < n; ++r) {
    for (let j = 0; j < H; ++j) {
      let s = P.b1[j];
      for (let k = 0; k < D; ++k) s += x[r * D + k] * P.W1[k * H + j];
      z1[r * H + j] = s;
      a1[r * H + j] = Math.max(0, s);
    }
    const z2 = new Float64Array(K);
    for (let j = 0; j < K; ++j) {
      let s = P.b2[j];
      for (let k = 0; k < H; ++k) s += a1[r * H + k] * P.W2[k * K + j];
      z2[j] = s;
    }
    const m = Math.max(...z2);
    const logSum = m + Math.log(z2.reduce((acc, v) => acc + Math.exp(v - m), 0));
    for (let j = 0; j < K; ++j) p[r * K + j] = Math.exp(z2[j] - logSum);
    ce += logSum - z2[y[r]];
  }
  let norm2 = 0;
  for (const v of P.W1) norm2 += v * v;
  for (const v of P.W2) norm2 += v * v;

  const dz2 = new Float64Array(n * K);
  for (let r = 0; r < n; ++r)
    for (let j = 0; j < K; ++j) dz2[r * K + j] = (p[r * K + j] - (j === y[r] ? 1 : 0)) / n;
  const dW2 = new Float64Array(H * K), db2 = new Float64Array(K);
  for (let k = 0; k < H; ++k)
    for (let j = 0; j < K; ++j) {
      let s = 0;
      for (let r = 0; r < n; ++r) s += a1[r * H + k] * dz2[r * K + j];
      dW2[k * K + j] = s + 2 * c * P.W2[k * K + j];
    }
  for (let r = 0; r < n; ++r) for (let j = 0; j < K; ++j) db2[j] += dz2[r * K + j];
  const dz1 = new Float64Array(n * H);
  for (let r = 0; r < n; ++r)
    for (let k = 0; k < H; ++k) {
      let s = 0;
      for (let j = 0; j < K; ++j) s += dz2[r * K + j] * P.W2[k * K + j];
      dz1[r * H + k] = z1[r * H + k] > 0 ? s : 0;
    }
  const dW1 = new Float64Array(D * H), db1 = new Float64Array(H);
  for (let r = 0; r < n; ++r)
    for (let k = 0; k < D; ++k) {
      const xv = x[r * D + k];
      if (xv === 0) continue;
      for (let j = 0; j < H; ++j) dW1[k * H + j] += xv * dz1[r * H + j];
    }
  for (let i = 0; i < D * H; ++i) dW1[i] += 2 * c * P.W1[i];
  for (let r = 0; r < n; ++r) for (let j = 0; j < H; ++j) db1[j] += dz1[r * H + j];
  return { cost: ce / n + c * norm2, dW1, db1, dW2, db2 };
}

/** ||a - b|| / max(||a||, ||b||, tiny): the relative error of a whole tensor. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; ++i) {
    diff += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nb), 1e-30);
}
