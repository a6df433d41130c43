// Owns the gradient check: each gradient from `backward` against central differences of the
// generated `forward` alone (never the symbolic engine), as the book's gradient check does.
import type { GraphModule } from "../runtime/load.js";
import { gaussian, mulberry32 } from "../runtime/random.js";
import { getOwn, ownRecord, setOwn } from "../runtime/records.js";
import { copyValue, filledTensor, isTensor, type Tensor, type Value } from "../runtime/tensor.js";
import { DEFAULT_DIM, DEFAULT_SAMPLES, DEFAULT_TOLERANCE } from "./defaults.js";

/** How `checkGradients` checks: the seed of its random values, sizes, given values, samples, tolerance. */
export interface CheckOptions {
  readonly seed?: number;
  /** Sizes for symbolic dimensions; those not given are DEFAULT_DIM. */
  readonly dims?: Readonly<Record<string, number>>;
  /** Values for some inputs (and params); the rest are drawn at random. */
  readonly values?: Readonly<Record<string, Value>>;
  /** At most this many elements of each gradient are checked (a seeded sample of them). */
  readonly samples?: number;
  /** The relative error a gradient may have. */
  readonly tolerance?: number;
}

/** The check of one gradient: how many of its elements were compared, and the largest errors. */
export interface CheckRow {
  readonly name: string;
  readonly checked: number;
  readonly total: number;
  readonly maxAbsError: number;
  /** The largest absolute error divided by the largest gradient magnitude (of either kind). */
  readonly maxRelError: number;
  readonly ok: boolean;
  readonly note?: string;
  /**
   * How many checked elements sit at a kink, where the graph is not differentiable and the
   * gradient lies between the one-sided derivatives: they are left out of the errors. Present
   * when there are some.
   */
  readonly kinks?: number;
}

/** The outcome of `checkGradients`: one row per `wrt` value, and whether all of them passed. */
export interface CheckReport {
  readonly of: string;
  readonly dims: Readonly<Record<string, number>>;
  readonly rows: readonly CheckRow[];
  readonly ok: boolean;
  /** Why random inputs were redrawn, or params, if they were. */
  readonly note?: string;
  /** The params drawn at random because their values from init() put elements at a kink. */
  readonly redrawn?: readonly string[];
}

export { DEFAULT_DIM, DEFAULT_SAMPLES, DEFAULT_TOLERANCE };
/** Gradients whose largest magnitude is below this are "zero": relative error means nothing. */
const NEGLIGIBLE = 1e-10;
/** How much smaller the second step is that tells a kink from curvature. */
const REFINE = 16;

/** The scalar that is differentiated: the output itself, or the sum of a tensor output's elements. */
function objective(value: Value): number {
  if (typeof value === "number") return value;
  let s = 0;
  for (let i = 0; i < value.data.length; i++) s += value.data[i]!;
  return s;
}

/** Whether every element of a value is the same number (zeros, ones, a constant). */
function isConstant(v: Value): boolean {
  if (typeof v === "number") return true;
  return v.data.every((x) => Object.is(x, v.data[0]));
}

/**
 * Checks each gradient `backward` gives against central differences of `forward` alone, on
 * seeded random values (what `gradc check` runs).
 */
