// Owns the IR's data types: shaped nodes, the facts kept about them, whole graphs, and walks
// over them. Nodes are made only by a builder (ir/builder.ts), which hash-conses them.
import type { Span } from "../diagnostics.js";
import type { OpName } from "../ops/names.js";
import type { Shape } from "./shape.js";

export type Attrs = Readonly<Record<string, number>>;

/** A leaf is a value from outside (`input`, `param`, the `upstream` gradient) or a constant. */
export type LeafKind = "input" | "param" | "upstream" | "const";

/** One value of the IR: an op applied to argument nodes, or a leaf; equal nodes are the same object. */
export interface Node {
  readonly id: number;
  readonly op: OpName | LeafKind;
  readonly args: readonly Node[];
  readonly attrs: Attrs;
  readonly shape: Shape;
  /** The number of a `const`. */
  readonly value?: number;
  /** The name of an `input`, `param` or `upstream` leaf. */
  readonly name?: string;
}

/** Facts about a node that are not part of its identity. */
export interface NodeInfo {
  /** The user's name for this value, or a derived one like `dW1`. */
  readonly name?: string;
  /** Where in the source the value was written. */
  readonly span?: Span;
  /** For a backward node: the forward node whose derivative rule built it. */
  readonly origin?: Node;
  /** For a node built while inlining a user-defined op: that call (pictures group them). */
  readonly call?: UserOpCall;
}

/** One call of a user-defined op, as written in the source; `caller` when it is nested in another. */
export interface UserOpCall {
  readonly op: string;
  readonly span: Span;
  readonly caller?: UserOpCall;
}

/** A declared input or param of a graph. */
export interface ValueDecl {
  readonly name: string;
  readonly kind: "input" | "param";
  readonly node: Node;
  readonly span?: Span;
  /** A number or a tensor literal given in the file. */
  readonly literal?: TensorLiteral;
  /** For params: how `init()` makes the value. */
  readonly initializer?: { readonly name: string; readonly args: readonly number[] };
}

export interface TensorLiteral {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** A node under the name the graph gives it: an output, a `wrt` value or a gradient. */
export interface NamedNode {
  readonly name: string;
  readonly node: Node;
  readonly span?: Span;
}

/** A whole graph: its declarations, outputs and, once differentiated, the gradients. */
export interface Graph {
  readonly name: string;
  readonly span?: Span;
  readonly values: readonly ValueDecl[];
  readonly outputs: readonly NamedNode[];
  /** The output that `grad` differentiates. */
  readonly gradOf: NamedNode;
  /** The names the gradient is taken with respect to, in the order written. */
  readonly wrt: readonly NamedNode[];
  /** After differentiation: the upstream gradient leaf, when `gradOf` is a tensor. */
  readonly upstream?: Node;
  /** After differentiation: one gradient per `wrt` name, keyed by that name. */
  readonly grads: readonly NamedNode[];
  readonly info: ReadonlyMap<Node, NodeInfo>;
  /** How many nodes the builder made: ids are below it. */
  readonly nodeCount: number;
}

/**
 * What derivative rules, expansions and simplifications may use to build IR: the part of
 * GraphBuilder (ir/builder.ts) the op registry sees, so that ops never import the builder.
 */
export interface Builder {
  constant(value: number): Node;
  /** Applies an op: infers its shape (throwing ShapeError), simplifies, folds and interns. */
  apply(op: OpName, args: readonly Node[], attrs?: Attrs): Node;
}

/** Every node that `roots` depend on, each after its arguments (ids ascend along edges). */
export function topoSort(roots: readonly Node[]): Node[] {
  const seen = new Set<Node>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.args);
  }
  // A node's id is larger than its arguments' ids, so id order is a topological order.
  return [...seen].sort((a, b) => a.id - b.id);
}

/** How many times each node is used as an argument among `nodes`. */
export function useCounts(nodes: readonly Node[]): Map<Node, number> {
  const uses = new Map<Node, number>();
  for (const n of nodes) for (const a of n.args) uses.set(a, (uses.get(a) ?? 0) + 1);
  return uses;
}
