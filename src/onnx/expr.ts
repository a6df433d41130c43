// Owns the graph-file expressions an import writes: their text, with only the parentheses the
// grammar needs, and their shapes, computed by the op registry's own shape rules, so a model that
// gradc's ops cannot express is refused at the ONNX node that needs it, with the rule's reason.
import { graphNumber } from "../emit/graphfile.js";
import { shortestFloat32 } from "./float32.js";
import type { Shape } from "../ir/shape.js";
import { opDef, type OpName } from "../ops/registry.js";

/** How tightly an expression binds: what an operand must reach to go without parentheses. */
export const Level = { Additive: 1, Multiplicative: 2, Unary: 3, Atom: 4 } as const;
export type Level = (typeof Level)[keyof typeof Level];

/** An expression of the graph file being written, with the shape of its value. */
export interface Expr {
  readonly text: string;
  readonly level: Level;
  readonly shape: Shape;
}

/** A value's name as an expression. */
export function nameExpr(name: string, shape: Shape): Expr {
  return { text: name, level: Level.Atom, shape };
}

/**
 * A number as graph-file text that reads back as the same value in the model's element type: for
 * float32, the shortest decimal that rounds to the same float32 (`0.1`, not the
 * `0.10000000149011612` it is in float64).
 */
export function numberText(v: number, dtype: "f32" | "f64"): string {
  return graphNumber(dtype === "f32" ? shortestFloat32(v) : v);
}

/** A scalar constant. */
export function numberExpr(v: number, dtype: "f32" | "f64"): Expr {
  const text = numberText(v, dtype);
  return { text, level: text.startsWith("-") ? Level.Unary : Level.Atom, shape: [] };
}

function operand(e: Expr, atLeast: Level): string {
  return e.level >= atLeast ? e.text : `(${e.text})`;
}

/** An attribute's value as written: `keepdims=true`, `axis=-1`. */
export type AttrValue = number | boolean;

/** `op(args…, attr=value…)`, shaped by the op's registry entry (which throws ShapeError if it does not fit). */
export function callExpr(op: OpName, args: readonly Expr[], attrs: Readonly<Record<string, AttrValue>> = {}): Expr {
  const numeric = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, Number(v)]));
  const shape = opDef(op).shape(args.map((a) => a.shape), numeric);
  const written = [...args.map((a) => a.text), ...Object.entries(attrs).map(([k, v]) => `${k}=${String(v)}`)];
  return { text: `${op}(${written.join(", ")})`, level: Level.Atom, shape };
}

const infix = {
  add: { symbol: "+", level: Level.Additive },
  sub: { symbol: "-", level: Level.Additive },
  mul: { symbol: "*", level: Level.Multiplicative },
  div: { symbol: "/", level: Level.Multiplicative },
  matmul: { symbol: "@", level: Level.Multiplicative },
} as const;

/** The binary ops written as operators. */
export type InfixOp = keyof typeof infix;

/** `a op b`, left-associative: `a - (b - c)` keeps its parentheses, `(a - b) - c` does not. */
export function infixExpr(op: InfixOp, a: Expr, b: Expr): Expr {
  const { symbol, level } = infix[op];
  const shape = opDef(op).shape([a.shape, b.shape], {});
  return { text: `${operand(a, level)} ${symbol} ${operand(b, (level + 1) as Level)}`, level, shape };
}

/** `-a`. */
export function negExpr(a: Expr): Expr {
  return { text: `-${operand(a, Level.Unary)}`, level: Level.Unary, shape: opDef("neg").shape([a.shape], {}) };
}
