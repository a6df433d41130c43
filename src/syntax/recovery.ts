// Owns syntax errors: one mistake, one located message. The parser's first error is looked at
// with the tokens around it and told in words that fit the likely mistake (a missing comma, a
// keyword as a name, an unclosed bracket, a statement outside a graph, `**`, …); then the token
// stream is repaired and parsed again, so the next error found is a mistake of its own and
// several independent mistakes are all reported in one run, each once.
//
// A repair counts as verified when a trial parse of the repaired tokens takes PAST_ERROR tokens
// after it without an error (the classic test of Burke and Fisher's repairs): a guess that does
// not fit falls through to the next, plainer reading. When no reading's repair fits, the message
// stays and the parser resynchronises by dropping the broken line. The parser itself stops at
// its first error (Chevrotain's recovery is off): its guesses past that point were the source
// of the cascades this module exists to prevent.
import type { CstNode, IRecognitionException, IToken, TokenType } from "chevrotain";
import { graphParser } from "../../grammar/parser.js";
import * as T from "../../grammar/tokens.js";
import { MAX_DIAGNOSTICS, nearestName, type DiagnosticBag, type Span } from "../diagnostics.js";
import type { CleanTokens } from "./characters.js";
import {
  adjacent,
  endOfFile,
  firstOnLine,
  inserted,
  justAfter,
  lastOnLine,
  replaced,
  retyped,
  spanOf,
  spanOfToken,
  without,
} from "./token-edits.js";

/** Parses one file may take, repairs included: enough for MAX_DIAGNOSTICS mistakes. */
const MAX_ROUNDS = 4 * MAX_DIAGNOSTICS;

/** A repair must let the parser take this many tokens after it before the next error. */
const PAST_ERROR = 4;

/** A trial parse looks no further than this many tokens past the repair. */
const TRIAL_AHEAD = 50;

/** Echoes on one line that get a full reading before the line is simply dropped. */
const READINGS_PER_LINE = 2;

interface ParseError {
  /** Index of the offending token in the stream; the stream's length for the end of the file. */
  readonly index: number;
  readonly exception: IRecognitionException;
}

function parse(tokens: IToken[]): { cst: CstNode; error?: ParseError } {
  graphParser.input = tokens;
  const cst = graphParser.file();
  let first: ParseError | undefined;
  for (const exception of graphParser.errors) {
    const found = tokens.indexOf(exception.token);
    const index = found === -1 ? tokens.length : found;
    if (!first || index < first.index) first = { index, exception };
  }
  return { cst, error: first };
}

/**
 * Parses the tokens, reporting each syntax error once and repairing the stream past it. Returns
 * the concrete syntax tree when there is no syntax error.
 */
export function parseReporting(source: string, clean: CleanTokens, diagnostics: DiagnosticBag): CstNode | undefined {
  const { cst, repaired } = parseRepairing(source, clean, diagnostics);
  return repaired ? undefined : cst;
}

/**
 * As parseReporting, and also the tree of the repaired tokens when there were mistakes (each
 * made-up token sits at the place of the one it precedes): what an editor navigates while the
 * file does not parse. `repaired` says whether any repair was made.
 */
export function parseRepairing(
  source: string,
  clean: CleanTokens,
  diagnostics: DiagnosticBag,
): { cst?: CstNode; repaired: boolean } {
  let tokens = clean.tokens;
  const toldKeys = new Set<string>();
  const readings = new Map<number, number>();
  let told = 0;
  for (let round = 0; round < MAX_ROUNDS && told < MAX_DIAGNOSTICS; round++) {
    const { cst, error } = parse(tokens);
    if (!error) return { cst, repaired: round > 0 };
    const at = tokens[error.index];
    const line = at ? at.startLine! : endOfFile(source).line;
    const diagnosis = new Diagnosis(source, tokens, error);
    let next: IToken[];
    if (clean.reportedLines.has(line) || (at !== undefined && clean.quiet.has(at))) {
      // An echo of an error already told here: repair it as well as we can, quietly.
      const count = (readings.get(line) ?? 0) + 1;
      readings.set(line, count);
      const finding = count <= READINGS_PER_LINE ? diagnosis.finding() : undefined;
      if (finding?.key !== undefined) toldKeys.add(finding.key);
      next = finding?.verified ? finding.tokens : diagnosis.resynchronise(finding?.tokens);
    } else {
      const finding = diagnosis.finding();
      const repeated = finding.key !== undefined && toldKeys.has(finding.key);
      if (!repeated && !clean.reportedLines.has(finding.span.line)) {
        diagnostics.error(finding.message, finding.span);
        clean.reportedLines.add(finding.span.line);
        told++;
      }
      if (finding.key !== undefined) toldKeys.add(finding.key);
      next = finding.verified ? finding.tokens : diagnosis.resynchronise(finding.tokens);
    }
    if (next === tokens) break; // nothing left to repair: the end of the file
    tokens = next;
  }
  return { repaired: true };
}

