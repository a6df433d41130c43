// Owns the numbers on a picture: one forward and backward run of a module compiled with
// `observe`, matched to the nodes of the same compilation's graph (each node's value and its
// gradient, read from the outputs and gradients named after them).
import type { Graph, Node } from "../ir/graph.js";
import type { GraphModule } from "../runtime/load.js";
import { filledTensor, type Value } from "../runtime/tensor.js";

/** What one forward and backward call computed, by node: the numbers a picture writes. */
export interface PictureValues {
  /** Each node's value (forward values, and backward values that are gradients of one). */
  readonly values: ReadonlyMap<Node, Value>;
  /** The gradient of the differentiated output with respect to each forward value. */
  readonly grads: ReadonlyMap<Node, Value>;
  /** The sizes the run gave the symbolic dimensions (`N`). */
  readonly dims: Readonly<Record<string, number>>;
}

/**
 * Reads a run of a module compiled with `observe: true` from the same `graph`: `outputs` as
 * `forward` returns them, `grads` as `backward` returns them.
 */
export function pictureValues(
  graph: Graph,
  outputs: Readonly<Record<string, Value>>,
  grads: Readonly<Record<string, Value>>,
  inputs: Readonly<Record<string, Value>> = {},
): PictureValues {
  const values = new Map<Node, Value>();
  const gradients = new Map<Node, Value>();
  const known = (v: Value | undefined): v is Value => v !== undefined;
  for (const o of graph.outputs) if (known(outputs[o.name])) values.set(o.node, outputs[o.name]!);
  for (const w of graph.wrt) if (known(grads[w.name])) gradients.set(w.node, grads[w.name]!);
  // A gradient is also the value of the backward node that computes it.
  for (const g of graph.grads) if (known(grads[g.name]) && !values.has(g.node)) values.set(g.node, grads[g.name]!);
  for (const v of graph.values) if (known(inputs[v.name]) && !values.has(v.node)) values.set(v.node, inputs[v.name]!);

  const dims: Record<string, number> = {};
  for (const [node, value] of values) {
    if (typeof value === "number") continue;
    node.shape.forEach((d, i) => {
      if (typeof d !== "number" && value.shape[i] !== undefined) dims[d.sym] ??= value.shape[i]!;
    });
  }
  return { values, grads: gradients, dims };
}

/**
 * Runs a module compiled with `observe: true` once, forward and backward (a tensor output's
 * upstream gradient is ones, as `gradc run` uses), and reads the numbers for `graph`, the
 * graph of that same compilation. `inputs` without the ones the graph file gives defaults for.
 */
export function runPicture(
  module: GraphModule,
  graph: Graph,
  inputs: Readonly<Record<string, Value>>,
  params: Readonly<Record<string, Value>>,
): PictureValues {
  const fwd = module.forward({ ...inputs }, { ...params });
  const out = fwd.outputs[graph.gradOf.name]!;
  const grads = module.backward(fwd, typeof out === "number" ? undefined : filledTensor(out.shape, 1));
  return pictureValues(graph, fwd.outputs, grads, { ...module.defaults, ...inputs, ...params });
}
