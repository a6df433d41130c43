// `npm run bench`: the book's TwoLayerNet (784→50→10, batch 100) timed side by side in one run:
// gradc's generated modules (ts and wasm targets, f64 and f32; the trainer and forward+backward+sgd),
// TensorFlow.js (cpu and wasm backends), jax-js (wasm device, hidden width 50 and 52), ONNX Runtime
// (the model `gradc export` writes: forward, and the whole training step; one thread and its
// default) and NumPy on one thread (the book's code and a lean version of the same step). Then
// the same net at batch 1 (forward), a scaling table over batch and hidden width, the time split
// of `gradc train`, and issue #12's targets judged from this run.
//
//   node bench/run.mjs [--only PEERS,SECTIONS] [--quick] [--json FILE]
//
// PEERS: gradc, tfjs, jax, onnxruntime, numpy; SECTIONS: step (the main table), batch1, scaling,
// train. --only runs the peers named (all when none is) in the sections named (all when none is).
// --quick: shorter timing and one training epoch, for trying things; its numbers are rough.
//
// Run after `npm run build`: gradc is loaded from dist/.
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import { printBatch1, runBatch1 } from "./batch1.mjs";
import { N, QUICK_TIMING, TIMING, describeTiming, lossAgreement, makeProblem, rowRunner, workload } from "./lib.mjs";
import { benchGradc, benchGradcKernels } from "./peers/gradc.mjs";
import { benchJax } from "./peers/jax.mjs";
import { benchNumpy, findPython } from "./peers/numpy.mjs";
import { benchOnnxRuntime } from "./peers/onnxruntime.mjs";
import { benchTfjs } from "./peers/tfjs.mjs";
import { printStepReport } from "./report.mjs";
import { printScaling, QUICK_SCALING_TIMING, runScaling, SCALING_TIMING } from "./scaling-net.mjs";
import { measurePeaks } from "./peak.mjs";
import { judgeEarlierTargets, judgeTargets, printTargets } from "./targets.mjs";
import { printTrain, runTrain } from "./train-split.mjs";

const PEERS = ["gradc", "tfjs", "jax", "onnxruntime", "numpy"];
const SECTIONS = ["step", "batch1", "scaling", "train"];

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = flag("--only")?.split(",") ?? [];
const unknown = only.filter((name) => !PEERS.includes(name) && !SECTIONS.includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown --only name(s) ${unknown.join(", ")}; peers: ${PEERS.join(", ")}; sections: ${SECTIONS.join(", ")}`);
  process.exit(2);
}
const namedPeers = only.filter((name) => PEERS.includes(name));
const namedSections = only.filter((name) => SECTIONS.includes(name));
const wanted = (peer) => namedPeers.length === 0 || namedPeers.includes(peer);
const section = (name) => namedSections.length === 0 || namedSections.includes(name);
const quick = args.includes("--quick");
const jsonFile = flag("--json");
const timing = quick ? QUICK_TIMING : TIMING;
const scalingTiming = quick ? QUICK_SCALING_TIMING : SCALING_TIMING;

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
say(`gradc bench: TwoLayerNet 784→50→10, batch ${N}, SGD lr 0.1${quick ? " (--quick: short timing, rough numbers)" : ""}`);
say(`machine: ${machine.cpu}, ${machine.cores} cores (nproc), node ${machine.node}`);
say(`load average at start (1/5/15 min): ${machine.loadBefore.join(" ")}`);
say(`timing: ${describeTiming(timing)}`);
say();

const found = wanted("numpy") ? findPython() : { python: undefined, tried: [] };
const python = found.python;
const notes = [];
if (wanted("numpy") && !python) notes.push(`NumPy skipped: no python3 that can import numpy (${found.tried.join("; ")})`);

// ---------------------------------------------------------------- the main table: batch 100
const problem = makeProblem([50, 52]);
const work = workload(problem, 50);
const main = rowRunner(say);
const kernels = {};
let peaks;
if (section("step")) {
  // The ceiling of WebAssembly SIMD arithmetic on this machine, before anything else loads it.
  if (wanted("gradc")) {
    peaks = measurePeaks();
    say(`wasm SIMD peak here (independent multiply-adds, no memory): f32x4 ${peaks.f32.mulAdd.toFixed(1)} GFLOP/s, f64x2 ${peaks.f64.mulAdd.toFixed(1)} GFLOP/s (mul + add)` +
      (peaks.f32.fused ? `; fused multiply-add f32x4 ${peaks.f32.fused.toFixed(1)}, f64x2 ${peaks.f64.fused.toFixed(1)}` : "; relaxed SIMD (fused multiply-add) not in this engine"));
  }
  const { attempt } = main;
  if (wanted("gradc")) {
    for (const target of ["ts", "wasm"]) {
      for (const dtype of ["f64", "f32"]) {
        const r = await attempt(`gradc ${target} ${dtype} forward+backward+sgd`, () => benchGradc(work, target, dtype, { timing, split: target === "wasm" }));
        await attempt(`gradc ${target} ${dtype} trainer`, () => benchGradc(work, target, dtype, { mode: "trainer", parts: ["step"], timing }));
        if (r && target === "wasm") kernels[dtype] = await benchGradcKernels(r.code, dtype);
      }
    }
  }
  if (wanted("tfjs")) {
    await attempt("tfjs cpu", () => benchTfjs(work, "cpu", { timing }));
    await attempt("tfjs wasm", () => benchTfjs(work, "wasm", { timing }));
  }
  if (wanted("jax")) {
    await attempt("jax-js wasm H=50", () => benchJax(work, { timing }));
    await attempt("jax-js wasm H=52", () => benchJax(workload(problem, 52), { timing }));
  }
  if (wanted("onnxruntime")) {
    for (const dtype of ["f32", "f64"]) {
      await attempt(`onnxruntime ${dtype} 1 thread`, () => benchOnnxRuntime(work, dtype, 1, { timing }));
      await attempt(`onnxruntime ${dtype} default threads`, () => benchOnnxRuntime(work, dtype, 0, { timing }));
    }
  }
  if (python) {
    for (const variant of ["book", "lean"]) {
      for (const dtype of ["f32", "f64"]) await attempt(`numpy ${variant} ${dtype}`, () => benchNumpy(work, python, dtype, { variant, timing }));
    }
  }
}
const batch1 = rowRunner(say);
if (section("batch1")) await runBatch1({ problem, wanted, python, timing, runner: batch1 });
const scaling = rowRunner(say);
const cells = section("scaling") ? await runScaling({ wanted, python, timing: scalingTiming, runner: scaling, say }) : undefined;
let train;
if (section("train") && wanted("gradc")) {
  process.stdout.write("running gradc train ... ");
  try {
    // Enough epochs for steady ones between the first (start-up, JIT warm-up) and the last.
    train = await runTrain({ epochs: quick ? 3 : 6 });
    say(`done in ${train.wall.toFixed(1)} s`);
  } catch (e) {
    say(`FAILED: ${e instanceof Error ? e.message : String(e)}`);
    notes.push(`gradc train: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}