interface Finding {
  readonly message: string;
  readonly span: Span;
  /** The tokens with the mistake repaired, or at least skipped. */
  readonly tokens: IToken[];
  /** Whether a trial parse showed the repair to fit; if not, the caller resynchronises. */
  readonly verified: boolean;
  /** Findings with the same key are told once (a keyword used as a name, each time it is used). */
  readonly key?: string;
}

/** A bracket that is open at the error, and the declaration it opens when it is a `{`. */
interface Opener {
  readonly token: IToken;
  readonly decl?: { readonly kind: "graph" | "op"; readonly name: string };
}

const closerOf = new Map<TokenType, TokenType>([
  [T.LParen, T.RParen],
  [T.LBracket, T.RBracket],
  [T.LBrace, T.RBrace],
]);
const openerOf = new Map<TokenType, TokenType>([...closerOf].map(([open, close]) => [close, open]));
const declarationKeywords = new Set<TokenType>([T.Graph, T.Op]);
const statementKeywords = new Set<TokenType>([T.Input, T.Param, T.Output, T.Grad, T.Wrt, T.Return]);
const keywordTypes = new Set<TokenType>([...declarationKeywords, ...statementKeywords]);
/** After these, a keyword on the same line was meant as a name. */
const nameExpectedAfter = new Set<TokenType>([
  ...keywordTypes,
  ...[T.Comma, T.LParen, T.Equals, T.Plus, T.Minus, T.Star, T.Slash, T.At],
]);
const operandEnd = new Set<TokenType>([T.Identifier, T.NumberLiteral, T.RParen, T.RBracket]);
const operandStart = new Set<TokenType>([T.Identifier, T.NumberLiteral, T.LBracket]);
const tokenByLabel = new Map<string, TokenType>(T.allTokens.filter((t) => t.LABEL).map((t) => [t.LABEL!, t]));
const isEndOfOp = (type: TokenType) => type === T.RBrace || declarationKeywords.has(type);
/** Words other languages declare functions with. */
const functionWords = new Set(["def", "function", "fn", "func", "fun", "lambda"]);

/** Works out what one parse error means, and how to repair it. */
class Diagnosis {
  private readonly i: number;
  /** The offending token; undefined at the end of the file. */
  private readonly t: IToken | undefined;
  /** The token before it. */
  private readonly p: IToken | undefined;
  private readonly expected: string[];
  private readonly rules: readonly string[];
  /** The brackets open at the error, innermost last. */
  private readonly open: Opener[] = [];
  /** Where the declaration holding the error starts: trial parses begin there. */
  private readonly declStart: number = 0;
  /** The graph whose `}` came last before the error, for statements written after it. */
  private readonly closedGraph?: { readonly name: string; readonly line: number };

  constructor(
    private readonly source: string,
    private readonly tokens: IToken[],
    error: ParseError,
  ) {
    this.i = error.index;
    this.t = tokens[this.i];
    this.p = tokens[this.i - 1];
    this.expected = expectedOf(error.exception.message);
    this.rules = error.exception.context.ruleStack;
    // The tokens before the first error parsed, so their brackets nest properly.
    for (let k = 0; k < this.i; k++) {
      const type = tokens[k]!.tokenType;
      if (closerOf.has(type)) {
        const head = tokens[this.declStart];
        const name = tokens[this.declStart + 1];
        const kind = head?.tokenType === T.Graph ? "graph" : head?.tokenType === T.Op ? "op" : undefined;
        const opensDecl = type === T.LBrace && this.open.length === 0 && kind !== undefined && name !== undefined;
        this.open.push({ token: tokens[k]!, decl: opensDecl ? { kind, name: name.image } : undefined });
      } else if (openerOf.has(type)) {
        const closed = this.open.pop();
        if (closed?.decl?.kind === "graph" && this.open.length === 0) {
          this.closedGraph = { name: closed.decl.name, line: tokens[k]!.startLine! };
        }
      } else if (declarationKeywords.has(type) && this.open.length === 0) {
        this.declStart = k;
        this.closedGraph = undefined;
      }
    }
  }

