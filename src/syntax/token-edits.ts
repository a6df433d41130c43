// Owns small edits of a token stream (delete, insert, re-read as another kind) for the syntax
// error repairs, and the source spans of tokens. An edit returns a new array; tokens keep their
// places in the source, and a token made up by an edit takes the place of the one it precedes.
import { createTokenInstance, type IToken, type TokenType } from "chevrotain";
import type { Span } from "../diagnostics.js";

export function without(tokens: readonly IToken[], at: number, count: number): IToken[] {
  return [...tokens.slice(0, at), ...tokens.slice(at + count)];
}

export function inserted(tokens: readonly IToken[], at: number, type: TokenType, image: string): IToken[] {
  return [...tokens.slice(0, at), madeUp(type, image, tokens[at], tokens[at - 1]), ...tokens.slice(at)];
}

export function replaced(tokens: readonly IToken[], at: number, type: TokenType): IToken[] {
  return [...tokens.slice(0, at), retyped(tokens[at]!, type), ...tokens.slice(at + 1)];
}

/** The same text at the same place, read as another kind of token. */
export function retyped(old: IToken, type: TokenType): IToken {
  return createTokenInstance(
    type,
    old.image,
    old.startOffset,
    old.endOffset!,
    old.startLine!,
    old.endLine!,
    old.startColumn!,
    old.endColumn!,
  );
}

/** A token made up by a repair, placed where `at` is (or just after `last` at the end). */
function madeUp(type: TokenType, image: string, at: IToken | undefined, last: IToken | undefined): IToken {
  const offset = at ? at.startOffset : last ? last.endOffset! + 1 : 0;
  const line = (at ?? last)?.startLine ?? 1;
  const column = at ? (at.startColumn ?? 1) : (last?.endColumn ?? 0) + 1;
  return createTokenInstance(type, image, offset, offset - 1, line, line, column, column);
}

/** Index of the first token on the line of token `j`, not before `floor`. */
export function firstOnLine(tokens: readonly IToken[], j: number, floor = 0): number {
  const line = tokens[j]!.startLine;
  let start = j;
  while (start > floor && tokens[start - 1]!.startLine === line) start--;
  return start;
}

/** Index of the last token on the line of token `j`. */
export function lastOnLine(tokens: readonly IToken[], j: number): number {
  const line = tokens[j]!.startLine;
  let end = j;
  while (end + 1 < tokens.length && tokens[end + 1]!.startLine === line) end++;
  return end;
}

/** Index of the first token that starts after `offset` (tokens are in source order). */
export function firstTokenAfter(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Whether `b` starts right where `a` ends, with nothing between them. */
export function adjacent(a: IToken, b: IToken): boolean {
  return a.endOffset! + 1 === b.startOffset;
}

export function spanOfToken(t: IToken): Span {
  return {
    start: t.startOffset,
    end: (t.endOffset ?? t.startOffset) + 1,
    line: t.startLine ?? 1,
    column: t.startColumn ?? 1,
  };
}

/** From the start of `first` to the end of `last`. */
export function spanOf(first: IToken, last: IToken): Span {
  return { ...spanOfToken(first), end: (last.endOffset ?? last.startOffset) + 1 };
}

/** The empty span just past a token: where something missing after it belongs. */
export function justAfter(t: IToken): Span {
  const end = (t.endOffset ?? t.startOffset) + 1;
  return { start: end, end, line: t.startLine ?? 1, column: (t.endColumn ?? t.startColumn ?? 0) + 1 };
}

/** Just past the last character of the file. */
export function endOfFile(source: string): Span {
  const lines = source.split(/\r\n|\r|\n/);
  const last = lines.length;
  return { start: source.length, end: source.length, line: last, column: (lines[last - 1] ?? "").length + 1 };
}
