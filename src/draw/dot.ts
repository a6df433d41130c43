// Owns IR → DOT: the picture of a graph as the book draws it, left to right. Inputs and params
// are labelled sources, ops are nodes named like the book (×, +, ReLU, Affine), and every value
// is an edge that passes through a small label: its name and shape above the line, and with a
// run's numbers the value above and the gradient below (Fig. 5-16). With `backward`, the derived
// gradient graph is drawn after the forward one, its nodes framed by the forward node whose
// derivative rule built them and the frame linked (dashed) to that node. Calls of user-defined
// ops are one box each, or a frame around their body (`expand`). The text is deterministic: DOT
// ids and order come from the IR's ids and nothing else.
import { topoSort, type Graph, type NamedNode, type Node, type UserOpCall } from "../ir/graph.js";
import { isObservedName } from "../ir/observe.js";
import type { OpName } from "../ops/names.js";
import { opDef } from "../ops/registry.js";
import type { Value } from "../runtime/tensor.js";
import { FONT, formatNumber, opLabel, shapeLabel, summarizeValue, valueName } from "./labels.js";
import type { PictureValues } from "./values.js";

/** What `graphDot` draws besides the forward graph. */
export interface GraphDotOptions {
  /** Also draw the derived gradient graph, each backward node linked to its forward node. */
  readonly backward?: boolean;
  /** Draw each call of a user-defined op as a frame around its body instead of one box. */
  readonly expand?: boolean;
  /** A run's numbers (`pictureValues`): each value above its edge, its gradient below. */
  readonly values?: PictureValues;
}

const COLOR = {
  text: "#222222",
  caption: "#6b6b6b",
  gradient: "#c0392b",
  backward: "#b03a2e",
  backwardEdge: "#d98880",
  origin: "#e6a19a",
  param: "#2f5f8a",
  call: "#3b6ea5",
  callFill: "#eef3fa",
} as const;
const CONSTANT = `shape=plaintext, fontsize=10, fontcolor="${COLOR.caption}"`;
/** Op labels up to this long are drawn in a circle, as the book draws × and +; longer ones in a box. */
const CIRCLE_LABEL = 3;

type Side = "forward" | "backward";

/**
 * Nodes drawn together: one call of a user-defined op on one side of the picture (a box, or a
 * frame when expanded), or the backward nodes that one forward node's rule built (a frame).
 */
interface Group {
  readonly id: string;
  readonly side: Side;
  readonly label: string;
  readonly parent?: Group;
  /** For a call's group. */
  readonly call?: UserOpCall;
  /** For a backward frame: the forward node whose rule built its nodes. */
  readonly origin?: Node;
}

/** An edge out of a value: to a consumer (an op, or its call's box) or a sink. */
interface Use {
  readonly to: string;
  readonly consumer?: Node;
  /** Which argument of the consumer: `x * x` has two edges from `x`. Absent for a call's box. */
  readonly index?: number;
}

/** A DOT statement placed in a frame or at the top level. */
interface Placed {
  readonly frame?: Group;
  readonly text: string;
}

/** The DOT text of a graph's picture. */
export function graphDot(graph: Graph, options: GraphDotOptions = {}): string {
  return new Picture(graph, options).dot();
}

class Picture {
  private readonly outputs: readonly NamedNode[];
  private readonly grads: readonly NamedNode[];
  private readonly forward: ReadonlySet<Node>;
  private readonly nodes: readonly Node[];
  /** DOT ids number the drawn nodes in order, so they do not depend on nodes not drawn. */
  private readonly index = new Map<Node, number>();
  private readonly groups = new Map<string, Group>();
  private readonly groupOf = new Map<Node, Group>();
  private readonly statements: Placed[] = [];
  private readonly edges: string[] = [];
  private readonly edgeKeys = new Set<string>();
  private readonly boxesPlaced = new Set<Group>();
  private constants = 0;

  constructor(
    private readonly graph: Graph,
    private readonly options: GraphDotOptions,
  ) {
    this.outputs = graph.outputs.filter((o) => !isObservedName(o.name));
    this.grads = options.backward ? graph.grads.filter((g) => !isObservedName(g.name)) : [];
    const forward = topoSort(this.outputs.map((o) => o.node));
    this.forward = new Set(forward);
    const backward = topoSort(this.grads.map((g) => g.node)).filter((n) => !this.forward.has(n));
    this.nodes = [...forward, ...backward].sort((a, b) => a.id - b.id);
    this.nodes.forEach((n, i) => this.index.set(n, i));
    for (const n of this.nodes) {
      const group = this.innermostGroup(n);
      if (group) this.groupOf.set(n, group);
    }
  }

