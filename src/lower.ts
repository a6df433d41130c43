// Owns AST → IR: resolves names in order, inlines user-defined ops, checks op names, arity and
// attributes, and builds shaped nodes (the builder infers each node's shape from the registry,
// so a shape mismatch is reported here, at the expression that causes it).
import { DiagnosticBag, nearestName, type Span } from "./diagnostics.js";
import { GraphBuilder } from "./ir/builder.js";
import type { Graph, NamedNode, Node, TensorLiteral, ValueDecl } from "./ir/graph.js";
import { ShapeError, shapeToString, sym, type Dim, type Shape } from "./ir/shape.js";
import { opNames, type OpName } from "./ops/names.js";
import { findOp } from "./ops/registry.js";
import type { Expr, GraphDecl, Initializer, Literal, OpDecl, Program, Statement } from "./syntax/ast.js";

/** Initializers a param may name, with how many numbers each takes. */
export const initializers: Readonly<Record<string, { readonly args: number; readonly doc: string }>> = {
  zeros: { args: 0, doc: "all 0 (the default for a param)" },
  ones: { args: 0, doc: "all 1" },
  normal: { args: 2, doc: "normal(mean, std): Gaussian samples" },
  uniform: { args: 2, doc: "uniform(lo, hi): uniform samples in [lo, hi)" },
  xavier: { args: 0, doc: "Gaussian with std 1/√fan_in (the book's Xavier)" },
  he: { args: 0, doc: "Gaussian with std √(2/fan_in) (He)" },
};

/** A value that failed to build; uses of it are not reported again. */
const POISON = Symbol("poison");
type Binding = Node | typeof POISON;

/** Stops lowering one statement after its error was reported. */
class Abandon extends Error {}

/** Picks the graph to compile (the first, unless named) and lowers it. */
export function lowerProgram(
  program: Program,
  diagnostics: DiagnosticBag,
  graphName?: string,
  /** Filled with each name of the graph and its node, as far as lowering got (for editors). */
  bindings?: Map<string, Node>,
): Graph | undefined {
  const opsByName = new Map<string, OpDecl>();
  for (const op of program.ops) {
    if (findOp(op.name)) {
      diagnostics.error(`Op "${op.name}" is already a built-in op; choose another name.`, op.span);
    } else if (opsByName.has(op.name)) {
      diagnostics.error(`Op "${op.name}" is defined twice.`, op.span);
    } else {
      opsByName.set(op.name, op);
    }
  }
  const seen = new Set<string>();
  for (const g of program.graphs) {
    if (seen.has(g.name)) diagnostics.error(`Graph "${g.name}" is defined twice.`, g.span);
    seen.add(g.name);
  }
  if (program.graphs.length === 0) {
    diagnostics.error("The file declares no graph; expected `graph NAME { ... }`.");
    return undefined;
  }
  const decl = graphName === undefined ? program.graphs[0]! : program.graphs.find((g) => g.name === graphName);
  if (!decl) {
    const names = program.graphs.map((g) => `"${g.name}"`).join(", ");
    diagnostics.error(`There is no graph named "${graphName}"; the file has ${names}.`);
    return undefined;
  }
  return new Lowering(diagnostics, opsByName, bindings).graph(decl);
}

class Lowering {
  private readonly b = new GraphBuilder();
  private readonly inlining: string[] = [];
  /** Where each name of the graph is defined, to tell "defined later" from "not defined". */
  private definedAt = new Map<string, Span>();
  /** The name whose expression is being lowered, to catch `y = y + 1`. */
  private defining?: string;

  constructor(
    private readonly diagnostics: DiagnosticBag,
    private readonly userOps: ReadonlyMap<string, OpDecl>,
    private readonly bindings?: Map<string, Node>,
  ) {}

