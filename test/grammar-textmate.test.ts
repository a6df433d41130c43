// The TextMate grammar (grammar/gradc.tmLanguage.json), run by vscode-textmate on Oniguruma as VS
// Code runs it, against the compiler's own lexer and parser: every character gets the lexical
// class the lexer gives it, every name the scope its place in the parse gives it, and the cases
// that trip up hand-written grammars (`inputs`, `graph2`, `.5`, `1e-7`, Unicode names, a comment
// after code, a name that is also an op or an initializer) come out right.
import * as fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import oniguruma from "vscode-oniguruma";
import type textmate from "vscode-textmate";
import { beforeAll, describe, expect, it } from "vitest";
import { graphParser, type CstNode, type IToken } from "../grammar/parser.js";
import * as T from "../grammar/tokens.js";
import { toOniguruma } from "../scripts/textmate-grammar.js";
import { opNames } from "../src/ops/names.js";
import { loadGrammar, loadOniguruma, tokenize, type ScopedToken } from "./support/textmate.js";

let grammar: textmate.IGrammar;
beforeAll(async () => {
  grammar = await loadGrammar();
});

const files = [
  ...readdirSync("examples").filter((f) => f.endsWith(".graph")).map((f) => join("examples", f)),
  ...readdirSync("docs/examples").filter((f) => f.endsWith(".graph")).map((f) => join("docs/examples", f)),
].sort();

/** What each punctuation and operator token is highlighted as. */
const punctuation: Readonly<Record<string, string>> = {
  "{": "punctuation.section.block.begin.gradc",
  "}": "punctuation.section.block.end.gradc",
  "(": "punctuation.section.parens.begin.gradc",
  ")": "punctuation.section.parens.end.gradc",
  "[": "punctuation.section.brackets.begin.gradc",
  "]": "punctuation.section.brackets.end.gradc",
  ",": "punctuation.separator.comma.gradc",
  ":": "punctuation.separator.colon.gradc",
  "=": "keyword.operator.assignment.gradc",
  "+": "keyword.operator.arithmetic.gradc",
  "-": "keyword.operator.arithmetic.gradc",
  "*": "keyword.operator.arithmetic.gradc",
  "/": "keyword.operator.arithmetic.gradc",
  "@": "keyword.operator.arithmetic.matmul.gradc",
};

/** The scopes a name can get, by what the parse says it is. */
const names = {
  value: "variable.other.gradc",
  graph: "entity.name.type.graph.gradc",
  op: "entity.name.function.gradc",
  parameter: "variable.parameter.gradc",
  builtinOp: "support.function.builtin.gradc",
  initializer: "support.function.initializer.gradc",
  dimension: "entity.name.type.dimension.gradc",
  attribute: "variable.parameter.attribute.gradc",
  boolean: "constant.language.boolean.gradc",
};
const nameScopes = new Set(Object.values(names));

const keywordScope = (word: string) =>
  ["graph", "op", "input", "param"].includes(word) ? `storage.type.${word}.gradc` : `keyword.control.${word}.gradc`;

/** The innermost scope that says what a token is (meta scopes only group). */
function scopeOf(token: ScopedToken): string | undefined {
  return token.scopes.filter((s) => s !== "source.gradc" && !s.startsWith("meta.")).at(-1);
}

/** The lexical class of a TextMate token, named as `lexerClasses` names the lexer's. */
function textmateClass(token: ScopedToken): string {
  const scope = scopeOf(token);
  if (scope === undefined) return "space";
  if (scope === "comment.line.number-sign.gradc") return "comment";
  if (scope === "invalid.illegal.character.gradc") return "error";
  if (scope === "constant.numeric.gradc") return "number";
  if (nameScopes.has(scope)) return "name";
  if (T.keywords.includes(token.text) && scope === keywordScope(token.text)) return `keyword ${token.text}`;
  if (punctuation[token.text] === scope) return `punctuation ${token.text}`;
  return `unexpected scope ${scope} on ${JSON.stringify(token.text)}`;
}

