// Owns shapes: dimensions are sizes or interned symbols (`N`), compared by identity, and the
// numpy broadcasting rule that element-wise ops follow.

/** A symbolic dimension, bound when the generated code is run. Interned: equal names are `===`. */
export interface Symbol_ {
  readonly sym: string;
}

export type Dim = number | Symbol_;
export type Shape = readonly Dim[];

const symbols = new Map<string, Symbol_>();

export function sym(name: string): Symbol_ {
  let s = symbols.get(name);
  if (!s) {
    s = Object.freeze({ sym: name });
    symbols.set(name, s);
  }
  return s;
}

export const scalar: Shape = Object.freeze([]);

export function isSymbol(d: Dim): d is Symbol_ {
  return typeof d !== "number";
}

export function dimToString(d: Dim): string {
  return typeof d === "number" ? String(d) : d.sym;
}

export function shapeToString(s: Shape): string {
  return `[${s.map(dimToString).join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The symbols a shape mentions, in order of first appearance. */
export function shapeSymbols(s: Shape): string[] {
  return [...new Set(s.filter(isSymbol).map((d) => d.sym))];
}

/** A shape error; the caller knows where in the file it happened. */
export class ShapeError extends Error {}

/** The numpy broadcast of two shapes: align right, a 1 stretches to the other size. */
export function broadcastShapes(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else {
      throw new ShapeError(
        `shapes ${shapeToString(a)} and ${shapeToString(b)} do not broadcast: ` +
          `${dimToString(da)} and ${dimToString(db)} differ`,
      );
    }
  }
  return out;
}

/** Whether `from` can be broadcast to exactly `to`. */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  return from.every((d, i) => d === 1 || d === to[to.length - from.length + i]);
}

/** Resolves a possibly negative axis against a rank, or throws. */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new ShapeError(`axis ${axis} is out of range for a value of rank ${rank}`);
  }
  return a;
}
