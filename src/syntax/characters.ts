// Owns the characters the lexer does not know: each run of them is reported once, with a hint
// where the intent is clear (`;` at line ends, `x.T`, `np.exp(x)`, `x.shape`, `^`), and what
// the hint explains is taken out of the tokens so that the parser does not trip over it again;
// a word split by a stray character (`re$turn`) is read whole.
import { createTokenInstance, type ILexingError, type IToken } from "chevrotain";
import * as T from "../../grammar/tokens.js";
import { graphLexer } from "../../grammar/tokens.js";
import type { DiagnosticBag, Span } from "../diagnostics.js";
import { firstTokenAfter, spanOf } from "./token-edits.js";

/** What the lexer left for the parser, and which places already have their error. */
export interface CleanTokens {
  readonly tokens: IToken[];
  /** Lines that already have an error: a later error on them is an echo and is not reported. */
  readonly reportedLines: Set<number>;
  /** Tokens right after a removed character: a parse error there is that character's echo. */
  readonly quiet: Set<IToken>;
}

export function reportUnknownCharacters(
  source: string,
  tokens: readonly IToken[],
  errors: readonly ILexingError[],
  diagnostics: DiagnosticBag,
): CleanTokens {
  const removed = new Set<IToken>();
  const merged = new Map<IToken, IToken>();
  const quiet = new Set<IToken>();
  const reportedLines = new Set<number>();
  const handled = new Set<number>();
  const sorted = [...errors].sort((a, b) => a.offset - b.offset);
  const textOf = (e: ILexingError): string => source.slice(e.offset, e.offset + Math.max(1, e.length));
  for (const e of sorted) {
    if (handled.has(e.offset)) continue;
    const k = firstTokenAfter(tokens, e.offset); // the first token after the characters
    const text = textOf(e);
    const before = adjacentBefore(tokens[k - 1], e.offset);
    const after = tokens[k]?.startOffset === e.offset + e.length ? tokens[k] : undefined;
    const line = e.line ?? 1;
    let message = `Unexpected character ${JSON.stringify(firstCharacter(text))}.`;
    let span: Span = { start: e.offset, end: e.offset + Math.max(1, e.length), line, column: e.column ?? 1 };
    let next = k; // the first token the parser sees after what this error takes out
    if (text === "." && before?.tokenType === T.Identifier && after?.tokenType === T.Identifier) {
      // A dotted chain a.b.c: one message for the whole of it.
      const chain = [before, after];
      next = k + 1;
      for (;;) {
        const end = chain[chain.length - 1]!.endOffset! + 1;
        const dot = sorted.find((x) => x.offset === end && x.length === 1 && source[end] === ".");
        const following = tokens[next];
        if (!dot || following?.startOffset !== end + 1 || following.tokenType !== T.Identifier) break;
        handled.add(dot.offset);
        chain.push(following);
        next++;
      }
      const last = chain[chain.length - 1]!;
      const dotted = chain.map((t) => t.image).join(".");
      const call = tokens[next]?.tokenType === T.LParen && tokens[next]!.startOffset === last.endOffset! + 1;
      if (call) {
        message = `Ops are called by their name alone: write "${last.image}(…)", not "${dotted}(…)".`;
        span = spanOf(before, last);
        chain.slice(0, -1).forEach((t) => removed.add(t));
        next--;
      } else if (chain.length === 2 && last.image === "T") {
        message = `There is no ".T"; write "transpose(${before.image})" to transpose.`;
        span = { ...span, end: last.endOffset! + 1 };
        removed.add(last);
      } else {
        message = `Values have no members such as "${dotted}"; a name is written without ".".`;
        span = spanOf(before, last);
        chain.slice(1).forEach((t) => removed.add(t));
      }
    } else if (text === ";") {
      // A habit from other languages, usually on every line: told once, for the whole file.
      const others = sorted.filter((x) => x !== e && textOf(x) === ";");
      for (const x of others) {
        handled.add(x.offset);
        reportedLines.add(x.line ?? 1);
      }
      message = `Unexpected ";"; statements need no separator.${others.length > 0 ? ` The file has ${others.length} more.` : ""}`;
      next = -1; // taking out a ";" leaves nothing for the parser to trip over
    } else if (text === "^") {
      const x = before?.tokenType === T.Identifier ? before.image : "x";
      message = `"^" is not an operator; write "square(${x})" or "${x} * ${x}".`;
    } else if (before && after) {
      // A slip inside a word (`re$turn`): the parser reads the word as it was meant.
      const word = joined(before, after);
      if (word) {
        merged.set(before, word);
        removed.add(after);
        next = -1;
      }
    }
    // The parser may trip over what follows on the same line; a later line is a new start.
    if (tokens[next]?.startLine === line) quiet.add(tokens[next]!);
    reportedLines.add(line);
    diagnostics.error(message, span);
  }
  return {
    tokens: tokens.filter((t) => !removed.has(t)).map((t) => merged.get(t) ?? t),
    reportedLines,
    quiet,
  };
}

/** The two halves of a word split by unknown characters, as the one token they make. */
function joined(a: IToken, b: IToken): IToken | undefined {
  const word = a.image + b.image;
  const lexed = graphLexer.tokenize(word);
  const [only] = lexed.tokens;
  if (lexed.errors.length > 0 || lexed.tokens.length !== 1 || only!.image !== word) return undefined;
  return createTokenInstance(
    only!.tokenType,
    word,
    a.startOffset,
    b.endOffset!,
    a.startLine!,
    b.endLine!,
    a.startColumn!,
    b.endColumn!,
  );
}

function adjacentBefore(token: IToken | undefined, offset: number): IToken | undefined {
  return token && token.endOffset! + 1 === offset ? token : undefined;
}

/** The first character, whole even when it is outside the Basic Multilingual Plane. */
function firstCharacter(text: string): string {
  return String.fromCodePoint(text.codePointAt(0) ?? 0xfffd);
}
