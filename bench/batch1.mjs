// The batch-1 section of `npm run bench`: one forward pass (the loss) of the TwoLayerNet on a
// single example, x [1, 784] and t [1, 10], with the same params as the main table. This is
// inference in an app, where each library's per-call overhead counts more than its kernels.
import { lossAgreement, workload } from "./lib.mjs";
import { benchGradc } from "./peers/gradc.mjs";
import { benchNumpy } from "./peers/numpy.mjs";
import { benchOnnxRuntime } from "./peers/onnxruntime.mjs";
import { benchTfjs } from "./peers/tfjs.mjs";
import { cell, printTable } from "./report.mjs";

/** Runs the batch-1 forward rows of the peers wanted; returns the rows and the skipped notes. */
export async function runBatch1({ problem, wanted, python, timing, runner }) {
  const work = workload(problem, 50, 1);
  const options = { parts: ["forward"], timing };
  const { attempt } = runner;
  if (wanted("gradc")) {
    for (const target of ["wasm", "ts"]) {
      await attempt(`batch 1: gradc ${target} f32`, () => benchGradc(work, target, "f32", options));
    }
  }
  if (wanted("numpy") && python) {
    for (const variant of ["book", "lean"]) {
      await attempt(`batch 1: numpy ${variant} f32`, () => benchNumpy(work, python, "f32", { ...options, variant }));
    }
  }
  if (wanted("tfjs")) await attempt("batch 1: tfjs wasm", () => benchTfjs(work, "wasm", options));
  if (wanted("onnxruntime")) await attempt("batch 1: onnxruntime f32 1 thread", () => benchOnnxRuntime(work, "f32", 1, options));
}

export function printBatch1(say, rows) {
  say("Batch-1 forward (x [1, 784], t [1, 10]; the loss of one example, f32, same params; ratios are peer ÷ gradc wasm):");
  say();
  const ref = rows.find((r) => r.name === "gradc wasm");
  const median = (r) => [...r.forward].sort((a, b) => a - b)[r.forward.length >> 1];
  const us = (r) => (median(r) * 1000).toFixed(1);
  printTable(
    say,
    ["implementation", "dtype", "forward ms, median [p10–p90]", "µs at median", "÷ gradc wasm", "loss", "timed calls"],
    rows.map((r) => [
      r.name,
      r.dtype,
      cell(r.forward),
      us(r),
      ref ? (median(r) / median(ref)).toFixed(2) : "—",
      Number(r.loss0).toFixed(5),
      String(r.forward.length),
    ]),
  );
  say();
  say(lossAgreement(rows));
  say();
}
