// Owns text → AST: runs the Chevrotain lexer from grammar/, has syntax/characters.ts and
// syntax/recovery.ts report what the lexer and the parser cannot read (one error per mistake),
// refuses nesting that could exhaust the stack, and builds the AST from the concrete syntax tree
// (which, with the comments, is also what the formatter, syntax/format.ts, lays out).
import type { CstNode, IToken } from "chevrotain";
import { COMMENTS, graphLexer } from "../../grammar/tokens.js";
import { DiagnosticBag, joinSpans, type Span } from "../diagnostics.js";
import { reportUnknownCharacters } from "./characters.js";
import { edgeToken, kids, nodes, one, tokens } from "./cst.js";
import { parseRepairing, parseReporting } from "./recovery.js";
import { spanOfToken } from "./token-edits.js";
import {
  infixOps,
  type Assignment,
  type Attribute,
  type DimExpr,
  type Expr,
  type GraphDecl,
  type Initializer,
  type Literal,
  type Named,
  type OpDecl,
  type Program,
  type Statement,
} from "./ast.js";

/** The deepest nesting of brackets a file may have. */
export const MAX_NESTING = 128;

/** What the parser reads of a file: its concrete syntax tree, and the tokens and comments under it. */
export interface Syntax {
  readonly cst: CstNode;
  readonly tokens: readonly IToken[];
  /** The comments, in order: the lexer keeps them apart, so the parser never sees them. */
  readonly comments: readonly IToken[];
}

/** Parses a whole file; on any syntax error the program is absent and the bag says why. */
export function parseProgram(source: string, diagnostics: DiagnosticBag): Program | undefined {
  return build(source, parseSyntax(source, diagnostics), diagnostics);
}

/**
 * Parses a whole file for an editor: the bag gets the same syntax errors as parseProgram's, and
 * the program is there as long as the repairs that found them could make the tokens parse, built
 * from the repaired tokens (their spans are the source's), so names can be found and followed
 * while the file has mistakes.
 */
export function parseProgramTolerant(source: string, diagnostics: DiagnosticBag): Program | undefined {
  return build(source, parseSyntax(source, diagnostics, true), diagnostics);
}

function build(source: string, syntax: Syntax | undefined, diagnostics: DiagnosticBag): Program | undefined {
  if (!syntax) return undefined;
  if (syntax.tokens.length === 0) {
    diagnostics.error("The file declares no graph; expected `graph NAME { ... }`.");
    return undefined;
  }
  try {
    return new AstBuilder(diagnostics).file(syntax.cst);
  } catch (e) {
    if (e instanceof RangeError) {
      diagnostics.error("The file is nested too deeply to compile.", spanAt(source, 0, 1, 1, 1));
      return undefined;
    }
    throw e;
  }
}

/**
 * Text → tokens → concrete syntax tree, with nothing built from it yet: what `parseProgram`
 * and the formatter share. On any syntax error it is absent and the bag says why; `tolerant`
 * (for editors) keeps the tree the repairs made parse, built from the repaired tokens.
 */
export function parseSyntax(source: string, diagnostics: DiagnosticBag, tolerant = false): Syntax | undefined {
  const lexed = graphLexer.tokenize(source);
  const clean = reportUnknownCharacters(source, lexed.tokens, lexed.errors, diagnostics);
  // The parser recurses once per nesting level; refuse depths that could exhaust the stack,
  // at the bracket that goes too deep, before parsing.
  let depth = 0;
  let minuses = 0; // a run of unary minus signs nests like brackets: - - - x
  let previous: IToken | undefined;
  for (const t of clean.tokens) {
    const image = t.image;
    if (image === "(" || image === "[" || image === "{") depth++;
    else if (image === ")" || image === "]" || image === "}") depth = Math.max(0, depth - 1);
    const unary = image === "-" && !(previous && /^(?:[)\]]|[\p{L}_\d.])/u.test(previous.image));
    minuses = unary ? minuses + 1 : image === "-" ? 0 : image === "(" ? minuses : 0;
    previous = t;
    if (depth + minuses > MAX_NESTING) {
      diagnostics.error(
        `Expressions nest more than ${MAX_NESTING} levels deep here; name some inner expressions in steps of their own.`,
        spanOfToken(t),
      );
      return undefined;
    }
  }
  let cst: CstNode | undefined;
  try {
    cst = tolerant ? parseRepairing(source, clean, diagnostics).cst : parseReporting(source, clean, diagnostics);
  } catch (e) {
    if (e instanceof RangeError) {
      diagnostics.error("The file is nested too deeply to parse.", spanAt(source, 0, 1, 1, 1));
      return undefined;
    }
    throw e;
  }
  if (!cst || (diagnostics.hasErrors && !tolerant)) return undefined;
  return { cst, tokens: clean.tokens, comments: lexed.groups[COMMENTS] ?? [] };
}

