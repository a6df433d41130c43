// Element-wise ops: numpy broadcasting, one scalar formula each, and their derivative rules.
// The engine sums each gradient contribution back to its argument's shape, so rules here
// are written as if nothing were broadcast.
import type { Attrs, Builder, Node } from "../ir/graph.js";
import { broadcastShapes, sameShape, type Shape } from "../ir/shape.js";
import { dsl } from "./dsl.js";
import type { OpName } from "./names.js";
import type { OpDef } from "./types.js";

const unaryShape = (args: readonly Shape[]): Shape => args[0]!;
const binaryShape = (args: readonly Shape[]): Shape => broadcastShapes(args[0]!, args[1]!);

const isConst = (n: Node, v?: number): boolean =>
  n.op === "const" && (v === undefined || Object.is(n.value, v) || n.value === v);

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

const simplifyAdd: Simplify = (b, [x, y], _attrs, shape) => {
  const d = dsl(b);
  if (isConst(x!, 0) && sameShape(y!.shape, shape)) return y;
  if (isConst(y!, 0) && sameShape(x!.shape, shape)) return x;
  if (y!.op === "neg") return d.sub(x!, y!.args[0]!);
  if (x!.op === "neg") return d.sub(y!, x!.args[0]!);
  // Collect like terms: c1*v + c2*v = (c1 + c2)*v, so x + x + x becomes 3 * x.
  const [cx, vx] = coefficient(x!);
  const [cy, vy] = coefficient(y!);
  if (vx === vy && vx.op !== "const" && sameShape(vx.shape, shape)) return d.mul(d.num(cx + cy), vx);
  return undefined;
};

const simplifySub: Simplify = (b, [x, y], _attrs, shape) => {
  const d = dsl(b);
  if (isConst(y!, 0) && sameShape(x!.shape, shape)) return x;
  if (isConst(x!, 0) && sameShape(y!.shape, shape)) return d.neg(y!);
  if (y!.op === "neg") return d.add(x!, y!.args[0]!);
  const [cx, vx] = coefficient(x!);
  const [cy, vy] = coefficient(y!);
  if (vx === vy && vx.op !== "const" && sameShape(vx.shape, shape) && cx !== cy) {
    return d.mul(d.num(cx - cy), vx);
  }
  return undefined;
};

/** A tensor of ones: `broadcast_to(1, like)`, as a scalar output's seed becomes downstream. */
const isOnes = (n: Node): boolean => n.op === "broadcast_to" && isConst(n.args[0]!, 1) && n.attrs.axis === undefined;

const simplifyMul: Simplify = (b, [x, y], _attrs, shape) => {
  const d = dsl(b);
  if (isOnes(x!) && sameShape(y!.shape, shape)) return y;
  if (isOnes(y!) && sameShape(x!.shape, shape)) return x;
  // Arguments arrive in canonical order: a constant, if any, comes first.
  if (isConst(x!)) {
    const c = x!.value!;
    if (c === 1 && sameShape(y!.shape, shape)) return y;
    if (c === -1) return d.neg(y!);
    if (y!.op === "mul" && isConst(y!.args[0]!)) return d.mul(d.num(c * y!.args[0]!.value!), y!.args[1]!);
    if (y!.op === "neg") return d.mul(d.num(-c), y!.args[0]!);
  }
  if (x!.op === "neg" && y!.op === "neg") return d.mul(x!.args[0]!, y!.args[0]!);
  return undefined;
};

