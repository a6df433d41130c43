// Owns the gradient check: each gradient from `backward` against central differences of the
// generated `forward` alone (never the symbolic engine), as the book's gradient check does.
import type { GraphModule } from "../runtime/load.js";
import { gaussian, mulberry32 } from "../runtime/random.js";
import { getOwn, ownRecord, setOwn } from "../runtime/records.js";
import { filledTensor, isTensor, type Tensor, type Value } from "../runtime/tensor.js";
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
}

/** The outcome of `checkGradients`: one row per `wrt` value, and whether all of them passed. */
export interface CheckReport {
  readonly of: string;
  readonly dims: Readonly<Record<string, number>>;
  readonly rows: readonly CheckRow[];
  readonly ok: boolean;
  /** Why random inputs were redrawn, if they were. */
  readonly note?: string;
}

export { DEFAULT_DIM, DEFAULT_SAMPLES, DEFAULT_TOLERANCE };
/** Gradients whose largest magnitude is below this are "zero": relative error means nothing. */
const NEGLIGIBLE = 1e-10;

/** The scalar that is differentiated: the output itself, or the sum of a tensor output's elements. */
function objective(value: Value): number {
  if (typeof value === "number") return value;
  let s = 0;
  for (let i = 0; i < value.data.length; i++) s += value.data[i]!;
  return s;
}

function copy(v: Value): Value {
  return typeof v === "number" ? v : { shape: [...v.shape], data: v.data.slice() };
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
      setOwn(inputs, v.name, value !== undefined ? copy(value) : draw(v.shape, positive));
    }
    return inputs;
  };

  const params = mod.init(seed);
  for (const p of mod.meta.params) {
    const value = getOwn(given, p.name);
    if (value !== undefined) setOwn(params, p.name, copy(value));
  }
  let inputs = makeInputs(false);
  let note: string | undefined;
  const finite = (ins: Record<string, Value>) => Number.isFinite(objective(mod.forward(ins, params).outputs[mod.meta.grad.of]!));
  if (!finite(inputs)) {
    // Outside the domain of log, sqrt or a division: draw positive values instead.
    inputs = makeInputs(true);
    note = "the forward pass was not finite at normally distributed inputs, so they were drawn from [0.5, 1.5)";
  }

  const run = () => objective(mod.forward(inputs, params).outputs[mod.meta.grad.of]!);
  const fwd = mod.forward(inputs, params);
  const outValue = fwd.outputs[mod.meta.grad.of]!;
  const upstream = typeof outValue === "number" ? undefined : filledTensor(outValue.shape, 1);
  const grads = mod.backward(fwd, upstream);

  const rows: CheckRow[] = mod.meta.grad.wrt.map((name) => {
    const holder = Object.prototype.hasOwnProperty.call(inputs, name) ? inputs : params;
    const value = holder[name]!;
    const analytic = grads[name]!;
    const total = typeof value === "number" ? 1 : value.data.length;
    const indices = sampleIndices(total, options.samples ?? DEFAULT_SAMPLES, random);
    let maxAbs = 0;
    let scale = 0;
    let noise = 0;
    let beyondNoise = 0;
    let nonFinite = false;
    for (const i of indices) {
      const a = typeof analytic === "number" ? analytic : analytic.data[i]!;
      const numeric = centralDifference(holder, name, i, run);
      if (!Number.isFinite(a) || !Number.isFinite(numeric.value)) nonFinite = true;
      const error = Math.abs(a - numeric.value);
      maxAbs = Math.max(maxAbs, error);
      scale = Math.max(scale, Math.abs(a), Math.abs(numeric.value));
      noise = Math.max(noise, numeric.noise);
      beyondNoise = Math.max(beyondNoise, error - numeric.noise);
    }
    const base = { name, checked: indices.length, total, maxAbsError: maxAbs };
    if (nonFinite) return { ...base, maxRelError: NaN, ok: false, note: "a gradient is not finite (NaN or Infinity)" };
    // Central differences cannot resolve gradients smaller than their own round-off.
    if (scale <= Math.max(NEGLIGIBLE, noise)) {
      return {
        ...base,
        maxRelError: 0,
        ok: maxAbs <= Math.max(NEGLIGIBLE, noise),
        note: "both gradients are near zero (below what central differences resolve here), so the relative error means nothing; compared absolutely",
      };
    }
    const rel = maxAbs / scale;
    // Agreement within the tolerance, or within the round-off of the differences themselves.
    if (rel <= tolerance) return { ...base, maxRelError: rel, ok: true };
    const withinNoise = beyondNoise <= tolerance * scale;
    return {
      ...base,
      maxRelError: rel,
      ok: withinNoise,
      note: withinNoise
        ? "agrees within the round-off of central differences (the output is large next to this gradient)"
        : undefined,
    };
  });
  return { of: mod.meta.grad.of, dims, rows, ok: rows.every((r) => r.ok), note };
}

/**
 * (f(x + h) - f(x - h)) / 2h for element `i` of `holder[name]`, restoring it after, with the
 * round-off it may carry: a few ulps of f(x ± h), divided by the step.
 */
function centralDifference(
  holder: Record<string, Value>,
  name: string,
  i: number,
  f: () => number,
): { value: number; noise: number } {
  const value = holder[name]!;
  const x = typeof value === "number" ? value : value.data[i]!;
  const h = 1e-5 * Math.max(1, Math.abs(x));
  const set = (v: number) => {
    if (typeof value === "number") setOwn(holder, name, v);
    else (value as Tensor).data[i] = v;
  };
  set(x + h);
  const up = f();
  set(x - h);
  const down = f();
  set(x);
  // (x + h) - (x - h) is not exactly 2h in floating point; divide by the step actually taken.
  const step = x + h - (x - h);
  return { value: (up - down) / step, noise: (8 * Number.EPSILON * Math.max(Math.abs(up), Math.abs(down))) / step };
}

/** All indices, or a seeded sample of `max` of them in ascending order. */
function sampleIndices(total: number, max: number, random: () => number): number[] {
  if (total <= max) return Array.from({ length: total }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < max) chosen.add(Math.floor(random() * total));
  return [...chosen].sort((a, b) => a - b);
}
