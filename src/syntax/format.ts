// Owns the canonical layout of a graph file (`gradc fmt`; the language server formats with it
// too). The file is read by the compiler's own lexer and parser and printed again from its
// concrete syntax tree: two-space indentation, one statement a line, a blank line between
// declarations and at most one where the file had some between statements, single spaces around
// `=` and binary operators, `, ` after commas, attributes as `name=value`, numbers as written,
// only the parentheses the tree needs, and lists and calls broken over lines only when they do
// not fit in FORMAT_WIDTH columns. Every comment is kept, in order: on its own line above the
// statement it preceded, or after the statement it followed on the same line (the trailing
// comments of consecutive lines aligned). The rules, for users, are in docs/language.md#layout.
import type { CstNode, IToken } from "chevrotain";
import { DiagnosticBag, inSourceOrder, type Diagnostic } from "../diagnostics.js";
import { edgeToken, kids, nodes, one, tokens } from "./cst.js";
import { fill, group, indent, INDENT, line, printDoc, softline, text, textWidth, tokensOf, type Doc } from "./doc.js";
import { parseSyntax, type Syntax } from "./parse.js";

/** The width lines are broken at, where they can be broken: that of the generated modules. */
export const FORMAT_WIDTH = 100;

/** What `formatGraphFile` returns: the formatted text, or the syntax errors that prevent it. */
export interface FormatResult {
  /** The file laid out the canonical way; absent when it has syntax errors. */
  readonly text?: string;
  /** The syntax errors, located; empty when the file was formatted. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Lays a graph file out the canonical way, comments kept; formatting the result again changes
 * nothing, and the file means what it meant. A file with syntax errors is not formatted.
 */
export function formatGraphFile(source: string): FormatResult {
  const diagnostics = new DiagnosticBag();
  const syntax = parseSyntax(source, diagnostics);
  if (!syntax) return { diagnostics: inSourceOrder(diagnostics.items) };
  return { text: layOut(source, syntax), diagnostics: [] };
}

/** What a unit is to the lines around it: a declaration's first line, a statement, or its `}`. */
type Role = "open" | "statement" | "close";

/** A piece of the file printed from its own line: a declaration's header, a statement, a `}`. */
interface Unit {
  readonly role: Role;
  readonly doc: Doc;
  /** The tokens it prints, in order: all of its own but grouping parentheses. */
  readonly printed: readonly IToken[];
  /** Just past its last token in the source (a dropped parenthesis included). */
  readonly end: number;
}

interface Line {
  readonly role: Role | "comment";
  readonly depth: number;
  /** The text, without the indentation of its first line. */
  readonly text: string;
  readonly blankBefore: boolean;
  trailing?: string;
}

function layOut(source: string, syntax: Syntax): string {
  const units = new Printer().units(syntax.cst);
  const commentsAfter = new Map<IToken, string[]>();
  const between: IToken[] = [];
  // A comment between two tokens of a unit goes after the first of them (the printer ends its
  // line there); any other stands between units, on a line of its own or after one. So does one
  // followed only by closing brackets and commas: the printer never breaks a line before those
  // (`normal(0, 1  # b` + newline + `)` prints as `normal(0, 1)  # b`).
  let u = -1;
  for (const comment of syntax.comments) {
    while (u + 1 < units.length && units[u + 1]!.printed[0]!.startOffset < comment.startOffset) u++;
    const unit = units[u];
    const at = unit ? lastBefore(unit.printed, comment.startOffset) : -1;
    if (unit && unit.printed.slice(at + 1).some((t) => !closers.has(t.image))) {
      const after = unit.printed[at]!;
      commentsAfter.set(after, [...(commentsAfter.get(after) ?? []), commentText(comment)]);
    } else {
      between.push(comment);
    }
  }

  const lines: Line[] = [];
  let depth = 0;
  let previousEnd = 0;
  let afterUnit = false;
  const add = (role: Line["role"], start: number, end: number, content: () => string) => {
    const previous = lines[lines.length - 1];
    if (role === "close") depth = 0;
    const blankBefore =
      previous !== undefined &&
      (previous.role === "close" || // a blank line after each declaration
        (previous.role !== "open" && role !== "close" && /\n[^\S\n]*\n/.test(source.slice(previousEnd, start).replace(/\r\n?/g, "\n"))));
    lines.push({ role, depth, text: content(), blankBefore });
    if (role === "open") depth = 1;
    previousEnd = end;
  };
  let c = 0;
  for (const unit of units) {
    const start = unit.printed[0]!.startOffset;
    for (; c < between.length && between[c]!.startOffset < start; c++) addComment(between[c]!);
    add(unit.role, start, unit.end, () =>
      printDoc(unit.doc, { width: FORMAT_WIDTH, indent: depth * INDENT, commentsAfter }),
    );
    afterUnit = true;
  }
  for (; c < between.length; c++) addComment(between[c]!);
  return render(lines);

  function addComment(comment: IToken): void {
    const before = syntax.tokens[lastBefore(syntax.tokens, comment.startOffset)];
    const last = lines[lines.length - 1];
    if (afterUnit && last && before && before.endLine === comment.startLine) {
      last.trailing = commentText(comment);
      previousEnd = comment.endOffset! + 1;
    } else {
      add("comment", comment.startOffset, comment.endOffset! + 1, () => commentText(comment));
    }
    afterUnit = false;
  }
}

/** The tokens a line is never broken before. */
const closers = new Set([")", "]", ","]);

function commentText(comment: IToken): string {
  return comment.image.trimEnd();
}

/** The index of the last token that starts before `offset` (-1 if none does). */
function lastBefore(list: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The lines, indented, with the trailing comments of consecutive one-line statements aligned. */
function render(lines: readonly Line[]): string {
  const width = (l: Line) => {
    const lastLine = l.text.slice(l.text.lastIndexOf("\n") + 1);
    return textWidth(lastLine) + (l.text.includes("\n") ? 0 : l.depth * INDENT);
  };
  const aligned = (l: Line) => l.role === "statement" && l.trailing !== undefined && !l.text.includes("\n");
  const column: number[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i + 1;
    if (aligned(lines[i]!)) while (j < lines.length && aligned(lines[j]!) && !lines[j]!.blankBefore) j++;
    const at = Math.max(...lines.slice(i, j).map(width)) + 2;
    for (let k = i; k < j; k++) column[k] = at;
    i = j;
  }
  let out = "";
  lines.forEach((l, i) => {
    if (l.blankBefore) out += "\n";
    out += " ".repeat(l.depth * INDENT) + l.text;
    if (l.trailing !== undefined) out += " ".repeat(column[i]! - width(l)) + l.trailing;
    out += "\n";
  });
  return out;
}

/** An expression as its tree: parentheses are printed where the tree needs them. */
type Expr =
  | { readonly kind: "leaf"; readonly doc: Doc }
  | { readonly kind: "neg"; readonly minus: IToken; readonly operand: Expr }
  | {
      readonly kind: "chain";
      /** 1: `+`, `-`; 2: `*`, `/`, `@` (tighter). Both are left-associative. */
      readonly level: 1 | 2;
      readonly first: Expr;
      readonly rest: readonly { readonly op: IToken; readonly operand: Expr }[];
    };

/** CST → documents, one unit a line. */
class Printer {
  units(file: CstNode): Unit[] {
    const decls = [...nodes(file, "graphDecl"), ...nodes(file, "opDecl")].sort(
      (a, b) => edgeToken(a, false)!.startOffset - edgeToken(b, false)!.startOffset,
    );
    return decls.flatMap((d) => (d.name === "graphDecl" ? this.graph(d) : this.op(d)));
  }

  private unit(role: Role, doc: Doc, last: IToken): Unit {
    return { role, doc, printed: tokensOf(doc), end: last.endOffset! + 1 };
  }

  private graph(cst: CstNode): Unit[] {
    const brace = one(tokens(cst, "LBrace"), "{");
    const close = one(tokens(cst, "RBrace"), "}");
    const header = [text(one(tokens(cst, "Graph"), "graph")), " ", text(one(tokens(cst, "Identifier"), "name")), " ", text(brace)];
    return [
      this.unit("open", header, brace),
      ...nodes(cst, "statement").map((s) => this.unit("statement", this.statement(s), edgeToken(s, true)!)),
      this.unit("close", text(close), close),
    ];
  }

  private op(cst: CstNode): Unit[] {
    const [name, ...params] = tokens(cst, "Identifier");
    const brace = one(tokens(cst, "LBrace"), "{");
    const close = one(tokens(cst, "RBrace"), "}");
    const result = one(nodes(cst, "expr"), "return expression");
    const header = [
      text(one(tokens(cst, "Op"), "op")),
      " ",
      text(name!),
      this.parenthesised(one(tokens(cst, "LParen"), "("), params.map(text), tokens(cst, "Comma"), one(tokens(cst, "RParen"), ")")),
      " ",
      text(brace),
    ];
    return [
      this.unit("open", header, brace),
      ...nodes(cst, "assignment").map((a) => this.unit("statement", this.assignment(a), edgeToken(a, true)!)),
      this.unit("statement", [text(one(tokens(cst, "Return"), "return")), " ", this.show(this.expr(result))], edgeToken(result, true)!),
      this.unit("close", text(close), close),
    ];
  }

  private statement(cst: CstNode): Doc {
    const [kind, list] = Object.entries(kids(cst)).find(([, items]) => items !== undefined && items.length > 0)!;
    const node = list![0] as CstNode;
    if (kind === "assignment") return this.assignment(node);
    if (kind === "inputDecl" || kind === "paramDecl") return this.valueDecl(node);
    const names = tokens(node, "Identifier");
    const commas = tokens(node, "Comma");
    if (kind === "outputDecl") return [text(one(tokens(node, "Output"), "output")), " ", indent(this.fill(names.map(text), commas))];
    const [of, ...wrt] = names;
    const grad = one(tokens(node, "Grad"), "grad");
    return [text(grad), " ", text(of!), " ", text(one(tokens(node, "Wrt"), "wrt")), " ", indent(this.fill(wrt.map(text), commas))];
  }

  private valueDecl(cst: CstNode): Doc {
    const keyword = tokens(cst, "Input")[0] ?? one(tokens(cst, "Param"), "input or param");
    const parts: Doc[] = [text(keyword), " ", text(one(tokens(cst, "Identifier"), "name"))];
    const type = nodes(cst, "type")[0];
    if (type) {
      const dims = nodes(type, "dim").map((d) => text(edgeToken(d, false)!));
      const open = one(tokens(type, "LBracket"), "[");
      parts.push(text(one(tokens(cst, "Colon"), ":")), " ", text(open), ...this.commaSpaced(dims, tokens(type, "Comma")));
      parts.push(text(one(tokens(type, "RBracket"), "]")));
    }
    const equals = tokens(cst, "Equals")[0];
    if (equals) {
      const literal = nodes(cst, "literal")[0];
      parts.push(" ", text(equals), " ", literal ? this.literal(literal) : this.initializer(one(nodes(cst, "initializer"), "initializer")));
    }
    return parts;
  }

  /** A number list fills its lines; a list of lists takes a line per item when it does not fit on one. */
  private literal(cst: CstNode): Doc {
    if (tokens(cst, "NumberLiteral").length > 0) return this.signed(cst);
    const open = one(tokens(cst, "LBracket"), "[");
    const close = one(tokens(cst, "RBracket"), "]");
    const items = nodes(cst, "literal");
    if (items.length === 0) return [text(open), text(close)];
    const docs = items.map((item) => this.literal(item));
    const commas = tokens(cst, "Comma");
    const numbers = items.every((item) => tokens(item, "NumberLiteral").length > 0);
    const body = numbers ? this.fill(docs, commas) : this.separated(docs, commas, line);
    return group(text(open), indent(softline, body), softline, text(close));
  }

  private initializer(cst: CstNode): Doc {
    const name = text(one(tokens(cst, "Identifier"), "initializer"));
    const open = tokens(cst, "LParen")[0];
    if (!open) return name;
    const args = nodes(cst, "signed").map((s) => this.signed(s));
    return [name, text(open), ...this.commaSpaced(args, tokens(cst, "Comma")), text(one(tokens(cst, "RParen"), ")"))];
  }

  /** `[-] number`, in a literal, an initializer's arguments or an attribute. */
  private signed(cst: CstNode): Doc {
    const minus = tokens(cst, "Minus")[0];
    const number = text(one(tokens(cst, "NumberLiteral"), "number"));
    return minus ? [text(minus), number] : number;
  }

  private assignment(cst: CstNode): Doc {
    const name = text(one(tokens(cst, "Identifier"), "name"));
    return [name, " ", text(one(tokens(cst, "Equals"), "=")), " ", this.show(this.expr(one(nodes(cst, "expr"), "expression")))];
  }

  /** `a, b, c`, never broken: dimensions, an initializer's numbers. */
  private commaSpaced(items: readonly Doc[], commas: readonly IToken[]): Doc[] {
    return this.separated(items, commas, " ");
  }

  /** Items with their commas and `separator` after each comma. */
  private separated(items: readonly Doc[], commas: readonly IToken[], separator: Doc): Doc[] {
    return items.flatMap((item, i) => (i < items.length - 1 ? [item, text(commas[i]!), separator] : [item]));
  }

  /** Items with their commas, as many a line as fit. */
  private fill(items: readonly Doc[], commas: readonly IToken[]): Doc {
    return fill(items.flatMap((item, i) => (i < items.length - 1 ? [[item, text(commas[i]!)], line] : [item])));
  }

  /** `(a, b)` as one group: on one line, or an item a line. */
  private parenthesised(open: IToken, items: readonly Doc[], commas: readonly IToken[], close: IToken): Doc {
    if (items.length === 0) return [text(open), text(close)];
    return group(text(open), indent(softline, this.separated(items, commas, line)), softline, text(close));
  }

  // ── expressions ──────────────────────────────────────────────────────────────────────────

  private expr(cst: CstNode): Expr {
    return this.chain(cst, 1, nodes(cst, "term").map((t) => this.term(t)), ["Plus", "Minus"]);
  }

  private term(cst: CstNode): Expr {
    return this.chain(cst, 2, nodes(cst, "factor").map((f) => this.factor(f)), ["Star", "Slash", "At"]);
  }

  /** Operands joined by left-associative operators; `(a + b) + c` is the chain `a + b + c`. */
  private chain(cst: CstNode, level: 1 | 2, operands: readonly Expr[], operators: readonly string[]): Expr {
    const ops = operators.flatMap((name) => tokens(cst, name)).sort((a, b) => a.startOffset - b.startOffset);
    const first = operands[0]!;
    if (ops.length === 0) return first;
    const rest = ops.map((op, i) => ({ op, operand: operands[i + 1]! }));
    if (first.kind === "chain" && first.level === level) return { kind: "chain", level, first: first.first, rest: [...first.rest, ...rest] };
    return { kind: "chain", level, first, rest };
  }

  private factor(cst: CstNode): Expr {
    const minuses: IToken[] = [];
    let node = cst;
    for (let minus = tokens(node, "Minus")[0]; minus; minus = tokens(node, "Minus")[0]) {
      minuses.push(minus);
      node = one(nodes(node, "factor"), "operand");
    }
    let result = this.primary(one(nodes(node, "primary"), "operand"));
    for (let i = minuses.length - 1; i >= 0; i--) result = { kind: "neg", minus: minuses[i]!, operand: result };
    return result;
  }

  private primary(cst: CstNode): Expr {
    const number = tokens(cst, "NumberLiteral")[0];
    if (number) return { kind: "leaf", doc: text(number) };
    const inner = nodes(cst, "expr")[0];
    if (inner) return this.expr(inner); // its parentheses are printed again if the tree needs them
    const name = text(one(tokens(cst, "Identifier"), "name"));
    const open = tokens(cst, "LParen")[0];
    if (!open) return { kind: "leaf", doc: name };
    const args = nodes(cst, "argument").map((a) => this.argument(a));
    return { kind: "leaf", doc: [name, this.parenthesised(open, args, tokens(cst, "Comma"), one(tokens(cst, "RParen"), ")"))] };
  }

  private argument(cst: CstNode): Doc {
    const expr = nodes(cst, "expr")[0];
    if (expr) return this.show(this.expr(expr));
    const [key, valueName] = tokens(cst, "Identifier");
    const minus = tokens(cst, "Minus")[0];
    const value = text(tokens(cst, "NumberLiteral")[0] ?? valueName!);
    return [text(key!), text(one(tokens(cst, "Equals"), "=")), ...(minus ? [text(minus)] : []), value];
  }

  /** The expression with the parentheses its tree needs, and no others. */
  private show(e: Expr): Doc {
    if (e.kind === "leaf") return e.doc;
    if (e.kind === "neg") {
      // `-(-x)`, not `--x` or `- -x`; `-(a + b)` keeps its parentheses: `-a + b` is `(-a) + b`.
      const operand = e.operand.kind === "leaf" ? this.show(e.operand) : this.parens(this.show(e.operand));
      return [text(e.minus), operand];
    }
    const operand = (x: Expr, left: boolean) =>
      x.kind === "chain" && (left ? x.level < e.level : x.level <= e.level) ? this.parens(this.show(x)) : this.show(x);
    return group(operand(e.first, true), indent(e.rest.map((r) => [line, text(r.op), " ", operand(r.operand, false)])));
  }

  private parens(inner: Doc): Doc {
    return group("(", indent(softline, inner), softline, ")");
  }
}
