// Matrix ops: matmul (`@`), transpose, outer and the book's Affine layer, with the backward
// products written so the emitter can read transposes in place instead of copying them.
import { dimToString, ShapeError, shapeToString, type Shape } from "../ir/shape.js";
import { dsl } from "./dsl.js";
import type { OpName } from "./names.js";
import type { EmitContext, OnnxContext, OpDef, Operand } from "./types.js";

function matmulShape(a: Shape, b: Shape, what = "matmul"): Shape {
  if (a.length < 1 || a.length > 2 || b.length < 1 || b.length > 2) {
    throw new ShapeError(
      `${what} needs operands of rank 1 or 2, got ${shapeToString(a)} and ${shapeToString(b)}`,
    );
  }
  const k1 = a[a.length - 1]!;
  const k2 = b[0]!;
  if (k1 !== k2) {
    throw new ShapeError(
      `${what} of ${shapeToString(a)} and ${shapeToString(b)}: inner dimensions ` +
        `${dimToString(k1)} and ${dimToString(k2)} differ`,
    );
  }
  return [...a.slice(0, -1), ...b.slice(1)];
}

/** Emits out = a @ b, reading either operand transposed in place when the emitter says so. */
function emitMatmul(ctx: EmitContext, a: string, b: string, aDims: readonly string[], bDims: readonly string[]): string {
  const k = aDims[aDims.length - 1]!;
  if (aDims.length === 1 && bDims.length === 1) return `const ${ctx.out} = ${ctx.kernel("dot")}(${a}, ${b}, ${k});`;
  const n = aDims.length === 2 ? aDims[0]! : "1";
  const m = bDims.length === 2 ? bDims[1]! : "1";
  const ta = aDims.length === 2 && ctx.transposed[0] ? "T" : "N";
  const tb = bDims.length === 2 && ctx.transposed[1] ? "T" : "N";
  return `const ${ctx.out} = ${ctx.kernel(`matmul${ta}${tb}`)}(${ctx.buffer(ctx.dims)}, ${a}, ${b}, ${n}, ${k}, ${m});`;
}

/**
 * `a @ b` (the node's first two arguments) in ONNX. MatMul follows numpy, as gradc does, but a
 * vector meets a matrix here as a 1×k or k×1 matrix: ONNX Runtime 1.30's optimizer fuses a
 * Transpose into a MatMul whose other operand is a vector wrongly (it reads the matrix as if
 * untransposed), which test/onnx/ops.test.ts's `transpose(x) @ [k]` row catches.
 */
function onnxMatmul(ctx: OnnxContext, a: string, b: string, out?: string): string {
  const [ra, rb] = ctx.node.args.map((n) => n.shape.length);
  if (ra === rb) return ctx.op("MatMul", [a, b], {}, out);
  const axis = ctx.ints([ra === 1 ? 0 : 1]);
  const product = ra === 1 ? ctx.op("MatMul", [ctx.op("Unsqueeze", [a, axis]), b]) : ctx.op("MatMul", [a, ctx.op("Unsqueeze", [b, axis])]);
  return ctx.op("Squeeze", [product, axis], {}, out);
}

