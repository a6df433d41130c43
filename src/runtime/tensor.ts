// Owns the conversions between a generated module's tensors ({ shape, data }) and the nested
// arrays of JSON files and printed results.
import type { Dtype } from "../emit/options.js";

/** A tensor as generated modules take and return it: its shape and its elements, row-major. */
export interface Tensor {
  shape: number[];
  data: Float64Array | Float32Array;
}

/** A value of a graph: a scalar is a number, anything else a tensor. */
export type Value = number | Tensor;

/** A JSON value (number or nested arrays) that is not a well-formed tensor. */
export class ValueError extends Error {}

/** Whether `v` is an object with `shape` and `data` (nothing more is checked). */
export function isTensor(v: unknown): v is Tensor {
  return typeof v === "object" && v !== null && "shape" in v && "data" in v;
}

/** The numbers JSON has no literal for, as gradc's JSON files write them (see `jsonValue`). */
const nonFinite: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/** A JSON leaf as a number: a number, or one of the strings "NaN", "Infinity", "-Infinity". */
function leafNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  return typeof v === "string" && Object.prototype.hasOwnProperty.call(nonFinite, v) ? nonFinite[v] : undefined;
}

/**
 * A number or a rectangular nested array of numbers as a gradc value. NaN and ±Infinity may be
 * given as the strings "NaN", "Infinity" and "-Infinity", as gradc's JSON output writes them.
 */
export function fromNested(value: unknown, dtype: Dtype = "f64"): Value {
  const scalar = leafNumber(value);
  if (scalar !== undefined) return scalar;
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) throw new ValueError("an empty list cannot be a value");
    level = level[0];
  }
  if (shape.length === 0) throw new ValueError(`expected a number or a list of numbers, got ${describeJson(value)}`);
  const flat: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      const number = leafNumber(v);
      if (number === undefined) throw new ValueError(`expected a number, got ${describeJson(v)}`);
      flat.push(number);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ValueError(`the nested lists are not rectangular (expected shape [${shape.join(", ")}])`);
    }
    for (const item of v) walk(item, depth + 1);
  };
  walk(value, 0);
  return { shape, data: dtype === "f32" ? Float32Array.from(flat) : Float64Array.from(flat) };
}

/** A value as a number or nested arrays, the form JSON output uses. */
export function toNested(value: Value): unknown {
  if (typeof value === "number") return value;
  const { shape, data } = value;
  if (shape.length === 0) return data[0];
  const build = (offset: number, depth: number): unknown => {
    const n = shape[depth]!;
    if (depth === shape.length - 1) return Array.from(data.subarray(offset, offset + n));
    const stride = shape.slice(depth + 1).reduce((p, d) => p * d, 1);
    return Array.from({ length: n }, (_, i) => build(offset + i * stride, depth + 1));
  };
  return build(0, 0);
}

/**
 * A value as JSON text takes it: nested arrays (as `toNested`), with NaN and ±Infinity as the
 * strings "NaN", "Infinity" and "-Infinity" (JSON.stringify would write null for each, and lose
 * them), which `fromNested` reads back.
 */
export function jsonValue(value: Value): unknown {
  const walk = (v: unknown): unknown => (Array.isArray(v) ? v.map(walk) : typeof v === "number" && !Number.isFinite(v) ? String(v) : v);
  return walk(toNested(value));
}

/** A tensor of the given shape filled with one value. */
export function filledTensor(shape: readonly number[], value: number, dtype: Dtype = "f64"): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const data = dtype === "f32" ? new Float32Array(size) : new Float64Array(size);
  return { shape: [...shape], data: data.fill(value) };
}

function describeJson(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** A copy of a value whose tensor data is an array of its own. */
export function copyValue(v: Value): Value {
  return typeof v === "number" ? v : { shape: [...v.shape], data: v.data.slice() };
}