  /** The first reading of the error that fits, from the most specific to the plainest. */
  finding(): Finding {
    return (
      this.doubleSlash() ??
      this.power() ??
      this.keywordAsName() ??
      this.strayCloser() ??
      this.trailingComma() ??
      this.missingComma() ??
      this.missingColon() ??
      this.typeAfterEquals() ??
      this.outsideGraph() ??
      this.returnInGraph() ??
      this.opBody() ??
      this.endsWithOperator() ??
      this.strayWord() ??
      this.expectedToken() ??
      this.plain()
    );
  }

  // --- the readings --------------------------------------------------------------------------

  /** `// text`: a comment in another language's syntax. */
  private doubleSlash(): Finding | undefined {
    const { t, p } = this;
    const next = this.tokens[this.i + 1];
    const first =
      t?.tokenType === T.Slash && next?.tokenType === T.Slash && adjacent(t, next)
        ? this.i
        : p?.tokenType === T.Slash && t?.tokenType === T.Slash && adjacent(p, t)
          ? this.i - 1
          : undefined;
    if (first === undefined) return undefined;
    const repaired = without(this.tokens, first, lastOnLine(this.tokens, first) - first + 1);
    return {
      message: 'Comments start with "#"; "//" does not start a comment.',
      span: spanOf(this.tokens[first]!, this.tokens[first + 1]!),
      tokens: repaired,
      verified: this.fits(repaired, first),
    };
  }

  /** `x ** 2`: there is no power operator. */
  private power(): Finding | undefined {
    const { t, p } = this;
    if (!(t?.tokenType === T.Star && p?.tokenType === T.Star && adjacent(p, t))) return undefined;
    const base = this.tokens[this.i - 2];
    const x = base?.tokenType === T.Identifier ? base.image : "x";
    const repaired = without(this.tokens, this.i, 1);
    return {
      message: `"**" is not an operator; write "square(${x})" or "${x} * ${x}".`,
      span: spanOf(p, t),
      tokens: repaired,
      verified: this.fits(repaired, this.i),
    };
  }

  /**
   * `output = a @ b`, `input grad`, `relu(input)`: a keyword where a name belongs. The repair
   * reads it as a name there and wherever else it stands in a name's place, so that using the
   * name again is not a new error.
   */
  private keywordAsName(): Finding | undefined {
    for (const j of [this.i, this.i - 1]) {
      const k = this.tokens[j];
      if (!k || j < this.declStart || !keywordTypes.has(k.tokenType) || !this.meantAsName(j)) continue;
      const repaired = [...this.tokens];
      for (let at = j; at < repaired.length; at++) {
        if (at === j || (repaired[at]!.tokenType === k.tokenType && this.meantAsName(at))) {
          repaired[at] = retyped(repaired[at]!, T.Identifier);
        }
      }
      if (!this.fits(repaired, j + 1)) continue;
      return {
        message: `"${k.image}" is a keyword; it cannot be used as a name.`,
        span: spanOfToken(k),
        tokens: repaired,
        verified: true,
        key: `keyword ${k.image}`,
      };
    }
    return undefined;
  }

  /** A keyword followed by `=`, or after a token that wants a name, on the same line. */
  private meantAsName(j: number): boolean {
    const k = this.tokens[j]!;
    const before = this.tokens[j - 1];
    const after = this.tokens[j + 1];
    return (
      (after?.tokenType === T.Equals && after.startLine === k.startLine) ||
      (before !== undefined && before.startLine === k.startLine && nameExpectedAfter.has(before.tokenType))
    );
  }

  /**
   * A closing bracket that closes nothing (`y = relu(x))`), or the wrong one (`f(x]`), or one
   * that closes too early (`op f() x) {`).
   */
  private strayCloser(): Finding | undefined {
    const { t, p } = this;
    const early = t && p && !openerOf.has(t.tokenType) && (p.tokenType === T.RParen || p.tokenType === T.RBracket);
    if (early && p.startLine === t.startLine) {
      const repaired = without(this.tokens, this.i - 1, 1);
      if (this.fits(repaired, this.i - 1) && !this.fits(inserted(this.tokens, this.i, T.Comma, ","), this.i + 1)) {
        return { message: `Unexpected "${p.image}" before "${t.image}".`, span: spanOfToken(p), tokens: repaired, verified: true };
      }
    }
    if (!t || !openerOf.has(t.tokenType)) return undefined;
    // Where an operand is due (`x + )`), "Expected … after "+"" says more; see expectedToken.
    if (this.expected.includes("a name")) return undefined;
    const top = this.open[this.open.length - 1];
    if (top && closerOf.get(top.token.tokenType) === t.tokenType) return undefined;
    const opener = openerOf.get(t.tokenType)!;
    if (!this.open.some((o) => o.token.tokenType === opener)) {
      const repaired = without(this.tokens, this.i, 1);
      return {
        message: `Unexpected "${t.image}"; there is no "${opener.LABEL!.slice(1, -1)}" before it to close.`,
        span: spanOfToken(t),
        tokens: repaired,
        verified: this.fits(repaired, this.i),
      };
    }
    const closer = closerOf.get(top!.token.tokenType)!;
    const repaired = replaced(this.tokens, this.i, closer);
    if (!this.fits(repaired, this.i + 1)) return undefined;
    return {
      message: `Expected ${closer.LABEL} ${this.toClose(top!)} but found "${t.image}".`,
      span: spanOfToken(t),
      tokens: repaired,
      verified: true,
    };
  }

