// ONNX forms that several ops share (the op registry's `onnx` field; the export is src/onnx/).
import type { OnnxContext, OnnxRule } from "./types.js";

/** The op is one ONNX op of the same arguments (`Add`, `Exp`, `MatMul`). */
export function onnxOp(opType: string): OnnxRule {
  return (ctx) => void ctx.op(opType, ctx.args, {}, ctx.out);
}

/**
 * A reduction with gradc's `axis` and `keepdims` attributes as an ONNX Reduce* op (opset 18 and
 * later take the axes as an input); no axis reduces everything.
 */
export function onnxReduce(opType: "ReduceSum" | "ReduceMean"): OnnxRule {
  return (ctx: OnnxContext) => {
    const keepdims = ctx.attrs.keepdims === 1 ? 1 : 0;
    const axes = ctx.attrs.axis === undefined ? [] : [ctx.ints([ctx.attrs.axis])];
    ctx.op(opType, [ctx.args[0]!, ...axes], { keepdims }, ctx.out);
  };
}