  graph(decl: GraphDecl): Graph | undefined {
    for (const st of decl.statements) {
      if ((st.kind === "assign" || st.kind === "input" || st.kind === "param") && !this.definedAt.has(st.name)) {
        this.definedAt.set(st.name, st.span);
      }
    }
    const scope = new Map<string, Binding>();
    const values: ValueDecl[] = [];
    const outputs: NamedNode[] = [];
    let gradStatement: Extract<Statement, { kind: "grad" }> | undefined;
    const define = (name: string, span: Span): boolean => {
      if (scope.has(name)) {
        this.diagnostics.error(`"${name}" is already defined; each name is defined once.`, span);
        return false;
      }
      return true;
    };

    for (const st of decl.statements) {
      try {
        switch (st.kind) {
          case "input":
          case "param": {
            if (!define(st.name, st.span)) break;
            const value = this.valueDecl(st);
            scope.set(st.name, value?.node ?? POISON);
            if (value) {
              values.push(value);
              this.bindings?.set(st.name, value.node);
            }
            break;
          }
          case "assign": {
            if (!define(st.name, st.span)) break;
            this.defining = st.name;
            try {
              const node = this.expr(st.expr, scope);
              this.b.nameNode(node, st.name);
              scope.set(st.name, node);
              this.bindings?.set(st.name, node);
            } catch (e) {
              scope.set(st.name, POISON);
              throw e;
            } finally {
              this.defining = undefined;
            }
            break;
          }
          case "output":
            for (const n of st.names) {
              const node = this.tryLookup(n.name, n.span, scope, "output");
              if (node && !outputs.some((o) => o.name === n.name)) outputs.push({ name: n.name, node, span: n.span });
            }
            break;
          case "grad":
            if (gradStatement) this.diagnostics.error("A graph has one `grad` statement.", st.span);
            gradStatement = st;
            break;
        }
      } catch (e) {
        if (!(e instanceof Abandon)) throw e;
      }
    }

    if (outputs.length === 0 && !this.diagnostics.hasErrors) {
      this.diagnostics.error(`Graph "${decl.name}" has no \`output\` statement; say which values it returns.`, decl.span);
    }
    const grad = this.gradSpec(gradStatement, outputs, values, scope);
    if (grad && grad.wrt.length === 0 && !this.diagnostics.hasErrors) {
      this.diagnostics.error(`Graph "${decl.name}" has no inputs or params to differentiate with respect to.`, decl.span);
    }
    if (this.diagnostics.hasErrors || !grad) return undefined;
    return {
      name: decl.name,
      span: decl.span,
      values,
      outputs,
      gradOf: grad.of,
      wrt: grad.wrt,
      grads: [],
      info: this.b.info,
      nodeCount: this.b.nodeCount,
    };
  }

  private gradSpec(
    st: Extract<Statement, { kind: "grad" }> | undefined,
    outputs: readonly NamedNode[],
    values: readonly ValueDecl[],
    scope: ReadonlyMap<string, Binding>,
  ): { of: NamedNode; wrt: NamedNode[] } | undefined {
    if (!st) {
      // Without `grad`: the first output, with respect to every param (or every input).
      const of = outputs[0];
      if (!of) return undefined;
      const params = values.filter((v) => v.kind === "param");
      const chosen = params.length > 0 ? params : values;
      return { of, wrt: chosen.map((v) => ({ name: v.name, node: v.node, span: v.span })) };
    }
    const ofNode = this.tryLookup(st.of.name, st.of.span, scope, "differentiate");
    const wrt: NamedNode[] = [];
    for (const w of st.wrt) {
      const value = values.find((v) => v.name === w.name);
      if (!value) {
        const known = scope.has(w.name);
        this.diagnostics.error(
          known
            ? `Cannot take the gradient with respect to "${w.name}": it is computed, not an input or param.`
            : `"${w.name}" is not defined.${this.suggest(w.name, values.map((v) => v.name))}`,
          w.span,
        );
      } else if (wrt.some((x) => x.name === w.name)) {
        this.diagnostics.error(`"${w.name}" is listed twice after \`wrt\`.`, w.span);
      } else {
        wrt.push({ name: w.name, node: value.node, span: w.span });
      }
    }
    if (!ofNode) return undefined;
    if (!outputs.some((o) => o.name === st.of.name)) {
      this.diagnostics.error(
        `Cannot differentiate "${st.of.name}": it is not an output of the graph; add it to \`output\`.`,
        st.of.span,
      );
      return undefined;
    }
    return { of: { name: st.of.name, node: ofNode, span: st.of.span }, wrt };
  }

  private tryLookup(name: string, span: Span, scope: ReadonlyMap<string, Binding>, use: string): Node | undefined {
    try {
      return this.lookup(name, span, scope, use);
    } catch (e) {
      if (e instanceof Abandon) return undefined;
      throw e;
    }
  }