function spanAt(source: string, offset: number, length: number, line?: number, column?: number): Span {
  return {
    start: offset,
    end: Math.min(source.length, offset + Math.max(1, length)),
    line: line ?? 1,
    column: column ?? 1,
  };
}

function spanOfNode(node: CstNode): Span {
  return joinSpans(spanOfToken(edgeToken(node, false)!), spanOfToken(edgeToken(node, true)!));
}

function named(t: IToken): Named {
  return { name: t.image, span: spanOfToken(t) };
}

/** CST → AST. Semantics start here: the grammar in grammar/ has none. */
class AstBuilder {
  constructor(private readonly diagnostics: DiagnosticBag) {}

  file(cst: CstNode): Program {
    const graphs = nodes(cst, "graphDecl").map((n) => this.graph(n));
    const ops = nodes(cst, "opDecl").map((n) => this.op(n));
    return { graphs: sortBySpan(graphs), ops: sortBySpan(ops) };
  }

  graph(cst: CstNode): GraphDecl {
    const name = one(tokens(cst, "Identifier"), "graph name");
    return {
      kind: "graph",
      name: name.image,
      span: spanOfToken(name),
      extent: spanOfNode(cst),
      statements: nodes(cst, "statement").map((s) => this.statement(s)),
    };
  }

  op(cst: CstNode): OpDecl {
    const [name, ...params] = tokens(cst, "Identifier");
    return {
      kind: "op",
      name: name!.image,
      span: spanOfToken(name!),
      extent: spanOfNode(cst),
      params: params.map(named),
      body: nodes(cst, "assignment").map((a) => this.assignment(a)),
      result: this.expr(one(nodes(cst, "expr"), "return expression")),
    };
  }

  statement(cst: CstNode): Statement {
    const [first] = Object.entries(kids(cst)).flatMap(([key, list]) =>
      (list ?? []).map((n) => [key, n as CstNode] as const),
    );
    const [kind, node] = first!;
    switch (kind) {
      case "inputDecl":
        return this.valueDecl(node, "input");
      case "paramDecl":
        return this.valueDecl(node, "param");
      case "assignment":
        return this.assignment(node);
      case "outputDecl":
        return { kind: "output", span: spanOfNode(node), names: tokens(node, "Identifier").map(named) };
      default: {
        const [of, ...wrt] = tokens(node, "Identifier");
        return { kind: "grad", span: spanOfNode(node), of: named(of!), wrt: wrt.map(named) };
      }
    }
  }

  valueDecl(cst: CstNode, kind: "input" | "param"): Statement {
    const name = one(tokens(cst, "Identifier"), "name");
    const typeNode = nodes(cst, "type")[0];
    const literalNode = nodes(cst, "literal")[0];
    const initNode = nodes(cst, "initializer")[0];
    return {
      kind,
      name: name.image,
      span: spanOfToken(name),
      type: typeNode ? nodes(typeNode, "dim").map((d) => this.dim(d)) : undefined,
      init: literalNode ? this.literal(literalNode) : initNode ? this.initializer(initNode) : undefined,
    };
  }

  dim(cst: CstNode): DimExpr {
    const id = tokens(cst, "Identifier")[0];
    if (id) return { kind: "symbol", name: id.image, span: spanOfToken(id) };
    const num = one(tokens(cst, "NumberLiteral"), "dimension");
    const value = Number(num.image);
    if (!Number.isInteger(value) || value < 1 || !Number.isSafeInteger(value)) {
      this.diagnostics.error(
        `A dimension must be a positive whole number or a name, not ${num.image}.`,
        spanOfToken(num),
      );
    }
    return { kind: "size", value, span: spanOfToken(num) };
  }