interface Classified {
  /** Each UTF-16 unit's class. */
  readonly classes: string[];
  /** Where each token starts and ends (a run of rejected characters counts as one). */
  readonly tokens: readonly { start: number; end: number; cls: string }[];
}

/** The lexer's view of a text: tokens, skipped comments and white space, rejected characters. */
function lexerClasses(text: string): Classified {
  const classes: string[] = new Array<string>(text.length).fill("");
  const tokens: { start: number; end: number; cls: string }[] = [];
  const mark = (start: number, end: number, cls: string) => {
    for (let i = start; i < end; i++) classes[i] = cls;
    tokens.push({ start, end, cls });
  };
  const lexed = T.graphLexer.tokenize(text);
  for (const t of lexed.tokens) {
    const type = t.tokenType;
    const cls =
      type === T.Identifier ? "name" : type === T.NumberLiteral ? "number" : T.keywords.includes(t.image) ? `keyword ${t.image}` : `punctuation ${t.image}`;
    mark(t.startOffset, t.endOffset! + 1, cls);
  }
  for (const e of lexed.errors) mark(e.offset, e.offset + e.length, "error");
  // What is left is what the lexer skips: comments (from "#" to the line's end) and white space.
  for (let i = 0; i < text.length; i++) {
    if (classes[i] !== "") continue;
    if (text[i] === "#") {
      let end = i;
      while (end < text.length && text[end] !== "\n" && text[end] !== "\r") end++;
      mark(i, end, "comment");
      i = end - 1;
    } else classes[i] = "space";
  }
  return { classes, tokens: tokens.sort((a, b) => a.start - b.start) };
}

/** Checks that TextMate splits and classifies `text` exactly as the lexer does. */
function expectLexerAgreement(text: string): void {
  const tokens = tokenize(grammar, text);
  const classes: string[] = new Array<string>(text.length).fill("space");
  const starts = new Set<number>();
  for (const t of tokens) {
    starts.add(t.start);
    starts.add(t.end);
    for (let i = t.start; i < t.end; i++) classes[i] = textmateClass(t);
  }
  const lexer = lexerClasses(text);
  const describeAt = (i: number) => `at ${i} (${JSON.stringify(text.slice(Math.max(0, i - 10), i + 10))})`;
  for (let i = 0; i < text.length; i++) {
    if (classes[i] !== lexer.classes[i]) {
      expect.fail(`${describeAt(i)}: TextMate says ${classes[i]}, the lexer ${lexer.classes[i]}, in ${JSON.stringify(text)}`);
    }
  }
  for (const t of lexer.tokens) {
    if (t.cls === "error") continue;
    const inside = [...starts].filter((s) => s > t.start && s < t.end);
    if (!starts.has(t.start) || !starts.has(t.end) || inside.length > 0) {
      expect.fail(`${describeAt(t.start)}: the lexer's token ${JSON.stringify(text.slice(t.start, t.end))} is split differently by TextMate`);
    }
  }
}

/** The scope each name should get, by offset, read from the parse (CST) of a valid file. */
function expectedNameScopes(text: string): Map<number, string> {
  const lexed = T.graphLexer.tokenize(text);
  expect(lexed.errors).toEqual([]);
  graphParser.input = lexed.tokens;
  const cst = graphParser.file();
  expect(graphParser.errors).toEqual([]);
  const expected = new Map<number, string>();
  const idents = (node: CstNode): IToken[] => ((node.children.Identifier ?? []) as IToken[]).slice().sort((a, b) => a.startOffset - b.startOffset);
  const visit = (node: CstNode) => {
    const ids = idents(node);
    const set = (token: IToken | undefined, scope: string) => token && expected.set(token.startOffset, scope);
    switch (node.name) {
      case "graphDecl":
        set(ids[0], names.graph);
        break;
      case "opDecl":
        set(ids[0], names.op);
        for (const p of ids.slice(1)) set(p, names.parameter);
        break;
      case "dim":
        set(ids[0], names.dimension);
        break;
      case "initializer":
        set(ids[0], names.initializer);
        break;
      case "primary":
        if (node.children.LParen && ids[0]) set(ids[0], (opNames as readonly string[]).includes(ids[0].image) ? names.builtinOp : names.op);
        else set(ids[0], names.value);
        break;
      case "argument":
        if (node.children.Equals) {
          set(ids[0], names.attribute);
          if (ids[1]) set(ids[1], ["true", "false"].includes(ids[1].image) ? names.boolean : names.value);
        }
        break;
      default:
        for (const id of ids) set(id, names.value);
    }
    for (const children of Object.values(node.children)) {
      for (const child of children) if ("children" in child) visit(child);
    }
  };
  visit(cst);
  return expected;
}

