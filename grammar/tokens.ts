// The tokens of the graph language. Keywords come before Identifier and name it as their
// `longer_alt`, so `inputs` is an identifier while `input` is a keyword.
import { createToken, Lexer, type TokenType } from "chevrotain";

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});
/** The lexer's group for comments: the parser never sees them, the formatter keeps them. */
export const COMMENTS = "comments";
export const Comment = createToken({
  name: "Comment",
  pattern: /#[^\r\n]*/,
  group: COMMENTS,
});

// Letters of any script, digits and underscores; not starting with a digit. Chevrotain drops
// a regex's `u` flag, so the Unicode classes are matched by a sticky regex of our own (exported
// for the TextMate grammar, which is generated from these tokens).
export const identifierPattern = /[\p{L}_][\p{L}\p{Nd}_]*/uy;
export const Identifier = createToken({
  name: "Identifier",
  label: "a name",
  pattern: {
    exec: (text: string, offset: number) => {
      identifierPattern.lastIndex = offset;
      return identifierPattern.exec(text);
    },
  },
  line_breaks: false,
});

function keyword(word: string): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    label: `"${word}"`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
  });
}

export const Graph = keyword("graph");
export const Op = keyword("op");
export const Input = keyword("input");
export const Param = keyword("param");
export const Output = keyword("output");
export const Grad = keyword("grad");
export const Wrt = keyword("wrt");
export const Return = keyword("return");

export const NumberLiteral = createToken({
  name: "NumberLiteral",
  label: "a number",
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
});

function punctuation(name: string, text: string): TokenType {
  return createToken({ name, label: `"${text}"`, pattern: text });
}

export const LBrace = punctuation("LBrace", "{");
export const RBrace = punctuation("RBrace", "}");
export const LParen = punctuation("LParen", "(");
export const RParen = punctuation("RParen", ")");
export const LBracket = punctuation("LBracket", "[");
export const RBracket = punctuation("RBracket", "]");
export const Comma = punctuation("Comma", ",");
export const Colon = punctuation("Colon", ":");
export const Equals = punctuation("Equals", "=");
export const Plus = punctuation("Plus", "+");
export const Minus = punctuation("Minus", "-");
export const Star = punctuation("Star", "*");
export const Slash = punctuation("Slash", "/");
export const At = punctuation("At", "@");

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Graph,
  Op,
  Input,
  Param,
  Output,
  Grad,
  Wrt,
  Return,
  Identifier,
  NumberLiteral,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  At,
];

/** The words that cannot name a value. */
export const keywords: readonly string[] = [
  "graph",
  "op",
  "input",
  "param",
  "output",
  "grad",
  "wrt",
  "return",
];

/** The lexer; `validate` checks the token definitions (a test does; the shipped lexer skips it to start faster). */
export function makeLexer(validate = false): Lexer {
  return new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false, skipValidations: !validate });
}

export const graphLexer = makeLexer();
