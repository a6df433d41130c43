// The op table: one tiny graph per case of every built-in op, and values for inputs that must
// stay inside an op's domain. test/ops/gradients.test.ts checks each row's gradient against
// central differences; test/onnx/ checks each row's ONNX export against the compiled module.
import type { Tensor, Value } from "../../src/index.js";

export interface Row {
  /** The op the row is about (every name in opNames must have at least one row). */
  readonly op: string;
  /** What the row covers, for the test name. */
  readonly what: string;
  readonly src: string;
  /** Values for some inputs; the rest are random (normal). */
  readonly values?: Readonly<Record<string, Value>>;
  readonly dims?: Readonly<Record<string, number>>;
  /** A known gradc bug this row exposes: the row is expected to fail until it is fixed. */
  readonly bug?: string;
}


/** A tensor of the given shape with deterministic values in [0.5, 1.5): inside log's and sqrt's domain, away from 0 for div. */
export function pos(...shape: number[]): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = 0.5 + ((i * 0.6180339887 + 0.1) % 1);
  return { shape, data };
}


const row = (op: string, what: string, src: string, extra: Partial<Row> = {}): Row => ({ op, what, src, ...extra });

// Rows whose output is a tensor are checked with an upstream gradient of ones (the sum of the
// output); where ones would hide a mistake (softmax's gradient of a sum is exactly zero, a
// transposed product looks symmetric), the output is weighted by a random input `w` first.
export const rows: readonly Row[] = [
  // ── add / sub / mul / div: broadcasting in every direction ─────────────────────────────
  row("add", "[3,4] + [4]", "graph g { input x: [3, 4]  input y: [4]  z = add(x, y)  output z  grad z wrt x, y }"),
  row("add", "[3,4] + [3,1]", "graph g { input x: [3, 4]  input y: [3, 1]  z = add(x, y)  output z  grad z wrt x, y }"),
  row("add", "[3,4] + scalar", "graph g { input x: [3, 4]  input y  z = add(x, y)  output z  grad z wrt x, y }"),
  row("add", "scalar + scalar", "graph g { input x  input y  z = x + y  output z  grad z wrt x, y }"),
  row("add", "[4] + [3,4], weighted", "graph g { input x: [4]  input y: [3, 4]  input w: [3, 4]  l = sum((x + y) * w)  output l  grad l wrt x, y }"),
  row("add", "[3,1] + [1,4], weighted", "graph g { input x: [3, 1]  input y: [1, 4]  input w: [3, 4]  l = sum(add(x, y) * w)  output l  grad l wrt x, y }"),
  row("add", "x + x (one value used twice)", "graph g { input x: [3, 4]  z = x + x  output z  grad z wrt x }"),
  row("sub", "[3,4] - [4]", "graph g { input x: [3, 4]  input y: [4]  z = sub(x, y)  output z  grad z wrt x, y }"),
  row("sub", "[3,4] - [3,1]", "graph g { input x: [3, 4]  input y: [3, 1]  z = sub(x, y)  output z  grad z wrt x, y }"),
  row("sub", "scalar - [3,4]", "graph g { input x  input y: [3, 4]  z = sub(x, y)  output z  grad z wrt x, y }"),
  row("sub", "[2,3,4] - [3,1], weighted", "graph g { input x: [2, 3, 4]  input y: [3, 1]  input w: [2, 3, 4]  l = sum((x - y) * w)  output l  grad l wrt x, y }"),
  row("mul", "[3,4] * [4]", "graph g { input x: [3, 4]  input y: [4]  z = mul(x, y)  output z  grad z wrt x, y }"),
  row("mul", "[3,4] * [3,1]", "graph g { input x: [3, 4]  input y: [3, 1]  z = mul(x, y)  output z  grad z wrt x, y }"),
  row("mul", "[3,4] * scalar", "graph g { input x: [3, 4]  input y  z = mul(x, y)  output z  grad z wrt x, y }"),
  row("mul", "scalar * scalar", "graph g { input x  input y  z = x * y  output z  grad z wrt x, y }"),
  row("mul", "[3,1] * [1,4], weighted", "graph g { input x: [3, 1]  input y: [1, 4]  input w: [3, 4]  l = sum(mul(x, y) * w)  output l  grad l wrt x, y }"),
  row("mul", "[N,3] * [3] with a symbolic batch", "graph g { input x: [N, 3]  input y: [3]  input w: [N, 3]  l = sum(x * y * w)  output l  grad l wrt x, y }", { dims: { N: 2 } }),
  row("mul", "x * x * x (a value used three times)", "graph g { input x: [3]  z = x * x * x  output z  grad z wrt x }"),
  row("div", "[3,4] / [4]", "graph g { input x: [3, 4]  input y: [4]  z = div(x, y)  output z  grad z wrt x, y }", { values: { y: pos(4) } }),
  row("div", "[3,4] / [3,1]", "graph g { input x: [3, 4]  input y: [3, 1]  z = div(x, y)  output z  grad z wrt x, y }", { values: { y: pos(3, 1) } }),
  row("div", "[3,4] / scalar", "graph g { input x: [3, 4]  input y  z = div(x, y)  output z  grad z wrt x, y }", { values: { y: 0.7 } }),
  row("div", "scalar / [3,4]", "graph g { input x  input y: [3, 4]  z = div(x, y)  output z  grad z wrt x, y }", { values: { y: pos(3, 4) } }),
  row("div", "scalar / scalar", "graph g { input x  input y  z = x / y  output z  grad z wrt x, y }", { values: { y: 1.3 } }),
  row("div", "[4] / [3,4], weighted", "graph g { input x: [4]  input y: [3, 4]  input w: [3, 4]  l = sum(x / y * w)  output l  grad l wrt x, y }", { values: { y: pos(3, 4) } }),

  // ── unary element-wise ops, on tensors and scalars ─────────────────────────────────────
  row("neg", "[3,4]", "graph g { input x: [3, 4]  z = neg(x)  output z  grad z wrt x }"),
  row("neg", "scalar, prefix minus", "graph g { input x  z = -x * 3  output z  grad z wrt x }"),
  row("exp", "[3,4], weighted", "graph g { input x: [3, 4]  input w: [3, 4]  l = sum(exp(x) * w)  output l  grad l wrt x }"),
  row("exp", "scalar", "graph g { input x  z = exp(x)  output z  grad z wrt x }"),
  row("log", "[3,4], positive values", "graph g { input x: [3, 4]  z = log(x)  output z  grad z wrt x }", { values: { x: pos(3, 4) } }),
  row("log", "[3,4], checker's positive fallback", "graph g { input x: [3, 4]  input w: [3, 4]  l = sum(log(x) * w)  output l  grad l wrt x, w }"),
  row("log", "scalar", "graph g { input x  z = log(x)  output z  grad z wrt x }", { values: { x: 1.7 } }),
  row("sqrt", "[3,4], positive values", "graph g { input x: [3, 4]  z = sqrt(x)  output z  grad z wrt x }", { values: { x: pos(3, 4) } }),
  row("sqrt", "scalar", "graph g { input x  z = sqrt(x)  output z  grad z wrt x }", { values: { x: 2.5 } }),
  row("square", "[3,4]", "graph g { input x: [3, 4]  z = square(x)  output z  grad z wrt x }"),
  row("square", "scalar", "graph g { input x  z = square(x)  output z  grad z wrt x }"),
  row("tanh", "[3,4]", "graph g { input x: [3, 4]  z = tanh(x)  output z  grad z wrt x }"),
  row("tanh", "scalar", "graph g { input x  z = tanh(x)  output z  grad z wrt x }"),
  row("sigmoid", "[3,4]", "graph g { input x: [3, 4]  z = sigmoid(x)  output z  grad z wrt x }"),
  row("sigmoid", "scalar", "graph g { input x  z = sigmoid(x)  output z  grad z wrt x }"),
  row("relu", "[3,4], weighted", "graph g { input x: [3, 4]  input w: [3, 4]  l = sum(relu(x) * w)  output l  grad l wrt x }"),
  row("relu", "scalar", "graph g { input x  z = relu(x) * 2  output z  grad z wrt x }", { values: { x: 0.8 } }),
  row("step", "alone: zero gradient", "graph g { input x: [3, 4]  z = step(x)  output z  grad z wrt x }"),
  row("step", "as a mask, x * step(x)", "graph g { input x: [3, 4]  input w: [3, 4]  l = sum(x * step(x) * w)  output l  grad l wrt x }"),

  // ── matrix products, every rank combination, and transposes read in place ──────────────
  row("matmul", "[n,k] @ [k,m]", "graph g { input x: [2, 3]  input y: [3, 4]  input w: [2, 4]  l = sum(matmul(x, y) * w)  output l  grad l wrt x, y }"),
  row("matmul", "[k] @ [k,m]", "graph g { input x: [3]  input y: [3, 4]  input w: [4]  l = sum((x @ y) * w)  output l  grad l wrt x, y }"),
  row("matmul", "[n,k] @ [k]", "graph g { input x: [2, 3]  input y: [3]  input w: [2]  l = sum((x @ y) * w)  output l  grad l wrt x, y }"),
  row("matmul", "[k] @ [k]", "graph g { input x: [3]  input y: [3]  z = x @ y  output z  grad z wrt x, y }"),
  row("matmul", "[n,k] @ [k,m], tensor output", "graph g { input x: [2, 3]  input y: [3, 4]  z = x @ y  output z  grad z wrt x, y }"),
  row("matmul", "[N,k] @ [k,M], symbolic dims", "graph g { input x: [N, 3]  input y: [3, M]  input w: [N, M]  l = sum((x @ y) * w)  output l  grad l wrt x, y }", { dims: { N: 2, M: 4 } }),
  row("matmul", "transpose(x) @ y", "graph g { input x: [3, 2]  input y: [3, 4]  input w: [2, 4]  l = sum((transpose(x) @ y) * w)  output l  grad l wrt x, y }"),
  row("matmul", "x @ transpose(y)", "graph g { input x: [2, 3]  input y: [4, 3]  input w: [2, 4]  l = sum((x @ transpose(y)) * w)  output l  grad l wrt x, y }"),
  row("matmul", "transpose(x) @ transpose(y)", "graph g { input x: [3, 2]  input y: [4, 3]  input w: [2, 4]  l = sum((transpose(x) @ transpose(y)) * w)  output l  grad l wrt x, y }"),
  row("matmul", "[k] @ transpose(y)", "graph g { input x: [3]  input y: [4, 3]  input w: [4]  l = sum((x @ transpose(y)) * w)  output l  grad l wrt x, y }"),
  row("matmul", "transpose(x) @ [k]", "graph g { input x: [3, 2]  input y: [3]  input w: [2]  l = sum((transpose(x) @ y) * w)  output l  grad l wrt x, y }"),
  row("matmul", "x @ x (square, shared)", "graph g { input x: [3, 3]  input w: [3, 3]  l = sum((x @ x) * w)  output l  grad l wrt x }"),
  row("transpose", "[3,4], weighted", "graph g { input x: [3, 4]  input w: [4, 3]  l = sum(transpose(x) * w)  output l  grad l wrt x }"),
  row("transpose", "[3,4], tensor output", "graph g { input x: [3, 4]  z = transpose(x)  output z  grad z wrt x }"),
  row("transpose", "of a vector is itself", "graph g { input x: [4]  input w: [4]  l = sum(transpose(x) * w)  output l  grad l wrt x }"),
  row("transpose", "of a product", "graph g { input x: [2, 3]  input y: [3, 4]  input w: [4, 2]  l = sum(transpose(x @ y) * w)  output l  grad l wrt x, y }"),
  row("outer", "[3] (x) [4], weighted", "graph g { input x: [3]  input y: [4]  input w: [3, 4]  l = sum(outer(x, y) * w)  output l  grad l wrt x, y }"),
  row("outer", "tensor output", "graph g { input x: [3]  input y: [4]  z = outer(x, y)  output z  grad z wrt x, y }"),
  row("affine", "x [N,3], W [3,2], b [2]", "graph g { input x: [N, 3]  input W: [3, 2]  input b: [2]  input w: [N, 2]  l = sum(affine(x, W, b) * w)  output l  grad l wrt x, W, b }", { dims: { N: 2 } }),
  row("affine", "tensor output", "graph g { input x: [2, 3]  input W: [3, 2]  input b: [2]  z = affine(x, W, b)  output z  grad z wrt x, W, b }"),
  row("affine", "x a vector [3]", "graph g { input x: [3]  input W: [3, 2]  input b: [2]  input w: [2]  l = sum(affine(x, W, b) * w)  output l  grad l wrt x, W, b }"),
  row("affine", "bias a scalar", "graph g { input x: [2, 3]  input W: [3, 2]  input b  input w: [2, 2]  l = sum(affine(x, W, b) * w)  output l  grad l wrt x, W, b }"),
  row("affine", "bias [1]", "graph g { input x: [2, 3]  input W: [3, 2]  input b: [1]  input w: [2, 2]  l = sum(affine(x, W, b) * w)  output l  grad l wrt x, W, b }"),
  row("affine", "x transposed", "graph g { input x: [3, 2]  input W: [3, 4]  input b: [4]  input w: [2, 4]  l = sum(affine(transpose(x), W, b) * w)  output l  grad l wrt x, W, b }"),

  // ── reductions: all axes, each axis, negative axes, keepdims ────────────────────────────
  row("sum", "all", "graph g { input x: [3, 4]  z = sum(x)  output z  grad z wrt x }"),
  row("sum", "axis=0", "graph g { input x: [3, 4]  input w: [4]  l = sum(sum(x, axis=0) * w)  output l  grad l wrt x }"),
  row("sum", "axis=1", "graph g { input x: [3, 4]  input w: [3]  l = sum(sum(x, axis=1) * w)  output l  grad l wrt x }"),
  row("sum", "axis=-1", "graph g { input x: [3, 4]  input w: [3]  l = sum(sum(x, axis=-1) * w)  output l  grad l wrt x }"),
  row("sum", "axis=1, keepdims=1", "graph g { input x: [3, 4]  input w: [3, 1]  l = sum(sum(x, axis=1, keepdims=1) * w)  output l  grad l wrt x }"),
  row("sum", "axis=0, keepdims=1, broadcast back", "graph g { input x: [3, 4]  input w: [3, 4]  l = sum((x - sum(x, axis=0, keepdims=1)) * w)  output l  grad l wrt x }"),
  row("sum", "keepdims=1, all axes", "graph g { input x: [3, 4]  input w: [3, 4]  l = sum(sum(x, keepdims=1) * x * w)  output l  grad l wrt x }"),
  row("sum", "axis=1 of rank 3", "graph g { input x: [2, 3, 4]  input w: [2, 4]  l = sum(sum(x, axis=1) * w)  output l  grad l wrt x }"),
  row("sum", "axis=0 of a symbolic dim", "graph g { input x: [N, 3]  input w: [3]  l = sum(sum(x, axis=0) * w)  output l  grad l wrt x }", { dims: { N: 2 } }),
  row("sum", "of a scalar", "graph g { input x  z = sum(x) * 2  output z  grad z wrt x }"),
  row("sum", "axis=0 of a vector (a scalar result)", "graph g { input x: [4]  input y  z = sum(x, axis=0) * y  output z  grad z wrt x, y }", { bug: "broadcast_to(scalar, like, axis=0) emits `g[0]` on a number: NaN" }),
  row("mean", "all", "graph g { input x: [3, 4]  z = mean(x)  output z  grad z wrt x }"),
  row("mean", "axis=0", "graph g { input x: [3, 4]  input w: [4]  l = sum(mean(x, axis=0) * w)  output l  grad l wrt x }"),
  row("mean", "axis=1", "graph g { input x: [3, 4]  input w: [3]  l = sum(mean(x, axis=1) * w)  output l  grad l wrt x }"),
  row("mean", "axis=-1", "graph g { input x: [3, 4]  input w: [3]  l = sum(mean(x, axis=-1) * w)  output l  grad l wrt x }"),
  row("mean", "axis=1, keepdims=1", "graph g { input x: [3, 4]  input w: [3, 1]  l = sum(mean(x, axis=1, keepdims=1) * w)  output l  grad l wrt x }"),
  row("mean", "axis=0, keepdims=1, broadcast back", "graph g { input x: [3, 4]  input w: [3, 4]  l = sum((x - mean(x, axis=0, keepdims=1)) * w)  output l  grad l wrt x }"),
  row("mean", "keepdims=1, all axes", "graph g { input x: [3, 4]  input w: [3, 4]  l = sum(mean(x, keepdims=1) * x * w)  output l  grad l wrt x }"),
  row("mean", "axis=-1 of rank 3", "graph g { input x: [2, 3, 4]  input w: [2, 3]  l = sum(mean(x, axis=-1) * w)  output l  grad l wrt x }"),
  row("mean", "axis=0 of a symbolic dim", "graph g { input x: [N, 3]  input w: [3]  l = sum(mean(x, axis=0) * w)  output l  grad l wrt x }", { dims: { N: 2 } }),
  row("mean", "axis=0 of a vector (a scalar result)", "graph g { input x: [4]  z = mean(x, axis=0) * 3  output z  grad z wrt x }", { bug: "broadcast_to(scalar, like, axis=0) emits `g[0]` on a number: NaN" }),
  row("size", "all elements, fixed shape", "graph g { input x: [3, 4]  z = x * size(x)  output z  grad z wrt x }"),
  row("size", "a symbolic axis", "graph g { input x: [N, 3]  input w: [N, 3]  l = sum(x / size(x, axis=0) * w)  output l  grad l wrt x }", { dims: { N: 2 } }),
  row("size", "alone: zero gradient", "graph g { input x: [N, 3]  z = size(x)  output z  grad z wrt x }", { dims: { N: 2 } }),
  row("broadcast_to", "[4] to [3,4]", "graph g { input x: [4]  input y: [3, 4]  input w: [3, 4]  l = sum(broadcast_to(x, y) * w)  output l  grad l wrt x, y }"),
  row("broadcast_to", "[3,1] to [3,4]", "graph g { input x: [3, 1]  input y: [3, 4]  input w: [3, 4]  l = sum(broadcast_to(x, y) * w)  output l  grad l wrt x }"),
  row("broadcast_to", "scalar to [3,4]", "graph g { input x  input y: [3, 4]  input w: [3, 4]  l = sum(broadcast_to(x, y) * w)  output l  grad l wrt x }"),
  row("broadcast_to", "axis=1: [3] to [3,4]", "graph g { input x: [3]  input y: [3, 4]  input w: [3, 4]  l = sum(broadcast_to(x, y, axis=1) * w)  output l  grad l wrt x }"),
  row("broadcast_to", "axis=0: [4] to [3,4]", "graph g { input x: [4]  input y: [3, 4]  input w: [3, 4]  l = sum(broadcast_to(x, y, axis=0) * w)  output l  grad l wrt x }"),
  row("broadcast_to", "axis=-1: [3] to [3,4]", "graph g { input x: [3]  input y: [3, 4]  input w: [3, 4]  l = sum(broadcast_to(x, y, axis=-1) * w)  output l  grad l wrt x }"),
  row("broadcast_to", "tensor output", "graph g { input x: [4]  input y: [3, 4]  z = broadcast_to(x, y)  output z  grad z wrt x }"),
  row("broadcast_to", "axis=0: scalar to [4]", "graph g { input x  input y: [4]  input w: [4]  l = sum(broadcast_to(x, y, axis=0) * w)  output l  grad l wrt x }", { bug: "broadcast_to(scalar, like, axis=0) emits `g[0]` on a number: NaN" }),
  row("sum_to", "[3,4] to [4]", "graph g { input x: [3, 4]  input y: [4]  input w: [4]  l = sum(sum_to(x, y) * w)  output l  grad l wrt x, y }"),
  row("sum_to", "[3,4] to [3,1]", "graph g { input x: [3, 4]  input y: [3, 1]  input w: [3, 1]  l = sum(sum_to(x, y) * w)  output l  grad l wrt x }"),
  row("sum_to", "[3,4] to a scalar", "graph g { input x: [3, 4]  input y  z = sum_to(x, y)  output z  grad z wrt x }"),
  row("sum_to", "[2,3,4] to [3,1], tensor output", "graph g { input x: [2, 3, 4]  input y: [3, 1]  z = sum_to(x, y)  output z  grad z wrt x }"),

  // ── softmax family: along the last axis, on vectors, matrices and rank 3 ────────────────
  row("softmax", "[3,4], weighted", "graph g { input x: [3, 4]  input w: [3, 4]  l = sum(softmax(x) * w)  output l  grad l wrt x }"),
  row("softmax", "[4], weighted", "graph g { input x: [4]  input w: [4]  l = sum(softmax(x) * w)  output l  grad l wrt x }"),
  row("softmax", "[2,3,4], weighted", "graph g { input x: [2, 3, 4]  input w: [2, 3, 4]  l = sum(softmax(x) * w)  output l  grad l wrt x }"),
  row("softmax", "[N,4], tensor output (gradient of a sum is zero)", "graph g { input x: [N, 4]  z = softmax(x)  output z  grad z wrt x }", { dims: { N: 2 } }),
  row("log_softmax", "[3,4], weighted", "graph g { input x: [3, 4]  input w: [3, 4]  l = sum(log_softmax(x) * w)  output l  grad l wrt x }"),
  row("log_softmax", "[4], weighted", "graph g { input x: [4]  input w: [4]  l = sum(log_softmax(x) * w)  output l  grad l wrt x }"),
  row("log_softmax", "[2,3,4], tensor output", "graph g { input x: [2, 3, 4]  z = log_softmax(x)  output z  grad z wrt x }"),
  row("softmaxloss", "[N,4], random (non-one-hot) labels", "graph g { input x: [N, 4]  input t: [N, 4]  l = softmaxloss(x, t)  output l  grad l wrt x, t }", { dims: { N: 3 } }),
  row("softmaxloss", "[4], a single row", "graph g { input x: [4]  input t: [4]  l = softmaxloss(x, t)  output l  grad l wrt x, t }"),
  row("softmaxloss", "[2,3,4], rank 3", "graph g { input x: [2, 3, 4]  input t: [2, 3, 4]  l = softmaxloss(x, t)  output l  grad l wrt x, t }"),
  row("softmaxloss", "scaled and composed", "graph g { input x: [2, 3]  input W: [3, 4]  input t: [2, 4]  l = 3 * softmaxloss(x @ W, t)  output l  grad l wrt x, W, t }"),
  row("cross_entropy", "[2,4], positive probabilities", "graph g { input y: [2, 4]  input t: [2, 4]  l = cross_entropy(y, t)  output l  grad l wrt y, t }", { values: { y: pos(2, 4) } }),
  row("cross_entropy", "[4], a single row", "graph g { input y: [4]  input t: [4]  l = cross_entropy(y, t)  output l  grad l wrt y, t }", { values: { y: pos(4) } }),
  row("cross_entropy", "of softmax(x)", "graph g { input x: [N, 4]  input t: [N, 4]  l = cross_entropy(softmax(x), t)  output l  grad l wrt x, t }", { dims: { N: 2 } }),

  // ── composition ─────────────────────────────────────────────────────────────────────────
  row("exp", "inputs the output does not depend on", "graph g { input x: [3]  input y: [2]  input s  z = sum(exp(x))  output z  grad z wrt x, y, s }"),
];