  private side(n: Node): Side {
    return this.forward.has(n) ? "forward" : "backward";
  }

  /** A forward op node's call; a backward op node's frame, inside its forward node's call. */
  private innermostGroup(n: Node): Group | undefined {
    if (n.args.length === 0) return undefined;
    const info = this.graph.info.get(n);
    if (this.side(n) === "forward") return info?.call ? this.callGroup(info.call, "forward") : undefined;
    if (!info?.origin || !this.forward.has(info.origin)) return undefined;
    const originCall = this.graph.info.get(info.origin)?.call;
    const parent = originCall ? this.callGroup(originCall, "backward") : undefined;
    return this.intern(`origin:${info.origin.id}`, () => ({
      side: "backward",
      label: `backward of ${this.describe(info.origin!)}`,
      parent,
      origin: info.origin,
    }));
  }

  private callGroup(call: UserOpCall, side: Side): Group {
    const parent = call.caller ? this.callGroup(call.caller, side) : undefined;
    const key = `${parent ? parent.id : side}/${call.op}@${call.span.start}`;
    const where = `${call.op}(…), line ${call.span.line}`;
    return this.intern(key, () => ({ side, label: side === "forward" ? where : `backward of ${where}`, parent, call }));
  }

  private intern(key: string, make: () => Omit<Group, "id">): Group {
    let g = this.groups.get(key);
    if (!g) {
      g = { id: `c${this.groups.size}`, ...make() };
      this.groups.set(key, g);
    }
    return g;
  }

  /** A forward node as frames name it: `Affine "h", line 12`. */
  private describe(n: Node): string {
    const name = valueName(this.graph, n);
    const line = this.graph.info.get(n)?.span?.line;
    return `${opLabel(n)}${name !== undefined ? ` "${name}"` : ""}${line !== undefined ? `, line ${line}` : ""}`;
  }

  /** The call box that stands for `n`: its outermost call, when calls are collapsed. */
  private collapsedInto(n: Node): Group | undefined {
    if (this.options.expand) return undefined;
    let box: Group | undefined;
    for (let g = this.groupOf.get(n); g; g = g.parent) if (g.call) box = g;
    return box;
  }

  /** The DOT node that stands for `n`: its own, or its call's box when collapsed. */
  private box(n: Node): string {
    const g = this.collapsedInto(n);
    if (g) return g.id;
    return `${n.args.length === 0 ? "s" : "n"}${this.index.get(n)}`;
  }

  /** The frame `n` is drawn in, if any. */
  private frame(n: Node): Group | undefined {
    if (this.collapsedInto(n)) return undefined;
    return this.groupOf.get(n);
  }

  private place(text: string, frame?: Group): void {
    this.statements.push({ frame, text });
  }

