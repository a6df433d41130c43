// Owns the IR: a graph of shaped, hash-consed nodes. Building a node infers its shape from the
// op registry, applies the op's local simplifications and constant folding, and returns the
// existing node when an equal one was built before, which is common-subexpression elimination
// by construction (as tinygrad's UOp cache does).
import type { Span } from "../diagnostics.js";
import { InternalError } from "../diagnostics.js";
import type { OpName } from "../ops/names.js";
import { opDef } from "../ops/registry.js";
import { scalar, shapeToString, type Shape } from "./shape.js";

export type Attrs = Readonly<Record<string, number>>;

/** A leaf is a value from outside (`input`, `param`, the `upstream` gradient) or a constant. */
export type LeafKind = "input" | "param" | "upstream" | "const";

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

/** Builds nodes; `span`, `origin` and `call` set the metadata that new nodes are given. */
export class GraphBuilder {
  private readonly cache = new Map<string, Node>();
  private nextId: number;
  readonly info: Map<Node, NodeInfo>;
  span?: Span;
  origin?: Node;
  call?: UserOpCall;

  constructor(from?: { info: ReadonlyMap<Node, NodeInfo>; nodeCount: number }) {
    this.info = new Map(from?.info ?? []);
    this.nextId = from?.nodeCount ?? 0;
    // Re-register what exists so that rebuilding an equal node finds it.
    for (const node of this.info.keys()) {
      const commutative = node.args.length > 0 && opDef(node.op as OpName).commutative === true;
      const args = commutative ? [...node.args].sort((a, b) => a.id - b.id) : node.args;
      this.cache.set(keyOf(node.op, args, node.attrs, node), node);
    }
  }

  get nodeCount(): number {
    return this.nextId;
  }

  leaf(kind: "input" | "param" | "upstream", name: string, shape: Shape): Node {
    return this.intern({ op: kind, args: [], attrs: {}, shape, name });
  }

  constant(value: number): Node {
    return this.intern({ op: "const", args: [], attrs: {}, shape: scalar, value });
  }

  /** Applies an op: infers its shape (throwing ShapeError), simplifies, folds and interns. */
  apply(op: OpName, given: readonly Node[], attrs: Attrs = {}): Node {
    const def = opDef(op);
    // Commutative ops take a constant first (simplification rules rely on it); otherwise the
    // written order is kept, and the cache key ignores the order so `y*x` finds `x*y`.
    const args =
      def.commutative && given.length === 2 && given[1]!.op === "const" && given[0]!.op !== "const"
        ? [given[1]!, given[0]!]
        : given;
    const shape = def.shape(
      args.map((a) => a.shape),
      attrs,
    );
    if (def.expand) return def.expand(this, args, attrs);
    if (def.elementwise && args.every((a) => a.op === "const")) {
      return this.constant(def.elementwise.fold(...args.map((a) => a.value!)));
    }
    const simpler = def.simplify?.(this, args, attrs, shape);
    if (simpler) {
      if (shapeToString(simpler.shape) !== shapeToString(shape)) {
        throw new InternalError(`simplifying ${op} changed its shape`);
      }
      return simpler;
    }
    return this.intern({ op, args, attrs, shape }, def.commutative);
  }

  /** Gives a node a name if it has none; user names are given first and so win. */
  nameNode(node: Node, name: string): void {
    const info = this.info.get(node) ?? {};
    if (info.name === undefined && node.op !== "const") this.info.set(node, { ...info, name });
  }

  private intern(n: Omit<Node, "id">, commutative = false): Node {
    const key = keyOf(n.op, commutative ? [...n.args].sort((a, b) => a.id - b.id) : n.args, n.attrs, n);
    const found = this.cache.get(key);
    if (found) return found;
    const node: Node = Object.freeze({ ...n, id: this.nextId++ });
    this.cache.set(key, node);
    const info: NodeInfo = { span: this.span, origin: this.origin };
    this.info.set(node, this.call && n.args.length > 0 ? { ...info, call: this.call } : info);
    return node;
  }
}

function keyOf(op: string, args: readonly Node[], attrs: Attrs, n: Partial<Node>): string {
  if (op === "const") return `const:${Object.is(n.value, -0) ? "-0" : String(n.value)}`;
  if (n.name !== undefined) return `${op}:${n.name}`;
  const attrText = Object.keys(attrs)
    .sort()
    .map((k) => `${k}=${attrs[k]}`)
    .join(",");
  return `${op}(${args.map((a) => a.id).join(",")})${attrText}`;
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
