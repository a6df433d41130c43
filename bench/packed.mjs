#!/usr/bin/env node
// The packed-panel experiment of issue #12, for both products a 4-row × 2-vector block computes:
// `matmulNN` (out = a·b) and `matmulTN` (out = aᵀ·b, the weight gradient xᵀ@dh), as the wasm
// target builds them (scripts/wasm-kernels.ts's tilings), against the same kernels reading b
// packed by `packPanels` into column panels a block wide stored contiguously down k, and (TN) aᵀ
// also packed by `packRowPanels` into row blocks interleaved down k. The kernels are built here
// from scripts/wasm/matmul.ts (esbuild, then Binaryen -O3 as the build does), so the shipped
// src/generated/wasm-kernels.ts is untouched.
//
//   node bench/packed.mjs [--runs 7] [--dtype f32|f64] [--product NN|TN] [--shapes 100x784x50,…]
//
// Shapes are n×k×m of out[n×m] = A[n×k]·b[k×m]; for TN, a is stored [k×n] (xᵀ@dh with batch B,
// input D and hidden H is n×k×m = D×B×H). Each variant is warmed up (V8 tiers wasm up in the
// background), its calls per batch fixed so that a batch takes ≥ 10 ms; then runs interleave the
// variants, in an order rotated each run, each variant timing 5 batches and keeping the median
// batch's time per call. The table gives the median over runs (and the fastest run, which the
// load of other processes disturbs least), and the median over runs of each run's ratio to the
// shipped kernel. Each variant's out is compared bit for bit with the shipped kernel's.
import binaryen from "binaryen";
import { build } from "esbuild";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    dtype: { type: "string" },
    product: { type: "string" },
    shapes: { type: "string" },
  },
});
const runs = Number(args.runs);
const dtypes = args.dtype ? [args.dtype] : ["f32", "f64"];
const products = args.product ? [args.product] : ["NN", "TN"];
const defaultShapes = {
  NN: "100x784x50,1000x784x50,100x784x500,1000x784x1000",
  // The NN shapes read as aᵀ·b, then xᵀ@dh itself at batch 100 (the TwoLayerNet's), and at batch
  // 100 and 1000 for hidden widths 500 and 1000.
  TN: "100x784x500,1000x784x1000,784x100x50,784x100x500,784x1000x1000",
};

const root = fileURLToPath(new URL("..", import.meta.url));
const kernelsFile = join(root, "node_modules", ".cache", "gradc-scripts", "packed-kernels.mjs");
await build({
  stdin: {
    contents:
      'export { gemm, packPanels, packRowPanels } from "./scripts/wasm/matmul.ts"; export { scalars } from "./scripts/wasm/text.ts"; export { tilings } from "./scripts/wasm-kernels.ts";',
    resolveDir: root,
    loader: "ts",
  },
  bundle: true,
  // The shipped tilings come from scripts/wasm-kernels.ts; its packages (Binaryen) stay imports.
  packages: "external",
  format: "esm",
  platform: "node",
  // Written where scripts/run.mjs writes its bundles, so that its package imports resolve.
  outfile: kernelsFile,
  logLevel: "warning",
});
const { gemm, packPanels, packRowPanels, scalars, tilings } = await import(pathToFileURL(kernelsFile).href);

function instantiate(dtype, memory) {
  const s = scalars[dtype];
  const t = tilings[dtype];
  const text = `(module (import "env" "memory" (memory 1))
${gemm("matmulNN", s, { transA: false, accumulate: false }, t.NN)}
${gemm("matmulNNPacked", s, { transA: false, accumulate: false, packedB: true }, t.NN)}
${gemm("matmulNNPackedOuter", s, { transA: false, accumulate: false, packedB: true }, { ...t.NN, columnsOuter: true })}
${gemm("matmulTN", s, { transA: true, accumulate: false }, t.TN)}
${gemm("matmulTNPackedB", s, { transA: true, accumulate: false, packedB: true }, t.TN)}
${gemm("matmulTNPackedA", s, { transA: true, accumulate: false, packedA: true }, t.TN)}
${gemm("matmulTNPackedAB", s, { transA: true, accumulate: false, packedA: true, packedB: true }, t.TN)}
${packPanels("packPanels", s, t.NN.vectors)}
${packRowPanels("packRowPanels", s, t.TN.rows[0])})`;
  const module = binaryen.parseText(text);
  try {
    module.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128);
    if (!module.validate())
      throw new Error("the experiment's kernels do not validate");
    binaryen.setOptimizeLevel(3);
    binaryen.setShrinkLevel(0);
    module.optimize();
    return new WebAssembly.Instance(
      new WebAssembly.Module(module.emitBinary()),
      { env: { memory } },
    ).exports;
  } finally {
    module.dispose();
  }
}

const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];

/** Calls per batch for a batch of ≥ 10 ms, after ≥ 300 ms of warm-up calls. */
function calibrate(fn) {
  for (const start = performance.now(); performance.now() - start < 300;) fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - t0 >= 10) return reps;
    reps *= 2;
  }
}

/** ms per call: the median of 5 batches. */
function time(fn, reps) {
  const batches = [];
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    batches.push((performance.now() - t0) / reps);
  }
  return median(batches);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
console.log(
  `packed panels, ${runs} interleaved runs; node ${process.version}; load average ${load()} at start`,
);

