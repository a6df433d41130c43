// `npm run bench`: the book's TwoLayerNet (784→50→10, batch 100) timed side by side in one run:
// gradc's generated modules (ts and wasm targets, f64 and f32), TensorFlow.js (cpu and wasm
// backends), jax-js (wasm device, hidden width 50 and 52), ONNX Runtime (the model `gradc export`
// writes: forward, and the whole training step; one thread and its default) and the book's NumPy
// code (one thread).
//
//   node bench/run.mjs [--only gradc,tfjs,jax,onnxruntime,numpy] [--json FILE]
//
// Run after `npm run build`: gradc is loaded from dist/.
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import { N, TIMING, collectGarbage, matmulFlops, makeProblem, summarize } from "./lib.mjs";
import { benchGradc, benchGradcKernels } from "./peers/gradc.mjs";
import { benchJax } from "./peers/jax.mjs";
import { benchNumpy, findPython } from "./peers/numpy.mjs";
import { benchOnnxRuntime } from "./peers/onnxruntime.mjs";
import { benchTfjs } from "./peers/tfjs.mjs";

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = flag("--only")?.split(",");
const jsonFile = flag("--json");
const wanted = (group) => !only || only.includes(group);

const started = performance.now();
const say = (line = "") => console.log(line);

// ---------------------------------------------------------------- the machine
function cpuModel() {
  const r = spawnSync("lscpu", [], { encoding: "utf8" });
  const line = r.status === 0 ? r.stdout.split("\n").find((l) => l.startsWith("Model name:")) : undefined;
  return line ? line.replace("Model name:", "").trim() : (os.cpus()[0]?.model ?? "unknown");
}
const machine = {
  cpu: cpuModel(),
  cores: os.availableParallelism(),
  node: process.version,
  loadBefore: os.loadavg().map((l) => l.toFixed(2)),
};
say(`gradc bench: TwoLayerNet 784→50→10, batch ${N}, SGD lr 0.1`);
say(`machine: ${machine.cpu}, ${machine.cores} cores (nproc), node ${machine.node}`);
say(`load average at start (1/5/15 min): ${machine.loadBefore.join(" ")}`);
say(
  `timing: ${TIMING.warmup} warm-up calls, then ≥ ${TIMING.minIters} timed calls and ≥ ${TIMING.minMs} ms ` +
    `(at most ${TIMING.maxIters}); median, p10, p90 of per-call wall time`,
);
say();

// ---------------------------------------------------------------- the runs
const problem = makeProblem([50, 52]);
const results = [];
const skipped = [];
let kernels = {};

