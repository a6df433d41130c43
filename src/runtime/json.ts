// Owns reading JSON text with errors that say where: `data.json:3:14: error: not valid JSON:
// expected "," or "]".` JSON.parse reads it when it is valid (fast, for large data files); only
// when it is not, jsonc-parser (the parser VS Code uses) finds the first mistake and its offset,
// since V8's message pastes the text into itself and differs between engines.
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";

/** A JSON text that does not parse, located in its file. */
export class JsonError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: error: not valid JSON: ${reason}.`);
    this.name = "JsonError";
  }
}

const reasons: Readonly<Record<string, string>> = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "a number is malformed",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected "," or a closing bracket',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: "unexpected text after the value",
  InvalidCommentToken: "comments are not allowed",
  UnexpectedEndOfComment: "comments are not allowed",
  UnexpectedEndOfString: "a string is not closed",
  UnexpectedEndOfNumber: "a number is not finished",
  InvalidUnicode: "an invalid \\u escape",
  InvalidEscapeCharacter: "an invalid escape in a string",
  InvalidCharacter: "a control character in a string",
};

/** The 1-based line and column of an offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** The value of a JSON text; a JsonError naming `file`, the line and the column if it is not JSON. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw locate(text, file);
  }
}

function locate(text: string, file: string): JsonError {
  if (text.trim() === "") return new JsonError(file, 1, 1, "the file is empty");
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  const offset = first?.offset ?? 0;
  const { line, column } = lineColumnAt(text, offset);
  const code = first ? printParseErrorCode(first.error) : "";
  let reason = reasons[code] ?? "unexpected text";
  if (code === "InvalidSymbol") reason = `unexpected character ${JSON.stringify(text.charAt(offset))}`;
  // `[1, 2,]`: the parser expects another value at the bracket; point at the comma instead.
  const trailing = /,\s*$/.exec(text.slice(0, offset));
  if (first && trailing && /^[\]}]/.test(text.slice(offset))) {
    const at = lineColumnAt(text, trailing.index);
    return new JsonError(file, at.line, at.column, "a trailing comma is not allowed");
  }
  // Brackets left open at the end of the file.
  if (first && offset >= text.trimEnd().length && /^Close(Bracket|Brace)Expected$/.test(code)) {
    reason = `the file ends before its closing ${code === "CloseBracketExpected" ? '"]"' : '"}"'}`;
  }
  return new JsonError(file, line, column, reason);
}