export function checkGradients(mod: GraphModule, options: CheckOptions = {}): CheckReport {
  const seed = options.seed ?? 0;
  const random = mulberry32(seed + 1);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const dims = ownRecord<number>();
  const given = options.values ?? {};

  // Symbolic sizes: from given values first, then from --dim, then the default.
  for (const v of mod.meta.inputs) {
    const value = getOwn(given, v.name);
    if (value !== undefined && isTensor(value)) {
      v.shape.forEach((d, i) => {
        if (typeof d === "string" && dims[d] === undefined) dims[d] = value.shape[i]!;
      });
    }
  }
  for (const v of mod.meta.inputs) {
    for (const d of v.shape) if (typeof d === "string" && dims[d] === undefined) dims[d] = options.dims?.[d] ?? DEFAULT_DIM;
  }

  const draw = (shape: readonly (number | string)[], positive: boolean): Value => {
    const sample = () => (positive ? 0.5 + random() : gaussian(random));
    if (shape.length === 0) return sample();
    const t = filledTensor(
      shape.map((d) => (typeof d === "number" ? d : dims[d]!)),
      0,
    );
    for (let i = 0; i < t.data.length; i++) t.data[i] = sample();
    return t;
  };
  const makeInputs = (positive: boolean) => {
    const inputs = ownRecord<Value>();
    for (const v of mod.meta.inputs) {
      const value = getOwn(given, v.name) ?? getOwn(mod.defaults, v.name);
      setOwn(inputs, v.name, value !== undefined ? copyValue(value) : draw(v.shape, positive));
    }
    return inputs;
  };

  const params = mod.init(seed);
  for (const p of mod.meta.params) {
    const value = getOwn(given, p.name);
    if (value !== undefined) setOwn(params, p.name, copyValue(value));
  }
  let inputs = makeInputs(false);
  const notes: string[] = [];
  const finite = (ins: Record<string, Value>, ps: Record<string, Value>) =>
    Number.isFinite(objective(mod.forward(ins, ps).outputs[mod.meta.grad.of]!));
  if (!finite(inputs, params)) {
    // Outside the domain of log, sqrt or a division: draw positive values instead.
    inputs = makeInputs(true);
    notes.push("the forward pass was not finite at normally distributed inputs, so they were drawn from [0.5, 1.5)");
  }

  const samples = options.samples ?? DEFAULT_SAMPLES;
  const rows = checkRows(mod, { inputs, params }, random, samples, tolerance);
  const report = (rs: readonly CheckRow[], redrawn?: readonly string[]): CheckReport => ({
    of: mod.meta.grad.of,
    dims,
    rows: rs,
    ok: rs.every((r) => r.ok),
    ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
    ...(redrawn ? { redrawn } : {}),
  });

  // Elements at a kink say nothing about the gradient elsewhere. When params the user did not
  // choose are constant (zeros, as biases start) and the check found kinks, check again at
  // random values of those params, as the book checks its networks at random weights. A
  // failure at the params from init() is reported as it is, never traded for a check elsewhere.
  const kinks = kinkCount(rows);
  const constant = mod.meta.params
    .map((p) => p.name)
    .filter((name) => getOwn(given, name) === undefined && isConstant(getOwn(params, name)!));
  if (kinks === 0 || !report(rows).ok || constant.length === 0) return report(rows);
  const redraw = (positive: boolean) => {
    const redrawn = ownRecord<Value>(Object.entries(params));
    for (const p of mod.meta.params) if (constant.includes(p.name)) setOwn(redrawn, p.name, draw(p.shape, positive));
    return redrawn;
  };
  let redrawn = redraw(false);
  let from = "N(0, 1)";
  if (!finite(inputs, redrawn)) [redrawn, from] = [redraw(true), "[0.5, 1.5)"];
  if (!finite(inputs, redrawn)) return report(rows);
  const again = checkRows(mod, { inputs, params: redrawn }, random, samples, tolerance);
  // The second check is reported when it checks more elements (fewer at a kink), or when it
  // finds a gradient wrong, which is never hidden.
  if (again.every((r) => r.ok) && kinkCount(again) >= kinks) return report(rows);
  const where = rows.filter((r) => r.kinks).map((r) => `${r.name}: ${r.kinks} of ${r.checked}`);
  const one = constant.length === 1;
  notes.push(
    `at the params from init(${seed}), ${kinks} checked ${kinks === 1 ? "element sat" : "elements sat"} at a kink, ` +
      `where the graph is not differentiable (${where.join(", ")}); ${quoteList(constant)} ${one ? "starts" : "start"} ` +
      `constant, so ${one ? "it was" : "they were"} drawn from ${from} for this check`,
  );
  return report(again, constant);
}