function expectNameScopes(text: string): void {
  const byStart = new Map(tokenize(grammar, text).map((t) => [t.start, t]));
  const expected = expectedNameScopes(text);
  expect(expected.size).toBeGreaterThan(0);
  const wrong: string[] = [];
  for (const [offset, scope] of expected) {
    const token = byStart.get(offset);
    if (token === undefined || scopeOf(token) !== scope) {
      wrong.push(`${JSON.stringify(token?.text)} at ${offset}: ${token ? scopeOf(token) : "no token"}, expected ${scope}`);
    }
  }
  expect(wrong).toEqual([]);
}

/** The scope of the `nth` token whose text is `text` (which must be one whole token). */
function scopeAt(source: string, text: string, nth = 0): string | undefined {
  const found = tokenize(grammar, source).filter((t) => t.text === text);
  expect(found.length, `"${text}" is one token ${nth + 1} time(s) in the snippet`).toBeGreaterThan(nth);
  return scopeOf(found[nth]!);
}

describe("the patterns, translated to Oniguruma, match what the lexer's match", () => {
  const samples = [
    "x", "W1", "apple_num", "사과 = 1", "número", "π2", "x٣", "٣", "_", "_1", "É1", "𝑥 = 1", "inputs", "graph2", "op_",
    "2", "0.5", ".5", "5.", "1e-7", "2.5E+4x", "1e", "1.2.3", "1e+", "007", "\u00a0\ufeff x", "\v\f\t\r\n", "\u2028", "\u3000",
    "# a comment\nx", "#\r", "#", "##x", "(", "-1", "@", "graph", "wrt x", "$", ";",
  ];
  const cases: [string, RegExp][] = [
    ["white space", T.WhiteSpace.PATTERN as RegExp],
    ["comment", T.Comment.PATTERN as RegExp],
    ["number", T.NumberLiteral.PATTERN as RegExp],
    ["name", T.identifierPattern],
  ];
  beforeAll(loadOniguruma);

  it.each(cases)("the %s pattern", (_label, pattern) => {
    const js = new RegExp(pattern.source, pattern.flags.includes("u") ? "uy" : "y");
    const scanner = new oniguruma.OnigScanner([toOniguruma(pattern.source)]);
    for (const sample of samples) {
      const jsMatch = js.exec(sample)?.[0].length;
      js.lastIndex = 0;
      const onig = scanner.findNextMatchSync(sample, 0)?.captureIndices[0];
      const onigMatch = onig && onig.start === 0 ? onig.length : undefined;
      expect(onigMatch, `${JSON.stringify(sample)} with /${pattern.source}/`).toBe(jsMatch);
    }
  });

  it("rewrites what Oniguruma reads differently and refuses what it cannot translate", () => {
    expect(toOniguruma("\\d+")).toBe("[0-9]+");
    expect(toOniguruma("[\\d_]")).toBe("[0-9_]");
    expect(toOniguruma("[\\u00a0]")).toBe("[\\x{00a0}]");
    expect(() => toOniguruma("\\s+")).toThrow(/"\\s"/);
    expect(() => toOniguruma("\\w")).toThrow(/"\\w"/);
  });
});

