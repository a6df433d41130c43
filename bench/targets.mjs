// Issue #12's targets, judged from the rows of this one run (nothing here is a recorded number):
// each target is MET, NOT met, or not measured when a row it needs is missing.
import { median } from "./lib.mjs";
import { stepProductFlops } from "./peak.mjs";
import { kernelGflops, references } from "./report.mjs";
import { overheads } from "./train-split.mjs";
import { tfjsOverGradc } from "./scaling-net.mjs";

const x2 = (v) => `${v.toFixed(2)}×`;
const judge = (label, ok, detail) => ({ label, status: ok ? "MET" : "NOT met", detail });
const missing = (label, what) => ({ label, status: "not measured", detail: what });

/** The row of this name and dtype, when it has the part timed. */
function rowOf(rows, name, dtype, part = "step") {
  const r = rows.find((r) => r.name === name && (!dtype || r.dtype === dtype));
  return r?.[part] ? r : undefined;
}

/**
 * What the measured SIMD peak allows: the least time the step's products take at it, as a
 * multiple of the fastest peer's whole step (above 1.2, the target is out of reach here).
 */
function floorAt(peak, fastest, fastName) {
  if (!peak?.mulAdd) return "";
  const ms = stepProductFlops() / (peak.mulAdd * 1e6);
  const fused = peak.fused ? `${peak.fused.toFixed(1)} GFLOP/s with relaxed SIMD's fused multiply-add` : "relaxed SIMD not in this engine";
  return `; floor here: the products' ${(stepProductFlops() / 1e6).toFixed(2)} MFLOP at the measured wasm SIMD peak of ${peak.mulAdd.toFixed(1)} GFLOP/s (mul + add; ${fused}) take ${ms.toFixed(3)} ms = ${x2(ms / fastest)} ${fastName}`;
}

function stepTarget(rows, dtype, peak) {
  const label = `${dtype} step, gradc wasm trainer within 1.2× of the fastest of NumPy book, NumPy lean, ORT (all one thread)`;
  const gradc = rowOf(rows, "gradc wasm trainer", dtype);
  const peers = ["NumPy (book), 1 thread", "NumPy (lean), 1 thread", "ONNX Runtime, 1 thread"].map((n) => [n, rowOf(rows, n, dtype)]);
  const absent = [...(gradc ? [] : ["gradc wasm trainer"]), ...peers.filter(([, r]) => !r).map(([n]) => n)];
  if (absent.length > 0) return missing(label, `no row: ${absent.join(", ")}`);
  const [fastName, fastest] = peers.map(([n, r]) => [n, median(r)]).sort((a, b) => a[1] - b[1])[0];
  const x = median(gradc) / fastest;
  return judge(label, x <= 1.2, `gradc ${median(gradc).toFixed(3)} ms ÷ ${fastName} ${fastest.toFixed(3)} ms = ${x2(x)}${x < 1 ? " (ahead)" : ""}${floorAt(peak, fastest, fastName)}`);
}

function kernelTarget(kernels, peak) {
  const label = "f32 matrix-product kernels on this net's shapes (NN x@W1, TN xᵀ@dh) ≥ 45 GFLOP/s";
  const list = kernels.f32?.filter((k) => /^(x@W1|xᵀ@dh)/.test(k.name));
  if (!list || list.length < 2) return missing(label, "no f32 kernel rows");
  const rates = list.map((k) => [k.name.split(" ")[0], kernelGflops(k)]);
  const ofPeak = peak?.mulAdd ? ` (${rates.map(([, g]) => `${Math.round((100 * g) / peak.mulAdd)}%`).join(", ")} of the measured f32x4 mul + add peak, ${peak.mulAdd.toFixed(1)})` : "";
  return judge(label, rates.every(([, g]) => g >= 45), rates.map(([n, g]) => `${n} ${g.toFixed(1)}`).join(", ") + ` GFLOP/s${ofPeak}`);
}

function tsTarget(rows) {
  const label = "ts target: tfjs-cpu step ÷ gradc ts trainer f32 step ≥ 3.5";
  const tfjs = rowOf(rows, "tfjs cpu", "f32");
  const trainer = rowOf(rows, "gradc ts trainer", "f32");
  const classic = rowOf(rows, "gradc ts, forward+backward+sgd", "f32");
  const also = tfjs && classic ? `; with forward+backward+sgd ${x2(median(tfjs) / median(classic))}` : "";
  if (!tfjs || !trainer) return missing(label, `no row: ${[!tfjs && "tfjs cpu", !trainer && "gradc ts trainer f32"].filter(Boolean).join(", ")}${also}`);
  const x = median(tfjs) / median(trainer);
  return judge(label, x >= 3.5, `tfjs-cpu ÷ gradc ts trainer = ${x2(x)}${also}`);
}

