// The abstract syntax tree: what a graph file says, with a source span on every node.
// Plain readonly data; later stages read it and never change it.
import type { Span } from "../diagnostics.js";

export interface Program {
  readonly graphs: readonly GraphDecl[];
  readonly ops: readonly OpDecl[];
}

export interface Named {
  readonly name: string;
  readonly span: Span;
}

export interface GraphDecl {
  readonly kind: "graph";
  readonly name: string;
  readonly span: Span;
  /** The whole declaration, from `graph` to its closing brace. */
  readonly extent: Span;
  readonly statements: readonly Statement[];
}

export interface OpDecl {
  readonly kind: "op";
  readonly name: string;
  readonly span: Span;
  /** The whole declaration, from `op` to its closing brace. */
  readonly extent: Span;
  readonly params: readonly Named[];
  readonly body: readonly Assignment[];
  readonly result: Expr;
}

export type Statement = ValueDecl | Assignment | OutputDecl | GradDecl;

/** A dimension as written: a positive integer or a symbolic name bound at run time. */
export type DimExpr =
  | { readonly kind: "size"; readonly value: number; readonly span: Span }
  | { readonly kind: "symbol"; readonly name: string; readonly span: Span };

/** A number or nested list literal, as written after `=`. */
export type Literal =
  | { readonly kind: "number"; readonly value: number; readonly span: Span }
  | { readonly kind: "list"; readonly items: readonly Literal[]; readonly span: Span };

export interface Initializer {
  readonly kind: "initializer";
  readonly name: string;
  readonly args: readonly number[];
  readonly span: Span;
}

export interface ValueDecl {
  readonly kind: "input" | "param";
  readonly name: string;
  readonly span: Span;
  /** Absent for a scalar. */
  readonly type?: readonly DimExpr[];
  readonly init?: Literal | Initializer;
}

export interface Assignment {
  readonly kind: "assign";
  readonly name: string;
  readonly span: Span;
  readonly expr: Expr;
}

export interface OutputDecl {
  readonly kind: "output";
  readonly span: Span;
  readonly names: readonly Named[];
}

export interface GradDecl {
  readonly kind: "grad";
  readonly span: Span;
  readonly of: Named;
  readonly wrt: readonly Named[];
}

export type Expr = NumberExpr | RefExpr | CallExpr;

export interface NumberExpr {
  readonly kind: "num";
  readonly value: number;
  readonly span: Span;
}

export interface RefExpr {
  readonly kind: "ref";
  readonly name: string;
  readonly span: Span;
}

/** An op applied to arguments; infix `a + b` and unary `-a` arrive here as `add`, `neg`. */
export interface CallExpr {
  readonly kind: "call";
  readonly op: string;
  readonly span: Span;
  /** The span of the op's name, or of the infix operator. */
  readonly opSpan: Span;
  readonly args: readonly Expr[];
  readonly attrs: readonly Attribute[];
}

export interface Attribute {
  readonly name: string;
  readonly value: number | string;
  readonly span: Span;
}

/** The op each infix operator stands for. */
export const infixOps = { "+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul" } as const;
