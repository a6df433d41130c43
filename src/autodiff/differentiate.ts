// Owns reverse-mode differentiation at compile time. It walks the graph from the
// differentiated output back to the `wrt` values, asks each node's registry entry for its
// vector-Jacobian product, and builds the result as ordinary IR nodes of the same op set, so
// the optimiser cleans the backward pass like any other code and it can be printed again.
import { InternalError } from "../diagnostics.js";
import { GraphBuilder } from "../ir/builder.js";
import { topoSort, type Graph, type Node } from "../ir/graph.js";
import { sameShape } from "../ir/shape.js";
import { dsl } from "../ops/dsl.js";
import { opDef } from "../ops/registry.js";
import type { OpName } from "../ops/names.js";

/** Returns the graph with one gradient per `wrt` name (and the upstream leaf for tensor outputs). */
export function differentiate(graph: Graph): Graph {
  const b = new GraphBuilder(graph);
  const d = dsl(b);
  const of = graph.gradOf.node;
  // A scalar output starts from dL/dL = 1; a tensor output's upstream gradient is supplied.
  const upstream = of.shape.length === 0 ? undefined : b.leaf("upstream", `d${graph.gradOf.name}`, of.shape);
  if (upstream) b.info.set(upstream, { name: `d${graph.gradOf.name}` });

  const adjoint = new Map<Node, Node>([[of, upstream ?? d.num(1)]]);
  const order = topoSort([of]).reverse();
  for (const node of order) {
    const dout = adjoint.get(node);
    if (!dout || node.args.length === 0) continue;
    const rule = opDef(node.op as OpName).vjp;
    if (!rule) continue;
    b.origin = node;
    b.span = graph.info.get(node)?.span;
    const contributions = rule({ b, node, args: node.args, attrs: node.attrs, dout });
    if (contributions.length !== node.args.length) {
      throw new InternalError(`the derivative rule of "${node.op}" gave ${contributions.length} gradients for ${node.args.length} inputs`);
    }
    node.args.forEach((arg, i) => {
      let g = contributions[i];
      if (!g) return;
      // A broadcast argument receives the sum of the gradient over the axes it was stretched along.
      if (!sameShape(g.shape, arg.shape)) g = d.sumTo(g, arg);
      const previous = adjoint.get(arg);
      // A value used by several nodes gets the sum of their contributions.
      adjoint.set(arg, previous ? d.add(previous, g) : g);
    });
    b.origin = undefined;
    b.span = undefined;
  }

  // Name each accumulated gradient after its forward value, as the book does (dapple_price);
  // a gradient that is itself a forward value (d(x*y)/dx = y) keeps its forward identity.
  for (const [node, grad] of adjoint) {
    const name = graph.info.get(node)?.name;
    if (name !== undefined && grad !== upstream && grad.id >= graph.nodeCount) b.nameNode(grad, `d${name}`);
  }

  const grads = graph.wrt.map((w) => {
    const g = adjoint.get(w.node);
    // A value the output does not depend on has a zero gradient of its own shape.
    const zero = w.node.shape.length === 0 ? d.num(0) : d.broadcastTo(d.num(0), w.node);
    return { name: w.name, node: g ?? zero, span: w.span };
  });
  return { ...graph, upstream, grads, info: b.info, nodeCount: b.nodeCount };
}
