// Owns building the IR: a node's shape is inferred from the op registry, the op's local
// simplifications and constant folding are applied, and an equal node built before is returned
// instead of a new one, which is common-subexpression elimination by construction (as
// tinygrad's UOp cache does).
import { InternalError, type Span } from "../diagnostics.js";
import type { OpName } from "../ops/names.js";
import { opDef } from "../ops/registry.js";
import type { Attrs, Builder, Node, NodeInfo, UserOpCall } from "./graph.js";
import { scalar, shapeToString, type Shape } from "./shape.js";

/** Builds nodes; `span`, `origin` and `call` set the metadata that new nodes are given. */
export class GraphBuilder implements Builder {
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
