// Owns observation, for pictures of a running graph: every value the forward pass computes
// becomes an extra output, and the gradient is also taken with respect to each of them, so one
// forward and backward call give the value and the gradient of every edge. The extra outputs and
// `wrt` names (`%3`) are ones no graph file can write; the user's own keep their places.
import { topoSort, type Graph, type NamedNode } from "./graph.js";

const PREFIX = "%";

/** Whether an output or `wrt` name was added by compiling with `observe: true`. */
export function isObservedName(name: string): boolean {
  return name.startsWith(PREFIX);
}

/** Runs before differentiation: the graph with every forward value observed. */
export function observeAll(graph: Graph): Graph {
  const values = topoSort(graph.outputs.map((o) => o.node)).filter((n) => n.op !== "const");
  const observed: NamedNode[] = values.map((node) => ({ name: `${PREFIX}${node.id}`, node }));
  return { ...graph, outputs: [...graph.outputs, ...observed], wrt: [...graph.wrt, ...observed] };
}
