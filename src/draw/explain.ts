// Owns the chain-rule explanation of a gradient, as the book walks Fig. 5-16: for each `wrt`
// name, every path from that value up to the differentiated output, and along each path the
// local rule of each node it passes (`dapple_price = dout · tax`), with the node's source line.
// The rules are not restated here: each is the op's own vector-Jacobian product from the
// registry, applied to named stand-ins for the values, so the text says what gradc computes.
// A value used more than once gets the sum over its paths, as the engine sums contributions.
import type { Span } from "../diagnostics.js";
import { GraphBuilder } from "../ir/builder.js";
import { topoSort, type Graph, type Node } from "../ir/graph.js";
import { isObservedName } from "../ir/observe.js";
import { sameShape } from "../ir/shape.js";
import { dsl } from "../ops/dsl.js";
import type { OpName } from "../ops/names.js";
import { opDef } from "../ops/registry.js";
import { opLabel, valueName } from "./labels.js";

/** Paths written out per gradient; the rest are counted. */
const MAX_PATHS = 6;
/** Longer paths are listed node by node up to here, and their product is not written out. */
const MAX_STEPS = 40;
/** Longer names of unnamed values are replaced by their node number. */
const MAX_NAME = 40;
/** The gradient flowing into the differentiated output, as the book calls it. */
const DOUT = "dout";

/** One step up a path: `node` reads the value below it as its argument `index`. */
interface Step {
  readonly node: Node;
  readonly index: number;
}

/** The explanation of every gradient of `graph`, as `#` comment lines (so it can follow a graph file). */
export function explainGradients(graph: Graph, source: string): string {
  const out = graph.gradOf.node;
  const forward = topoSort([out]);
  const consumers = new Map<Node, Step[]>();
  for (const n of forward) {
    // An argument read only for its shape (`size(y)`) carries no gradient: no path goes through it.
    const shapeOnly = n.args.length > 0 ? opDef(n.op as OpName).shapeOnlyArgs ?? [] : [];
    n.args.forEach((a, index) => {
      if (shapeOnly.includes(index)) return;
      const list = consumers.get(a);
      if (list) list.push({ node: n, index });
      else consumers.set(a, [{ node: n, index }]);
    });
  }
  const names = new Namer(graph);
  // Named in order, so an unnamed value's name reuses its arguments' names (no deep recursion).
  for (const n of forward) names.name(n);
  const sourceLines = source.split("\n");
  // Every forward value, also those only another output needs (`y = softmax(a)` beside the loss).
  const named = new ForwardIndex(topoSort(graph.outputs.filter((o) => !isObservedName(o.name)).map((o) => o.node)));
  const lines: string[] = [];
  const of = graph.gradOf.name;
  lines.push(`How the chain rule builds each gradient of "${of}", node by node from "${of}" back to the value.`);
  lines.push(
    out.shape.length === 0
      ? `${DOUT} is the gradient flowing into "${of}": d${of}/d${of} = 1.`
      : `${DOUT} is the upstream gradient flowing into "${of}" (backward's argument, shaped like "${of}").`,
  );

  const paths = new PathCounter(out, consumers);
  for (const w of graph.wrt.filter((x) => !isObservedName(x.name))) {
    lines.push("");
    const total = paths.count(w.node);
    if (total === 0) {
      lines.push(`d${w.name} = 0    ("${of}" does not depend on "${w.name}")`);
      continue;
    }
    const listed = paths.list(w.node, MAX_PATHS);
    const chains = listed.map((p) => new Chain(graph, names, named, out).run(p));
    const terms = chains.filter((c) => c.result !== undefined).map((c) => c.result!);
    const more = total > listed.length ? ` + … (${total - listed.length} more)` : "";
    const sum = terms.length === 0 ? "0" : terms.map((t) => (terms.length > 1 && t.level <= SUM ? `(${t.text})` : t.text)).join(" + ");
    const note = total > 1 ? `    (${total} paths, summed: "${w.name}" reaches "${of}" ${total} ways)` : "";
    lines.push(`d${w.name} = ${sum}${more}${note}`);
    chains.forEach((chain, i) => {
      const indent = total > 1 ? "    " : "  ";
      if (total > 1) lines.push(`  path ${i + 1} of ${total}:${chain.result ? "" : " zero"}`);
      for (const step of chain.steps) {
        lines.push(`${indent}${step.where}: ${sourceLine(sourceLines, step.span)}`);
        lines.push(`${indent}    ${step.rule}`);
      }
      if (chain.omitted > 0) lines.push(`${indent}… and ${chain.omitted} more nodes`);
    });
  }
  return `${lines.map((l) => (l === "" ? "#" : `# ${l}`)).join("\n")}\n`;
}

/** Counts and lists the paths from a value up to the output. */
class PathCounter {
  private readonly memo = new Map<Node, number>();

  constructor(
    private readonly out: Node,
    private readonly consumers: ReadonlyMap<Node, readonly Step[]>,
  ) {}