  private edge(from: string, to: string, attrs = "", index?: number): void {
    const key = `${from}->${to}|${attrs}|${index ?? ""}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push(`${from} -> ${to}${attrs ? ` [${attrs}]` : ""};`);
  }

  private constant(value: number, to: string, frame?: Group, attrs = ""): void {
    const id = `k${this.constants++}`;
    this.place(`${id} [${CONSTANT}, label=${quote(formatNumber(value))}];`, frame);
    this.edge(id, to, attrs);
  }

  dot(): string {
    const sinks = this.sinks();
    const used: { node: Node; use: Use }[] = [];
    const use = (node: Node, u: Use) => used.push({ node, use: u });

    for (const n of this.nodes) {
      if (n.op === "const") continue;
      if (n.args.length === 0) {
        this.source(n);
        continue;
      }
      this.op(n);
      // Arguments read only for their shape carry no value: the picture leaves them out.
      const shapeOnly = opDef(n.op as OpName).shapeOnlyArgs ?? [];
      const box = this.collapsedInto(n);
      n.args.forEach((a, i) => {
        if (shapeOnly.includes(i)) return;
        // What happens inside a collapsed call stays in its box.
        if (box && (a.op === "const" || this.collapsedInto(a) === box)) return;
        if (a.op === "const") this.constant(a.value!, this.box(n), this.frame(n), this.edgeStyle(n));
        else use(a, { to: this.box(n), consumer: n, index: box ? undefined : i });
      });
    }
    for (const s of sinks) {
      if (s.node.op === "const") this.constant(s.node.value!, s.id);
      else use(s.node, { to: s.id });
    }
    const uses = groupBy(used, (u) => u.node);
    const sinkNames = groupBy(sinks, (s) => s.node);
    for (const n of this.nodes) {
      const list = uses.get(n);
      if (list) this.value(n, list.map((u) => u.use), (sinkNames.get(n) ?? []).map((s) => s.label));
    }
    this.originLinks();
    return this.text();
  }

  /** A value: its producer, the label its edge passes through (if any), its consumers. */
  private value(n: Node, uses: readonly Use[], sinkNames: readonly string[]): void {
    const label = this.valueLabel(n, sinkNames);
    const style = (u: Use) => (u.consumer ? this.edgeStyle(u.consumer) : this.side(n) === "backward" ? this.edgeStyle(n) : "");
    if (!label) {
      for (const u of uses) this.edge(this.box(n), u.to, style(u), u.index);
      return;
    }
    const id = `v${this.index.get(n)}`;
    this.place(`${id} [shape=plaintext, margin=0, label=<${label}>];`, this.valueFrame(n, uses));
    this.edge(this.box(n), `${id}:l:w`, `arrowhead=none${this.side(n) === "backward" ? `, ${this.edgeStyle(n)}` : ""}`);
    for (const u of uses) this.edge(`${id}:l:e`, u.to, style(u), u.index);
  }

  /** Edges into backward nodes are drawn in the backward colour. */
  private edgeStyle(consumer: Node): string {
    return this.side(consumer) === "backward" ? `color="${COLOR.backwardEdge}"` : "";
  }

  /** A value's label sits in its producer's frame when every consumer is in that frame too. */
  private valueFrame(n: Node, uses: readonly Use[]): Group | undefined {
    const frame = this.frame(n);
    if (!frame) return undefined;
    const inside = (u: Use) => {
      let g = u.consumer ? this.frame(u.consumer) : undefined;
      while (g && g !== frame) g = g.parent;
      return g === frame;
    };
    return uses.every(inside) ? frame : undefined;
  }

  /** One dashed line from each backward frame (or backward call box) to the forward node it came from. */
  private originLinks(): void {
    const style = `style=dashed, color="${COLOR.origin}", arrowhead=none, constraint=false`;
    // The first node drawn in each group (or in a group inside it), and each call's forward group.
    const first = new Map<Group, Node>();
    for (const n of this.nodes) {
      for (let g = this.groupOf.get(n); g && !first.has(g); g = g.parent) first.set(g, n);
    }
    const forwardCall = new Map<UserOpCall, Group>();
    for (const g of this.groups.values()) if (g.side === "forward" && g.call) forwardCall.set(g.call, g);
    for (const g of this.groups.values()) {
      const member = first.get(g);
      if (g.side !== "backward" || !member) continue;
      const forward = g.call ? forwardCall.get(g.call) : undefined;
      if (g.origin && !this.collapsedInto(member)) {
        this.edge(this.box(member), this.box(g.origin), `${style}, ltail=cluster_${g.id}`);
      } else if (forward && !g.parent && !this.options.expand) {
        this.edge(g.id, forward.id, style);
      } else if (forward && this.options.expand) {
        const target = first.get(forward);
        if (target) this.edge(this.box(member), this.box(target), `${style}, ltail=cluster_${g.id}, lhead=cluster_${forward.id}`);
      }
    }
  }

  private sinks(): { id: string; node: Node; label: string }[] {
    const out = this.outputs.map((o, i) => ({ id: `o${i}`, node: o.node, label: o.name, gradient: false }));
    const grads = this.grads.map((g, i) => ({ id: `g${i}`, node: g.node, label: `d${g.name}`, gradient: true }));
    for (const s of [...out, ...grads]) {
      const color = s.gradient ? `, fontcolor="${COLOR.backward}"` : "";
      this.place(`${s.id} [shape=plaintext, fontsize=13${color}, label=${quote(s.label)}];`);
    }
    return [...out, ...grads];
  }

  private source(n: Node): void {
    const style =
      n.op === "param"
        ? `shape=box, style="rounded", color="${COLOR.param}", fontcolor="${COLOR.param}", margin="0.08,0.04", height=0.3`
        : n.op === "upstream"
          ? `shape=plaintext, fontcolor="${COLOR.backward}"`
          : "shape=plaintext";
    this.place(`${this.box(n)} [${style}, fontsize=13, label=${quote(n.name ?? "")}];`);
  }

  private op(n: Node): void {
    const color = this.side(n) === "backward" ? `, color="${COLOR.backward}", fontcolor="${COLOR.backward}"` : "";
    const box = this.collapsedInto(n);
    if (box) {
      if (this.boxesPlaced.has(box)) return;
      this.boxesPlaced.add(box);
      const label = box.side === "forward" ? box.call!.op : `${box.call!.op} (backward)`;
      this.place(
        `${box.id} [shape=box, style="rounded,filled", peripheries=2, fillcolor="${COLOR.callFill}", ` +
          `tooltip=${quote(box.label)}${color}, label=${quote(label)}];`,
      );
      return;
    }
    const label = opLabel(n);
    const length = [...label].length;
    const shape =
      length <= CIRCLE_LABEL
        ? `shape=circle, fixedsize=true, width=0.42, fontsize=${length > 1 ? 11 : 15}`
        : `shape=box, style="rounded", height=0.36`;
    this.place(`${this.box(n)} [${shape}${color}, label=${quote(label)}];`, this.frame(n));
  }

  /**
   * The label a value's edge passes through: a caption (its name and shape), the value above
   * the line and the gradient below it. The edge enters and leaves at the line (port `l`).
   * Nothing when there is nothing to write: the edge is drawn plain.
   */
  private valueLabel(n: Node, sinkNames: readonly string[]): string | undefined {
    const forward = this.side(n) === "forward";
    const name = n.args.length > 0 ? valueName(this.graph, n) : undefined;
    const caption = [name !== undefined && !sinkNames.includes(name) ? name : "", shapeLabel(n)]
      .filter((t) => t !== "")
      .join(" ");
    const rows: string[] = [];
    const cell = (text: string, color: string, size?: number) =>
      `<TR><TD><FONT COLOR="${color}"${size ? ` POINT-SIZE="${size}"` : ""}>${html(text)}</FONT></TD></TR>`;
    if (caption) rows.push(cell(caption, forward ? COLOR.caption : COLOR.backward, 9));
    const values = this.options.values;
    const value: Value | undefined = values?.values.get(n);
    if (value !== undefined) rows.push(cell(summarizeValue(value), forward ? COLOR.text : COLOR.gradient));
    rows.push(`<TR><TD PORT="l" BORDER="1" SIDES="B" HEIGHT="1" COLOR="${forward ? COLOR.text : COLOR.backwardEdge}"></TD></TR>`);
    const grad: Value | undefined = forward ? values?.grads.get(n) : undefined;
    if (grad !== undefined) rows.push(cell(summarizeValue(grad), COLOR.gradient));
    if (rows.length === 1) return undefined;
    return `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">${rows.join("")}</TABLE>`;
  }