const kinkCount = (rows: readonly CheckRow[]): number => rows.reduce((n, r) => n + (r.kinks ?? 0), 0);

function quoteList(names: readonly string[]): string {
  const q = names.map((n) => `"${n}"`);
  return q.length === 1 ? q[0]! : `${q.slice(0, -1).join(", ")} and ${q[q.length - 1]}`;
}

/** One element's finite differences: central, and one-sided on either side, with their round-off. */
interface Differences {
  readonly central: number;
  readonly plus: number;
  readonly minus: number;
  /** The round-off the central difference may carry. */
  readonly noise: number;
  /** The round-off each one-sided difference may carry. */
  readonly oneSidedNoise: number;
}

/** A checked element: the analytic gradient and the differences at step h. */
interface Probe {
  readonly index: number;
  readonly analytic: number;
  readonly at: Differences;
}

/** An analytic gradient against a numeric one, with the round-off of the numeric one. */
interface Comparison {
  readonly analytic: number;
  readonly numeric: number;
  readonly noise: number;
}

/** What a disagreeing element turns out to be, looked at again with a step REFINE times smaller. */
type Verdict =
  | { readonly kind: "kink"; readonly oneSided: boolean }
  | { readonly kind: "closer"; readonly numeric: number; readonly noise: number }
  | { readonly kind: "wrong"; readonly atKink: boolean };

function checkRows(
  mod: GraphModule,
  values: { inputs: Record<string, Value>; params: Record<string, Value> },
  random: () => number,
  samples: number,
  tolerance: number,
): CheckRow[] {
  const { inputs, params } = values;
  const run = () => objective(mod.forward(inputs, params).outputs[mod.meta.grad.of]!);
  const fwd = mod.forward(inputs, params);
  const outValue = fwd.outputs[mod.meta.grad.of]!;
  // f(x), computed once: with f(x ± h) it gives the one-sided differences for free.
  const base = objective(outValue);
  const upstream = typeof outValue === "number" ? undefined : filledTensor(outValue.shape, 1);
  const grads = mod.backward(fwd, upstream);

  return mod.meta.grad.wrt.map((name) => {
    const holder = Object.prototype.hasOwnProperty.call(inputs, name) ? inputs : params;
    const value = holder[name]!;
    const analytic = grads[name]!;
    const total = typeof value === "number" ? 1 : value.data.length;
    const indices = sampleIndices(total, samples, random);
    const probes: Probe[] = indices.map((i) => ({
      index: i,
      analytic: typeof analytic === "number" ? analytic : analytic.data[i]!,
      at: differences(holder, name, i, run, base, 1),
    }));
    const row = { name, checked: indices.length, total };
    const central = probes.map((p): Comparison => ({ analytic: p.analytic, numeric: p.at.central, noise: p.at.noise }));
    if (central.some((c) => !Number.isFinite(c.analytic) || !Number.isFinite(c.numeric))) {
      const maxAbsError = largest(central, (c) => Math.abs(c.analytic - c.numeric));
      return { ...row, maxAbsError, maxRelError: NaN, ok: false, note: "a gradient is not finite (NaN or Infinity)" };
    }
    // Where the gradients are resolved at all, an element that disagrees beyond the tolerance
    // and the round-off is looked at again: it may sit at a kink, or near one.
    const scale = largest(central, magnitude);
    const resolved = scale > Math.max(NEGLIGIBLE, largest(central, (c) => c.noise));
    const allowed = tolerance * scale;
    const compared: Comparison[] = [];
    const count = { kinks: 0, oneSided: 0, closer: 0, wrongAtKink: 0 };
    for (const [i, p] of probes.entries()) {
      const disagrees = resolved && Math.abs(p.analytic - p.at.central) - p.at.noise > allowed;
      const verdict = disagrees ? judge(holder, name, p, run, base, allowed) : undefined;
      if (verdict?.kind === "kink") {
        count.kinks++;
        if (verdict.oneSided) count.oneSided++;
      } else if (verdict?.kind === "closer") {
        count.closer++;
        compared.push({ analytic: p.analytic, numeric: verdict.numeric, noise: verdict.noise });
      } else {
        if (verdict?.atKink) count.wrongAtKink++;
        compared.push(central[i]!);
      }
    }

    const result = compare(compared, tolerance);
    const notes: string[] = [];
    const checked = indices.length;
    if (count.kinks > 0) notes.push(kinkNote(count.kinks, count.oneSided, checked));
    if (count.wrongAtKink > 0) {
      notes.push(
        `${ofChecked(count.wrongAtKink, checked, "sits", "sit")} at a kink where the gradient lies outside the ` +
          "one-sided derivatives, so it is wrong there",
      );
    }
    if (count.closer > 0) {
      notes.push(
        `${ofChecked(count.closer, checked, "agrees", "agree")} only with central differences ${REFINE} times finer ` +
          `(the graph bends sharply within a step of ${count.closer === 1 ? "it" : "them"}: a kink nearby)`,
      );
    }
    if (result.note) notes.push(result.note);
    return {
      ...row,
      maxAbsError: result.maxAbsError,
      maxRelError: result.maxRelError,
      ok: result.ok,
      ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
      ...(count.kinks > 0 ? { kinks: count.kinks } : {}),
    };
  });
}

