// Reductions and their adjoints: sum and mean over all elements or one axis, the element
// count `size`, and the pair broadcast_to / sum_to that gradients use to move between shapes.
import type { Attrs } from "../ir/graph.js";
import { broadcastsTo, normalizeAxis, sameShape, ShapeError, shapeToString, type Shape } from "../ir/shape.js";
import { dsl } from "./dsl.js";
import { onnxReduce } from "./onnx.js";
import type { OpName } from "./names.js";
import type { EmitContext, OpDef, Operand } from "./types.js";

const axisAttrs = {
  axis: { doc: "The axis to reduce (negative counts from the end); all axes when absent.", integer: true },
  keepdims: { doc: "1 keeps the reduced axis with size 1; 0 (the default) drops it.", integer: true },
} as const;

function reducedShape(x: Shape, attrs: Attrs): Shape {
  const keep = attrs.keepdims === 1;
  if (attrs.keepdims !== undefined && attrs.keepdims !== 0 && attrs.keepdims !== 1) {
    throw new ShapeError(`keepdims must be 0 or 1, got ${attrs.keepdims}`);
  }
  if (attrs.axis === undefined) return keep ? x.map(() => 1) : [];
  const axis = normalizeAxis(attrs.axis, x.length);
  return keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis);
}

/** The dims of `dims` with the one at `axis` replaced by "1". */
function collapsed(dims: readonly string[], axis: number): string[] {
  return dims.map((d, i) => (i === axis ? "1" : d));
}

/** Statements that sum `x` into `out` (over one axis, or everything into a number). */
function emitSum(ctx: EmitContext): string {
  const x: Operand = { ref: ctx.args[0]!, dims: ctx.argDims[0]! };
  // A number out (everything summed, or the one axis of a vector): a plain sum.
  if (ctx.dims.length === 0) return `const ${ctx.out} = ${ctx.kernel("sumAll")}(${x.ref});`;
  if (ctx.attrs.axis === undefined) {
    return `const ${ctx.out} = ${ctx.buffer(ctx.dims)};\n${ctx.out}[0] = ${ctx.kernel("sumAll")}(${x.ref});`;
  }
  const axis = normalizeAxis(ctx.attrs.axis, x.dims.length);
  if (axis === 0 && x.dims.length === 2) return emitRowSums(ctx, x);
  const target: Operand = { ref: ctx.out, dims: collapsed(x.dims, axis) };
  return `const ${ctx.out} = ${ctx.alloc(ctx.dims)};\n${ctx.loop(x.dims, (at) => `${at(target)} += ${at(x)};`)}`;
}

/** out = the rows of matrix `x` summed (a bias's gradient), by a kernel (SIMD on the wasm target). */
function emitRowSums(ctx: EmitContext, x: Operand): string {
  return `const ${ctx.out} = ${ctx.kernel("sumRows")}(${ctx.buffer(ctx.dims)}, ${x.ref}, ${x.dims[0]}, ${x.dims[1]});`;
}

function product(dims: readonly string[]): string {
  return dims.length === 0 ? "1" : dims.join(" * ");
}