  count(n: Node): number {
    const known = this.memo.get(n);
    if (known !== undefined) return known;
    // Consumers have larger ids: counting in decreasing id order needs no recursion.
    const order = topoSort([this.out]).reverse();
    for (const m of order) {
      if (this.memo.has(m)) continue;
      const c = m === this.out ? 1 : (this.consumers.get(m) ?? []).reduce((s, step) => s + (this.memo.get(step.node) ?? 0), 0);
      this.memo.set(m, c);
    }
    return this.memo.get(n) ?? 0;
  }

  /** Up to `limit` paths, each from the value's consumer up to the output, in order. */
  list(from: Node, limit: number): Step[][] {
    const found: Step[][] = [];
    // Depth first without recursion (a path can be as long as the graph is deep), each entry
    // linked to the one it came from, so no path is copied until it is found.
    interface Entry {
      readonly node: Node;
      readonly step?: Step;
      readonly previous?: Entry;
    }
    const stack: Entry[] = [{ node: from }];
    while (stack.length > 0 && found.length < limit) {
      const entry = stack.pop()!;
      if (entry.node === this.out) {
        const path: Step[] = [];
        for (let e: Entry | undefined = entry; e?.step; e = e.previous) path.push(e.step);
        found.push(path.reverse());
        continue;
      }
      const next = (this.consumers.get(entry.node) ?? []).filter((step) => this.count(step.node) > 0);
      for (let i = next.length - 1; i >= 0; i--) stack.push({ node: next[i]!.node, step: next[i]!, previous: entry });
    }
    return found;
  }
}

/** Names for values in explanations: the user's names, else the expression that computes them. */
class Namer {
  private readonly cache = new Map<Node, string>();
  /** How tightly each expression-name binds, so it is parenthesised where it is an operand. */
  readonly levels = new Map<string, number>();

  constructor(private readonly graph: Graph) {}

  name(n: Node): string {
    const known = this.cache.get(n);
    if (known !== undefined) return known;
    let name = valueName(this.graph, n);
    if (name === undefined) {
      const printed = print(n, (a) => (a === n ? undefined : { text: this.name(a), level: this.levels.get(this.name(a)) ?? ATOM }));
      name = [...printed.text].length <= MAX_NAME ? printed.text : `%${n.id}`;
      if (name === printed.text) this.levels.set(name, printed.level);
    }
    this.cache.set(n, name);
    return name;
  }

  /** A stand-in's name as an operand. */
  named = (n: Node): Printed | undefined =>
    n.name === undefined ? undefined : { text: n.name, level: this.levels.get(n.name) ?? ATOM };

  /** The name of a value's gradient: `dapple_price`, `d(x · x)`. */
  gradName(n: Node, out: Node): string {
    if (n === out) return DOUT;
    const name = this.name(n);
    return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(name) ? `d${name}` : `d(${name})`;
  }
}

interface ChainStep {
  readonly where: string;
  readonly span?: Span;
  readonly rule: string;
}

/** One path's product of local rules, built in a scratch graph from named stand-ins. */
class Chain {
  private readonly b = new GraphBuilder();
  /** The forward node each node of the scratch graph stands for, when there is one. */
  private readonly real = new Map<Node, Node | null>();
  readonly steps: ChainStep[] = [];
  /** Nodes of a long path not listed. */
  omitted = 0;
  result?: Printed;

  constructor(
    private readonly graph: Graph,
    private readonly names: Namer,
    private readonly forward: ForwardIndex,
    private readonly out: Node,
  ) {}

  /** A stand-in for a forward value: a leaf with its name and shape (a constant stays itself). */
  private standIn(n: Node): Node {
    if (n.op === "const") return this.b.constant(n.value!);
    const leaf = this.b.leaf("input", this.names.name(n), n.shape);
    this.real.set(leaf, n);
    return leaf;
  }

  /** The forward node a scratch node computes, if the graph has it (a rule's `softmax(a)` is `y`). */
  private realize(s: Node): Node | undefined {
    const known = this.real.get(s);
    if (known !== undefined) return known ?? undefined;
    const args = s.args.map((a) => (a.op === "const" ? a : this.realize(a)));
    const found = s.args.length > 0 && args.every((a) => a !== undefined) ? this.forward.find(s, args as Node[]) : undefined;
    this.real.set(s, found ?? null);
    return found;
  }

  /** How a scratch node prints: a stand-in's name, or the user's name of the forward value it computes. */
  private readonly named = (s: Node): Printed | undefined => {
    const own = this.names.named(s);
    if (own) return own;
    const real = s.args.length > 0 ? this.realize(s) : undefined;
    const name = real ? valueName(this.graph, real) : undefined;
    return name !== undefined ? { text: name, level: ATOM } : undefined;
  };

  private gradient(n: Node): Node {
    return this.b.leaf("upstream", this.names.gradName(n, this.out), n.shape);
  }

