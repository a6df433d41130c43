// The tables of the main section of `npm run bench` (the TwoLayerNet at batch 100): times and
// ratios per row, GFLOP/s, gradc's kernels alone, and where a gradc wasm step goes.
import { matmulFlops, summarize } from "./lib.mjs";

export const ms = (v) => (v === undefined ? "—" : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
export const cell = (samples) => {
  if (!samples) return "—";
  const s = summarize(samples);
  return `${ms(s.median)} [${ms(s.p10)}–${ms(s.p90)}]`;
};

/** A markdown table: a header row and rows of cells. */
export function printTable(say, header, rows) {
  for (const cells of [header, header.map(() => "---"), ...rows]) say(`| ${cells.join(" | ")} |`);
}

const med = (row, part) => (row?.[part] ? summarize(row[part]).median : undefined);
const ratio = (peer, ref) => (peer !== undefined && ref !== undefined ? (peer / ref).toFixed(2) : "");

/**
 * The gradc wasm row the ratios of a dtype are taken against: the trainer's step where there is
 * one, else the forward+backward+sgd row's; forward always from a row that timed it.
 */
export function references(results, dtype) {
  const of = (name) => results.find((r) => r.name === name && r.dtype === dtype);
  const trainer = of("gradc wasm trainer");
  const classic = of("gradc wasm, forward+backward+sgd");
  const stepRow = trainer?.step ? trainer : classic;
  return { stepRow, step: med(stepRow, "step"), forward: med(classic, "forward") ?? med(trainer, "forward") };
}

export function printStepReport(say, results, kernels) {
  const ref = { f32: references(results, "f32"), f64: references(results, "f64") };
  say("Results (ratios are peer time ÷ gradc wasm time, of the same dtype: above 1 means gradc is faster)");
  say(`step ratios against: ${["f32", "f64"].map((d) => `${d} ${ref[d].stepRow ? ref[d].stepRow.name : "(no gradc wasm row)"}`).join("; ")}; forward ratios against gradc wasm's module.forward`);
  say();
  const header = ["implementation", "dtype", "H", "step ms, median [p10–p90]", "forward ms, median [p10–p90]", "step ÷ gradc wasm", "fwd ÷ gradc wasm", "loss at step 0", "timed calls (step/fwd)"];
  const rows = results.map((r) => [
    r.name,
    r.dtype,
    String(r.width),
    cell(r.step),
    cell(r.forward),
    ratio(med(r, "step"), ref[r.dtype]?.step),
    ratio(med(r, "forward"), ref[r.dtype]?.forward),
    Number(r.loss0).toFixed(5),
    `${r.step?.length ?? "—"}/${r.forward?.length ?? "—"}`,
  ]);
  printTable(say, header, rows);
  say();

  const flops = matmulFlops(50);
  say(
    `Whole-step GFLOP/s of the matmul work: the ${(flops.step / 1e6).toFixed(2)} MFLOP of matrix products in a step ` +
      `(x@W1, h@W2, hᵀ@dy, dy@W2ᵀ, xᵀ@dh; 2·n·k·m each) ÷ the median step time, and the ` +
      `${(flops.forward / 1e6).toFixed(2)} MFLOP of forward ÷ the median forward time. The times include ` +
      `all the element-wise work, copies and allocation, so this understates the kernels' own rate.`,
  );
  say();
  const gflops = (f, t) => (t === undefined ? "—" : (f / (t * 1e6)).toFixed(2));
  printTable(
    say,
    ["implementation", "dtype", "step GFLOP/s", "forward GFLOP/s"],
    results.filter((r) => r.width === 50).map((r) => [r.name, r.dtype, gflops(flops.step, med(r, "step")), gflops(flops.forward, med(r, "forward"))]),
  );
  say();

  if (Object.keys(kernels).length > 0) {
    say("gradc's wasm matrix-product kernels alone (instantiated from the generated module's bytes, no copies):");
    say();
    const rows = [];
    for (const [dtype, list] of Object.entries(kernels)) {
      if (!list) rows.push(["(kernel bytes not found in the generated code)", dtype, "", ""]);
      for (const k of list ?? []) {
        const s = summarize(k.samples);
        const us = (v) => (v * 1000).toFixed(0);
        rows.push([k.name, dtype, `${us(s.median)} [${us(s.p10)}–${us(s.p90)}]`, kernelGflops(k).toFixed(2)]);
      }
    }
    printTable(say, ["kernel", "dtype", "median µs [p10–p90]", "GFLOP/s at median"], rows);
    say();
  }

  const withParts = results.filter((r) => r.parts);
  if (withParts.length > 0) {
    say("Where a gradc wasm forward+backward+sgd step goes (medians over 300 steps, timed apart; kernels from the table above):");
    say();
    const m = (samples) => ms(summarize(samples).median);
    printTable(
      say,
      ["dtype", "forward ms", "backward ms", "SGD update (JS, optimizers.ts) ms", "x@W1 + xᵀ@dh kernels ms"],
      withParts.map((r) => {
        const list = kernels[r.dtype];
        const k = list ? ms(summarize(list[0].samples).median + summarize(list[1].samples).median) : "—";
        return [r.dtype, m(r.parts.forward), m(r.parts.backward), m(r.parts.sgd), k];
      }),
    );
    say();
  }
}

export function kernelGflops(k) {
  return k.flops / (summarize(k.samples).median * 1e6);
}
