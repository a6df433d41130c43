#!/usr/bin/env node
// The wasm kernels alone, on the TwoLayerNet's shapes: the three matrix products of a training
// step, the SGD update of W1, the update done the two ways it can be (TN product then `sgd`, or
// the fused `matmulTNAdd` when the build has it), the hidden layer's element-wise work, and the
// softmax family at the output layer with its exp. Reads the bytes the build embeds
// (src/generated/wasm-kernels.ts, written by `npm run build` or `node scripts/run.mjs
// scripts/generate.ts`), so a kernel variant can be measured without bundling.
//
//   node bench/kernels.mjs [--runs 5] [--dtype f32|f64] [--file OTHER.ts …]
//
// `--file` (repeatable) measures the kernels embedded in other copies of that generated file
// instead, interleaved run by run so that a busy machine slows each alike: to compare a variant
// with the committed kernels, `git show HEAD:src/generated/wasm-kernels.ts > /tmp/before.ts`, then
// `node bench/kernels.mjs --file /tmp/before.ts --file src/generated/wasm-kernels.ts`.
//
// Each case is timed in batches of calls (≥ 2 ms a batch); a run reports each case's median batch
// time per call, and the table gives the median over runs, with the spread of the runs' medians.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { C, D, N, summarize } from "./lib.mjs";

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "5" }, dtype: { type: "string" }, file: { type: "string", multiple: true } },
});
const runs = Number(args.runs);
const dtypes = args.dtype ? [args.dtype] : ["f32", "f64"];
const files = args.file ?? [new URL("../src/generated/wasm-kernels.ts", import.meta.url).pathname];
const H = 50;
const LR = 0.1;

function kernelsFor(file, dtype) {
  const match = new RegExp(`${dtype}: "([A-Za-z0-9+/=]+)"`).exec(readFileSync(file, "utf8"));
  if (!match) throw new Error(`no ${dtype} kernels in ${file}`);
  const memory = new WebAssembly.Memory({ initial: 128 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(match[1], "base64")), { env: { memory, log: Math.log } });
  return { k: instance.exports, memory };
}

/** Per-call ms of `fn`, median over batches of calls, after a warm-up. */
function time(fn) {
  // 200 ms of calls first: V8 runs WebAssembly in its baseline compiler until the optimising one
  // has compiled it, in the background.
  for (const start = performance.now(); performance.now() - start < 200; ) fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - t0 >= 2) break;
    reps *= 2;
  }
  const samples = [];
  const start = performance.now();
  while (samples.length < 20 || (performance.now() - start < 300 && samples.length < 500)) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    samples.push((performance.now() - t0) / reps);
  }
  return summarize(samples).median;
}

function cases(file, dtype) {
  const { k, memory } = kernelsFor(file, dtype);
  const Arr = dtype === "f32" ? Float32Array : Float64Array;
  const size = Arr.BYTES_PER_ELEMENT;
  // Regions, 16-byte aligned, each big enough for the largest operand (784×100): out, a, b and a
  // gradient.
  const region = Math.ceil((D * N * size) / 16) * 16;
  const [out, a, b, grad] = [0, region, 2 * region, 3 * region];
  const view = new Arr(memory.buffer, 0, (4 * region) / size);
  for (let i = 0; i < view.length; i++) view[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  const list = [
    ["x@W1  (NN 100×784 · 784×50)", () => k.matmulNN(out, a, b, N, D, H), 2 * N * D * H],
    ["xᵀ@dh (TN 784×100 · 100×50)", () => k.matmulTN(out, a, b, D, N, H), 2 * D * N * H],
    ["dy@W2ᵀ (NT 100×10 · 10×50)", () => k.matmulNT(out, a, b, N, C, H), 2 * N * C * H],
  ];
  // Builds from before the optimizer kernels have only the products.
  if (k.sgd) {
    list.push(
      ["sgd W1 (784×50)", () => k.sgd(out, grad, D * H, LR), 2 * D * H],
      ["W1 -= lr·xᵀ@dh: matmulTN + sgd", () => (k.matmulTN(grad, a, b, D, N, H), k.sgd(out, grad, D * H, LR)), 2 * D * N * H],
    );
  }
  // A dense layer's element-wise work at the TwoLayerNet's hidden layer (flops: one per element).
  if (k.addRowBiasRelu) {
    list.push(
      ["h = relu(z + b1) (addRowBiasRelu 100×50)", () => k.addRowBiasRelu(out, a, b, N, H), N * H],
      ["dz = dh·step(h) (reluBackward 5000)", () => k.reluBackward(out, a, b, N * H), N * H],
      ["db1 = Σ rows dz (sumRows 100×50)", () => k.sumRows(out, a, N, H), N * H],
    );
  }
  // The loss and its gradient's softmax at the TwoLayerNet's output (100 rows of 10 classes), and
  // the exp they share alone (flops: one per element).
  if (k.softmaxLoss) {
    list.push(
      ["loss = softmaxloss(y, t) (softmaxLoss 100×10)", () => k.softmaxLoss(a, b, N, C), N * C],
      ["softmax(y) (softmaxRows 100×10)", () => k.softmaxRows(out, a, N, C), N * C],
      ["log_softmax(y) (logSoftmaxRows 100×10)", () => k.logSoftmaxRows(out, a, N, C), N * C],
      ["exp (expElements 1000)", () => k.expElements(out, a, N * C), N * C],
    );
  }
  if (k.matmulTNAdd) {
    list.push(["W1 -= lr·xᵀ@dh: matmulTNAdd", () => k.matmulTNAdd(out, a, b, D, N, H, -LR), 2 * D * N * H]);
  }
  return list;
}

const table = new Map();
const loads = [];
for (let run = 0; run < runs; run++) {
  loads.push(loadavg()[0]);
  for (const dtype of dtypes) for (const [f, file] of files.entries()) {
    for (const [name, fn, flops] of cases(file, dtype)) {
      const key = `${name} | ${dtype}${files.length > 1 ? ` | ${f + 1}: ${basename(file)}` : ""}`;
      if (!table.has(key)) table.set(key, { flops, ms: [] });
      // Every run re-instantiates the kernels and resets the values: the SGD cases move them.
      table.get(key).ms.push(time(fn));
    }
  }
}
console.log(`| kernel | dtype${files.length > 1 ? " | file" : ""} | median µs over ${runs} runs [min–max of runs] | GFLOP/s at median |`);
console.log(`| --- | --- | --- | --- |${files.length > 1 ? " --- |" : ""}`);
for (const [key, { flops, ms }] of table) {
  const s = summarize(ms);
  const sorted = [...ms].sort((x, y) => x - y);
  const us = (x) => (x * 1000).toFixed(1);
  console.log(`| ${key} | ${us(s.median)} [${us(sorted[0])}–${us(sorted.at(-1))}] | ${(flops / (s.median * 1e6)).toFixed(2)} |`);
}
console.log(`\n1-min load average as each run started: ${loads.map((l) => l.toFixed(2)).join(", ")}`);
