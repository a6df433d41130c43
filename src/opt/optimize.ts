// Owns optimisation of forward and backward together: every node the outputs and gradients
// need is rebuilt, in order, through a fresh builder, which re-applies each op's
// simplifications and constant folding to the final arguments and merges equal nodes
// (common-subexpression elimination); nodes nothing needs are not rebuilt (dead code).
import { GraphBuilder } from "../ir/builder.js";
import { topoSort, type Graph, type NamedNode, type Node, type NodeInfo } from "../ir/graph.js";
import type { OpName } from "../ops/names.js";

export function optimize(graph: Graph): Graph {
  const roots = [...graph.outputs, ...graph.grads].map((o) => o.node);
  const b = new GraphBuilder();
  const rebuilt = new Map<Node, Node>();
  const declared = new Set(graph.values.map((v) => v.node));

  // Leaves first, in declaration order, so declared values keep the lowest ids.
  const leaves = [...graph.values.map((v) => v.node), ...(graph.upstream ? [graph.upstream] : [])];
  for (const node of [...leaves, ...topoSort(roots)]) {
    if (rebuilt.has(node)) continue;
    const info: NodeInfo = graph.info.get(node) ?? {};
    b.span = info.span;
    b.origin = info.origin ? rebuilt.get(info.origin) ?? info.origin : undefined;
    b.call = info.call;
    let copy: Node;
    if (node.op === "const") copy = b.constant(node.value!);
    else if (node.op === "input" || node.op === "param" || node.op === "upstream") copy = b.leaf(node.op, node.name!, node.shape);
    else copy = b.apply(node.op as OpName, node.args.map((a) => rebuilt.get(a)!), node.attrs);
    rebuilt.set(node, copy);
    if (info.name !== undefined) {
      if (declared.has(node) || node.op === "upstream") b.info.set(copy, { ...b.info.get(copy), name: info.name });
      else b.nameNode(copy, info.name);
    }
  }
  b.span = undefined;
  b.origin = undefined;
  b.call = undefined;

  const map = (n: NamedNode): NamedNode => ({ ...n, node: rebuilt.get(n.node)! });
  return {
    ...graph,
    values: graph.values.map((v) => ({ ...v, node: rebuilt.get(v.node)! })),
    outputs: graph.outputs.map(map),
    gradOf: map(graph.gradOf),
    wrt: graph.wrt.map(map),
    upstream: graph.upstream ? rebuilt.get(graph.upstream) : undefined,
    grads: graph.grads.map(map),
    info: b.info,
    nodeCount: b.nodeCount,
  };
}