  /** `output x,` at the end of a line, `f(a, b,)`, `[1, 2,]`. */
  private trailingComma(): Finding | undefined {
    for (const j of [this.i - 1, this.i - 2]) {
      const comma = this.tokens[j];
      if (comma?.tokenType !== T.Comma || j < this.declStart) continue;
      const next = this.tokens[j + 1];
      if (next && next.startLine === comma.startLine && !openerOf.has(next.tokenType)) continue;
      const repaired = without(this.tokens, j, 1);
      if (!this.fits(repaired, j)) continue;
      return {
        message: 'A list cannot end with ","; remove the trailing comma.',
        span: spanOfToken(comma),
        tokens: repaired,
        verified: true,
      };
    }
    return undefined;
  }

  /** `output y z`, `grad y wrt x w`, `relu(x y)`, `[1 2]`. */
  private missingComma(): Finding | undefined {
    for (const j of [this.i, this.i - 1]) {
      const a = this.tokens[j - 1];
      const b = this.tokens[j];
      if (!a || !b || j - 1 < this.declStart || a.startLine !== b.startLine) continue;
      if (!operandEnd.has(a.tokenType) || !operandStart.has(b.tokenType)) continue;
      const repaired = inserted(this.tokens, j, T.Comma, ",");
      if (!this.fits(repaired, j + 1)) continue;
      const names = a.tokenType === T.Identifier && b.tokenType === T.Identifier ? "the names " : "";
      return {
        message: `Expected "," between ${names}"${a.image}" and "${b.image}"; a comma is missing.`,
        span: spanOfToken(b),
        tokens: repaired,
        verified: true,
      };
    }
    return undefined;
  }

  /** `input x [3]`. */
  private missingColon(): Finding | undefined {
    const { t, p } = this;
    const head = this.tokens[this.i - 2];
    if (t?.tokenType !== T.LBracket || p?.tokenType !== T.Identifier) return undefined;
    if (head?.tokenType !== T.Input && head?.tokenType !== T.Param) return undefined;
    const repaired = inserted(this.tokens, this.i, T.Colon, ":");
    if (!this.fits(repaired, this.i + 1)) return undefined;
    return {
      message: `Expected ":" between "${p.image}" and its type.`,
      span: spanOfToken(t),
      tokens: repaired,
      verified: true,
    };
  }

  /** `input x = [N, 784]`: a type written where a value goes. */
  private typeAfterEquals(): Finding | undefined {
    if (this.t?.tokenType !== T.Identifier) return undefined;
    let j = this.i - 1;
    const inList = [T.LBracket, T.Comma, T.NumberLiteral, T.Minus];
    while (j > this.declStart && inList.includes(this.tokens[j]!.tokenType)) j--;
    const equals = this.tokens[j];
    const head = this.tokens[j - 2];
    if (equals?.tokenType !== T.Equals || this.tokens[j + 1]?.tokenType !== T.LBracket) return undefined;
    if (head?.tokenType !== T.Input && head?.tokenType !== T.Param) return undefined;
    const repaired = replaced(this.tokens, j, T.Colon);
    if (!this.fits(repaired, j + 1)) return undefined;
    return {
      message: `Expected ":" before the type of "${this.tokens[j - 1]!.image}"; "=" gives a value, not a type.`,
      span: spanOfToken(equals),
      tokens: repaired,
      verified: true,
    };
  }

