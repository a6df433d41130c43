// Owns what each ONNX op becomes in a graph file: one rule per op type that gradc can express
// exactly, by its own ops, and the reason when a node's attributes ask for something gradc's ops
// do not do (Softmax over another axis, a MatMul of rank-3 tensors). The ops gradc knows are
// this table's keys; the importer reports any other op type as unknown.
import type { TensorProto } from "./proto/onnx_pb.js";
import { callExpr, infixExpr, negExpr, type Expr, type InfixOp } from "./expr.js";

/** What a rule sees of its node: its inputs as expressions, its attributes, the opset. */
export interface NodeContext {
  /** The version of the default ONNX domain the model imports. */
  readonly opset: number;
  /** How many inputs the node names (an omitted optional input counts, as ""). */
  readonly inputCount: number;
  /** Whether input `i` is given (present and not ""). */
  has(i: number): boolean;
  /** Input `i` as an expression (a constant becomes a param or an input with its value). */
  input(i: number): Expr;
  /**
   * Input `i` as an operand of a binary element-wise op with input `other`: a constant of one
   * element is written as a number where that keeps the result's shape.
   */
  operand(i: number, other: number): Expr;
  /** Input `i`'s values, if it is a constant (an initializer or a Constant node's output). */
  constant(i: number): { readonly floats: () => readonly number[]; readonly ints: () => readonly number[] } | undefined;
  int(name: string, fallback: number): number;
  float(name: string, fallback: number): number;
  /** An INTS attribute, or undefined when the node has none. */
  ints(name: string): readonly number[] | undefined;
  /** A number as an expression, written for the model's element type. */
  number(v: number): Expr;
  /** The tensor a Constant node's attribute defines (value, value_float(s), value_int(s)). */
  constantValue(): TensorProto;
  /** Refuses the node: `reason` says what gradc cannot do, one clause without a final period. */
  fail(reason: string): never;
}

/** A rule's result: an expression for the node's first output, or the tensor a Constant defines. */
export type RuleResult = Expr | { readonly constant: TensorProto };

export type ImportRule = (ctx: NodeContext) => RuleResult;

const unary =
  (op: "exp" | "log" | "sqrt" | "tanh" | "sigmoid" | "relu"): ImportRule =>
  (ctx) =>
    callExpr(op, [ctx.input(0)]);

const binary =
  (op: InfixOp): ImportRule =>
  (ctx) =>
    infixExpr(op, ctx.operand(0, 1), ctx.operand(1, 0));

/** Softmax and LogSoftmax: gradc's work on the last axis, which ONNX's do by default from opset 13. */
const rowwise =
  (op: "softmax" | "log_softmax"): ImportRule =>
  (ctx) => {
    const x = ctx.input(0);
    const rank = x.shape.length;
    // Before opset 13 the input was flattened to 2-D at `axis` (default 1) and normalised per
    // row: the same as the last axis exactly when `axis` is the last axis.
    const axis = ctx.int("axis", ctx.opset < 13 ? 1 : -1);
    if (rank === 0) ctx.fail("its input is a scalar; gradc's softmax needs an axis");
    if ((axis < 0 ? axis + rank : axis) !== rank - 1) {
      ctx.fail(`axis ${axis} of a rank-${rank} input is not its last axis, the only one gradc's ${op} works on`);
    }
    return callExpr(op, [x]);
  };

/** ReduceSum and ReduceMean; `axes` is an input from opset `axesInput` on, an attribute before. */
const reduce =
  (op: "sum" | "mean", axesInput: number, prepare: (x: Expr) => Expr = (x) => x): ImportRule =>
  (ctx) => {
    const x = prepare(ctx.input(0));
    const rank = x.shape.length;
    const keepdims = ctx.int("keepdims", 1) !== 0;
    let axes: readonly number[] | undefined;
    if (ctx.opset < axesInput) axes = ctx.ints("axes");
    else if (ctx.has(1)) {
      axes = (ctx.constant(1) ?? ctx.fail("its axes are computed; gradc needs them to be a constant")).ints();
    }
    if (axes === undefined || axes.length === 0) {
      // From opset 13 (sum) and 18 (mean), empty axes with noop_with_empty_axes=1 reduce nothing.
      if (ctx.opset >= axesInput && ctx.int("noop_with_empty_axes", 0) !== 0) return x;
      return callExpr(op, [x], keepdims ? { keepdims: true } : {});
    }
    const normalized = new Set<number>();
    for (const axis of axes) {
      if (axis < -rank || axis >= rank) ctx.fail(`axis ${axis} is out of range for a rank-${rank} input`);
      normalized.add(axis < 0 ? axis + rank : axis);
    }
    if (normalized.size === rank) return callExpr(op, [x], keepdims ? { keepdims: true } : {});
    // One reduction per axis, the highest first, so that the lower axes keep their numbers.
    let e = x;
    for (const axis of [...normalized].sort((a, b) => b - a)) e = callExpr(op, [e], keepdims ? { axis, keepdims: true } : { axis });
    return e;
  };