/** The errors of the compared elements, and whether they pass. */
function compare(
  compared: readonly Comparison[],
  tolerance: number,
): { maxAbsError: number; maxRelError: number; ok: boolean; note?: string } {
  const error = largest(compared, (c) => Math.abs(c.analytic - c.numeric));
  const noise = largest(compared, (c) => c.noise);
  const scale = largest(compared, magnitude);
  // Central differences cannot resolve gradients smaller than their own round-off.
  if (scale <= Math.max(NEGLIGIBLE, noise)) {
    return {
      maxAbsError: error,
      maxRelError: 0,
      ok: error <= Math.max(NEGLIGIBLE, noise),
      note:
        compared.length === 0
          ? undefined
          : "both gradients are near zero (below what central differences resolve here), so the relative error means nothing; compared absolutely",
    };
  }
  const rel = error / scale;
  if (rel <= tolerance) return { maxAbsError: error, maxRelError: rel, ok: true };
  // Agreement within the round-off of the differences themselves.
  const withinNoise = largest(compared, (c) => Math.abs(c.analytic - c.numeric) - c.noise) <= tolerance * scale;
  return {
    maxAbsError: error,
    maxRelError: rel,
    ok: withinNoise,
    note: withinNoise ? "agrees within the round-off of central differences (the output is large next to this gradient)" : undefined,
  };
}

/** The largest of `of(item)` over `items`, 0 for none (NaN if any is NaN). */
function largest<T>(items: readonly T[], of: (item: T) => number): number {
  let m = 0;
  for (const item of items) m = Math.max(m, of(item));
  return m;
}

const magnitude = (c: Comparison): number => Math.max(Math.abs(c.analytic), Math.abs(c.numeric));

/** "1 of the 3 checked elements sits", "all 12 checked elements sit", "the checked element sits". */
function ofChecked(count: number, checked: number, singular: string, plural: string): string {
  if (checked === 1) return `the checked element ${singular}`;
  if (count === checked) return `all ${checked} checked elements ${plural}`;
  return `${count} of the ${checked} checked elements ${count === 1 ? singular : plural}`;
}

function kinkNote(kinks: number, oneSided: number, checked: number): string {
  const lies =
    oneSided === kinks
      ? "the gradient equals a one-sided derivative"
      : oneSided === 0
        ? "the gradient lies between the one-sided derivatives"
        : "the gradient equals a one-sided derivative or lies between them";
  const them = kinks === 1 ? "it" : "them";
  return (
    `${ofChecked(kinks, checked, "sits", "sit")} at a kink (not differentiable there; ${lies}), so ${kinks === 1 ? "it is" : "they are"} ` +
    `left out of the errors; check with values away from kinks (--inputs) to compare ${them}`
  );
}

