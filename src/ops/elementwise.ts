// Element-wise ops: numpy broadcasting, one scalar formula each, and their derivative rules.
// The engine sums each gradient contribution back to its argument's shape, so rules here
// are written as if nothing were broadcast.
import type { Attrs, Builder, Node } from "../ir/graph.js";
import { broadcastShapes, sameShape, type Shape } from "../ir/shape.js";
import { dsl } from "./dsl.js";
import { onnxOp } from "./onnx.js";
import type { OpName } from "./names.js";
import type { OpDef } from "./types.js";

const unaryShape = (args: readonly Shape[]): Shape => args[0]!;
const binaryShape = (args: readonly Shape[]): Shape => broadcastShapes(args[0]!, args[1]!);

/** Whether `n` is a constant, or the constant `v` (Object.is: 0 and -0 are different constants). */
const isConst = (n: Node, v?: number): boolean => n.op === "const" && (v === undefined || Object.is(n.value, v));

/** `c * x` as (c, x) when `n` is a constant multiple of something, else (1, n). */
function coefficient(n: Node): [number, Node] {
  if (n.op === "mul" && isConst(n.args[0]!)) return [n.args[0]!.value!, n.args[1]!];
  return [1, n];
}

function unary(doc: string, label: string, expr: (a: string) => string, fold: (a: number) => number) {
  return {
    doc,
    label,
    params: ["x"],
    attrs: {},
    shape: unaryShape,
    elementwise: { expr, fold },
  } as const;
}

function binary(doc: string, label: string, expr: (a: string, b: string) => string, fold: (a: number, b: number) => number) {
  return {
    doc,
    label,
    params: ["x", "y"],
    attrs: {},
    shape: binaryShape,
    elementwise: { expr, fold },
  } as const;
}

type Simplify = (b: Builder, args: readonly Node[], attrs: Attrs, shape: Shape) => Node | undefined;

// The simplifier never changes a result. Each rule below rewrites an expression into one that
// gives the identical double (Object.is equality, NaN for NaN) for every input, ±0, ±Infinity,
// NaN, subnormals and values near ±MAX_VALUE included, as the generated code evaluates it (each
// operation rounded to nearest, ties to even). The comment over a rule derives it. Rewrites that
// only hold for real numbers are not made: x + 0 is not x at x = -0, 0 - y is not -y at y = 0,
// 2x - x is not x at x = Infinity, and c1 * (c2 * x) is not (c1·c2) * x when c2 * x overflows
// or rounds and c1 would have undone it. Facts the derivations use:
//   F1. x - y is x + (-y), and negation is exact; rounding is symmetric in sign, so
//       -(x * y) = (-x) * y. Addition and multiplication are commutative.
//   F2. An exact zero sum is +0, except (-0) + (-0) = -0.
//   F3. Multiplying by ±2^k (k ≥ 0) is exact unless it overflows: the bits of the significand
//       stay, a subnormal becomes a larger number with no more bits than before.
//   F4. If a real r is computed by two expressions, each rounding only once (every other step
//       exact), both give round(r): the same double, overflow to ±Infinity included.

/** Whether `c` is ±2^k with k ≥ 0 (1, 2, 4, …, 2^1023): multiplying by it is exact (F3). */
function isScale(c: number): boolean {
  const a = Math.abs(c);
  if (!(a >= 1) || a === Infinity) return false;
  scratch.setFloat64(0, a);
  // A power of two has an all-zero significand field.
  return scratch.getUint32(4) === 0 && (scratch.getUint32(0) & 0xfffff) === 0;
}
const scratch = new DataView(new ArrayBuffer(8));