function batch1Target(rows) {
  const label = "batch-1 forward: gradc wasm f32 faster than NumPy (the faster of book and lean), tfjs-wasm and ORT 1 thread";
  const gradc = rowOf(rows, "gradc wasm", "f32", "forward");
  const numpy = ["NumPy (book), 1 thread", "NumPy (lean), 1 thread"].map((n) => rowOf(rows, n, "f32", "forward")).filter(Boolean);
  const fastestNumpy = numpy.sort((a, b) => median(a, "forward") - median(b, "forward"))[0];
  const peers = [
    ["NumPy", fastestNumpy],
    ["tfjs-wasm", rowOf(rows, "tfjs wasm", "f32", "forward")],
    ["ORT", rowOf(rows, "ONNX Runtime, 1 thread", "f32", "forward")],
  ];
  const absent = [...(gradc ? [] : ["gradc wasm"]), ...peers.filter(([, r]) => !r).map(([n]) => n)];
  if (absent.length > 0) return missing(label, `no row: ${absent.join(", ")}`);
  const g = median(gradc, "forward");
  const ratios = peers.map(([n, r]) => [n, median(r, "forward") / g]);
  return judge(label, ratios.every(([, x]) => x > 1), `peer ÷ gradc: ${ratios.map(([n, x]) => `${n} ${x2(x)}`).join(", ")} (gradc ${(g * 1000).toFixed(1)} µs)`);
}

function scalingTarget(cells) {
  const label = "scaling: gradc ahead of tfjs-wasm in every cell (n × H)";
  if (!cells) return missing(label, "the scaling section did not run");
  const ratios = cells.map((c) => [c, tfjsOverGradc(c)]);
  const absent = ratios.filter(([, x]) => x === undefined);
  if (absent.length > 0) return missing(label, `${absent.length} of ${cells.length} cells lack gradc or tfjs-wasm`);
  const behind = ratios.filter(([, x]) => x <= 1);
  const [worstCell, worst] = ratios.sort((a, b) => a[1] - b[1])[0];
  const what = cells.some((c) => c.rows.gradc?.name !== "gradc wasm trainer") ? " (gradc column without the trainer)" : "";
  return judge(label, behind.length === 0, `tfjs-wasm ÷ gradc at least ${x2(worst)} (n=${worstCell.n} H=${worstCell.H}); behind in ${behind.length} of ${cells.length} cells${what}`);
}

function trainTarget(train) {
  const label = "gradc train: epoch seconds ÷ step_seconds ≤ 1.3 in its steady epochs";
  if (!train) return missing(label, "the train section did not run");
  const split = overheads(train);
  if (!split) return missing(label, "gradc train has no step_seconds column yet");
  // The first epoch also starts the evaluation thread and warms the JIT up; the last waits for
  // its own accuracies, which have no next epoch to overlap. Both are printed, not judged.
  const steady = split.slice(1, -1);
  if (steady.length === 0) return missing(label, `only ${split.length} epoch(s): no steady epoch between the first and the last`);
  const total = train.epochs.reduce((s, e) => s + e.seconds, 0) / train.epochs.reduce((s, e) => s + e.step_seconds, 0);
  const worst = Math.max(...steady);
  return judge(
    label,
    worst <= 1.3,
    `epochs 2–${split.length - 1}: ${steady.map((s) => s.toFixed(2)).join(", ")}, worst ${x2(worst)}; ` +
      `first ${x2(split[0])}, last ${x2(split.at(-1))}, whole run ${x2(total)}`,
  );
}

/** All the targets, in the issue's order. */
export function judgeTargets({ main, kernels, peaks, batch1, scaling, train }) {
  const targets = [];
  if (main) targets.push(stepTarget(main, "f32", peaks?.f32), stepTarget(main, "f64", peaks?.f64), kernelTarget(kernels, peaks?.f32));
  if (batch1) targets.push(batch1Target(batch1));
  if (main) targets.push(tsTarget(main));
  targets.push(scalingTarget(scaling), trainTarget(train));
  return targets;
}

/** The earlier issues' targets (gradc wasm f32 per step against tfjs-wasm, jax-js and NumPy book). */
export function judgeEarlierTargets(main) {
  const ref = references(main, "f32");
  if (!ref.step) return [];
  const against = (label, name, test, describe) => {
    const r = rowOf(main, name, "f32");
    return r ? judge(label, test(median(r) / ref.step), describe(median(r) / ref.step)) : missing(label, `no row: ${name}`);
  };
  return [
    against("gradc ≥ 3× faster per step than tfjs-wasm (f32)", "tfjs wasm", (x) => x >= 3, (x) => `tfjs-wasm ÷ gradc = ${x2(x)}`),
    against("gradc faster per step than jax-js at width 52 (f32)", "jax-js wasm, H=52", (x) => x > 1, (x) => `jax-js ÷ gradc = ${x2(x)}`),
    against("gradc within 2× of one-thread NumPy book per step (f32)", "NumPy (book), 1 thread", (x) => x >= 0.5, (x) => `NumPy ÷ gradc = ${x2(x)}`),
  ].map((t) => ({ ...t, detail: `${t.detail}; gradc row: ${ref.stepRow.name}` }));
}

export function printTargets(say, targets, earlier) {
  say("Issue #12 targets, from this run:");
  for (const t of targets) say(`  ${t.status.padEnd(12)} ${t.label}: ${t.detail}`);
  if (earlier.length > 0) {
    say("Earlier targets (gradc wasm f32 per step):");
    for (const t of earlier) say(`  ${t.status.padEnd(12)} ${t.label}: ${t.detail}`);
  }
  say();
}
