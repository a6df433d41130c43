// The checks a generated module makes on what it is given: names, kinds and shapes of inputs
// and params, with messages that say what was expected.
import { Arr } from "./arr.js";

/** Thrown when forward or backward is given a value of the wrong kind or shape. */
export class InputError extends Error {
  override name = "InputError";
}

/** The sizes bound to symbolic dimensions (`N`) by the tensors given so far. */
export type Dims = Map<string, number>;

/** An own property of a plain object, never one inherited from Object.prototype. */
export function take(from: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(from, key) ? (from as Record<string, unknown>)[key] : undefined;
}

/** Refuses anything but a plain object whose keys are all among `expected`. */
export function checkKeys(what: string, given: unknown, expected: readonly string[]): void {
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new InputError(`Expected the ${what}s as an object keyed by name, got ${describe(given)}.`);
  }
  for (const key of Object.keys(given)) {
    if (!expected.includes(key)) {
      const known = expected.length === 0 ? "none" : expected.map((k) => JSON.stringify(k)).join(", ");
      throw new InputError(`Unknown ${what} ${JSON.stringify(key)}; the graph's ${what}s are ${known}.`);
    }
  }
}

/** A value named for a message: its kind; a number or boolean itself; a string quoted (its start). */
export function describe(value: unknown): string {
  // Cut by code points, so no character is split; a value that throws when looked at is "a value".
  const start = (text: string) => {
    const points = Array.from(text.slice(0, 200));
    return points.length > 40 ? `${points.slice(0, 40).join("")}…` : points.join("");
  };
  try {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (Array.isArray(value)) return "a plain array";
    if (ArrayBuffer.isView(value)) return `a ${String(value.constructor?.name ?? "typed array")}`;
    if (typeof value === "object") return "an object";
    if (typeof value === "string") return `the string ${JSON.stringify(start(value))}`;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (typeof value === "bigint") return `the bigint ${start(String(value))}n`;
    return `a ${typeof value}`;
  } catch {
    return "a value";
  }
}

/** A scalar argument, after checking that it is a number. */
export function scalarIn(what: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new InputError(`${what} must be a number, got ${describe(value)}.`);
  }
  return value;
}

/** A shape as written in messages: `[N, 3]`. */
export function shapeText(shape: readonly (number | string)[]): string {
  return `[${shape.join(", ")}]`;
}

/** The data of a tensor argument, after checking its shape and binding its symbolic dims. */
export function tensorIn(what: string, value: unknown, expected: readonly (number | string)[], dims: Dims): Arr {
  if (typeof value !== "object" || value === null || !("shape" in value) || !("data" in value)) {
    throw new InputError(`${what} must be a tensor { shape, data } of shape ${shapeText(expected)}, got ${describe(value)}.`);
  }
  const { shape, data } = value as { shape: unknown; data: unknown };
  if (!(data instanceof Arr)) {
    throw new InputError(`${what} must hold its data in a ${Arr.name}, got ${describe(data)}.`);
  }
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new InputError(`${what} has an invalid shape; expected ${shapeText(expected)}.`);
  }
  const fail = (why: string) =>
    new InputError(`${what} has shape ${shapeText(shape)} but the graph expects ${shapeText(expected)}${why}.`);
  if (shape.length !== expected.length) throw fail("");
  expected.forEach((want, i) => {
    const got = shape[i] as number;
    if (typeof want === "number") {
      if (got !== want) throw fail("");
    } else {
      const bound = dims.get(want);
      if (bound === undefined) dims.set(want, got);
      else if (bound !== got) throw fail(` (${want} is ${bound} elsewhere)`);
    }
  });
  const size = (shape as number[]).reduce((p, d) => p * d, 1);
  if (data.length !== size) {
    throw new InputError(`${what} has ${data.length} values but its shape ${shapeText(shape)} needs ${size}.`);
  }
  return data;
}