export const reduceOps = {
  sum: {
    onnx: onnxReduce("ReduceSum"),
    derivative: "∂x = g copied back over the reduced axes: `broadcast_to(g, x)`",
    doc: "Sum of all elements, or along `axis` (with `keepdims=1` the axis stays, with size 1).",
    label: "Σ",
    params: ["x"],
    attrs: axisAttrs,
    shape: ([x], attrs) => reducedShape(x!, attrs),
    // The sum of a scalar is that one number: no addition happens, so it is exact (-0 stays -0).
    simplify: (_b, [x], attrs) => (x!.shape.length === 0 && attrs.axis === undefined ? x : undefined),
    emit: emitSum,
    // Each element contributed once: the gradient is dout copied back over the reduced axis.
    vjp: ({ b, args: [x], attrs, dout }) => {
      const d = dsl(b);
      if (attrs.axis === undefined || attrs.keepdims === 1) return [d.broadcastTo(dout, x!)];
      return [d.broadcastTo(dout, x!, normalizeAxis(attrs.axis, x!.shape.length))];
    },
  },
  mean: {
    onnx: onnxReduce("ReduceMean"),
    derivative: "∂x = g / count copied back, count = `size(x)` or `size(x, axis)`",
    doc: "Mean of all elements, or along `axis` (`keepdims` as for sum).",
    label: "mean",
    params: ["x"],
    attrs: axisAttrs,
    shape: ([x], attrs) => reducedShape(x!, attrs),
    // The mean of a scalar is x / 1 = x, exactly.
    simplify: (_b, [x], attrs) => (x!.shape.length === 0 && attrs.axis === undefined ? x : undefined),
    emit: (ctx) => {
      const x = ctx.argDims[0]!;
      const count = ctx.attrs.axis === undefined ? product(x) : x[normalizeAxis(ctx.attrs.axis, x.length)]!;
      if (ctx.dims.length === 0) return `const ${ctx.out} = ${ctx.kernel("sumAll")}(${ctx.args[0]}) / (${count});`;
      const out: Operand = { ref: ctx.out, dims: ctx.dims };
      return `${emitSum(ctx)}\n${ctx.loop(ctx.dims, (at) => `${at(out)} /= ${count};`)}`;
    },
    // mean = sum / count, so the gradient is dout / count copied back over the reduced axis.
    vjp: ({ b, args: [x], attrs, dout }) => {
      const d = dsl(b);
      if (attrs.axis === undefined) return [d.broadcastTo(d.div(dout, d.size(x!)), x!)];
      const axis = normalizeAxis(attrs.axis, x!.shape.length);
      const share = d.div(dout, d.size(x!, axis));
      return [attrs.keepdims === 1 ? d.broadcastTo(share, x!) : d.broadcastTo(share, x!, axis)];
    },
  },
  size: {
    // Only symbolic sizes reach the IR (known ones fold): read from the shape at run time.
    onnx: (ctx) => void ctx.count(0, ctx.attrs.axis === undefined ? undefined : [normalizeAxis(ctx.attrs.axis, ctx.node.args[0]!.shape.length)], ctx.out),
    derivative: "none (zero); reads only x's shape, and is a constant unless a symbolic dimension is involved",
    doc: "The number of elements of x, or its length along `axis`, as a scalar.",
    label: "size",
    params: ["x"],
    attrs: { axis: axisAttrs.axis },
    shapeOnlyArgs: [0],
    shape: ([x], attrs) => {
      if (attrs.axis !== undefined) normalizeAxis(attrs.axis, x!.length);
      return [];
    },
    // Known sizes fold to a constant (a product of whole numbers, exact below 2^53); symbolic
    // ones stay until run time.
    simplify: (b, [x], attrs) => {
      const dims = attrs.axis === undefined ? x!.shape : [x!.shape[normalizeAxis(attrs.axis, x!.shape.length)]!];
      return dims.every((d) => typeof d === "number")
        ? b.constant((dims as number[]).reduce((p, d) => p * d, 1))
        : undefined;
    },
    emit: (ctx) => {
      const x = ctx.argDims[0]!;
      const dims = ctx.attrs.axis === undefined ? x : [x[normalizeAxis(ctx.attrs.axis, x.length)]!];
      return `const ${ctx.out} = ${product(dims)};`;
    },
    // A size does not change when values move: zero gradient.
  },
  broadcast_to: {
    // Expand broadcasts numpy-style; with `axis`, x first gets a size-1 axis there (a number
    // needs none).
    onnx: (ctx) => {
      const [g, like] = ctx.node.args;
      const x = ctx.attrs.axis === undefined || g!.shape.length === 0
        ? ctx.args[0]!
        : ctx.op("Unsqueeze", [ctx.args[0]!, ctx.ints([normalizeAxis(ctx.attrs.axis, like!.shape.length)])]);
      ctx.op("Expand", [x, ctx.shapeOf(1)], {}, ctx.out);
    },
    derivative: "∂x = `sum_to(g, x)`, or `sum(g, axis)`; `like` gets none (shape only)",
    doc: "x repeated to the shape of `like` (numpy broadcasting); with `axis`, x lacks that axis of `like`.",
    label: "broadcast",
    params: ["x", "like"],
    attrs: { axis: { doc: "The axis of `like` that x does not have.", integer: true } },
    shapeOnlyArgs: [1],
    shape: ([g, like], attrs) => {
      if (attrs.axis !== undefined) {
        const axis = normalizeAxis(attrs.axis, like!.length);
        const expected = like!.filter((_, i) => i !== axis);
        if (!sameShape(g!, expected)) {
          throw new ShapeError(
            `broadcast_to along axis ${attrs.axis} needs x of shape ${shapeToString(expected)}, got ${shapeToString(g!)}`,
          );
        }
      } else if (!broadcastsTo(g!, like!)) {
        throw new ShapeError(`${shapeToString(g!)} cannot be broadcast to ${shapeToString(like!)}`);
      }
      return like!;
    },
    // Broadcasting to its own shape copies each element once: the value itself.
    simplify: (_b, [g], attrs, shape) => (attrs.axis === undefined && sameShape(g!.shape, shape) ? g : undefined),
    emit: (ctx) => {
      const gDims = ctx.argDims[0]!;
      const axis = ctx.attrs.axis === undefined ? undefined : normalizeAxis(ctx.attrs.axis, ctx.dims.length);
      // A number stays a number; a tensor missing `axis` gets a size-1 axis there, which repeats.
      const dims = axis === undefined || gDims.length === 0 ? gDims : [...gDims.slice(0, axis), "1", ...gDims.slice(axis)];
      const g: Operand = { ref: ctx.args[0]!, dims };
      const out: Operand = { ref: ctx.out, dims: ctx.dims, target: true };
      return `const ${ctx.out} = ${ctx.buffer(ctx.dims)};\n${ctx.loop(ctx.dims, (at) => `${at(out)} = ${at(g)};`)}`;
    },
    // Copying out is undone by summing back: the adjoint of broadcast_to is a sum.
    vjp: ({ b, args: [g], attrs, dout }) => [
      attrs.axis === undefined ? dsl(b).sumTo(dout, g!) : dsl(b).sum(dout, attrs.axis),
      null,
    ],
  },
  sum_to: {
    // Shapes are known when compiling: sum away the leading axes x has and like lacks, then
    // (keeping them) the axes where like has size 1 and x does not.
    onnx: (ctx) => {
      const [g, like] = ctx.node.args.map((a) => a.shape);
      const lead = g!.length - like!.length;
      const leading = Array.from({ length: lead }, (_, i) => i);
      const ones = like!.flatMap((d, i) => (d === 1 && g![lead + i] !== 1 ? [i] : []));
      let x = ctx.args[0]!;
      if (like!.length === 0) return void ctx.op("ReduceSum", [x], { keepdims: 0 }, ctx.out);
      if (leading.length > 0) x = ctx.op("ReduceSum", [x, ctx.ints(leading)], { keepdims: 0 }, ones.length === 0 ? ctx.out : undefined);
      if (ones.length > 0) ctx.op("ReduceSum", [x, ctx.ints(ones)], { keepdims: 1 }, ctx.out);
      if (leading.length === 0 && ones.length === 0) ctx.op("Identity", [x], {}, ctx.out);
    },
    derivative: "∂x = `broadcast_to(g, x)`; `like` gets none (shape only)",
    doc: "x summed down to the shape of `like`: the adjoint of broadcasting `like` up to x.",
    label: "sum_to",
    params: ["x", "like"],
    attrs: {},
    shapeOnlyArgs: [1],
    shape: ([g, like]) => {
      if (!broadcastsTo(like!, g!)) {
        throw new ShapeError(`${shapeToString(g!)} cannot be summed to ${shapeToString(like!)}`);
      }
      return like!;
    },
    // Summing down to its own shape sums each element alone: no addition, the value itself.
    simplify: (_b, [g], _attrs, shape) => (sameShape(g!.shape, shape) ? g : undefined),
    emit: (ctx) => {
      const g: Operand = { ref: ctx.args[0]!, dims: ctx.argDims[0]! };
      if (ctx.dims.length === 0) return `const ${ctx.out} = ${ctx.kernel("sumAll")}(${g.ref});`;
      // [rows, cols] summed to [cols] or [1, cols]: the rows summed.
      const [rows, cols] = g.dims;
      if (g.dims.length === 2 && rows !== "1" && ctx.dims[ctx.dims.length - 1] === cols && ctx.dims.slice(0, -1).every((d) => d === "1")) {
        return emitRowSums(ctx, g);
      }
      const out: Operand = { ref: ctx.out, dims: ctx.dims };
      return `const ${ctx.out} = ${ctx.alloc(ctx.dims)};\n${ctx.loop(g.dims, (at) => `${at(out)} += ${at(g)};`)}`;
    },
    vjp: ({ b, args: [g], dout }) => [dsl(b).broadcastTo(dout, g!), null],
  },
} satisfies Partial<Record<OpName, OpDef>>;