  private lookup(name: string, span: Span, scope: ReadonlyMap<string, Binding>, use = "use"): Node {
    const found = scope.get(name);
    if (found === POISON) throw new Abandon();
    if (found) return found;
    const later = this.inlining.length === 0 ? this.definedAt.get(name) : undefined;
    if (name === this.defining && this.inlining.length === 0) {
      this.diagnostics.error(`"${name}" is used in its own definition.`, span);
    } else if (later && later.start > span.start) {
      this.diagnostics.error(`"${name}" is used before it is defined (at line ${later.line}); define it first.`, span);
    } else if (this.inlining.length > 0 && this.definedAt.has(name)) {
      const op = this.inlining[this.inlining.length - 1];
      this.diagnostics.error(
        `"${name}" is not defined in op "${op}"; an op sees only its parameters and its own statements.`,
        span,
      );
    } else {
      const what = use === "output" ? `Cannot output "${name}": it is not defined` : `"${name}" is not defined`;
      this.diagnostics.error(`${what}.${this.suggest(name, scope.keys())}`, span);
    }
    throw new Abandon();
  }

  private suggest(name: string, candidates: Iterable<string>): string {
    const near = nearestName(name, candidates);
    return near ? ` Did you mean "${near}"?` : "";
  }

  private valueDecl(st: Extract<Statement, { kind: "input" | "param" }>): ValueDecl | undefined {
    const shape: Dim[] = (st.type ?? []).map((d) => (d.kind === "size" ? d.value : sym(d.name)));
    let literal: TensorLiteral | undefined;
    let initializer: ValueDecl["initializer"];
    if (st.init?.kind === "initializer") {
      initializer = this.initializer(st.init);
    } else if (st.init) {
      literal = this.literal(st.init);
      if (!literal) return undefined;
      if (st.type === undefined && literal.shape.length > 0) {
        shape.push(...literal.shape);
      } else if (!literalFits(literal.shape, shape)) {
        this.diagnostics.error(
          `The value of "${st.name}" has shape ${shapeToString(literal.shape)} but its type is ${shapeToString(shape)}.`,
          st.init.span,
        );
        return undefined;
      }
    }
    if (st.kind === "param") {
      const symbolic = (st.type ?? []).find((d) => d.kind === "symbol");
      if (symbolic) {
        this.diagnostics.error(
          `Param "${st.name}" has the symbolic dimension "${symbolic.kind === "symbol" ? symbolic.name : ""}"; a param's size must be fixed.`,
          symbolic.span,
        );
        return undefined;
      }
    }
    if (literal && shape.some((d) => typeof d !== "number")) {
      this.diagnostics.error(`"${st.name}" has a symbolic dimension, so it cannot have a fixed value.`, st.init!.span);
      return undefined;
    }
    const node = this.b.leaf(st.kind, st.name, shape);
    this.b.info.set(node, { name: st.name, span: st.span });
    return { name: st.name, kind: st.kind, node, span: st.span, literal, initializer };
  }

  private initializer(init: Initializer): ValueDecl["initializer"] {
    const spec = initializers[init.name];
    if (!spec || !Object.prototype.hasOwnProperty.call(initializers, init.name)) {
      const near = nearestName(init.name, Object.keys(initializers));
      this.diagnostics.error(
        near
          ? `Unknown initializer "${init.name}". Did you mean "${near}"?`
          : `Unknown initializer "${init.name}"; the initializers are ${Object.keys(initializers)
              .map((k) => `"${k}"`)
              .join(", ")}.`,
        init.span,
      );
      return undefined;
    }
    if (init.args.length !== spec.args) {
      this.diagnostics.error(
        `Initializer "${init.name}" takes ${spec.args} number${spec.args === 1 ? "" : "s"}, got ${init.args.length}.`,
        init.span,
      );
      return undefined;
    }
    if (init.args.some((a) => !Number.isFinite(a))) {
      this.diagnostics.error(`Initializer "${init.name}" needs finite numbers.`, init.span);
      return undefined;
    }
    return { name: init.name, args: init.args };
  }

  /** A nested list literal as a flat row-major tensor, or undefined if it is ragged. */
  private literal(lit: Literal): TensorLiteral | undefined {
    if (lit.kind === "number") return { shape: [], data: [lit.value] };
    const items = lit.items.map((i) => this.literal(i));
    if (items.some((i) => !i)) return undefined;
    const first = items[0];
    if (!first) {
      this.diagnostics.error("An empty list cannot be a value.", lit.span);
      return undefined;
    }
    if (items.some((i) => shapeToString(i!.shape) !== shapeToString(first.shape))) {
      this.diagnostics.error("The rows of this list have different lengths.", lit.span);
      return undefined;
    }
    return { shape: [items.length, ...first.shape], data: items.flatMap((i) => i!.data) };
  }

