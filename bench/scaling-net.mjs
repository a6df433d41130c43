// The scaling section of `npm run bench`: the SGD training step of the 784→H→10 net for batch
// n ∈ {1, 10, 100, 1000} × hidden width H ∈ {50, 100, 500, 1000}, f32, one thread each: gradc
// (the wasm trainer), NumPy (the lean step), ONNX Runtime (the exported step) and TensorFlow.js
// (wasm backend). Every cell gets the same data: the first n examples of one seeded batch of 1000
// and the params of width H (the narrower nets' weights are the wider ones' first columns).
import { lossAgreement, makeProblem, matmulFlops, summarize, workload } from "./lib.mjs";
import { benchGradc } from "./peers/gradc.mjs";
import { benchNumpy } from "./peers/numpy.mjs";
import { benchOnnxRuntime } from "./peers/onnxruntime.mjs";
import { benchTfjs } from "./peers/tfjs.mjs";
import { printTable } from "./report.mjs";

export const BATCHES = [1, 10, 100, 1000];
export const WIDTHS = [50, 100, 500, 1000];
/**
 * Shorter than the main table's rule, so that the big cells (about 3 GFLOP a step) stay quick.
 * The warm-up is by time as well as by calls: on a shared machine ONNX Runtime's first few hundred
 * small steps after another row ran were measured 1.5–3× slower than its steady state.
 */
export const SCALING_TIMING = { warmup: 5, warmupMs: 200, minIters: 10, minMs: 500, maxIters: 20000 };
export const QUICK_SCALING_TIMING = { warmup: 2, warmupMs: 20, minIters: 3, minMs: 50, maxIters: 20000 };

/** The implementations of a cell, in the order of the table's columns. */
export const COLUMNS = [
  { key: "gradc", label: "gradc wasm" },
  { key: "numpy", label: "NumPy lean" },
  { key: "onnxruntime", label: "ORT 1 thread" },
  { key: "tfjs", label: "tfjs-wasm" },
];

/**
 * Runs every cell for the peers wanted; returns the cells, each { n, H, rows: { key: row } }. The
 * gradc column times the trainer; where this build has no createTrainer it falls back to
 * forward+backward+sgd, and the row's name says so.
 */
export async function runScaling({ wanted, python, timing, runner, say }) {
  const problem = makeProblem(WIDTHS, 20240601, Math.max(...BATCHES));
  const cells = [];
  let trainer = true;
  for (const H of WIDTHS) {
    for (const n of BATCHES) {
      const work = workload(problem, H, n);
      const options = { parts: ["step"], timing };
      const rows = {};
      const at = `n=${n} H=${H}`;
      if (wanted("gradc")) {
        if (trainer) rows.gradc = await runner.attempt(`scaling ${at}: gradc wasm trainer`, () => benchGradc(work, "wasm", "f32", { ...options, mode: "trainer" }));
        if (!rows.gradc) {
          if (trainer) say("scaling: no gradc wasm trainer; the gradc column falls back to forward+backward+sgd");
          trainer = false;
          rows.gradc = await runner.attempt(`scaling ${at}: gradc wasm fwd+bwd+sgd`, () => benchGradc(work, "wasm", "f32", options));
        }
      }
      if (wanted("numpy") && python) rows.numpy = await runner.attempt(`scaling ${at}: numpy lean`, () => benchNumpy(work, python, "f32", { ...options, variant: "lean" }));
      if (wanted("onnxruntime")) rows.onnxruntime = await runner.attempt(`scaling ${at}: onnxruntime 1 thread`, () => benchOnnxRuntime(work, "f32", 1, options));
      if (wanted("tfjs")) rows.tfjs = await runner.attempt(`scaling ${at}: tfjs wasm`, () => benchTfjs(work, "wasm", options));
      cells.push({ n, H, rows });
    }
  }
  return cells;
}

/** tfjs-wasm's median step ÷ gradc's in a cell, or undefined when either is missing. */
export function tfjsOverGradc(cell) {
  const { gradc, tfjs } = cell.rows;
  return gradc?.step && tfjs?.step ? summarize(tfjs.step).median / summarize(gradc.step).median : undefined;
}

export function printScaling(say, cells, timing) {
  const present = COLUMNS.filter((c) => cells.some((cell) => cell.rows[c.key]));
  const gradcName = cells.map((c) => c.rows.gradc?.name).find(Boolean);
  say(
    "Scaling: the SGD training step of the 784→H→10 net, f32, one thread, per batch n and hidden width H; " +
      "each cell is the median step in ms and the GFLOP/s of its matrix products (2·(n·784·H + n·H·10) forward, " +
      "twice that backward, less the unneeded dx) ÷ that median.",
  );
  say(`gradc column: ${gradcName ?? "not run"}. Timing per cell: ${describeScalingTiming(timing)}.`);
  say();
  const header = ["n", "H", "MFLOP", ...present.map((c) => `${c.label} ms (GFLOP/s)`), "tfjs-wasm ÷ gradc", "loss at step 0"];
  const rows = cells.map((cell) => {
    const flops = matmulFlops(cell.H, cell.n).step;
    const cols = present.map((c) => {
      const r = cell.rows[c.key];
      if (!r?.step) return "—";
      const m = summarize(r.step).median;
      const warn = r.notes?.some((n) => n.startsWith("WARNING")) ? " ⚠" : "";
      return `${m >= 10 ? m.toFixed(1) : m.toFixed(3)} (${(flops / (m * 1e6)).toFixed(1)})${warn}`;
    });
    const x = tfjsOverGradc(cell);
    const agree = lossAgreement(Object.values(cell.rows).filter(Boolean));
    const loss = agree.startsWith("WARNING") ? `differs ⚠` : `${Number(cell.rows.gradc?.loss0 ?? Object.values(cell.rows).find(Boolean)?.loss0).toFixed(5)}, all agree`;
    return [String(cell.n), String(cell.H), (flops / 1e6).toFixed(2), ...cols, x === undefined ? "—" : x.toFixed(2), loss];
  });
  printTable(say, header, rows);
  say();
  for (const cell of cells) {
    for (const r of Object.values(cell.rows)) {
      for (const note of r?.notes ?? []) if (note.startsWith("WARNING")) say(`note: n=${cell.n} H=${cell.H} ${r.name}: ${note}`);
    }
    const agree = lossAgreement(Object.values(cell.rows).filter(Boolean));
    if (agree.startsWith("WARNING")) say(`note: n=${cell.n} H=${cell.H}: ${agree}`);
  }
  say();
}

function describeScalingTiming({ warmup, warmupMs, minIters, minMs }) {
  return `≥ ${warmup} warm-up calls and ≥ ${warmupMs} ms of them (NumPy: ${warmup} calls), then ≥ ${minIters} timed calls and ≥ ${minMs} ms`;
}