machine.loadAfter = os.loadavg().map((l) => l.toFixed(2));
say();

// ---------------------------------------------------------------- the report
if (main.rows.length > 0) {
  printStepReport(say, main.rows, kernels);
  say(lossAgreement(main.rows));
  for (const r of main.rows) for (const note of r.notes ?? []) say(`note: ${r.name} ${r.dtype}: ${note}`);
  say();
}
if (batch1.rows.length > 0) printBatch1(say, batch1.rows);
if (cells) printScaling(say, cells, scalingTiming);
if (train) printTrain(say, train);
for (const note of [...notes, ...main.skipped, ...batch1.skipped, ...scaling.skipped]) say(`note: ${note}`);
if (python) {
  const info = [...main.rows, ...batch1.rows, ...scaling.rows].find((r) => r.info)?.info;
  say(`NumPy: ${found.describe}; BLAS ${info?.blas ?? "unknown"}` +
    (info?.openblas_core ? `, OpenBLAS core ${info.openblas_core}, ${info.openblas_threads} thread(s)` : "") +
    (info?.threadpools ? `; threadpoolctl: ${JSON.stringify(info.threadpools)}` : ""));
  say("NumPy env: OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset");
}
say();

const targets = judgeTargets({
  main: section("step") ? main.rows : undefined,
  kernels,
  peaks,
  batch1: section("batch1") ? batch1.rows : undefined,
  scaling: cells,
  train,
});
const earlier = judgeEarlierTargets(main.rows);
printTargets(say, targets, earlier);

say(`load average at end (1/5/15 min): ${machine.loadAfter.join(" ")}`);
if (main.rows.length > 0) {
  say(
    "1-min load average as each main row started (this run itself adds about 1): " +
      main.rows.map((r) => `${r.name} ${r.dtype} ${r.load.toFixed(2)}`).join("; "),
  );
}
say(`total bench time ${((performance.now() - started) / 1000).toFixed(1)} s`);

if (jsonFile) {
  const plain = ({ code: _code, step, forward, ...r }) => ({ ...r, stepSamples: step, forwardSamples: forward });
  const out = {
    machine,
    python: found.describe,
    quick,
    results: main.rows.map(plain),
    kernels,
    peaks,
    batch1: batch1.rows.map(plain),
    scaling: cells?.map((c) => ({ n: c.n, H: c.H, rows: Object.fromEntries(Object.entries(c.rows).filter(([, r]) => r).map(([k, r]) => [k, plain(r)])) })),
    train,
    targets,
    earlierTargets: earlier,
    skipped: [...notes, ...main.skipped, ...batch1.skipped, ...scaling.skipped],
  };
  await writeFile(jsonFile, JSON.stringify(out, null, 1));
  say(`raw samples written to ${jsonFile}`);
}
// tfjs and jax-js may keep handles open; the run is over.
process.exit(0);
