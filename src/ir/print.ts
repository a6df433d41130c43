// Owns the IR's debugging text: one line per node, `%id = op(args) attrs : shape  "name"`.
// Golden tests and `gradc`'s developers read it; users see graph files instead.
import { topoSort, type Graph, type Node } from "./graph.js";
import { shapeToString } from "./shape.js";

function nodeText(n: Node, graph: Graph): string {
  const info = graph.info.get(n);
  const name = info?.name !== undefined ? `  "${info.name}"` : "";
  const origin = info?.origin ? `  from %${info.origin.id}` : "";
  let rhs: string;
  if (n.op === "const") rhs = `const ${Object.is(n.value, -0) ? "-0" : n.value}`;
  else if (n.args.length === 0) rhs = `${n.op} ${n.name}`;
  else {
    const attrs = Object.keys(n.attrs)
      .sort()
      .map((k) => ` ${k}=${n.attrs[k]}`)
      .join("");
    rhs = `${n.op}(${n.args.map((a) => `%${a.id}`).join(", ")})${attrs}`;
  }
  return `%${n.id} = ${rhs} : ${shapeToString(n.shape)}${name}${origin}`;
}

export function printIr(graph: Graph): string {
  const roots = [...graph.values.map((v) => v.node), ...graph.outputs.map((o) => o.node), ...graph.grads.map((g) => g.node)];
  const lines = topoSort(roots).map((n) => nodeText(n, graph));
  lines.push(`outputs ${graph.outputs.map((o) => `${o.name}=%${o.node.id}`).join(", ")}`);
  lines.push(`grad ${graph.gradOf.name} wrt ${graph.wrt.map((w) => w.name).join(", ")}`);
  if (graph.grads.length > 0) lines.push(`grads ${graph.grads.map((g) => `${g.name}=%${g.node.id}`).join(", ")}`);
  return `${lines.join("\n")}\n`;
}