const simplifyAdd: Simplify = (b, [x, y], _attrs, shape) => {
  const d = dsl(b);
  // (-0) + y = y for every y, -0 included (F2); +0 + y is not y at y = -0, so 0 + y stays.
  if (isConst(x!, -0) && sameShape(y!.shape, shape)) return y;
  // x + (-y) = x - y and (-x) + y = y - x: F1.
  if (y!.op === "neg") return d.sub(x!, y!.args[0]!);
  if (x!.op === "neg") return d.sub(y!, x!.args[0]!);
  // Like terms: c1·v + c2·v = (c1 + c2)·v, so x + x + x becomes 3 * x. Exact when both ci are
  // scales (±2^k, k ≥ 0; a bare v is 1·v) of the same sign and |c1| + |c2| ≤ 2^53:
  // - c1 + c2 is then an exact integer, and c1·v, c2·v are exact or overflow (F3);
  // - if neither overflows, the sum rounds (c1 + c2)·v once, as (c1 + c2) * v does (F4);
  // - if one overflows to ±Infinity, the other has the same sign (same-sign ci), so the sum is
  //   that Infinity, and |(c1 + c2)·v| ≥ |ci·v| overflows to it too (no Infinity - Infinity);
  // - at v = ±0 both terms are zeros of one sign, and so is their sum and (c1 + c2)·v;
  //   at v = ±Infinity or NaN both sides are the same Infinity, or NaN.
  // Not with a coefficient 0 (0·v + v is NaN at v = Infinity, v is not), of opposite signs
  // (4v + (-2)v is Infinity where 4v overflows and 2v does not), or another coefficient (3v
  // rounds: 3v + 2v ≠ 5v).
  const [cx, vx] = coefficient(x!);
  const [cy, vy] = coefficient(y!);
  if (
    vx === vy &&
    vx.op !== "const" &&
    sameShape(vx.shape, shape) &&
    isScale(cx) &&
    isScale(cy) &&
    Math.sign(cx) === Math.sign(cy) &&
    Math.abs(cx) + Math.abs(cy) <= 2 ** 53
  ) {
    return d.mul(d.num(cx + cy), vx);
  }
  // u + u = 2 * u for any u: both round the real 2u once (F4), and (-0) + (-0) = -0 = 2 * (-0).
  if (x === y) return d.mul(d.num(2), x!);
  return undefined;
};

const simplifySub: Simplify = (b, [x, y], _attrs, shape) => {
  const d = dsl(b);
  // x - 0 = x + (-0) = x (F1, F2); x - (-0) = x + 0 is not x at x = -0, so it stays.
  if (isConst(y!, 0) && sameShape(x!.shape, shape)) return x;
  // (-0) - y = (-0) + (-y) = -y (F1, F2); 0 - y is +0 at y = 0 where -y is -0, so it stays.
  if (isConst(x!, -0) && sameShape(y!.shape, shape)) return d.neg(y!);
  // x - (-y) = x + y: F1. Like terms are not merged: 2x - x is +0 at x = -0 and NaN at
  // x = Infinity, where x is -0 and Infinity.
  if (y!.op === "neg") return d.add(x!, y!.args[0]!);
  return undefined;
};

/** A tensor of ones: `broadcast_to(1, like)`, as a scalar output's seed becomes downstream. */
const isOnes = (n: Node): boolean => n.op === "broadcast_to" && isConst(n.args[0]!, 1) && n.attrs.axis === undefined;

/**
 * Whether c1 * (c2 * v) = (c1·c2) * v for every v. c1·c2 must be finite (so exact, below),
 * and one of:
 * - c2 is a scale (±2^k, k ≥ 0) and |c1| ≥ 1: c2·v is exact or overflows (F3). If exact, both
 *   sides round c1·c2·v once (F4). If it overflows, c1 * ±Infinity is ±Infinity and
 *   |c1·c2·v| ≥ |c2·v| overflows to the same Infinity. c1·c2 is a scaling of c1: exact.
 * - c1 is a scale and c2 a nonzero whole number. If |c2·v| < 2^-1021, v is a subnormal, a
 *   multiple of 2^-1074, and so is c2·v, which is then representable: exact, and F4 applies.
 *   Otherwise |c2·v| ≥ 2^-1022 is rounded in the normal range, where scaling by a power of two
 *   commutes with rounding, overflow included (IEEE rounds as if the exponent were unbounded,
 *   then overflows past MAX_VALUE): c1 * round(c2·v) = round(c1·c2·v).
 * At v = ±0, ±Infinity or NaN both sides agree: the coefficients are finite and nonzero.
 * Not otherwise: (x * 1e200) * 1e200 is finite at x = 1e-300 but 1e400 is Infinity;
 * 0.5 * (4 * x) is Infinity where 4x overflows, 2x is not; 2 * (0.5 * x) is 0 at the smallest
 * subnormal, x is not; 3 * (3 * x) rounds twice (0.9000000000000001 at x = 0.1, 9x is 0.9).
 */
