// Owns IR → graph file: prints the derived gradient as a complete graph of its own (the same
// inputs and params, the statements the gradients need, outputs `d<name>`), which gradc can
// compile, run and differentiate again.
import { topoSort, useCounts, type Graph, type Node, type ValueDecl } from "../ir/graph.js";
import { dimToString, type Shape } from "../ir/shape.js";
import { keywords } from "../../grammar/tokens.js";

const infix: Readonly<Record<string, { text: string; level: number }>> = {
  add: { text: "+", level: 1 },
  sub: { text: "-", level: 1 },
  mul: { text: "*", level: 2 },
  div: { text: "/", level: 2 },
  matmul: { text: "@", level: 2 },
};
const UNARY = 3;
const MAX_NESTING = 24;
const ATOM = 4;

/** A number as graph-file text that reads back as exactly that number. */
export function graphNumber(v: number): string {
  if (Number.isNaN(v)) return "(0 / 0)";
  if (v === Infinity) return "1e999";
  if (v === -Infinity) return "-1e999";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

function typeText(shape: Shape): string {
  return shape.length === 0 ? "" : `: [${shape.map(dimToString).join(", ")}]`;
}

function literalText(shape: readonly number[], data: readonly number[]): string {
  if (shape.length === 0) return graphNumber(data[0]!);
  const stride = data.length / shape[0]!;
  const rows = Array.from({ length: shape[0]! }, (_, i) =>
    literalText(shape.slice(1), data.slice(i * stride, (i + 1) * stride)),
  );
  return `[${rows.join(", ")}]`;
}

function declText(v: ValueDecl): string {
  let text = `${v.kind} ${v.name}${typeText(v.node.shape)}`;
  if (v.literal) text += ` = ${literalText(v.literal.shape, v.literal.data)}`;
  else if (v.initializer && v.initializer.name !== "zeros") {
    const args = v.initializer.args.length > 0 ? `(${v.initializer.args.map(graphNumber).join(", ")})` : "";
    text += ` = ${v.initializer.name}${args}`;
  }
  return text;
}

/** The gradient of `graph` as graph-file text. */
export function printGradientGraph(graph: Graph): string {
  const taken = new Set<string>([...keywords, ...graph.values.map((v) => v.name)]);
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
  // The upstream gradient's input is `d<output>`, unless the graph already uses that name.
  const upstreamName = graph.upstream ? fresh(graph.upstream.name!) : undefined;

  const grads = graph.grads.map((g) => ({ ...g, output: fresh(`d${g.name}`) }));
  const nodes = topoSort(grads.map((g) => g.node)).filter((n) => n.args.length > 0);
  const uses = useCounts(nodes);
  for (const g of grads) uses.set(g.node, (uses.get(g.node) ?? 0) + 1);

  const names = new Map<Node, string>();
  for (const v of graph.values) names.set(v.node, v.name);
  if (graph.upstream) names.set(graph.upstream, upstreamName!);
  // A gradient's own statement takes its output name unless it is a forward value with a name
  // of its own (then the output is an alias: `dtax = apple_price`).
  for (const g of grads) {
    const own = graph.info.get(g.node)?.name;
    if (g.node.args.length > 0 && !names.has(g.node) && (own === undefined || own === `d${g.name}`)) {
      names.set(g.node, g.output);
    }
  }
  for (const n of nodes) {
    const name = graph.info.get(n)?.name;
    if (!names.has(n) && name !== undefined && (uses.get(n) ?? 0) > 0) names.set(n, fresh(name));
  }
  // Long chains of single-use values are cut into statements, so no expression nests deeper
  // than MAX_NESTING (and printing never recurses deeply).
  const depth = new Map<Node, number>();
  for (const n of nodes) {
    const inner = Math.max(0, ...n.args.map((a) => (names.has(a) ? 0 : depth.get(a) ?? 0)));
    depth.set(n, inner + 1);
  }
  let temp = 0;
  for (const n of nodes) {
    const cut = !names.has(n) && (depth.get(n) ?? 0) % MAX_NESTING === 0;
    if (!names.has(n) && ((uses.get(n) ?? 0) > 1 || cut)) {
      let name: string;
      do name = `t${++temp}`;
      while (taken.has(name));
      taken.add(name);
      names.set(n, name);
    }
  }

  /** An expression and how tightly it binds, so parentheses go only where needed. */
  const expr = (n: Node): { text: string; level: number } => {
    const name = names.get(n);
    if (name !== undefined) return { text: name, level: ATOM };
    if (n.op === "const") {
      const text = graphNumber(n.value!);
      return { text, level: text.startsWith("-") ? UNARY : text.startsWith("(") ? ATOM : ATOM };
    }
    const op = infix[n.op];
    if (op) {
      const left = expr(n.args[0]!);
      const right = expr(n.args[1]!);
      const l = left.level < op.level ? `(${left.text})` : left.text;
      const r = right.level <= op.level ? `(${right.text})` : right.text;
      return { text: `${l} ${op.text} ${r}`, level: op.level };
    }
    if (n.op === "neg") {
      const inner = expr(n.args[0]!);
      return { text: `-${inner.level < UNARY ? `(${inner.text})` : inner.text}`, level: UNARY };
    }
    const attrs = Object.keys(n.attrs)
      .sort()
      .map((k) => `${k}=${n.attrs[k]}`);
    return { text: `${n.op}(${[...n.args.map((a) => expr(a).text), ...attrs].join(", ")})`, level: ATOM };
  };
  const body = (n: Node): string => {
    const name = names.get(n);
    names.delete(n);
    const text = expr(n).text;
    names.set(n, name!);
    return text;
  };

  const lines: string[] = [];
  lines.push(`# The gradient of "${graph.gradOf.name}" in graph "${graph.name}", derived by gradc.`);
  lines.push(`graph ${graph.name}_grad {`);
  for (const v of graph.values) lines.push(`  ${declText(v)}`);
  if (graph.upstream) {
    lines.push(`  input ${upstreamName}${typeText(graph.upstream.shape)}  # the gradient flowing into "${graph.gradOf.name}"`);
  }
  lines.push("");
  for (const n of nodes) {
    const name = names.get(n);
    if (name !== undefined) lines.push(`  ${name} = ${body(n)}`);
  }
  for (const g of grads) {
    const text = expr(g.node).text;
    if (text !== g.output) lines.push(`  ${g.output} = ${text}`);
  }
  lines.push("");
  lines.push(`  output ${grads.map((g) => g.output).join(", ")}`);
  if (grads.length > 0) lines.push(`  grad ${grads[0]!.output} wrt ${graph.wrt.map((w) => w.name).join(", ")}`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