  /**
   * Lowers an expression in post-order without recursion, so a long chain like
   * `a + b + c + …` cannot overflow the stack. Every argument is lowered even after one fails,
   * so each mistake is reported once.
   */
  private expr(root: Expr, scope: ReadonlyMap<string, Binding>): Node {
    const done = new Map<Expr, Node | typeof POISON>();
    const stack: { e: Expr; expanded: boolean }[] = [{ e: root, expanded: false }];
    const attempt = (run: () => Node): Node | typeof POISON => {
      try {
        return run();
      } catch (err) {
        if (err instanceof Abandon) return POISON;
        throw err;
      }
    };
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const e = top.e;
      if (e.kind === "call" && !top.expanded) {
        top.expanded = true;
        for (let i = e.args.length - 1; i >= 0; i--) stack.push({ e: e.args[i]!, expanded: false });
        continue;
      }
      stack.pop();
      if (e.kind === "num") done.set(e, this.b.constant(e.value));
      else if (e.kind === "ref") done.set(e, attempt(() => this.lookup(e.name, e.span, scope)));
      else done.set(e, attempt(() => this.call(e, e.args.map((a) => done.get(a)!))));
    }
    const result = done.get(root)!;
    if (result === POISON) throw new Abandon();
    return result;
  }

  private call(e: Extract<Expr, { kind: "call" }>, lowered: readonly (Node | typeof POISON)[]): Node {
    const userOp = this.userOps.get(e.op);
    const def = findOp(e.op);
    if (!def && !userOp) {
      const hint = Object.prototype.hasOwnProperty.call(foreignOps, e.op) ? foreignOps[e.op]!(e.args.map(plainText)) : undefined;
      const near = hint ? undefined : nearestName(e.op, [...opNames, ...this.userOps.keys()]);
      this.diagnostics.error(
        hint ? `Unknown op "${e.op}"; ${hint}.` : `Unknown op "${e.op}".${near ? ` Did you mean "${near}"?` : ""}`,
        e.opSpan,
      );
      throw new Abandon();
    }
    const arity = userOp ? userOp.params.length : def!.params.length;
    if (e.args.length !== arity) {
      const params = (userOp ? userOp.params.map((p) => p.name) : def!.params).join(", ");
      this.diagnostics.error(
        `Op "${e.op}" takes ${arity} argument${arity === 1 ? "" : "s"} (${params}), got ${e.args.length}.`,
        e.span,
      );
      throw new Abandon();
    }
    if (lowered.some((a) => a === POISON)) throw new Abandon();
    const args = lowered as Node[];
    if (userOp) return this.inline(userOp, args, e);
    const attrs: Record<string, number> = {};
    for (const a of e.attrs) {
      const spec = Object.prototype.hasOwnProperty.call(def!.attrs, a.name) ? def!.attrs[a.name] : undefined;
      if (!spec) {
        const known = Object.keys(def!.attrs);
        this.diagnostics.error(
          known.length === 0
            ? `Op "${e.op}" takes no attributes, got "${a.name}".`
            : `Op "${e.op}" has no attribute "${a.name}"; it takes ${known.map((k) => `"${k}"`).join(", ")}.`,
          a.span,
        );
        throw new Abandon();
      }
      const value = a.value === "true" ? 1 : a.value === "false" ? 0 : a.value;
      if (typeof value === "string") {
        const lower = value.toLowerCase();
        this.diagnostics.error(
          lower === "true" || lower === "false"
            ? `Attribute "${a.name}" of "${e.op}" is written "${lower}", not "${value}".`
            : `Attribute "${a.name}" of "${e.op}" takes a number, true or false, not "${value}".`,
          a.span,
        );
        throw new Abandon();
      }
      if (spec.integer && !Number.isInteger(value)) {
        this.diagnostics.error(`Attribute "${a.name}" of "${e.op}" must be a whole number, got ${a.value}.`, a.span);
        throw new Abandon();
      }
      attrs[a.name] = value;
    }
    return this.apply(e.op as OpName, args, attrs, e);
  }

  private apply(op: OpName, args: Node[], attrs: Record<string, number>, e: Extract<Expr, { kind: "call" }>): Node {
    const previous = this.b.span;
    this.b.span = e.span;
    try {
      return this.b.apply(op, args, attrs);
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      const described = e.args.map((a, i) => `${describe(a)} ${shapeToString(args[i]!.shape)}`).join(", ");
      this.diagnostics.error(`Shape mismatch in "${e.op}" (${described}): ${err.message}.`, e.span);
      throw new Abandon();
    } finally {
      this.b.span = previous;
    }
  }

  /** A user-defined op is inlined: its body is lowered with its parameters bound to the arguments. */
  private inline(op: OpDecl, args: Node[], call: Extract<Expr, { kind: "call" }>): Node {
    if (this.inlining.includes(op.name)) {
      this.diagnostics.error(`Op "${op.name}" calls itself; ops cannot be recursive.`, call.opSpan);
      throw new Abandon();
    }
    if (call.attrs.length > 0) {
      this.diagnostics.error(`Op "${op.name}" is user-defined and takes no attributes.`, call.attrs[0]!.span);
      throw new Abandon();
    }
    const scope = new Map<string, Binding>();
    op.params.forEach((p, i) => scope.set(p.name, args[i]!));
    const duplicate = op.params.find((p, i) => op.params.findIndex((q) => q.name === p.name) !== i);
    if (duplicate) {
      this.diagnostics.error(`Op "${op.name}" has two parameters named "${duplicate.name}".`, duplicate.span);
      throw new Abandon();
    }
    this.inlining.push(op.name);
    const reported = this.diagnostics.items.length;
    // Nodes built for this call remember it, so pictures can draw the call as one box.
    const caller = this.b.call;
    this.b.call = { op: op.name, span: call.span, ...(caller ? { caller } : {}) };
    try {
      for (const st of op.body) {
        if (scope.has(st.name)) {
          this.diagnostics.error(`"${st.name}" is already defined in op "${op.name}".`, st.span);
          throw new Abandon();
        }
        scope.set(st.name, this.expr(st.expr, scope));
      }
      return this.expr(op.result, scope);
    } finally {
      this.inlining.pop();
      // A mistake in the body shows at the body; say which call brought it there.
      for (let i = reported; i < this.diagnostics.items.length; i++) {
        const d = this.diagnostics.items[i]!;
        if (d.message.includes(" (in the call of ")) continue;
        this.diagnostics.items[i] = {
          ...d,
          message: `${d.message.replace(/\.$/, "")} (in the call of "${op.name}" at line ${call.span.line}).`,
        };
      }
      this.b.call = caller;
    }
  }
}

