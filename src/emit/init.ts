// Owns what a param's initializer means: which seeded helper of src/emit/helpers/random.ts makes
// its value, with which arguments. The emitter writes that as a call in a module's `init()`; the
// ONNX export calls the same helpers here, so both give the same numbers for a seed.
import type { Graph, ValueDecl } from "../ir/graph.js";
import type { Value } from "../runtime/tensor.js";
import { filled, normal, rng, uniform } from "./helpers/random.js";

/** A call of one of the helpers that make a param's first value. */
export type InitCall =
  | { readonly helper: "normal" | "uniform"; readonly args: readonly [number, number] }
  | { readonly helper: "filled"; readonly args: readonly [number] };

/** The helper call that makes a param without a literal (`zeros` when it names no initializer). */
export function initCall(v: ValueDecl): InitCall {
  const shape = v.node.shape as readonly number[];
  const init = v.initializer ?? { name: "zeros", args: [] };
  const fanIn = shape.length === 0 ? 1 : shape[0]!;
  switch (init.name) {
    case "normal":
    case "uniform":
      return { helper: init.name, args: [init.args[0]!, init.args[1]!] };
    case "xavier":
      return { helper: "normal", args: [0, 1 / Math.sqrt(fanIn)] };
    case "he":
      return { helper: "normal", args: [0, Math.sqrt(2 / fanIn)] };
    default:
      return { helper: "filled", args: [init.name === "ones" ? 1 : 0] };
  }
}

/** What a module's `init(seed)` returns for this graph: the params' first values, by name. */
export function initialParams(graph: Graph, seed: number): Map<string, Value> {
  const random = rng(seed);
  const values = new Map<string, Value>();
  for (const v of graph.values) {
    if (v.kind !== "param") continue;
    const shape = [...(v.node.shape as readonly number[])];
    let value: Value;
    if (v.literal) {
      value = v.literal.shape.length === 0 ? v.literal.data[0]! : { shape: [...v.literal.shape], data: Float64Array.from(v.literal.data) };
    } else {
      const call = initCall(v);
      const tensor =
        call.helper === "filled" ? filled(shape, call.args[0]) : (call.helper === "normal" ? normal : uniform)(random, shape, ...call.args);
      value = shape.length === 0 ? tensor.data[0]! : tensor;
    }
    values.set(v.name, value);
  }
  return values;
}