  /** `x = 1`, `input x`, `def f(x)` or `grpah g {` where only `graph` and `op` may stand. */
  private outsideGraph(): Finding | undefined {
    const { t } = this;
    // Between declarations the parser reports input it cannot use (an empty rule stack).
    if (!t || this.open.length > 0 || this.rules.length > 1) return undefined;
    const next = this.tokens[this.i + 1];
    const after = this.tokens[this.i + 2];
    if (t.tokenType === T.Identifier && next?.tokenType === T.Identifier) {
      const word = t.image.toLowerCase();
      const declaration = functionWords.has(word) && after?.tokenType === T.LParen ? T.Op
        : nearestName(word, ["graph"]) && after?.tokenType === T.LBrace ? T.Graph
        : undefined;
      const repaired = declaration && replaced(this.tokens, this.i, declaration);
      if (declaration && repaired && this.fits(repaired, this.i + 1)) {
        return {
          message: declaration === T.Op
            ? `Ops are declared with "op", not "${t.image}": \`op NAME(a, b) { ... }\`.`
            : `Expected "graph" or "op" but found "${t.image}". Did you mean "graph"?`,
          span: spanOfToken(t),
          tokens: repaired,
          verified: true,
        };
      }
    }
    if (t.tokenType === T.Identifier && next?.tokenType === T.LBrace) {
      const repaired = inserted(this.tokens, this.i, T.Graph, "graph");
      if (this.fits(repaired, this.i + 1)) {
        return {
          message: `Expected "graph" before "${t.image}".`,
          span: spanOfToken(t),
          tokens: repaired,
          verified: true,
        };
      }
    }
    const statement = statementKeywords.has(t.tokenType) || (t.tokenType === T.Identifier && next?.tokenType === T.Equals);
    const message = !statement
      ? `Expected "graph" or "op" but found "${t.image}".`
      : this.closedGraph && this.p?.tokenType === T.RBrace
        ? `This statement comes after the "}" that ends graph "${this.closedGraph.name}" (line ${this.closedGraph.line}); statements belong inside \`graph NAME { ... }\`.`
        : "Statements belong inside a graph: `graph NAME { ... }`.";
    // Everything up to the next declaration is skipped: there is nothing to parse it as.
    return { message, span: spanOfToken(t), tokens: this.skipToDeclaration(), verified: true };
  }

  /** `return y` in a graph, which says what it gives with `output`. */
  private returnInGraph(): Finding | undefined {
    const { t } = this;
    if (t?.tokenType !== T.Return || this.open.length !== 1 || this.open[0]!.decl?.kind !== "graph") return undefined;
    const repaired = replaced(this.tokens, this.i, T.Output);
    return {
      message: 'A graph has no "return"; name the values it gives with `output NAME`.',
      span: spanOfToken(t),
      tokens: repaired,
      verified: this.fits(repaired, this.i + 1),
    };
  }

  /**
   * `op f(x) { y = x }` or `op f(x) { relu(x) }` without a `return`, or statements after an
   * op's `return`.
   */
  private opBody(): Finding | undefined {
    const { t, p } = this;
    const op = this.open.length === 1 ? this.open[0]!.decl : undefined;
    if (op?.kind !== "op" || this.expected.length !== 1) return undefined;
    const rule = this.rules[this.rules.length - 1];
    const opensLine = p !== undefined && this.tokens[this.i - 2]?.startLine !== p.startLine;
    if (rule === "assignment" && this.rules[this.rules.length - 2] === "opDecl" && this.expected[0] === '"="' && p && opensLine) {
      // `relu(x)` on a line of its own: the result, without its `return`.
      const repaired = inserted(this.tokens, this.i - 1, T.Return, "return");
      if (!this.fits(repaired, this.i + 1)) return undefined;
      return {
        message: `Expected "return" before "${p.image}"; an op's body ends with \`return EXPR\`.`,
        span: spanOfToken(p),
        tokens: repaired,
        verified: true,
      };
    }
    if (rule !== "opDecl") return undefined;
    if (this.expected[0] === '"return"' && t?.tokenType === T.RBrace) {
      const repaired = inserted(inserted(this.tokens, this.i, T.Return, "return"), this.i + 1, T.Identifier, "_");
      return {
        message: `Op "${op.name}" has no "return"; its body ends with \`return EXPR\`.`,
        span: spanOfToken(t),
        tokens: repaired,
        verified: true, // the op now ends well; what follows it is for the next round
      };
    }
    if (this.expected[0] === '"}"' && t && !openerOf.has(t.tokenType) && !declarationKeywords.has(t.tokenType)) {
      // Skip to the op's "}" (statements have no braces), or to the next declaration.
      let end = this.i;
      while (end < this.tokens.length && !isEndOfOp(this.tokens[end]!.tokenType)) end++;
      return {
        message: `"return" ends op "${op.name}"; nothing may follow it in the body.`,
        span: spanOfToken(t),
        tokens: without(this.tokens, this.i, end - this.i),
        verified: true,
      };
    }
    return undefined;
  }