/**
 * Ops of other libraries (numpy, PyTorch, TensorFlow) that users reach for, with what to write
 * instead, given the arguments' text.
 */
const foreignOps: Readonly<Record<string, (args: readonly (string | undefined)[]) => string>> = {
  dot: matmulHint,
  mm: matmulHint,
  pow: powerHint,
  power: powerHint,
  reduce_sum: ([x = "x"]) => `write "sum(${x})"`,
  reduce_mean: ([x = "x"]) => `write "mean(${x})"`,
  linear: ([x = "x", w = "W", b = "b"]) => `write "affine(${x}, ${w}, ${b})" or "${x} @ ${w} + ${b}"`,
};

function matmulHint([a = "a", b = "b"]: readonly (string | undefined)[]): string {
  return `write "${a} @ ${b}" or "matmul(${a}, ${b})"`;
}

function powerHint([x = "x"]: readonly (string | undefined)[]): string {
  return `write "square(${x})" for the square, or a product such as "${x} * ${x}"`;
}

/** An argument as it could be written back in a hint: a name or a number (else a stand-in). */
function plainText(e: Expr): string | undefined {
  return e.kind === "ref" ? e.name : e.kind === "num" ? String(e.value) : undefined;
}

function describe(e: Expr): string {
  if (e.kind === "ref") return `"${e.name}"`;
  if (e.kind === "num") return String(e.value);
  return `${e.op}(…)`;
}

/** A literal fits a declared shape when they are equal (symbolic dims never fit a literal). */
function literalFits(literal: readonly number[], declared: Shape): boolean {
  return literal.length === declared.length && literal.every((d, i) => d === declared[i]);
}