export const linalgOps = {
  matmul: {
    onnx: (ctx) => void onnxMatmul(ctx, ctx.args[0]!, ctx.args[1]!, ctx.out),
    derivative: "matrix·matrix: ∂x = g @ yᵀ, ∂y = xᵀ @ g; vector·matrix: ∂x = y @ g, ∂y = outer(x, g); matrix·vector: ∂x = outer(g, y), ∂y = g @ x; vector·vector: ∂x = g·y, ∂y = g·x",
    doc: "Matrix product `x @ y` of rank-1 or rank-2 operands (a rank-1 operand is a vector).",
    label: "@",
    params: ["x", "y"],
    attrs: {},
    shape: ([a, b]) => matmulShape(a!, b!),
    absorbsTranspose: true,
    emit: (ctx) => emitMatmul(ctx, ctx.args[0]!, ctx.args[1]!, ctx.argDims[0]!, ctx.argDims[1]!),
    // For z = x @ y: dx = dz @ yᵀ, dy = xᵀ @ dz, with vectors standing in for one side.
    vjp: ({ b, args: [x, y], dout }) => {
      const d = dsl(b);
      const xr = x!.shape.length;
      const yr = y!.shape.length;
      if (xr === 1 && yr === 1) return [d.mul(dout, y!), d.mul(dout, x!)];
      if (xr === 1) return [d.matmul(y!, dout), d.outer(x!, dout)];
      if (yr === 1) return [d.outer(dout, y!), d.matmul(dout, x!)];
      return [d.matmul(dout, d.transpose(y!)), d.matmul(d.transpose(x!), dout)];
    },
  },
  transpose: {
    onnx: (ctx) => void ctx.op(ctx.node.shape.length === 2 ? "Transpose" : "Identity", ctx.args, {}, ctx.out),
    derivative: "∂x = gᵀ",
    doc: "Swaps the two axes of a matrix; a scalar or vector is returned as it is.",
    label: "ᵀ",
    params: ["x"],
    attrs: {},
    shape: ([a]) => {
      if (a!.length > 2) throw new ShapeError(`transpose needs rank 2 or less, got ${shapeToString(a!)}`);
      return [...a!].reverse();
    },
    // Transposes only move elements, so dropping one that moves nothing (a scalar or vector)
    // or a pair that cancels changes no value.
    simplify: (_b, [x]) => (x!.shape.length < 2 ? x : x!.op === "transpose" ? x!.args[0] : undefined),
    emit: (ctx) => {
      const [r, c] = ctx.argDims[0]!;
      return `const ${ctx.out} = ${ctx.kernel("transpose")}(${ctx.buffer(ctx.dims)}, ${ctx.args[0]}, ${r}, ${c});`;
    },
    vjp: ({ b, dout }) => [dsl(b).transpose(dout)],
  },
  outer: {
    // x[:, None] * y, broadcast.
    onnx: (ctx) => void ctx.op("Mul", [ctx.op("Unsqueeze", [ctx.args[0]!, ctx.ints([1])]), ctx.args[1]!], {}, ctx.out),
    derivative: "∂x = g @ y, ∂y = x @ g",
    doc: "Outer product of two vectors: out[i, j] = x[i] * y[j].",
    label: "⊗",
    params: ["x", "y"],
    attrs: {},
    shape: ([a, b]) => {
      if (a!.length !== 1 || b!.length !== 1) {
        throw new ShapeError(`outer needs two vectors, got ${shapeToString(a!)} and ${shapeToString(b!)}`);
      }
      return [a![0]!, b![0]!];
    },
    emit: (ctx) => {
      const [k] = ctx.argDims[0]!;
      const [m] = ctx.argDims[1]!;
      return `const ${ctx.out} = ${ctx.kernel("outer")}(${ctx.buffer(ctx.dims)}, ${ctx.args[0]}, ${ctx.args[1]}, ${k}, ${m});`;
    },
    vjp: ({ b, args: [x, y], dout }) => [dsl(b).matmul(dout, y!), dsl(b).matmul(x!, dout)],
  },
  affine: {
    // x @ W + b; ONNX Runtime fuses the pair into one Gemm where it can.
    onnx: (ctx) => void ctx.op("Add", [onnxMatmul(ctx, ctx.args[0]!, ctx.args[1]!), ctx.args[2]!], {}, ctx.out),
    derivative: "∂x = g @ Wᵀ; ∂W = xᵀ @ g (outer(x, g) for a vector x); ∂b = g summed over the batch",
    doc: "The Affine layer: x @ W + b, for x of shape [N, in] or [in], W [in, out], b [out].",
    label: "Affine",
    params: ["x", "W", "b"],
    attrs: {},
    shape: ([x, w, b]) => {
      if (w!.length !== 2) throw new ShapeError(`affine needs a weight matrix W of rank 2, got ${shapeToString(w!)}`);
      if (x!.length !== 1 && x!.length !== 2) {
        throw new ShapeError(`affine needs x of shape [N, in] or [in], got ${shapeToString(x!)}`);
      }
      const product = matmulShape(x!, w!, "affine");
      const out = product[product.length - 1]!;
      if (b!.length > 1 || (b!.length === 1 && b![0] !== out && b![0] !== 1)) {
        throw new ShapeError(
          `affine's bias must have shape [${dimToString(out)}] to match W ${shapeToString(w!)}, got ${shapeToString(b!)}`,
        );
      }
      return product;
    },
    fusesEpilogue: true,
    emit: (ctx) => {
      const product = emitMatmul(ctx, ctx.args[0]!, ctx.args[1]!, ctx.argDims[0]!, ctx.argDims[1]!);
      // A batch of rows and one bias per column (the usual layer): a kernel adds the bias, and a
      // fused relu too, in place (SIMD on the wasm target).
      const [rows, cols] = ctx.dims;
      if (ctx.dims.length === 2 && ctx.argDims[2]!.length === 1 && ctx.argDims[2]![0] === cols && (!ctx.epilogue || ctx.epilogueOp === "relu")) {
        const kernel = ctx.kernel(ctx.epilogue ? "addRowBiasRelu" : "addRowBias");
        return `${product}\n${kernel}(${ctx.out}, ${ctx.out}, ${ctx.args[2]}, ${rows}, ${cols});`;
      }
      const out: Operand = { ref: ctx.out, dims: ctx.dims };
      const bias: Operand = { ref: ctx.args[2]!, dims: ctx.argDims[2]! };
      // The bias loop also applies the consumer's element-wise op when one is fused in.
      const body = (at: (o: Operand) => string) =>
        ctx.epilogue
          ? `${at({ ...out, target: true })} = ${ctx.epilogue(`${at(out)} + ${at(bias)}`, at)};`
          : `${at(out)} += ${at(bias)};`;
      return `${product}\n${ctx.loop(ctx.dims, body)}`;
    },
    // The book's Affine backward: dx = dout @ Wᵀ, dW = xᵀ @ dout, db = dout summed over the batch
    // (the engine sums db back to b's shape).
    vjp: ({ b, args: [x, w], dout }) => {
      const d = dsl(b);
      const dW = x!.shape.length === 2 ? d.matmul(d.transpose(x!), dout) : d.outer(x!, dout);
      return [d.matmul(dout, d.transpose(w!)), dW, dout];
    },
  },
} satisfies Partial<Record<OpName, OpDef>>;