  private title(): string {
    const g = this.graph;
    const dims = Object.entries(this.options.values?.dims ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k} = ${v}`);
    const head = `graph ${g.name}${dims.length > 0 ? ` (${dims.join(", ")})` : ""}`;
    const parts: string[] = [];
    if (this.options.values) parts.push(`values above each edge, gradients of ${g.gradOf.name} below (red)`);
    if (this.options.backward) parts.push(`the gradient of ${g.gradOf.name} in red, framed by the forward node each part came from`);
    return parts.length > 0 ? `${head}: ${parts.join("; ")}` : head;
  }

  private text(): string {
    const lines = [
      `digraph ${quote(this.graph.name)} {`,
      `  graph [rankdir=LR, compound=true, nodesep=0.25, ranksep=0.35, fontname="${FONT}", fontsize=11, ` +
        `fontcolor="${COLOR.caption}", labelloc=b, label=${quote(this.title())}];`,
      `  node [fontname="${FONT}", fontsize=12, color="${COLOR.text}", fontcolor="${COLOR.text}"];`,
      `  edge [fontname="${FONT}", fontsize=10, arrowsize=0.6, color="${COLOR.text}"];`,
    ];
    const placed = groupBy(this.statements, (s) => s.frame);
    // A frame is drawn when something is placed in it or in a frame inside it.
    const used = new Set<Group>();
    for (const frame of placed.keys()) for (let g = frame; g && !used.has(g); g = g.parent) used.add(g);
    const children = groupBy([...this.groups.values()].filter((g) => used.has(g)), (g) => g.parent);
    const emit = (frame: Group | undefined, indent: string) => {
      for (const s of placed.get(frame) ?? []) lines.push(`${indent}${s.text}`);
      for (const child of children.get(frame) ?? []) {
        const color = child.call ? (child.side === "forward" ? COLOR.call : COLOR.backward) : COLOR.origin;
        const style = child.call ? "rounded,dashed" : "rounded";
        lines.push(`${indent}subgraph cluster_${child.id} {`);
        lines.push(
          `${indent}  graph [style="${style}", color="${color}", fontcolor="${child.call ? color : COLOR.backward}", ` +
            `fontsize=9, labelloc=t, label=${quote(child.label)}];`,
        );
        emit(child, `${indent}  `);
        lines.push(`${indent}}`);
      }
    };
    emit(undefined, "  ");
    for (const e of this.edges) lines.push(`  ${e}`);
    lines.push("}");
    return `${lines.join("\n")}\n`;
  }
}

/** Items by key, in their order. */
function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** A DOT string literal. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Text inside a DOT HTML-like label. */
function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