  /**
   * A word that the parser took as the start of a new statement in the middle of a line
   * (`y = relu x`, `input x = 1 2`): the statement before it ended early.
   */
  private strayWord(): Finding | undefined {
    const { t, p } = this;
    let culprit: number | undefined;
    const assignment = this.rules[this.rules.length - 1] === "assignment" && this.expected[0] === '"="';
    const keywordNext = t !== undefined && statementKeywords.has(t.tokenType) && t.startLine === p?.startLine;
    if (assignment && p && this.i - 2 >= this.declStart && (this.tokens[this.i - 2]!.startLine === p.startLine || keywordNext)) {
      culprit = this.i - 1;
    } else if (this.bodyEnded() && t && p && t.startLine === p.startLine && !declarationKeywords.has(t.tokenType)) {
      culprit = this.i;
    }
    if (culprit === undefined) return undefined;
    const word = this.tokens[culprit]!;
    const repaired = without(this.tokens, culprit, 1);
    const before = this.tokens[culprit - 1]!;
    const where = before.startLine === word.startLine ? `after "${before.image}"` : `before "${t!.image}"`;
    return {
      message: `Unexpected "${word.image}" ${where}.`,
      span: spanOfToken(word),
      tokens: repaired,
      verified: this.fits(repaired, culprit),
    };
  }

  /**
   * `y = a *` or `param b: [3] =` at the end of a line: the parser took the name that starts
   * the next line as the missing operand, and stopped at its `=`.
   */
  private endsWithOperator(): Finding | undefined {
    const { t, p } = this;
    const o = this.tokens[this.i - 2];
    if (t?.tokenType !== T.Equals || p?.tokenType !== T.Identifier || !o || o.startLine === p.startLine) return undefined;
    if (![T.Plus, T.Minus, T.Star, T.Slash, T.At, T.Equals].includes(o.tokenType) || this.i - 2 < this.declStart) return undefined;
    const repaired = inserted(this.tokens, this.i - 1, T.NumberLiteral, "0");
    if (!this.fits(repaired, this.i)) return undefined;
    return {
      message: `Expected a value after "${o.image}" but found the end of the line.`,
      span: justAfter(o),
      tokens: repaired,
      verified: true,
    };
  }

  /**
   * The parser expected a token here: put it in, or take out the one in the way, whichever
   * lets the parser go furthest.
   */
  private expectedToken(): Finding | undefined {
    const candidates: { tokens: IToken[]; from: number; inserted?: TokenType }[] = [];
    const insert = (type: TokenType, image: string) =>
      candidates.push({ tokens: inserted(this.tokens, this.i, type, image), from: this.i + 1, inserted: type });
    const single = this.expected.length === 1 ? tokenByLabel.get(this.expected[0]!) : undefined;
    if (single && single !== T.Identifier && single !== T.NumberLiteral) insert(single, single.LABEL!.slice(1, -1));
    // A stand-in where an operand or a name is due.
    if (this.expected.includes("a number")) insert(T.NumberLiteral, "0");
    if (this.expected.includes("a name") || (this.statementsEnded() && this.t?.tokenType === T.Equals)) {
      insert(T.Identifier, "_");
    }
    if (this.t) candidates.push({ tokens: without(this.tokens, this.i, 1), from: this.i });
    let best: (typeof candidates)[number] | undefined;
    let bestReach = -Infinity;
    for (const c of candidates) {
      const reach = this.reach(c.tokens, c.from) - c.from;
      if (reach >= PAST_ERROR && reach > bestReach) [best, bestReach] = [c, reach];
    }
    if (!best) return undefined;
    const top = this.open[this.open.length - 1];
    const closes = best.inserted !== undefined && top !== undefined && closerOf.get(top.token.tokenType) === best.inserted;
    const { p } = this;
    if (closes && best.inserted !== T.RBrace && p && (!this.t || this.t.startLine! > p.startLine!)) {
      // A missing ")" or "]" belongs right after the last token; a "}" on a line of its own.
      return {
        message: `Expected ${best.inserted!.LABEL} after "${p.image}" ${this.toClose(top)}.`,
        span: justAfter(p),
        tokens: best.tokens,
        verified: true,
      };
    }
    const named = best.inserted === T.Identifier && this.statementsEnded();
    return {
      message: closes
        ? `Expected ${best.inserted!.LABEL} ${this.toClose(top)} but found ${this.found()}.`
        : named
          ? `Expected a name before ${this.found()}.`
          : this.expectedMessage(),
      span: closes || named ? this.span() : this.expectedSpan(),
      tokens: best.tokens,
      verified: true,
    };
  }