describe("every example file is highlighted as the compiler reads it", () => {
  it.each(files)("%s: the lexer's tokens, classes and boundaries", (file) => {
    expectLexerAgreement(readFileSync(file, "utf8"));
  });

  const valid = files.filter((f) => T.graphLexer.tokenize(readFileSync(f, "utf8")).errors.length === 0 && parses(readFileSync(f, "utf8")));
  it("most of them parse, so the next tests check most of them", () => {
    expect(valid.length).toBeGreaterThanOrEqual(10);
  });

  it.each(valid)("%s: each name's scope is its role in the parse", (file) => {
    expectNameScopes(readFileSync(file, "utf8"));
  });

  it.each(valid)("%s written on one line: the same scopes", (file) => {
    const oneLine = T.graphLexer.tokenize(readFileSync(file, "utf8")).tokens.map((t) => t.image).join(" ");
    expectNameScopes(oneLine);
  });

  it("no token is left with only the base scope", () => {
    for (const file of files) {
      for (const t of tokenize(grammar, readFileSync(file, "utf8"))) {
        if (t.text.trim() !== "") expect(scopeOf(t), `${file}: ${JSON.stringify(t.text)}`).toBeDefined();
      }
    }
  });
});

function parses(text: string): boolean {
  graphParser.input = T.graphLexer.tokenize(text).tokens;
  graphParser.file();
  return graphParser.errors.length === 0;
}

describe("the tricky cases", () => {
  const snippet = [
    "# A comment on its own line",
    "graph graph2 {",
    "  input inputs: [N, 784]   # a comment after code",
    "  input x: [N, 3] = [[.5, 1e-7, 2.5E+4]]",
    "  param W: [784, 3] = he",
    "  param b: [3] = normal(0, 0.01)",
    "  param gradient = 5.",
    "  사과 = relu(inputs @ W + b)",
    "  he = sum(사과, axis=-1, keepdims=true)",
    "  outputs = 2 * inputs",
    "  relu = dense(he, W, b) / 2",
    "  output relu",
    "  grad relu wrt W, b",
    "}",
    "op dense(x, W, b) {",
    "  return relu(affine(x, W, b))",
    "}",
  ].join("\n");

  it("the snippet is a valid graph file, highlighted as parsed", () => {
    expectLexerAgreement(snippet);
    expectNameScopes(snippet);
  });

  it("keywords, and names that start with one", () => {
    expect(scopeAt(snippet, "graph")).toBe("storage.type.graph.gradc");
    expect(scopeAt(snippet, "graph2")).toBe("entity.name.type.graph.gradc");
    expect(scopeAt(snippet, "input")).toBe("storage.type.input.gradc");
    expect(scopeAt(snippet, "inputs")).toBe("variable.other.gradc");
    expect(scopeAt(snippet, "inputs", 1)).toBe("variable.other.gradc");
    expect(scopeAt(snippet, "param")).toBe("storage.type.param.gradc");
    expect(scopeAt(snippet, "gradient")).toBe("variable.other.gradc");
    expect(scopeAt(snippet, "outputs")).toBe("variable.other.gradc");
    expect(scopeAt(snippet, "output")).toBe("keyword.control.output.gradc");
    expect(scopeAt(snippet, "grad")).toBe("keyword.control.grad.gradc");
    expect(scopeAt(snippet, "wrt")).toBe("keyword.control.wrt.gradc");
    expect(scopeAt(snippet, "return")).toBe("keyword.control.return.gradc");
    expect(scopeAt(snippet, "op")).toBe("storage.type.op.gradc");
  });

  it("numbers, whole", () => {
    for (const n of ["784", ".5", "1e-7", "2.5E+4", "5.", "0.01", "2"]) expect(scopeAt(snippet, n), n).toBe("constant.numeric.gradc");
  });

  it("comments, on their own line and after code", () => {
    expect(scopeAt(snippet, "# A comment on its own line")).toBe("comment.line.number-sign.gradc");
    expect(scopeAt(snippet, "# a comment after code")).toBe("comment.line.number-sign.gradc");
  });

  it("op names only where called, initializers only where a param takes one", () => {
    expect(scopeAt(snippet, "relu")).toBe("support.function.builtin.gradc");
    expect(scopeAt(snippet, "relu", 1)).toBe("variable.other.gradc");
    expect(scopeAt(snippet, "relu", 3)).toBe("variable.other.gradc");
    expect(scopeAt(snippet, "relu", 4)).toBe("support.function.builtin.gradc");
    expect(scopeAt(snippet, "affine")).toBe("support.function.builtin.gradc");
    expect(scopeAt(snippet, "sum")).toBe("support.function.builtin.gradc");
    expect(scopeAt(snippet, "he")).toBe("support.function.initializer.gradc");
    expect(scopeAt(snippet, "he", 1)).toBe("variable.other.gradc");
    expect(scopeAt(snippet, "normal")).toBe("support.function.initializer.gradc");
  });

  it("user ops, their parameters, attributes, dimensions, Unicode names", () => {
    expect(scopeAt(snippet, "dense")).toBe("entity.name.function.gradc");
    expect(scopeAt(snippet, "dense", 1)).toBe("entity.name.function.gradc");
    expect(scopeAt(snippet, "x", 1)).toBe("variable.parameter.gradc");
    expect(scopeAt(snippet, "x", 2)).toBe("variable.other.gradc");
    expect(scopeAt(snippet, "axis")).toBe("variable.parameter.attribute.gradc");
    expect(scopeAt(snippet, "true")).toBe("constant.language.boolean.gradc");
    expect(scopeAt(snippet, "N")).toBe("entity.name.type.dimension.gradc");
    expect(scopeAt(snippet, "사과")).toBe("variable.other.gradc");
    expect(scopeAt(snippet, "@")).toBe("keyword.operator.arithmetic.matmul.gradc");
  });

  it("context on the next line is not seen, as docs/editor.md says", () => {
    expect(scopeAt("h = relu\n  (x)", "relu")).toBe("variable.other.gradc");
    expect(scopeAt("param W: [2] =\n  he", "he")).toBe("variable.other.gradc");
    expect(scopeAt("param W: [2]\n  = he", "he")).toBe("support.function.initializer.gradc");
    expect(scopeAt("y = sum(x, keepdims=\n true)", "true")).toBe("variable.other.gradc");
    expect(scopeAt("y = sum(x, axis\n = 1)", "axis")).toBe("variable.other.gradc");
  });

  it("what the lexer rejects is marked invalid, and an unclosed parenthesis stops at the next keyword", () => {
    const source = "graph g {\n  y = relu(x ; 2\n  output y\n}\n";
    expect(scopeAt(source, ";")).toBe("invalid.illegal.character.gradc");
    expect(scopeAt(source, "output")).toBe("keyword.control.output.gradc");
    expect(scopeAt(source, "y", 1)).toBe("variable.other.gradc");
    expect(scopeAt(source, "}")).toBe("punctuation.section.block.end.gradc");
  });
});

