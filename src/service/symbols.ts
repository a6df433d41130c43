// Owns what the names of a graph file refer to, for editors: every graph, op, input, param,
// value, op parameter and symbolic dimension, where each is defined and every place it is used,
// found by walking the compiler's own AST (its spans are the source's). Names resolve as the
// compiler resolves them: a graph's names anywhere in that graph, an op's parameters and
// assignments inside that op, ops and graphs across the file.
import type { Span } from "../diagnostics.js";
import { findOp } from "../ops/registry.js";
import type { Attribute, CallExpr, Expr, GraphDecl, OpDecl, Program, Statement } from "../syntax/ast.js";

/** What a name can stand for. */
export type SymbolKind = "graph" | "op" | "input" | "param" | "value" | "opParam" | "dim";

/** Something a name stands for. */
export interface FileSymbol {
  readonly id: number;
  readonly name: string;
  readonly kind: SymbolKind;
  /** Where it is defined first (its name). */
  readonly definition: Span;
  /** The graph or op it belongs to; absent for graphs and ops themselves. */
  readonly owner?: GraphDecl | OpDecl;
  /** For inputs, params and values: the statement that defines it. */
  readonly statement?: Statement;
}

/** One place a name is written. */
export type Occurrence =
  | { readonly kind: "symbol"; readonly symbol: FileSymbol; readonly span: Span; readonly definition: boolean }
  /** A built-in op called by name or through its operator (`+` is `add`). */
  | { readonly kind: "builtin"; readonly op: string; readonly span: Span; readonly byName: boolean }
  /** An attribute's name in a call (`axis` in `sum(x, axis=0)`), with the op it belongs to. */
  | { readonly kind: "attribute"; readonly op: string; readonly name: string; readonly span: Span }
  /** A name that resolves to nothing (the compiler reports it). */
  | { readonly kind: "unresolved"; readonly name: string; readonly span: Span };

export interface SymbolIndex {
  readonly symbols: readonly FileSymbol[];
  /** Every occurrence, by where it starts. */
  readonly occurrences: readonly Occurrence[];
}

export function indexSymbols(program: Program, source: string): SymbolIndex {
  const symbols: FileSymbol[] = [];
  const occurrences: Occurrence[] = [];
  const make = (name: string, kind: SymbolKind, definition: Span, extra: Partial<FileSymbol> = {}): FileSymbol => {
    const symbol: FileSymbol = { id: symbols.length, name, kind, definition, ...extra };
    symbols.push(symbol);
    occurrences.push({ kind: "symbol", symbol, span: definition, definition: true });
    return symbol;
  };
  const use = (symbol: FileSymbol, span: Span) => occurrences.push({ kind: "symbol", symbol, span, definition: false });

  const ops = new Map<string, FileSymbol>();
  for (const op of program.ops) if (!ops.has(op.name)) ops.set(op.name, make(op.name, "op", op.span));
  const graphs = new Map<string, FileSymbol>();
  for (const g of program.graphs) if (!graphs.has(g.name)) graphs.set(g.name, make(g.name, "graph", g.span));

  /** The calls, references and attributes of an expression, resolved in `scope`. */
  const walk = (root: Expr, scope: ReadonlyMap<string, FileSymbol>) => {
    const stack: Expr[] = [root];
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (e.kind === "ref") {
        const symbol = scope.get(e.name);
        if (symbol) use(symbol, e.span);
        else occurrences.push({ kind: "unresolved", name: e.name, span: e.span });
      } else if (e.kind === "call") {
        callee(e);
        for (const a of e.attrs) attribute(e, a);
        stack.push(...e.args);
      }
    }
  };
  const callee = (e: CallExpr) => {
    const byName = source.slice(e.opSpan.start, e.opSpan.end) === e.op;
    const user = ops.get(e.op);
    if (user && byName) use(user, e.opSpan);
    else if (findOp(e.op)) occurrences.push({ kind: "builtin", op: e.op, span: e.opSpan, byName });
    else occurrences.push({ kind: "unresolved", name: e.op, span: e.opSpan });
  };
  const attribute = (e: CallExpr, a: Attribute) => {
    const nameSpan: Span = { ...a.span, end: a.span.start + a.name.length };
    occurrences.push({ kind: "attribute", op: e.op, name: a.name, span: nameSpan });
  };

  for (const op of program.ops) {
    const owner = op;
    const scope = new Map<string, FileSymbol>();
    for (const p of op.params) if (!scope.has(p.name)) scope.set(p.name, make(p.name, "opParam", p.span, { owner }));
    for (const st of op.body) {
      walk(st.expr, scope);
      const existing = scope.get(st.name);
      if (existing) occurrences.push({ kind: "symbol", symbol: existing, span: st.span, definition: true });
      else scope.set(st.name, make(st.name, "value", st.span, { owner, statement: st }));
    }
    walk(op.result, scope);
  }

  for (const g of program.graphs) {
    const owner = g;
    // A graph's names are known everywhere in it (using one before its definition is an error
    // the compiler reports, but the name still refers to that definition).
    const scope = new Map<string, FileSymbol>();
    const dims = new Map<string, FileSymbol>();
    for (const st of g.statements) {
      if (st.kind !== "input" && st.kind !== "param" && st.kind !== "assign") continue;
      const existing = scope.get(st.name);
      if (existing) occurrences.push({ kind: "symbol", symbol: existing, span: st.span, definition: true });
      else scope.set(st.name, make(st.name, st.kind === "assign" ? "value" : st.kind, st.span, { owner, statement: st }));
      if (st.kind !== "assign") {
        for (const d of st.type ?? []) {
          if (d.kind !== "symbol") continue;
          const dim = dims.get(d.name);
          if (dim) use(dim, d.span);
          else dims.set(d.name, make(d.name, "dim", d.span, { owner }));
        }
      }
    }
    const named = (n: { name: string; span: Span }) => {
      const symbol = scope.get(n.name);
      if (symbol) use(symbol, n.span);
      else occurrences.push({ kind: "unresolved", name: n.name, span: n.span });
    };
    for (const st of g.statements) {
      if (st.kind === "assign") walk(st.expr, scope);
      else if (st.kind === "output") st.names.forEach(named);
      else if (st.kind === "grad") [st.of, ...st.wrt].forEach(named);
    }
  }
  occurrences.sort((a, b) => a.span.start - b.span.start);
  return { symbols, occurrences };
}

/** The occurrence at an offset: the one whose span holds it, or ends right at it (a cursor after a word). */
export function occurrenceAt(index: SymbolIndex, offset: number): Occurrence | undefined {
  let found: Occurrence | undefined;
  for (const o of index.occurrences) {
    if (o.span.start > offset) break;
    if (offset < o.span.end) return o;
    if (offset === o.span.end) found = o;
  }
  return found;
}

/** Every place a symbol is written, its definitions included, in source order. */
export function occurrencesOf(index: SymbolIndex, symbol: FileSymbol): Extract<Occurrence, { kind: "symbol" }>[] {
  return index.occurrences.filter(
    (o): o is Extract<Occurrence, { kind: "symbol" }> => o.kind === "symbol" && o.symbol === symbol,
  );
}