function reassociates(c1: number, c2: number): boolean {
  if (!Number.isFinite(c1 * c2)) return false;
  return (isScale(c2) && Math.abs(c1) >= 1) || (isScale(c1) && Number.isInteger(c2) && c2 !== 0);
}

const simplifyMul: Simplify = (b, [x, y], _attrs, shape) => {
  const d = dsl(b);
  // 1 * y = y for every y.
  if (isOnes(x!) && sameShape(y!.shape, shape)) return y;
  if (isOnes(y!) && sameShape(x!.shape, shape)) return x;
  // Arguments arrive in canonical order: a constant, if any, comes first.
  if (isConst(x!)) {
    const c = x!.value!;
    if (c === 1 && sameShape(y!.shape, shape)) return y;
    // (-1) * y = -y: exact, NaN included.
    if (c === -1) return d.neg(y!);
    if (y!.op === "mul" && isConst(y!.args[0]!) && reassociates(c, y!.args[0]!.value!)) {
      return d.mul(d.num(c * y!.args[0]!.value!), y!.args[1]!);
    }
    // c * (-y) = (-c) * y: F1.
    if (y!.op === "neg") return d.mul(d.num(-c), y!.args[0]!);
  }
  // (-x) * (-y) = x * y: F1, twice.
  if (x!.op === "neg" && y!.op === "neg") return d.mul(x!.args[0]!, y!.args[0]!);
  return undefined;
};

