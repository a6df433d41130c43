// Seeded random values for a module and the way tests compare two computations of one value.
import { expect } from "vitest";
import type { Value } from "../../src/index.js";

export type ArrCtor = Float64ArrayConstructor | Float32ArrayConstructor;

/** A number or tensor of this shape with elements uniform in [-1, 1) (a scalar in [-0.5, 0.5)). */
export function randomValue(shape: readonly number[], random: () => number, Arr: ArrCtor): Value {
  if (shape.length === 0) return random() - 0.5;
  const size = shape.reduce((p, d) => p * d, 1);
  const data = new Arr(size);
  for (let i = 0; i < size; i++) data[i] = random() * 2 - 1;
  return { shape: [...shape], data };
}

/** The largest difference of two values' elements, relative to their largest magnitude. */
export function maxRelativeDifference(a: Value, b: Value): number {
  const xs = typeof a === "number" ? [a] : Array.from(a.data);
  const ys = typeof b === "number" ? [b] : Array.from(b.data);
  expect(xs.length).toBe(ys.length);
  let scale = 1e-300;
  let worst = 0;
  xs.forEach((x, i) => {
    scale = Math.max(scale, Math.abs(x), Math.abs(ys[i]!));
    worst = Math.max(worst, Math.abs(x - ys[i]!));
  });
  return worst / scale;
}