  /** No reading fits: say what was expected, and skip the token. */
  private plain(): Finding {
    return {
      message: this.expectedMessage(),
      span: this.expectedSpan(),
      tokens: this.t ? without(this.tokens, this.i, 1) : this.tokens,
      verified: false,
    };
  }

  /**
   * Gets past an error no repair fits: drops what is left of the line, the whole line when the
   * part before the error cannot stand on its own, or the line before when the error opens a
   * line (its statement ended early). The first of these that a trial parse accepts is taken.
   * If none is, the broken declaration is dropped up to the next one: a mistake in its header
   * would otherwise be reported again on every line of its body.
   */
  resynchronise(fallback?: IToken[]): IToken[] {
    // Each option: the tokens, where the parser resumes, and whether it resumes at the start
    // of a line (then an error on a later line is a mistake of its own).
    const options: [IToken[], number, boolean][] = [];
    const { t, p } = this;
    const isBrace = (x: IToken) => x.tokenType === T.LBrace || x.tokenType === T.RBrace;
    // The broken line, without the braces on it: those open and close declarations.
    const afterBraces = (from: number, to: number) => {
      let k = to;
      while (k > from && !isBrace(this.tokens[k - 1]!)) k--;
      return k;
    };
    const start = t ? afterBraces(firstOnLine(this.tokens, this.i, this.declStart + 1), this.i) : this.i;
    if (t && !isBrace(t)) {
      const lineEnd = lastOnLine(this.tokens, this.i);
      let end = this.i;
      while (end < lineEnd && !isBrace(this.tokens[end + 1]!)) end++;
      const wholeLine = start === firstOnLine(this.tokens, this.i) && end === lastOnLine(this.tokens, this.i);
      const rest: [IToken[], number, boolean] = [without(this.tokens, this.i, end - this.i + 1), this.i, false];
      if (start < this.i) {
        const line: [IToken[], number, boolean] = [without(this.tokens, start, end - start + 1), start, wholeLine];
        // A line that starts a statement of its own goes whole; one that continues a statement
        // from the line above loses only its broken end.
        const first = this.tokens[start]!;
        const startsStatement =
          statementKeywords.has(first.tokenType) || this.tokens[start + 1]?.tokenType === T.Equals;
        options.push(...(startsStatement ? [line, rest] : [rest, line]));
      } else {
        options.push(rest);
      }
    } else if (start < this.i) {
      options.push([without(this.tokens, start, this.i - start), start, false]);
    }
    if (p && start === this.i) {
      const previous = afterBraces(firstOnLine(this.tokens, this.i - 1, this.declStart + 1), this.i);
      if (previous < this.i) options.push([without(this.tokens, previous, this.i - previous), previous, true]);
    }
    const line = t ? t.startLine! : Infinity;
    for (const [repaired, from, atLineStart] of options) {
      const reach = this.reach(repaired, from);
      if (reach >= from + PAST_ERROR || (atLineStart && (repaired[reach]?.startLine ?? Infinity) > line)) return repaired;
    }
    const inDeclaration = this.open.length > 0 || this.rules.length > 1;
    if (inDeclaration && this.declStart < this.i && declarationKeywords.has(this.tokens[this.declStart]!.tokenType)) {
      let end = this.i;
      while (end < this.tokens.length && !declarationKeywords.has(this.tokens[end]!.tokenType)) end++;
      return without(this.tokens, this.declStart, end - this.declStart);
    }
    return options[0]?.[0] ?? fallback ?? this.tokens;
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Where the statements of a graph ended and its "}" was expected. */
  private statementsEnded(): boolean {
    return this.rules.length === 2 && this.rules[1] === "graphDecl" && this.expected.length === 1 && this.expected[0] === '"}"';
  }

  /** Where the statements of a graph or an op ended, and its "}" or "return" was expected. */
  private bodyEnded(): boolean {
    const op = this.rules[this.rules.length - 1] === "opDecl" && this.expected.length === 1 && this.expected[0] === '"return"';
    return op || this.statementsEnded();
  }

  /** `Expected X after "p" but found Y.` */
  private expectedMessage(): string {
    if (this.statementsEnded()) return `Expected a statement or "}" but found ${this.found()}.`;
    if (this.expected.length === 0) return this.t ? `Unexpected ${this.found()}.` : "Unexpected end of the file.";
    const after = this.p ? ` after "${this.p.image}"` : "";
    const found = this.atLineEnd() ? "the end of the line" : this.found();
    return `Expected ${listOr(this.expected)}${after} but found ${found}.`;
  }

  /**
   * Whether what is missing belongs at the end of the line before the offending token: the
   * parser needed more of a statement there, and stopped only at the next line's first token.
   */
  private atLineEnd(): boolean {
    const { t, p } = this;
    return t !== undefined && p !== undefined && t.startLine! > p.startLine! && !this.statementsEnded() && this.expected.length > 0;
  }

  private expectedSpan(): Span {
    return this.atLineEnd() ? justAfter(this.p!) : this.span();
  }

  private found(): string {
    return this.t ? `"${this.t.image}"` : "the end of the file";
  }

  /** `to close the "(" at line 3, column 11`, or `to close graph "g" (line 1)`. */
  private toClose(o: Opener): string {
    if (o.decl) return `to close ${o.decl.kind} "${o.decl.name}" (line ${o.token.startLine})`;
    return `to close the "${o.token.image}" at line ${o.token.startLine}, column ${o.token.startColumn}`;
  }

  private span(): Span {
    return this.t ? spanOfToken(this.t) : endOfFile(this.source);
  }

  /** The tokens without everything from the error up to the next `graph` or `op` at the top. */
  private skipToDeclaration(): IToken[] {
    let depth = 0;
    let end = this.i + 1;
    for (; end < this.tokens.length; end++) {
      const type = this.tokens[end]!.tokenType;
      if (declarationKeywords.has(type) && depth === 0) break;
      if (type === T.LBrace) depth++;
      else if (type === T.RBrace) depth = Math.max(0, depth - 1);
    }
    return without(this.tokens, this.i, end - this.i);
  }

  /**
   * Whether a repaired stream parses on past the repair, which ends before index `from`: a
   * trial parse from the start of the declaration takes at least PAST_ERROR tokens after the
   * repair before its first error.
   */
  private fits(repaired: IToken[], from: number): boolean {
    return this.reach(repaired, from) >= from + PAST_ERROR;
  }

  /**
   * Index of the first error in a trial parse of `repaired`, from the start of the declaration
   * to the end of the line after the error's (at least PAST_ERROR and at most TRIAL_AHEAD
   * tokens past `from`); Infinity when there is none in that stretch, or none before the
   * declaration closes.
   */
  private reach(repaired: IToken[], from: number): number {
    const line = this.t ? this.t.startLine! : Infinity;
    let cut = Math.max(this.declStart, this.i - 2);
    while (cut < repaired.length && repaired[cut]!.startLine! <= line + 1 && cut < from + TRIAL_AHEAD) cut++;
    cut = Math.min(repaired.length, Math.max(cut, from + PAST_ERROR + 1));
    const window = repaired.slice(this.declStart, cut);
    let error: ParseError | undefined;
    try {
      error = parse(window).error;
    } catch (e) {
      if (e instanceof RangeError) return -Infinity;
      throw e;
    }
    if (!error) return Infinity;
    // Running out of the stretch is no error; running out of the file is.
    if (error.index >= window.length) return cut < repaired.length ? Infinity : this.declStart + error.index;
    // Nor is an error in the next declaration, once this one has closed after the repair with
    // a "}" that starts its line (a "}" in the middle of a line may be the mistake itself).
    let depth = 0;
    for (let k = 0; k < error.index; k++) {
      const type = window[k]!.tokenType;
      if (type === T.LBrace) depth++;
      else if (type === T.RBrace && --depth === 0 && this.declStart + k >= from) {
        if (window[k - 1]?.startLine !== window[k]!.startLine) return Infinity;
      }
    }
    return this.declStart + error.index;
  }
}

/** The labels of what Chevrotain says it expected, from its message. */
function expectedOf(chevrotainMessage: string): string[] {
  // Chevrotain says `Expecting --> X <-- but found`, or lists alternatives as
  // `one of these possible Token sequences: 1. [X] 2. [Y] ...`.
  const single = /Expecting --> (.*?) <-- but found/.exec(chevrotainMessage);
  if (single) return [single[1]!];
  const options = /possible Token sequences:+\s*([\s\S]*?)\s*but found/.exec(chevrotainMessage);
  if (!options) return [];
  return [...new Set([...options[1]!.matchAll(/\[(.*?)\]/g)].map((m) => m[1]!.split(",")[0]!.trim()))];
}

function listOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