/**
 * Looks again at an element whose gradient disagrees with its central difference, with a step
 * REFINE times smaller. At a kink the one-sided differences stay apart as the step shrinks
 * (a jump in the slope), while curvature makes them differ by about h·f'', which shrinks with
 * h; a gradient between them there is a one-sided derivative or a subgradient: not a mistake.
 * Where the finer central difference agrees, the function bends sharply within the first step
 * (a kink nearby, or strong curvature), and the finer one is the better estimate. Anything else
 * is a disagreement.
 */
function judge(
  holder: Record<string, Value>,
  name: string,
  p: Probe,
  f: () => number,
  base: number,
  allowed: number,
): Verdict {
  const fine = differences(holder, name, p.index, f, base, REFINE);
  // Held to the first step's round-off: the finer step's, larger, must not let more through.
  if (Math.abs(p.analytic - fine.central) - p.at.noise <= allowed) {
    return { kind: "closer", numeric: fine.central, noise: p.at.noise };
  }
  const gap = Math.abs(p.at.plus - p.at.minus);
  const fineGap = Math.abs(fine.plus - fine.minus);
  const atKink =
    gap > allowed + 2 * p.at.oneSidedNoise &&
    fineGap > allowed + 2 * fine.oneSidedNoise &&
    // Curvature shrinks the gap REFINE times; a kink keeps it.
    fineGap >= gap / 4;
  if (!atKink) return { kind: "wrong", atKink: false };
  const slack = allowed + fine.oneSidedNoise;
  const lo = Math.min(fine.plus, fine.minus) - slack;
  const hi = Math.max(fine.plus, fine.minus) + slack;
  if (p.analytic < lo || p.analytic > hi) return { kind: "wrong", atKink: true };
  const oneSided = Math.abs(p.analytic - fine.plus) <= slack || Math.abs(p.analytic - fine.minus) <= slack;
  return { kind: "kink", oneSided };
}

/**
 * Finite differences of `f` in element `i` of `holder[name]`, with the step 1e-5·max(1, |x|)
 * divided by `finer`, restoring the element after: central (f(x + h) − f(x − h)) / 2h and
 * one-sided (f(x + h) − f(x)) / h and (f(x) − f(x − h)) / h, where f(x) is `base`, each with
 * the round-off it may carry: a few ulps of f, divided by the step.
 */
function differences(
  holder: Record<string, Value>,
  name: string,
  i: number,
  f: () => number,
  base: number,
  finer: number,
): Differences {
  const value = holder[name]!;
  const x = typeof value === "number" ? value : value.data[i]!;
  const h = (1e-5 * Math.max(1, Math.abs(x))) / finer;
  const set = (v: number) => {
    if (typeof value === "number") setOwn(holder, name, v);
    else (value as Tensor).data[i] = v;
  };
  set(x + h);
  const up = f();
  set(x - h);
  const down = f();
  set(x);
  // x + h and x - h are rounded; divide by the steps actually taken.
  const step = x + h - (x - h);
  const [above, below] = [x + h - x, x - (x - h)];
  return {
    central: (up - down) / step,
    plus: (up - base) / above,
    minus: (base - down) / below,
    noise: (8 * Number.EPSILON * Math.max(Math.abs(up), Math.abs(down))) / step,
    oneSidedNoise: (8 * Number.EPSILON * Math.max(Math.abs(up), Math.abs(down), Math.abs(base))) / Math.min(above, below),
  };
}

/** All indices, or a seeded sample of `max` of them in ascending order. */
function sampleIndices(total: number, max: number, random: () => number): number[] {
  if (total <= max) return Array.from({ length: total }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < max) chosen.add(Math.floor(random() * total));
  return [...chosen].sort((a, b) => a - b);
}