export const elementwiseOps = {
  add: {
    ...binary("x + y, element-wise with broadcasting.", "+", (a, b) => `${a} + ${b}`, (a, b) => a + b),
    commutative: true,
    simplify: simplifyAdd,
    // d(x+y)/dx = 1, d(x+y)/dy = 1: the add node passes its upstream gradient through.
    vjp: ({ dout }) => [dout, dout],
  },
  sub: {
    ...binary("x - y, element-wise with broadcasting.", "-", (a, b) => `${a} - ${b}`, (a, b) => a - b),
    simplify: simplifySub,
    vjp: ({ b, dout }) => [dout, dsl(b).neg(dout)],
  },
  mul: {
    ...binary("x * y, element-wise with broadcasting.", "×", (a, b) => `${a} * ${b}`, (a, b) => a * b),
    commutative: true,
    simplify: simplifyMul,
    // d(x*y)/dx = y, d(x*y)/dy = x: the mul node swaps its inputs.
    vjp: ({ b, args: [x, y], dout }) => [dsl(b).mul(dout, y!), dsl(b).mul(dout, x!)],
  },
  div: {
    ...binary("x / y, element-wise with broadcasting.", "÷", (a, b) => `${a} / ${b}`, (a, b) => a / b),
    simplify: (_b, [x, y], _attrs, shape) => (isConst(y!, 1) && sameShape(x!.shape, shape) ? x : undefined),
    // d(x/y)/dx = 1/y; d(x/y)/dy = -x/y² = -(x/y)/y, which reuses the output.
    vjp: ({ b, node, args: [, y], dout }) => {
      const d = dsl(b);
      return [d.div(dout, y!), d.neg(d.div(d.mul(dout, node), y!))];
    },
  },
  neg: {
    ...unary("-x.", "−", (a) => `-${a}`, (a) => -a),
    simplify: (b, [x]) => {
      if (x!.op === "neg") return x!.args[0];
      if (x!.op === "mul" && isConst(x!.args[0]!)) return dsl(b).mul(dsl(b).num(-x!.args[0]!.value!), x!.args[1]!);
      if (x!.op === "sub") return dsl(b).sub(x!.args[1]!, x!.args[0]!);
      return undefined;
    },
    vjp: ({ b, dout }) => [dsl(b).neg(dout)],
  },
  exp: {
    ...unary("e to the power x.", "exp", (a) => `Math.exp(${a})`, Math.exp),
    // d(exp x)/dx = exp x: the output itself.
    vjp: ({ b, node, dout }) => [dsl(b).mul(dout, node)],
  },
  log: {
    ...unary("Natural logarithm; log(0) is -Infinity.", "log", (a) => `Math.log(${a})`, Math.log),
    vjp: ({ b, args: [x], dout }) => [dsl(b).div(dout, x!)],
  },
  sqrt: {
    ...unary("Square root.", "√", (a) => `Math.sqrt(${a})`, Math.sqrt),
    // d(√x)/dx = 1 / (2√x), from the output.
    vjp: ({ b, node, dout }) => [dsl(b).div(dout, dsl(b).mul(dsl(b).num(2), node))],
  },
  square: {
    ...unary("x * x.", "x²", (a) => `${a} * ${a}`, (a) => a * a),
    vjp: ({ b, args: [x], dout }) => [dsl(b).mul(dout, dsl(b).mul(dsl(b).num(2), x!))],
  },
  tanh: {
    ...unary("Hyperbolic tangent.", "tanh", (a) => `Math.tanh(${a})`, Math.tanh),
    // d(tanh x)/dx = 1 - tanh² x, from the output.
    vjp: ({ b, node, dout }) => {
      const d = dsl(b);
      return [d.mul(dout, d.sub(d.num(1), d.square(node)))];
    },
  },
  sigmoid: {
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
    ...unary("max(0, x).", "ReLU", (a) => `Math.max(0, ${a})`, (a) => Math.max(0, a)),
    // The gradient passes where x > 0 and is zero elsewhere (the book's saved mask). The mask
    // is read from the output (relu(x) > 0 exactly when x > 0, NaN included), so forward
    // need not keep x, and x can be computed in place of the output.
    vjp: ({ b, node, dout }) => [dsl(b).mul(dout, dsl(b).step(node))],
  },
  step: {
    ...unary("1 where x > 0, else 0: the mask ReLU's gradient uses.", "step", (a) => `(${a} > 0 ? 1 : 0)`, (a) =>
      a > 0 ? 1 : 0,
    ),
    // Piecewise constant: zero gradient (no vjp).
  },
} satisfies Partial<Record<OpName, OpDef>>;