for (const product of products) {
  for (const dtype of dtypes) {
    const Arr = dtype === "f32" ? Float32Array : Float64Array;
    const size = Arr.BYTES_PER_ELEMENT;
    const width = (tilings[dtype][product].vectors * 16) / size;
    console.log(`\n### ${product}, ${dtype}\n`);
    console.log(
      "| n × k × m | variant | median ms [fastest run] | GFLOP/s at median [fastest] | ÷ shipped, median of runs' ratios | out vs shipped |",
    );
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const shape of (args.shapes ?? defaultShapes[product]).split(",")) {
      const [n, k, m] = shape.split("x").map(Number);
      // Regions, 16-byte aligned with 64 bytes to spare (the partial blocks read past a row's end):
      // a, b, the shipped kernel's out, the variant's out, packed b (m rounded up to panels), packed aᵀ.
      const lengths = [
        n * k,
        k * m,
        n * m,
        n * m,
        Math.ceil(m / width) * width * k,
        n * k,
      ];
      const offsets = [];
      let at = 0;
      for (const length of lengths) {
        offsets.push(at);
        at += Math.ceil((length * size + 64) / 16) * 16;
      }
      const memory = new WebAssembly.Memory({ initial: Math.ceil(at / 65536) });
      const kx = instantiate(dtype, memory);
      const [a, b, out0, out1, pb, pa] = offsets;
      let seed = 1;
      const random = () =>
        ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      const view = (offset, length) => new Arr(memory.buffer, offset, length);
      for (const [offset, length] of [
        [a, n * k],
        [b, k * m],
      ]) {
        const v = view(offset, length);
        for (let i = 0; i < length; i++) v[i] = random();
      }
      // [name, fn, writes out1 (checked against out0)]
      const variants =
        product === "NN"
          ? [
              [
                "matmulNN (shipped)",
                () => kx.matmulNN(out0, a, b, n, k, m),
                false,
              ],
              [
                "packPanels + packed",
                () => (
                  kx.packPanels(pb, b, k, m),
                  kx.matmulNNPacked(out1, a, pb, n, k, m)
                ),
                true,
              ],
              [
                "packed, b packed once",
                () => kx.matmulNNPacked(out1, a, pb, n, k, m),
                true,
              ],
              ["packPanels alone", () => kx.packPanels(pb, b, k, m), false],
              // f64's shipped matmulNN runs row blocks outer; packed, column blocks outer as well.
              ...(dtype === "f64"
                ? [
                    [
                      "packPanels + packed, columns outer",
                      () => (
                        kx.packPanels(pb, b, k, m),
                        kx.matmulNNPackedOuter(out1, a, pb, n, k, m)
                      ),
                      true,
                    ],
                  ]
                : []),
            ]
          : [
              [
                "matmulTN (shipped)",
                () => kx.matmulTN(out0, a, b, n, k, m),
                false,
              ],
              [
                "packPanels + packed b",
                () => (
                  kx.packPanels(pb, b, k, m),
                  kx.matmulTNPackedB(out1, a, pb, n, k, m)
                ),
                true,
              ],
              [
                "packed b, packed once",
                () => kx.matmulTNPackedB(out1, a, pb, n, k, m),
                true,
              ],
              [
                "packRowPanels + packed aᵀ",
                () => (
                  kx.packRowPanels(pa, a, k, n),
                  kx.matmulTNPackedA(out1, pa, b, n, k, m)
                ),
                true,
              ],
              [
                "packed aᵀ, packed once",
                () => kx.matmulTNPackedA(out1, pa, b, n, k, m),
                true,
              ],
              [
                "both packs + packed aᵀ, b",
                () => (
                  kx.packPanels(pb, b, k, m),
                  kx.packRowPanels(pa, a, k, n),
                  kx.matmulTNPackedAB(out1, pa, pb, n, k, m)
                ),
                true,
              ],
              [
                "packed aᵀ, b, packed once",
                () => kx.matmulTNPackedAB(out1, pa, pb, n, k, m),
                true,
              ],
              [
                "packPanels + packRowPanels alone",
                () => (
                  kx.packPanels(pb, b, k, m),
                  kx.packRowPanels(pa, a, k, n)
                ),
                false,
              ],
            ];
      // Results first: each variant that writes out1 against the shipped kernel's out0.
      variants[0][1]();
      const expected = view(out0, n * m);
      const checks = variants.map(([, fn, writes]) => {
        if (!writes) return "";
        view(out1, n * m).fill(NaN);
        fn();
        const got = view(out1, n * m);
        let differ = 0;
        let maxDiff = 0;
        for (let i = 0; i < n * m; i++) {
          if (!Object.is(got[i], expected[i])) differ++;
          maxDiff = Math.max(
            maxDiff,
            Math.abs(got[i] - expected[i]) ||
              (Number.isNaN(got[i]) ? Infinity : 0),
          );
        }
        return differ === 0
          ? "bit-identical"
          : `${differ} of ${n * m} differ, max |Δ| ${maxDiff}`;
      });
      const reps = variants.map(([, fn]) => calibrate(fn));
      const times = variants.map(() => []);
      for (let r = 0; r < runs; r++) {
        for (let v = 0; v < variants.length; v++) {
          const w = (v + r) % variants.length;
          times[w].push(time(variants[w][1], reps[w]));
        }
      }
      const flops = 2 * n * k * m;
      const rate = (ms) => (flops / (ms * 1e6)).toFixed(1);
      variants.forEach(([name, , writes], v) => {
        const med = median(times[v]);
        const best = Math.min(...times[v]);
        const ratio = median(times[v].map((t, r) => t / times[0][r]));
        const isProduct = !name.endsWith("alone");
        console.log(
          `| ${n} × ${k} × ${m} | ${name} | ${med.toPrecision(4)} [${best.toPrecision(4)}] | ${isProduct ? `${rate(med)} [${rate(best)}]` : "–"} | ${v === 0 ? "1" : ratio.toFixed(3)} | ${writes ? checks[v] : v === 0 ? "reference" : "–"} |`,
        );
      });
    }
  }
}
console.log(`\nload average ${load()} at the end`);