/** Y = alpha · A' @ B' + beta · C, A' and B' transposed or not: PyTorch's nn.Linear is transB=1. */
const gemm: ImportRule = (ctx) => {
  const operand = (i: number, transposed: boolean, which: string): Expr => {
    const m = ctx.input(i);
    if (m.shape.length !== 2) ctx.fail(`${which} has rank ${m.shape.length}; Gemm multiplies matrices (rank 2)`);
    return transposed ? callExpr("transpose", [m]) : m;
  };
  const a = operand(0, ctx.int("transA", 0) !== 0, "A");
  const b = operand(1, ctx.int("transB", 0) !== 0, "B");
  const alpha = ctx.float("alpha", 1);
  const beta = ctx.float("beta", 1);
  const c = ctx.has(2) ? ctx.input(2) : undefined;
  // The book's Affine layer is exactly this case: a bias vector added to every row.
  if (c && alpha === 1 && beta === 1 && c.shape.length <= 1) return callExpr("affine", [a, b, c]);
  const product = alpha === 1 ? infixExpr("matmul", a, b) : infixExpr("mul", ctx.number(alpha), infixExpr("matmul", a, b));
  if (!c) return product;
  return infixExpr("add", product, beta === 1 ? c : infixExpr("mul", ctx.number(beta), c));
};

/** The ONNX ops gradc imports, by op type, in the order error messages list them. */
export const importRules: Readonly<Record<string, ImportRule>> = {
  Gemm: gemm,
  MatMul: (ctx) => infixExpr("matmul", ctx.input(0), ctx.input(1)),
  Add: binary("add"),
  Sub: binary("sub"),
  Mul: binary("mul"),
  Div: binary("div"),
  Sum: (ctx) => {
    let e = ctx.input(0);
    for (let i = 1; i < ctx.inputCount; i++) e = infixExpr("add", e, ctx.input(i));
    return e;
  },
  Neg: (ctx) => negExpr(ctx.input(0)),
  Reciprocal: (ctx) => infixExpr("div", ctx.number(1), ctx.input(0)),
  Pow: (ctx) => {
    const exponent = ctx.constant(1)?.floats();
    if (exponent?.length !== 1 || exponent[0] !== 2) ctx.fail("gradc has square(x) for an exponent of 2, and no other power");
    return callExpr("square", [ctx.input(0)]);
  },
  Relu: unary("relu"),
  Sigmoid: unary("sigmoid"),
  Tanh: unary("tanh"),
  Exp: unary("exp"),
  Log: unary("log"),
  Sqrt: unary("sqrt"),
  Softmax: rowwise("softmax"),
  LogSoftmax: rowwise("log_softmax"),
  ReduceSum: reduce("sum", 13),
  ReduceMean: reduce("mean", 18),
  ReduceSumSquare: reduce("sum", 18, (x) => callExpr("square", [x])),
  Transpose: (ctx) => {
    const x = ctx.input(0);
    const rank = x.shape.length;
    const perm = ctx.ints("perm") ?? [...Array(rank).keys()].reverse();
    if (rank > 2) ctx.fail(`its input has rank ${rank}; gradc transposes matrices (rank 2)`);
    if (perm.every((p, i) => p === i)) return x;
    return callExpr("transpose", [x]);
  },
  // Flattening a matrix at axis 1 leaves it as it is; gradc has no reshape for the other cases.
  Flatten: (ctx) => {
    const x = ctx.input(0);
    const axis = ctx.int("axis", 1);
    if (x.shape.length !== 2 || (axis !== 1 && axis !== -1)) {
      ctx.fail(`flattening a rank-${x.shape.length} input at axis ${axis} reshapes it, and gradc has no reshape (only a matrix at axis 1 is imported)`);
    }
    return x;
  },
  Identity: (ctx) => ctx.input(0),
  // At inference Dropout passes its input through (PyTorch's eval-mode export drops it anyway).
  Dropout: (ctx) => {
    if (ctx.has(2)) ctx.fail("it has a training_mode input; gradc imports models for inference, where Dropout passes its input through");
    return ctx.input(0);
  },
  Constant: (ctx) => ({ constant: ctx.constantValue() }),
};