  /** Applies the rules from the output down `path` (given from the value up). */
  run(path: readonly Step[]): this {
    // A very long path is listed in part, and its product is not written out.
    const long = path.length > MAX_STEPS;
    let chain: Node | null = long ? null : this.gradient(this.out);
    const last = long ? path.length - MAX_STEPS : 0;
    this.omitted = last;
    for (let k = path.length - 1; k >= last; k--) {
      const { node, index } = path[k]!;
      const arg = node.args[index]!;
      const local = this.rule(node, index, this.gradient(node));
      if (chain) chain = this.rule(node, index, chain);
      const info = this.graph.info.get(node);
      const call = info?.call ? ` (in ${info.call.op}(…) called at line ${info.call.span.line})` : "";
      const line = info?.span ? `line ${info.span.line}${call}` : "no line";
      const rule = local
        ? `${this.names.gradName(arg, this.out)} = ${print(local, this.named).text}`
        : `${opLabel(node)} passes no gradient to this argument: the path contributes 0`;
      this.steps.push({ where: `${opLabel(node)}, ${line}`, span: info?.span, rule });
    }
    this.result = long ? { text: `… (${path.length} local rules)`, level: ATOM } : chain ? print(chain, this.named) : undefined;
    return this;
  }

  /** The op's registry rule for argument `index`, given the gradient `dout` of its output. */
  private rule(node: Node, index: number, dout: Node): Node | null {
    const vjp = opDef(node.op as OpName).vjp;
    if (!vjp) return null;
    const args = node.args.map((a) => this.standIn(a));
    const g = vjp({ b: this.b, node: this.standIn(node), args, attrs: node.attrs, dout })[index] ?? null;
    // As the engine does: a broadcast argument gets the gradient summed back to its shape.
    return g && !sameShape(g.shape, args[index]!.shape) ? dsl(this.b).sumTo(g, args[index]!) : g;
  }
}

/** Finds a forward node by what it computes: its op, arguments and attributes. */
class ForwardIndex {
  private readonly byKey = new Map<string, Node>();

  constructor(forward: readonly Node[]) {
    for (const n of forward) if (n.args.length > 0) this.byKey.set(this.key(n.op, n.args, n.attrs), n);
  }

  find(like: Node, args: readonly Node[]): Node | undefined {
    return this.byKey.get(this.key(like.op, args, like.attrs));
  }

  private key(op: string, args: readonly Node[], attrs: Node["attrs"]): string {
    const ids = args.map((a) => (a.op === "const" ? `c${a.value}` : `%${a.id}`));
    if (opDef(op as OpName).commutative) ids.sort();
    const attrText = Object.keys(attrs)
      .sort()
      .map((k) => `${k}=${attrs[k]}`);
    return `${op}(${ids.join(",")})${attrText.join(",")}`;
  }
}

/** A source line as written, without its comment. */
function sourceLine(lines: readonly string[], span?: Span): string {
  if (!span) return "";
  const text = lines[span.line - 1] ?? "";
  return text.replace(/#.*$/, "").trim().replace(/\s+/g, " ");
}

interface Printed {
  readonly text: string;
  readonly level: number;
}

const SUM = 1;
const PRODUCT = 2;
const UNARY = 3;
const POSTFIX = 4;
const ATOM = 5;
const infix: Readonly<Partial<Record<string, { text: string; level: number }>>> = {
  add: { text: "+", level: SUM },
  sub: { text: "-", level: SUM },
  mul: { text: "·", level: PRODUCT },
  div: { text: "/", level: PRODUCT },
  matmul: { text: "@", level: PRODUCT },
};

/** An expression in the book's notation; `named` gives a node's name to stop at, if any. */
function print(n: Node, named: (n: Node) => Printed | undefined): Printed {
  const name = named(n);
  if (name !== undefined) return name;
  if (n.op === "const") return { text: String(n.value), level: n.value! < 0 ? UNARY : ATOM };
  const op = infix[n.op];
  if (op) {
    const l = print(n.args[0]!, named);
    const r = print(n.args[1]!, named);
    const left = l.level < op.level ? `(${l.text})` : l.text;
    const right = r.level <= op.level ? `(${r.text})` : r.text;
    return { text: `${left} ${op.text} ${right}`, level: op.level };
  }
  if (n.op === "neg") {
    const x = print(n.args[0]!, named);
    return { text: `-${x.level < UNARY ? `(${x.text})` : x.text}`, level: UNARY };
  }
  if (n.op === "transpose") {
    const x = print(n.args[0]!, named);
    return { text: `${x.level < POSTFIX ? `(${x.text})` : x.text}ᵀ`, level: POSTFIX };
  }
  const attrs = Object.keys(n.attrs)
    .sort()
    .map((k) => `${k}=${n.attrs[k]}`);
  return { text: `${n.op}(${[...n.args.map((a) => print(a, named).text), ...attrs].join(", ")})`, level: ATOM };
}