export const elementwiseOps = {
  add: {
    onnx: onnxOp("Add"),
    derivative: "∂x = g, ∂y = g",
    ...binary("x + y, element-wise with broadcasting.", "+", (a, b) => `${a} + ${b}`, (a, b) => a + b),
    commutative: true,
    simplify: simplifyAdd,
    // d(x+y)/dx = 1, d(x+y)/dy = 1: the add node passes its upstream gradient through.
    vjp: ({ dout }) => [dout, dout],
  },
  sub: {
    onnx: onnxOp("Sub"),
    derivative: "∂x = g, ∂y = −g",
    ...binary("x - y, element-wise with broadcasting.", "-", (a, b) => `${a} - ${b}`, (a, b) => a - b),
    simplify: simplifySub,
    vjp: ({ b, dout }) => [dout, dsl(b).neg(dout)],
  },
  mul: {
    onnx: onnxOp("Mul"),
    derivative: "∂x = g·y, ∂y = g·x",
    ...binary("x * y, element-wise with broadcasting.", "×", (a, b) => `${a} * ${b}`, (a, b) => a * b),
    commutative: true,
    simplify: simplifyMul,
    // d(x*y)/dx = y, d(x*y)/dy = x: the mul node swaps its inputs.
    vjp: ({ b, args: [x, y], dout }) => [dsl(b).mul(dout, y!), dsl(b).mul(dout, x!)],
  },
  div: {
    onnx: onnxOp("Div"),
    derivative: "∂x = g / y, ∂y = −(g·z) / y, with z = x / y the output",
    ...binary("x / y, element-wise with broadcasting.", "÷", (a, b) => `${a} / ${b}`, (a, b) => a / b),
    // x / 1 = x for every x.
    simplify: (_b, [x, y], _attrs, shape) => (isConst(y!, 1) && sameShape(x!.shape, shape) ? x : undefined),
    // d(x/y)/dx = 1/y; d(x/y)/dy = -x/y² = -(x/y)/y, which reuses the output.
    vjp: ({ b, node, args: [, y], dout }) => {
      const d = dsl(b);
      return [d.div(dout, y!), d.neg(d.div(d.mul(dout, node), y!))];
    },
  },
  neg: {
    onnx: onnxOp("Neg"),
    derivative: "∂x = −g",
    ...unary("-x.", "−", (a) => `-${a}`, (a) => -a),
    // -(-x) = x, and -(c * x) = (-c) * x (F1). Not -(x - y) = y - x: at x = y the left side
    // is -(+0) = -0 and the right side +0 (F2).
    simplify: (b, [x]) => {
      if (x!.op === "neg") return x!.args[0];
      if (x!.op === "mul" && isConst(x!.args[0]!)) return dsl(b).mul(dsl(b).num(-x!.args[0]!.value!), x!.args[1]!);
      return undefined;
    },
    vjp: ({ b, dout }) => [dsl(b).neg(dout)],
  },
  exp: {
    onnx: onnxOp("Exp"),
    derivative: "∂x = g·z, z = exp(x) the output",
    ...unary("e to the power x.", "exp", (a) => `Math.exp(${a})`, Math.exp),
    // d(exp x)/dx = exp x: the output itself.
    vjp: ({ b, node, dout }) => [dsl(b).mul(dout, node)],
  },
  log: {
    onnx: onnxOp("Log"),
    derivative: "∂x = g / x",
    ...unary("Natural logarithm; log(0) is -Infinity.", "log", (a) => `Math.log(${a})`, Math.log),
    vjp: ({ b, args: [x], dout }) => [dsl(b).div(dout, x!)],
  },
  sqrt: {
    onnx: onnxOp("Sqrt"),
    derivative: "∂x = g / (2z), z = √x the output",
    ...unary("Square root.", "√", (a) => `Math.sqrt(${a})`, Math.sqrt),
    // d(√x)/dx = 1 / (2√x), from the output.
    vjp: ({ b, node, dout }) => [dsl(b).div(dout, dsl(b).mul(dsl(b).num(2), node))],
  },
  square: {
    // x * x, as gradc computes it (Pow(x, 2) may round differently).
    onnx: (ctx) => void ctx.op("Mul", [ctx.args[0]!, ctx.args[0]!], {}, ctx.out),
    derivative: "∂x = g·2x",
    ...unary("x * x.", "x²", (a) => `${a} * ${a}`, (a) => a * a),
    vjp: ({ b, args: [x], dout }) => [dsl(b).mul(dout, dsl(b).mul(dsl(b).num(2), x!))],
  },
  tanh: {
    onnx: onnxOp("Tanh"),
    derivative: "∂x = g·(1 − z²), z = tanh(x) the output",
    ...unary("Hyperbolic tangent.", "tanh", (a) => `Math.tanh(${a})`, Math.tanh),
    // d(tanh x)/dx = 1 - tanh² x, from the output.
    vjp: ({ b, node, dout }) => {
      const d = dsl(b);
      return [d.mul(dout, d.sub(d.num(1), d.square(node)))];
    },
  },
  sigmoid: {
    onnx: onnxOp("Sigmoid"),
    derivative: "∂x = g·z·(1 − z), z the output (the book's Fig. 5-22)",
    ...unary(
      "1 / (1 + exp(-x)).",
      "Sigmoid",
      (a) => `1 / (1 + Math.exp(-${a}))`,
      (a) => 1 / (1 + Math.exp(-a)),
    ),
    // The book's Fig. 5-22: dx = dout * y * (1 - y), from the output y alone.
    vjp: ({ b, node, dout }) => {
      const d = dsl(b);
      return [d.mul(dout, d.mul(node, d.sub(d.num(1), node)))];
    },
  },
  relu: {
    onnx: onnxOp("Relu"),
    derivative: "∂x = g·step(relu(x)): g where x > 0, else 0 (the mask is read from the output, which is positive exactly where x is)",
    ...unary("max(0, x).", "ReLU", (a) => `Math.max(0, ${a})`, (a) => Math.max(0, a)),
    // The gradient passes where x > 0 and is zero elsewhere (the book's saved mask). The mask
    // is read from the output (relu(x) > 0 exactly when x > 0, NaN included), so forward
    // need not keep x, and x can be computed in place of the output.
    vjp: ({ b, node, dout }) => [dsl(b).mul(dout, dsl(b).step(node))],
  },
  step: {
    // x > 0 as a boolean, cast to the element type: 1 or 0 (0 for NaN, as in gradc).
    onnx: (ctx) => void ctx.op("Cast", [ctx.op("Greater", [ctx.args[0]!, ctx.num(0)])], { to: ctx.elemType }, ctx.out),
    derivative: "none (zero)",
    ...unary("1 where x > 0, else 0: the mask ReLU's gradient uses.", "step", (a) => `(${a} > 0 ? 1 : 0)`, (a) =>
      a > 0 ? 1 : 0,
    ),
    // Piecewise constant: zero gradient (no vjp).
  },
} satisfies Partial<Record<OpName, OpDef>>;
