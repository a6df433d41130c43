// The packed-panel experiment of issue #12: `matmulNN` (out = a·b) as the wasm target builds it,
// against the same 4-row × 2-vector kernel reading b packed by `packPanels` into column panels
// stored contiguously down k, on the TwoLayerNet's x·W1 and on the scaling table's larger
// shapes. Variants are interleaved run by run; each run times each in batches of calls (≥ 20 ms a
// batch) and keeps the median batch's time per call; the table gives the median over runs. The
// packed product's results are checked bit for bit against matmulNN's.
//
//   node scripts/run.mjs scripts/bench-packed.ts [--runs 7]
import binaryen from "binaryen";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { Dtype } from "../src/emit/options.js";
import { gemm, packPanels, type Tiling } from "./wasm/matmul.js";
import { scalars } from "./wasm/text.js";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
const runs = Number(args.runs);

/** The shipped tilings of matmulNN (scripts/wasm-kernels.ts), and the packed product's. */
const shipped: Record<Dtype, Tiling> = {
  f32: { rows: [4, 1], vectors: 2, unroll: 8, columnsOuter: true },
  f64: { rows: [4, 1], vectors: 2, unroll: 8, columnsOuter: false },
};

function build(dtype: Dtype, packedOuter: boolean) {
  const s = scalars[dtype];
  const packedTiling: Tiling = { ...shipped[dtype], columnsOuter: packedOuter };
  const text = `(module (import "env" "memory" (memory 1))
${gemm("matmulNN", s, { transA: false, accumulate: false }, shipped[dtype])}
${gemm("matmulNNPacked", s, { transA: false, accumulate: false, packedB: true }, packedTiling)}
${packPanels("packPanels", s, shipped[dtype].vectors)})`;
  const module = binaryen.parseText(text);
  module.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128);
  if (!module.validate()) throw new Error("the experiment's kernels do not validate");
  binaryen.setOptimizeLevel(3);
  module.optimize();
  const bytes = module.emitBinary();
  module.dispose();
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), { env: { memory } });
  return { k: instance.exports as Record<string, (...a: number[]) => void>, memory };
}

/** Median of numbers. */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Time per call of f, in ms: the median of batches of calls, each ≥ 20 ms. */
function time(f: () => void): number {
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let c = 0; c < calls; c++) f();
    if (performance.now() - t0 >= 20) break;
    calls *= 2;
  }
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now();
    for (let c = 0; c < calls; c++) f();
    batches.push((performance.now() - t0) / calls);
  }
  return median(batches);
}

const shapes: [number, number, number][] = [
  [100, 784, 50],
  [1000, 784, 50],
  [100, 784, 500],
  [1000, 784, 1000],
];

console.log(`packed panels: matmulNN vs packed b, ${runs} interleaved runs; node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(" ")} at start`);
console.log();
console.log("| dtype | n × k × m | matmulNN ms (GFLOP/s) | packed, packing each call ms (GFLOP/s) | packed, b packed once ms (GFLOP/s) | packing alone ms | packed ÷ matmulNN (each call / once) | results |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const dtype of ["f32", "f64"] as const) {
  {
    // Packed panels are read column block by column block, like the shipped f32 kernel.
    const { k: kernels, memory } = build(dtype, true);
    for (const [n, k, m] of shapes) {
      const size = dtype === "f32" ? 4 : 8;
      const width = shipped[dtype].vectors * (16 / size);
      const panels = Math.ceil(m / width) * width;
      const sizes = [n * k, k * m, n * m, n * m, panels * k];
      const offsets: number[] = [];
      let at = 0;
      for (const length of sizes) {
        offsets.push(at);
        at += Math.ceil((length * size + 64) / 16) * 16;
      }
      const pages = Math.ceil(at / 65536) - memory.buffer.byteLength / 65536;
      if (pages > 0) memory.grow(pages);
      const [a, b, out1, out2, packed] = offsets as [number, number, number, number, number];
      const Arr = dtype === "f32" ? Float32Array : Float64Array;
      const view = (offset: number, length: number) => new Arr(memory.buffer, offset, length);
      let seed = 1;
      const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      view(a, n * k).forEach((_, i, arr) => (arr[i] = random()));
      view(b, k * m).forEach((_, i, arr) => (arr[i] = random()));
      const plain = () => kernels.matmulNN!(out1, a, b, n, k, m);
      const packEach = () => {
        kernels.packPanels!(packed, b, k, m);
        kernels.matmulNNPacked!(out2, a, packed, n, k, m);
      };
      const packedOnly = () => kernels.matmulNNPacked!(out2, a, packed, n, k, m);
      const packOnly = () => kernels.packPanels!(packed, b, k, m);
      plain();
      packEach();
      const x = view(out1, n * m);
      const y = view(out2, n * m);
      let same = 0;
      for (let i = 0; i < n * m; i++) if (Object.is(x[i], y[i])) same++;
      const times: number[][] = [[], [], [], []];
      for (let r = 0; r < runs; r++) [plain, packEach, packedOnly, packOnly].forEach((f, v) => times[v]!.push(time(f)));
      const [t0, t1, t2, t3] = times.map(median) as [number, number, number, number];
      const gflops = (ms: number) => ((2 * n * k * m) / (ms * 1e6)).toFixed(1);
      console.log(
        `| ${dtype} | ${n} × ${k} × ${m} | ${t0.toFixed(3)} (${gflops(t0)}) | ${t1.toFixed(3)} (${gflops(t1)}) | ${t2.toFixed(3)} (${gflops(t2)}) | ${t3.toFixed(3)} | ${(t1 / t0).toFixed(2)} / ${(t2 / t0).toFixed(2)} | ${same === n * m ? "bit-identical" : `${n * m - same} of ${n * m} differ`} |`,
      );
    }
  }
}