async function attempt(label, fn) {
  await collectGarbage();
  const t0 = performance.now();
  process.stdout.write(`running ${label} ... `);
  const load = os.loadavg()[0];
  try {
    const r = await fn();
    if (r) results.push({ ...r, load });
    say(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  } catch (e) {
    say(`FAILED: ${e instanceof Error ? e.message : String(e)}`);
    skipped.push(`${label}: failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    return undefined;
  }
}

if (wanted("gradc")) {
  for (const target of ["ts", "wasm"]) {
    for (const dtype of ["f64", "f32"]) {
      const r = await attempt(`gradc ${target} ${dtype}`, () => benchGradc(problem, target, dtype));
      if (r && target === "wasm") {
        kernels[dtype] = await benchGradcKernels(r.code, dtype);
      }
    }
  }
}
if (wanted("tfjs")) {
  await attempt("tfjs cpu", () => benchTfjs(problem, "cpu"));
  await attempt("tfjs wasm", () => benchTfjs(problem, "wasm"));
}
if (wanted("jax")) {
  await attempt("jax-js wasm H=50", () => benchJax(problem, 50));
  await attempt("jax-js wasm H=52", () => benchJax(problem, 52));
}
if (wanted("onnxruntime")) {
  for (const dtype of ["f32", "f64"]) {
    await attempt(`onnxruntime ${dtype} 1 thread`, () => benchOnnxRuntime(problem, dtype, 1));
    await attempt(`onnxruntime ${dtype} default threads`, () => benchOnnxRuntime(problem, dtype, 0));
  }
}
let pythonInfo;
if (wanted("numpy")) {
  const found = findPython();
  if (!found.python) {
    const note = `NumPy skipped: no python3 that can import numpy (${found.tried.join("; ")})`;
    say(note);
    skipped.push(note);
  } else {
    pythonInfo = found.describe;
    await attempt("numpy f32", () => benchNumpy(problem, found.python, "f32"));
    await attempt("numpy f64", () => benchNumpy(problem, found.python, "f64"));
  }
}
machine.loadAfter = os.loadavg().map((l) => l.toFixed(2));
say();

// ---------------------------------------------------------------- the table
for (const r of results) {
  r.stepStats = summarize(r.step);
  r.forwardStats = summarize(r.forward);
}
const find = (name, dtype) => results.find((r) => r.name === name && r.dtype === dtype);
const ref32 = find("gradc wasm", "f32");
const ref64 = find("gradc wasm", "f64");

const ms = (v) => (v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const cell = (s) => `${ms(s.median)} [${ms(s.p10)}–${ms(s.p90)}]`;
const ratio = (peer, ref) => (ref ? (peer / ref).toFixed(2) : "—");

const header = [
  "implementation",
  "dtype",
  "H",
  "step ms, median [p10–p90]",
  "forward ms, median [p10–p90]",
  "step ÷ gradc wasm f32",
  "fwd ÷ gradc wasm f32",
  "step ÷ gradc wasm f64",
  "fwd ÷ gradc wasm f64",
  "loss at step 0",
  "timed calls (step/fwd)",
];
const rows = results.map((r) => [
  r.name,
  r.dtype,
  String(r.width),
  cell(r.stepStats),
  cell(r.forwardStats),
  ratio(r.stepStats.median, ref32?.stepStats.median),
  ratio(r.forwardStats.median, ref32?.forwardStats.median),
  r.dtype === "f64" ? ratio(r.stepStats.median, ref64?.stepStats.median) : "",
  r.dtype === "f64" ? ratio(r.forwardStats.median, ref64?.forwardStats.median) : "",
  Number(r.loss0).toFixed(5),
  `${r.stepStats.n}/${r.forwardStats.n}`,
]);
const table = [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`);
say("Results (ratios are peer time ÷ gradc time: above 1 means gradc is faster)");
say();
for (const line of table) say(line);
say();
for (const r of results) for (const note of r.notes ?? []) say(`note: ${r.name} ${r.dtype}: ${note}`);
for (const note of skipped) say(`note: ${note}`);
if (pythonInfo) {
  const info = results.find((r) => r.info)?.info;
  say(`NumPy: ${pythonInfo}; BLAS ${info?.blas ?? "unknown"}` +
    (info?.openblas_core ? `, OpenBLAS core ${info.openblas_core}, ${info.openblas_threads} thread(s)` : "") +
    (info?.threadpools ? `; threadpoolctl: ${JSON.stringify(info.threadpools)}` : ""));
  say("NumPy env: OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset");
}
say();

// ---------------------------------------------------------------- GFLOP/s
const flops = matmulFlops(50);
say(
  `Whole-step GFLOP/s of the matmul work: the ${(flops.step / 1e6).toFixed(2)} MFLOP of matrix products in a step ` +
    `(x@W1, h@W2, hᵀ@dy, dy@W2ᵀ, xᵀ@dh; 2·n·k·m each) ÷ the median step time, and the ` +
    `${(flops.forward / 1e6).toFixed(2)} MFLOP of forward ÷ the median forward time. The times include ` +
    `all the element-wise work, copies and allocation, so this understates the kernels' own rate.`,
);
say();
say("| implementation | dtype | step GFLOP/s | forward GFLOP/s |");
say("| --- | --- | --- | --- |");
for (const r of results) {
  if (r.width !== 50) continue;
  const gs = flops.step / (r.stepStats.median * 1e6);
  const gf = flops.forward / (r.forwardStats.median * 1e6);
  say(`| ${r.name} | ${r.dtype} | ${gs.toFixed(2)} | ${gf.toFixed(2)} |`);
}
say();
if (Object.keys(kernels).length > 0) {
  say("gradc's wasm matrix-product kernels alone (instantiated from the generated module's bytes, no copies):");
  say();
  say("| kernel | dtype | median µs [p10–p90] | GFLOP/s at median |");
  say("| --- | --- | --- | --- |");
  for (const [dtype, list] of Object.entries(kernels)) {
    if (!list) {
      say(`| (kernel bytes not found in the generated code) | ${dtype} | | |`);
      continue;
    }
    for (const k of list) {
      const s = summarize(k.samples);
      const us = (v) => (v * 1000).toFixed(0);
      say(`| ${k.name} | ${dtype} | ${us(s.median)} [${us(s.p10)}–${us(s.p90)}] | ${(k.flops / (s.median * 1e6)).toFixed(2)} |`);
    }
  }
  say();
}
const withParts = results.filter((r) => r.parts);
if (withParts.length > 0) {
  say("Where a gradc wasm step goes (medians over 300 steps, timed apart; kernels from the table above):");
  say();
  say("| dtype | forward ms | backward ms | SGD update (JS, optimizers.ts) ms | x@W1 + xᵀ@dh kernels ms |");
  say("| --- | --- | --- | --- | --- |");
  for (const r of withParts) {
    const list = kernels[r.dtype];
    const k = list ? ms(summarize(list[0].samples).median + summarize(list[1].samples).median) : "—";
    const m = (key) => ms(summarize(r.parts[key]).median);
    say(`| ${r.dtype} | ${m("forward")} | ${m("backward")} | ${m("sgd")} | ${k} |`);
  }
  say();
}

// ---------------------------------------------------------------- the targets
const targets = [];
if (ref32) {
  const g = ref32.stepStats.median;
  const tfw = find("tfjs wasm", "f32");
  const jx52 = results.find((r) => r.name === "jax-js wasm, H=52");
  const np32 = find("NumPy (book), 1 thread", "f32");
  const check = (label, peer, test, describe) => {
    if (!peer) return targets.push(`${label}: not measured`);
    const x = peer.stepStats.median / g;
    targets.push(`${label}: ${test(x) ? "MET" : "NOT met"} (${describe(x)})`);
  };
  check("gradc ≥ 3× faster per step than tfjs-wasm (f32)", tfw, (x) => x >= 3, (x) => `tfjs-wasm ÷ gradc = ${x.toFixed(2)}×`);
  check("gradc faster per step than jax-js at width 52 (f32)", jx52, (x) => x > 1, (x) => `jax-js ÷ gradc = ${x.toFixed(2)}×`);
  check("gradc within 2× of one-thread NumPy per step (f32)", np32, (x) => x >= 0.5, (x) => `NumPy ÷ gradc = ${x.toFixed(2)}×, so gradc takes ${(1 / x).toFixed(2)}× NumPy's time`);
  say("Project targets (gradc wasm f32, per training step):");
  for (const t of targets) say(`  ${t}`);
  say();
}
say(`load average at end (1/5/15 min): ${machine.loadAfter.join(" ")}`);
say(
  "1-min load average as each row started (this run itself adds about 1): " +
    results.map((r) => `${r.name} ${r.dtype} ${r.load.toFixed(2)}`).join("; "),
);
say(`total bench time ${((performance.now() - started) / 1000).toFixed(1)} s`);

if (jsonFile) {
  const out = {
    machine,
    python: pythonInfo,
    results: results.map(({ code: _code, step, forward, ...r }) => ({ ...r, stepSamples: step, forwardSamples: forward })),
    kernels,
    targets,
    skipped,
  };
  await writeFile(jsonFile, JSON.stringify(out, null, 1));
  say(`raw samples written to ${jsonFile}`);
}
// tfjs and jax-js may keep handles open; the run is over.
process.exit(0);
