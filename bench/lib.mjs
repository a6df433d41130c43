// Shared pieces of the benchmark: the one data set and initial params every implementation
// gets, the timing loop, and the statistics reported.

import { mulberry32 } from "../dist/index.js";

export const N = 100; // batch
export const D = 784; // input width
export const C = 10; // classes
export const LR = 0.1;

/** Seeded uniform [0, 1) generator (gradc's mulberry32), so every run sees the same numbers. */
export const rng = mulberry32;

function normal(random, count, std) {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    out[i] = std * r * Math.cos(2 * Math.PI * random());
  }
  return out;
}

/**
 * The batch (x uniform [0, 1), one-hot t) and the initial params (normal(0, 0.01) weights, zero
 * biases) in f64, row-major. `widths` lists the hidden widths wanted: the params for a wider net
 * keep the narrower net's weights and append fresh columns (W1) and rows (W2).
 */
export function makeProblem(widths, seed = 20240601) {
  const random = rng(seed);
  const x = new Float64Array(N * D);
  for (let i = 0; i < x.length; i++) x[i] = random();
  const labels = Array.from({ length: N }, () => Math.floor(random() * C));
  const t = new Float64Array(N * C);
  labels.forEach((label, i) => (t[i * C + label] = 1));
  const maxH = Math.max(...widths);
  const W1full = normal(random, D * maxH, 0.01); // column j of the widest W1 is W1full[j*D ..]
  const W2full = normal(random, maxH * C, 0.01); // row j of the widest W2
  const params = {};
  for (const H of widths) {
    const W1 = new Float64Array(D * H);
    for (let i = 0; i < D; i++) for (let j = 0; j < H; j++) W1[i * H + j] = W1full[j * D + i];
    params[H] = { W1, b1: new Float64Array(H), W2: W2full.slice(0, H * C), b2: new Float64Array(C) };
  }
  return { x, t, labels, params };
}

/** Flops of the matrix products of one training step and of one forward pass, hidden width H. */
export function matmulFlops(H) {
  const fwd = 2 * N * D * H + 2 * N * H * C; // x@W1, h@W2
  const bwd = 2 * H * N * C + 2 * N * C * H + 2 * D * N * H; // hᵀ@dy, dy@W2ᵀ, xᵀ@dh
  return { step: fwd + bwd, forward: fwd };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 0.5),
    p10: percentile(sorted, 0.1),
    p90: percentile(sorted, 0.9),
  };
}

export const TIMING = { warmup: 30, minIters: 100, minMs: 1000, maxIters: 5000 };

/**
 * Times `fn` (sync, or async when it returns a promise, which is awaited inside the timed region):
 * `warmup` untimed calls, then at least `minIters` timed calls and at least `minMs` of them.
 * Returns the per-call times in ms and the value the first call returned.
 */
export async function measure(fn, { warmup, minIters, minMs, maxIters } = TIMING) {
  let first;
  for (let i = 0; i < warmup; i++) {
    let r = fn();
    if (r instanceof Promise) r = await r;
    if (i === 0) first = r;
  }
  const samples = [];
  const start = performance.now();
  while (samples.length < maxIters && (samples.length < minIters || performance.now() - start < minMs)) {
    const t0 = performance.now();
    const r = fn();
    if (r instanceof Promise) await r;
    samples.push(performance.now() - t0);
  }
  return { samples, first };
}

/** Runs a full GC between implementations when the runtime lets us. */
export async function collectGarbage() {
  try {
    const v8 = await import("node:v8");
    const vm = await import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc");
    gc();
  } catch {
    // no gc: fine, it only makes the numbers a little less noisy
  }
}
