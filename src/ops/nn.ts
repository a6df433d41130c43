// Neural-network ops on the last axis: softmax, log_softmax, the fused Softmax-with-Loss layer,
// and cross_entropy (built from primitives when lowered).
import type { Builder, Node } from "../ir/graph.js";
import { sameShape, ShapeError, shapeToString, type Shape } from "../ir/shape.js";
import { dsl } from "./dsl.js";
import type { OpName } from "./names.js";
import type { EmitContext, OpDef } from "./types.js";

function needsAxis(what: string, x: Shape): Shape {
  if (x.length < 1) throw new ShapeError(`${what} needs a tensor of rank 1 or more, got a scalar`);
  return x;
}

function pairShape(what: string, [x, t]: readonly Shape[]): Shape {
  needsAxis(what, x!);
  if (!sameShape(x!, t!)) {
    throw new ShapeError(`${what} needs x and t of the same shape, got ${shapeToString(x!)} and ${shapeToString(t!)}`);
  }
  return [];
}

/** Rows and columns of a tensor seen as a batch of rows along its last axis. */
function rowsCols(dims: readonly string[]): [string, string] {
  const rows = dims.slice(0, -1);
  return [rows.length === 0 ? "1" : rows.join(" * "), dims[dims.length - 1]!];
}

function emitRows(kernel: "softmaxRows" | "logSoftmaxRows") {
  return (ctx: EmitContext) => {
    const [rows, cols] = rowsCols(ctx.argDims[0]!);
    return `const ${ctx.out} = ${ctx.kernel(kernel)}(${ctx.buffer(ctx.dims)}, ${ctx.args[0]}, ${rows}, ${cols});`;
  };
}

/** The batch size N that a loss averages over: the number of rows, 1 for a single vector. */
function batchSize(b: Builder, x: Node): Node {
  const d = dsl(b);
  const rank = x.shape.length;
  if (rank === 1) return d.num(1);
  if (rank === 2) return d.size(x, 0);
  return d.div(d.size(x), d.size(x, rank - 1));
}

export const nnOps = {
  softmax: {
    onnx: (ctx) => void ctx.op("Softmax", ctx.args, { axis: -1 }, ctx.out),
    derivative: "∂x = z·(g − Σ_row(g·z)), z = softmax(x) the output",
    doc: "Softmax along the last axis, row by row, computed stably (the row maximum is subtracted first).",
    label: "Softmax",
    params: ["x"],
    attrs: {},
    shape: ([x]) => needsAxis("softmax", x!),
    emit: emitRows("softmaxRows"),
    // With y = softmax(x): dx = y * (dout - Σ_row(dout * y)), the Jacobian y_i(δ_ij - y_j) applied to dout.
    vjp: ({ b, node: y, dout }) => {
      const d = dsl(b);
      const last = y.shape.length - 1;
      return [d.mul(y, d.sub(dout, d.broadcastTo(d.sum(d.mul(dout, y), last), y, last)))];
    },
  },
  log_softmax: {
    onnx: (ctx) => void ctx.op("LogSoftmax", ctx.args, { axis: -1 }, ctx.out),
    derivative: "∂x = g − softmax(x)·Σ_row g",
    doc: "log(softmax(x)) along the last axis, computed as x - max - log Σ exp(x - max).",
    label: "LogSoftmax",
    params: ["x"],
    attrs: {},
    shape: ([x]) => needsAxis("log_softmax", x!),
    emit: emitRows("logSoftmaxRows"),
    // d(x_i - lse(x))/dx_j = δ_ij - softmax(x)_j, so dx = dout - softmax(x) * Σ_row dout.
    vjp: ({ b, args: [x], dout }) => {
      const d = dsl(b);
      const last = x!.shape.length - 1;
      return [d.sub(dout, d.mul(d.softmax(x!), d.broadcastTo(d.sum(dout, last), x!, last)))];
    },
  },
  softmaxloss: {
    // -Σ t * log_softmax(x) / rows, with ONNX's LogSoftmax (stable: it subtracts the row
    // maximum, as gradc's kernel does). A single row (rank 1) is not divided.
    onnx: (ctx) => {
      const x = ctx.node.args[0]!;
      // Each row's -Σ t·log_softmax(x), then their mean: no Shape arithmetic for a symbolic batch,
      // so gradc import reads the model back.
      const products = ctx.op("Mul", [ctx.args[1]!, ctx.op("LogSoftmax", [ctx.args[0]!], { axis: -1 })]);
      const rows = ctx.op("ReduceSum", [products, ctx.ints([-1])], { keepdims: 0 });
      if (x.shape.length === 1) return void ctx.op("Neg", [rows], {}, ctx.out);
      ctx.op("Neg", [ctx.op("ReduceMean", [rows], { keepdims: 0 })], {}, ctx.out);
    },
    derivative: "∂x = g·(softmax(x)·Σ_row t − t) / N; ∂t = −g·log_softmax(x) / N",
    doc:
      "Softmax-with-Loss: the batch mean of -Σ t * log_softmax(x) over the last axis, by log-sum-exp; " +
      "finite for any finite logits, exact gradient for any labels t.",
    label: "Softmax-with-Loss",
    params: ["x", "t"],
    attrs: {},
    shape: (args) => pairShape("softmaxloss", args),
    emit: (ctx) => {
      const [rows, cols] = rowsCols(ctx.argDims[0]!);
      return `const ${ctx.out} = ${ctx.kernel("softmaxLoss")}(${ctx.args[0]}, ${ctx.args[1]}, ${rows}, ${cols});`;
    },
    // Per row, L = -Σ_i t_i (x_i - lse(x)) = lse(x) Σ_i t_i - Σ_i t_i x_i, so
    //   dL/dx_j = softmax(x)_j Σ_i t_i - t_j   and   dL/dt_j = -(x_j - lse(x)) = -log_softmax(x)_j,
    // each divided by the batch size N. For one-hot rows Σ t = 1 and dx is the book's (y - t) / N.
    vjp: ({ b, args: [x, t], dout }) => {
      const d = dsl(b);
      const last = x!.shape.length - 1;
      const n = batchSize(b, x!);
      const labelMass = d.broadcastTo(d.sum(t!, last), t!, last);
      const dx = d.div(d.sub(d.mul(d.softmax(x!), labelMass), t!), n);
      const dt = d.div(d.neg(d.logSoftmax(x!)), n);
      return [d.mul(dout, dx), d.mul(dout, dt)];
    },
  },
  cross_entropy: {
    onnx: "expanded",
    derivative: "through its expansion `-(sum(t * log(y + 1e-7)) / N)`",
    doc: "The book's cross-entropy error, -Σ t * log(y + 1e-7) / N, for probabilities y (N = rows, 1 for a vector).",
    label: "Cross Entropy Error",
    params: ["y", "t"],
    attrs: {},
    shape: (args) => pairShape("cross_entropy", args),
    // Built from primitives, which differentiate themselves.
    expand: (b, [y, t]) => {
      const d = dsl(b);
      return d.neg(d.div(d.sum(d.mul(t!, d.log(d.add(y!, d.num(1e-7))))), batchSize(b, y!)));
    },
  },
} satisfies Partial<Record<OpName, OpDef>>;
