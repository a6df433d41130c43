// Shared pieces of the benchmark: the one data set and initial params every implementation
// gets, the timing loop, and the statistics reported.

import { readFile } from "node:fs/promises";
import os from "node:os";
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
export function makeProblem(widths, seed = 20240601, batch = N) {
  const random = rng(seed);
  const x = new Float64Array(batch * D);
  for (let i = 0; i < x.length; i++) x[i] = random();
  const labels = Array.from({ length: batch }, () => Math.floor(random() * C));
  const t = new Float64Array(batch * C);
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
  return { n: batch, x, t, labels, params };
}

/**
 * What one row times: the first `n` examples of the problem's batch and the params of hidden
 * width H (f64; each implementation converts them to its dtype).
 */
export function workload(problem, H, n = problem.n) {
  if (n > problem.n) throw new Error(`workload: batch ${n} > the problem's ${problem.n}`);
  return { n, H, x: problem.x.subarray(0, n * D), t: problem.t.subarray(0, n * C), params: problem.params[H] };
}

const graphFile = new URL("../examples/two_layer_net.graph", import.meta.url);

/** examples/two_layer_net.graph with the hidden width 50 of its param shapes replaced by H. */
export async function twoLayerNetSource(H = 50) {
  const source = await readFile(graphFile, "utf8");
  let count = 0;
  const widened = source.replace(/^(\s*param .*)$/gm, (line) =>
    line.replace(/\b50\b/g, () => (count++, String(H))),
  );
  if (count !== 3) throw new Error(`two_layer_net.graph: expected the width 50 in 3 param shapes, found ${count}`);
  return widened;
}

/** Whether a trained array moved away from its initial values (a step that did no update would not). */
export function moved(now, initial) {
  for (let i = 0; i < Math.min(now.length, 64); i++) if (now[i] !== Math.fround(initial[i]) && now[i] !== initial[i]) return true;
  return false;
}

/** Flops of the matrix products of one training step and of one forward pass, hidden width H, batch n. */
export function matmulFlops(H, n = N) {
  const fwd = 2 * n * D * H + 2 * n * H * C; // x@W1, h@W2
  const bwd = 2 * H * n * C + 2 * n * C * H + 2 * D * n * H; // hᵀ@dy, dy@W2ᵀ, xᵀ@dh
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

export const TIMING = { warmup: 30, warmupMs: 0, minIters: 100, minMs: 1000, maxIters: 5000 };
/** `--quick`: enough to see that everything runs and roughly where it lands. */
export const QUICK_TIMING = { warmup: 5, warmupMs: 0, minIters: 20, minMs: 150, maxIters: 5000 };

/** The timing rule in words, for the report. */
export function describeTiming({ warmup, warmupMs, minIters, minMs, maxIters }) {
  const warm = warmupMs > 0 ? `≥ ${warmup} warm-up calls and ≥ ${warmupMs} ms of them` : `${warmup} warm-up calls`;
  return `${warm}, then ≥ ${minIters} timed calls and ≥ ${minMs} ms (at most ${maxIters}); median, p10, p90 of per-call wall time`;
}

/**
 * Times `fn` (sync, or async when it returns a promise, which is awaited inside the timed region):
 * at least `warmup` untimed calls and at least `warmupMs` of them, then at least `minIters` timed
 * calls and at least `minMs` of them. Returns the per-call times in ms and the value the first
 * call returned.
 */
export async function measure(fn, { warmup, warmupMs = 0, minIters, minMs, maxIters } = TIMING) {
  let first;
  const warmStart = performance.now();
  for (let i = 0; i < warmup || performance.now() - warmStart < warmupMs; i++) {
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

/**
 * A runner of rows that survives a failing one: `attempt(label, fn)` prints the label, runs `fn`
 * after a GC, keeps the row it returns (with the 1-min load average as it started) in `rows`,
 * and turns an error into a line in `skipped` instead of ending the run.
 */
export function rowRunner(say) {
  const rows = [];
  const skipped = [];
  const attempt = async (label, fn) => {
    await collectGarbage();
    const t0 = performance.now();
    process.stdout.write(`running ${label} ... `);
    const load = os.loadavg()[0];
    try {
      const r = await fn();
      if (r) rows.push({ ...r, load });
      say(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return r;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      say(`FAILED: ${message}`);
      skipped.push(`${label}: ${message.split("\n")[0]}`);
      return undefined;
    }
  };
  return { rows, skipped, attempt };
}

/** Median of a row's samples, or undefined when the row or the part is missing. */
export function median(row, part = "step") {
  return row?.[part] ? summarize(row[part]).median : undefined;
}

/**
 * The rows whose loss at step 0 differs from the first row's by more than `tolerance` (f32 sums
 * in a different order differ around 1e-6), as a sentence for the report.
 */
export function lossAgreement(rows, tolerance = 1e-4) {
  const withLoss = rows.filter((r) => Number.isFinite(Number(r.loss0)));
  if (withLoss.length === 0) return "loss at step 0: no rows";
  const ref = Number(withLoss[0].loss0);
  const off = withLoss.filter((r) => Math.abs(Number(r.loss0) - ref) > tolerance);
  const spread = Math.max(...withLoss.map((r) => Math.abs(Number(r.loss0) - ref)));
  return off.length === 0
    ? `loss at step 0 agrees across all ${withLoss.length} rows (largest difference ${spread.toExponential(1)})`
    : `WARNING: loss at step 0 differs by more than ${tolerance} from ${withLoss[0].name} ${withLoss[0].dtype}: ` +
        off.map((r) => `${r.name} ${r.dtype} ${Number(r.loss0).toFixed(6)}`).join(", ");
}