  literal(cst: CstNode): Literal {
    const num = tokens(cst, "NumberLiteral")[0];
    if (num) {
      const minus = tokens(cst, "Minus")[0];
      const value = Number(num.image);
      return {
        kind: "number",
        value: minus ? -value : value,
        span: minus ? joinSpans(spanOfToken(minus), spanOfToken(num)) : spanOfToken(num),
      };
    }
    return { kind: "list", items: nodes(cst, "literal").map((l) => this.literal(l)), span: spanOfNode(cst) };
  }

  initializer(cst: CstNode): Initializer {
    const name = one(tokens(cst, "Identifier"), "initializer");
    return {
      kind: "initializer",
      name: name.image,
      span: spanOfNode(cst),
      args: nodes(cst, "signed").map((s) => {
        const value = Number(one(tokens(s, "NumberLiteral"), "number").image);
        return tokens(s, "Minus").length > 0 ? -value : value;
      }),
    };
  }

  assignment(cst: CstNode): Assignment {
    const name = one(tokens(cst, "Identifier"), "name");
    return {
      kind: "assign",
      name: name.image,
      span: spanOfToken(name),
      expr: this.expr(one(nodes(cst, "expr"), "expression")),
    };
  }

  /** expr and term share one shape: operands separated by left-associative operators. */
  private infixChain(cst: CstNode, operandRule: string, operators: string[]): Expr {
    const operands = nodes(cst, operandRule);
    const ops = operators
      .flatMap((name) => tokens(cst, name))
      .sort((a, b) => a.startOffset - b.startOffset);
    let left = operandRule === "term" ? this.term(operands[0]!) : this.factor(operands[0]!);
    ops.forEach((opToken, i) => {
      const rightNode = operands[i + 1]!;
      const right = operandRule === "term" ? this.term(rightNode) : this.factor(rightNode);
      left = {
        kind: "call",
        op: infixOps[opToken.image as keyof typeof infixOps],
        span: joinSpans(left.span, right.span),
        opSpan: spanOfToken(opToken),
        args: [left, right],
        attrs: [],
      };
    });
    return left;
  }

  expr(cst: CstNode): Expr {
    return this.infixChain(cst, "term", ["Plus", "Minus"]);
  }

  term(cst: CstNode): Expr {
    return this.infixChain(cst, "factor", ["Star", "Slash", "At"]);
  }

  factor(cst: CstNode): Expr {
    // Unary minus chains are walked iteratively so `- - - x` of any length cannot overflow.
    const minuses: IToken[] = [];
    let node = cst;
    for (;;) {
      const minus = tokens(node, "Minus")[0];
      if (!minus) break;
      minuses.push(minus);
      node = one(nodes(node, "factor"), "operand");
    }
    let result = this.primary(one(nodes(node, "primary"), "operand"));
    for (let i = minuses.length - 1; i >= 0; i--) {
      const minus = minuses[i]!;
      const span = joinSpans(spanOfToken(minus), result.span);
      result =
        result.kind === "num"
          ? { kind: "num", value: -result.value, span }
          : { kind: "call", op: "neg", span, opSpan: spanOfToken(minus), args: [result], attrs: [] };
    }
    return result;
  }

  primary(cst: CstNode): Expr {
    const num = tokens(cst, "NumberLiteral")[0];
    if (num) return { kind: "num", value: Number(num.image), span: spanOfToken(num) };
    const inner = nodes(cst, "expr")[0];
    if (inner) return this.expr(inner);
    const id = one(tokens(cst, "Identifier"), "name");
    if (tokens(cst, "LParen").length === 0) return { kind: "ref", name: id.image, span: spanOfToken(id) };
    const args: Expr[] = [];
    const attrs: Attribute[] = [];
    for (const arg of nodes(cst, "argument")) {
      const expr = nodes(arg, "expr")[0];
      if (expr) {
        args.push(this.expr(expr));
        continue;
      }
      const [key, valueId] = tokens(arg, "Identifier");
      const num = tokens(arg, "NumberLiteral")[0];
      const negative = tokens(arg, "Minus").length > 0;
      const value = num ? (negative ? -Number(num.image) : Number(num.image)) : valueId!.image;
      attrs.push({ name: key!.image, value, span: spanOfNode(arg) });
    }
    const close = tokens(cst, "RParen")[0];
    return {
      kind: "call",
      op: id.image,
      span: close ? joinSpans(spanOfToken(id), spanOfToken(close)) : spanOfToken(id),
      opSpan: spanOfToken(id),
      args,
      attrs,
    };
  }
}

function sortBySpan<T extends { span: Span }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.span.start - b.span.start);
}