describe("docs/editor.md", () => {
  it("lists every scope the grammar gives, and no other", () => {
    const given = new Set<string>();
    const collect = (value: unknown, key?: string): void => {
      if (typeof value === "string" && key === "name" && value.endsWith(".gradc")) given.add(value);
      else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) collect(v, k);
    };
    collect(JSON.parse(readFileSync("grammar/gradc.tmLanguage.json", "utf8")));
    // Every scope named on the page, less the grammar's own name (the scope of the whole file).
    const documented = new Set([...readFileSync("docs/editor.md", "utf8").matchAll(/`([a-z.-]+\.gradc)`/g)].map((m) => m[1]!));
    documented.delete("source.gradc");
    expect([...documented].sort()).toEqual([...given].sort());
  });
});

describe("any text is split as the lexer splits it", () => {
  const pieces = [
    ...T.keywords, "inputs", "graph2", "op_", "x", "W1", "사과", "π", "𝑥", "relu", "sum", "he", "normal", "true", "axis",
    "0", "2", ".5", "5.", "1e-7", "2.5E+4", "1e", "1.", "٣", "{", "}", "(", ")", "[", "]", ",", ":", "=", "+", "-", "*", "/", "@",
    "# note", "#", " ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\ufeff", "\f", "\v", "$", ";", "**", "\u2028", "😀", "'",
  ];
  it("for random sequences of tokens, spaces, comments and stray characters", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => expectLexerAgreement(parts.join(""))),
      { numRuns: 400 },
    );
  });
});
