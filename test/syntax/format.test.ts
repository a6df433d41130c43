// The formatter: badly laid out files fixed to exact expected text; every example (and every
// graph file the docs show) already canonical; and, on random graphs and on the examples with
// their white space scrambled, the properties that make it safe to run on save: formatting twice
// changes nothing, every comment is kept in order, and the file means what it meant (the same
// AST, the same optimised IR, the same generated module).
import * as fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMENTS, graphLexer } from "../../grammar/tokens.js";
import { DiagnosticBag } from "../../src/diagnostics.js";
import { analyze, emit, formatGraphFile, gradientGraph } from "../../src/index.js";
import { FORMAT_WIDTH } from "../../src/syntax/format.js";
import { printIr } from "../../src/ir/print.js";
import { parseProgram } from "../../src/syntax/parse.js";
import { examples, exampleSource } from "../support/examples.js";
import { mutated } from "../support/random-files.js";

function format(source: string): string {
  const result = formatGraphFile(source);
  expect(result.diagnostics).toEqual([]);
  return result.text!;
}

/** Each comment's text, in order. */
function commentsOf(source: string): string[] {
  return (graphLexer.tokenize(source).groups[COMMENTS] ?? []).map((c) => c.image.trimEnd());
}

/** The AST without its source positions, which formatting moves. */
function astOf(source: string): unknown {
  const bag = new DiagnosticBag();
  const program = parseProgram(source, bag);
  return { program: JSON.parse(JSON.stringify(program ?? null, (k, v: unknown) => (k === "span" || k === "opSpan" || k === "extent" ? undefined : v))), bag: bag.items.map((d) => d.message) };
}

/** What the compiler makes of a file: its optimised IR and its module (source lines aside, which formatting moves). */
function meaningOf(source: string): { ir?: string; code?: string; diagnostics: string[] } {
  const analyzed = analyze(source);
  const emitted = emit(source, { lang: "js" });
  return {
    ir: analyzed.graph ? printIr(analyzed.graph) : undefined,
    code: emitted.code?.replace(/\bline \d+/g, "line N"),
    diagnostics: analyzed.diagnostics.map((d) => d.message),
  };
}

/** What must hold for any file the formatter accepts. */
function expectSafe(source: string, formatted: string, compiles: boolean): void {
  expect(format(formatted), "formatting twice changes nothing").toBe(formatted);
  expect(commentsOf(formatted)).toEqual(commentsOf(source));
  expect(astOf(formatted)).toEqual(astOf(source));
  if (compiles) expect(meaningOf(formatted)).toEqual(meaningOf(source));
  expect(formatted).not.toMatch(/\r|[ \t]\n|^\t/m);
  if (formatted !== "") expect(formatted).toMatch(/[^\n]\n$/);
}

describe("badly laid out files, fixed", () => {
  const cases: [string, string, string][] = [
    [
      "indentation, spaces, tabs and CRLF",
      "graph   g{\r\n\tinput x:[N,3]\r\n  param W :[ 3 , 2 ]=normal( 0 , -0.01 )\r\n      y=x@W\toutput   y\r\n  grad y wrt W,x }",
      "graph g {\n  input x: [N, 3]\n  param W: [3, 2] = normal(0, -0.01)\n  y = x @ W\n  output y\n  grad y wrt W, x\n}\n",
    ],
    [
      "one statement a line, a blank line between declarations, none at the ends of a block",
      "op sq(x){return x*x} graph g{\n\n\n  input x   y=sq(x)\n\n\n\n  output y\n\n}",
      "op sq(x) {\n  return x * x\n}\n\ngraph g {\n  input x\n  y = sq(x)\n\n  output y\n}\n",
    ],
    [
      "only the parentheses the tree needs",
      "graph g {\n  input a\n  input b\n  input c\n" +
        "  p = ((a * b) + c) - (a - (b - c))\n  q = (a - b) - c / (a * b)\n  r = -(a + b) * (-(a)) - -(-c)\n" +
        "  s = (2 * a) @ b + 2 * (a @ b)\n  t = f(((a)), (b + c) * 2)\n  output p\n}\n",
      "graph g {\n  input a\n  input b\n  input c\n" +
        "  p = a * b + c - (a - (b - c))\n  q = a - b - c / (a * b)\n  r = -(a + b) * -a - -(-c)\n" +
        "  s = 2 * a @ b + 2 * (a @ b)\n  t = f(a, (b + c) * 2)\n  output p\n}\n",
    ],
    [
      "numbers as written, attributes as name=value",
      "graph g {\n  input v:[4]=[ 1E5,.5 , 5.,-1e-7 ]\n  y = sum( v*0.10 , axis = - 1 , keepdims = true )\n  output y\n}\n",
      "graph g {\n  input v: [4] = [1E5, .5, 5., -1e-7]\n  y = sum(v * 0.10, axis=-1, keepdims=true)\n  output y\n}\n",
    ],
    [
      "comments: a header, above statements, after them (aligned when consecutive), at a block's end and the file's",
      "  # header   \n\n\ngraph g {   # the graph\n# x comes first\n input x   # data\n   input longer_name # more\n\n\n" +
        "   # a group of its own\n  y = x\n  # the end of the block\n}   # after the graph\n# the end of the file\n",
      "# header\n\ngraph g {  # the graph\n  # x comes first\n  input x            # data\n  input longer_name  # more\n\n" +
        "  # a group of its own\n  y = x\n  # the end of the block\n}  # after the graph\n\n# the end of the file\n",
    ],
    [
      "comments inside a statement stay after the token they follow",
      "graph g {\n  input x\n  y = relu(x # inside\n  )\n  z = x + # after the plus\n  y\n  output y, # after a comma\n z\n}\n",
      "graph g {\n  input x\n  y = relu(x)  # inside\n  z = x\n    +  # after the plus\n    y\n  output y,  # after a comma\n    z\n}\n",
    ],
    [
      "a comment before closing brackets goes after them: in calls, initializers and types",
      "graph g {\n  param W: [3, 2] = normal(0,\n    1 # b\n  )\n  input x: [N, # rows\n 3]\n  s = sum(x # c\n  )\n  output W, s\n}\n",
      "graph g {\n  param W: [3, 2] = normal(0, 1)  # b\n  input x: [N,  # rows\n    3]\n  s = sum(x)  # c\n  output W, s\n}\n",
    ],
    [
      "a comment after dropped parentheses",
      "graph g {\n  input x\n  y = (x + 1\n  )  # one more\n  output y\n}\n",
      "graph g {\n  input x\n  y = x + 1  # one more\n  output y\n}\n",
    ],
    ["an empty file", " \n\n\t\n", ""],
    ["only comments", "\n  # one\n\n\n# two  \n", "# one\n\n# two\n"],
  ];
  it.each(cases)("%s", (_what, source, expected) => {
    const formatted = format(source);
    expect(formatted).toBe(expected);
    expectSafe(source, formatted, false);
  });

  it("long lists fill their lines, matrices take a row a line, long calls and sums break", () => {
    const vector = Array.from({ length: 30 }, (_, i) => `${i}.25`).join(",");
    const matrix = Array.from({ length: 4 }, (_, i) => `[${Array.from({ length: 8 }, (_, j) => i * 8 + j).join(",")}]`).join(",");
    const long = "a_rather_long_input_name";
    const source =
      `graph g {\n  input v: [30] = [${vector}]\n  input m: [4, 8] = [${matrix}]\n  input ${long}: [N, 8]\n` +
      `  y = softmaxloss(affine(relu(affine(${long}, transpose(m), v)), m, v), ${long})\n` +
      `  z = ${long} * ${long} + ${long} * ${long} - ${long}\n  output y, z\n}\n`;
    const formatted = format(source);
    expect(formatted).toBe(`graph g {
  input v: [30] = [
    0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, 8.25, 9.25, 10.25, 11.25, 12.25, 13.25, 14.25,
    15.25, 16.25, 17.25, 18.25, 19.25, 20.25, 21.25, 22.25, 23.25, 24.25, 25.25, 26.25, 27.25,
    28.25, 29.25
  ]
  input m: [4, 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7],
    [8, 9, 10, 11, 12, 13, 14, 15],
    [16, 17, 18, 19, 20, 21, 22, 23],
    [24, 25, 26, 27, 28, 29, 30, 31]
  ]
  input ${long}: [N, 8]
  y = softmaxloss(
    affine(relu(affine(${long}, transpose(m), v)), m, v),
    ${long}
  )
  z = ${long} * ${long}
    + ${long} * ${long}
    - ${long}
  output y, z
}
`);
    expect(Math.max(...formatted.split("\n").map((l) => l.length))).toBeLessThanOrEqual(FORMAT_WIDTH);
    expectSafe(source, formatted, false);
  });

  it("a file with syntax errors is not formatted: its located diagnostics say why", () => {
    const result = formatGraphFile("graph g {\n  input x\n  y = x * * 2\n  output y $\n}\n");
    expect(result.text).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.span?.line, d.span?.column, d.message])).toEqual([
      [3, 11, 'Expected "-", a number, a name or "(" after "*" but found "*".'],
      [4, 12, 'Unexpected character "$".'],
    ]);
  });

  it("a file the compiler rejects for its meaning is still formatted", () => {
    expect(format("graph g{input x y=rleu(x)}")).toBe("graph g {\n  input x\n  y = rleu(x)\n}\n");
  });
});

describe("big and deep files", () => {
  it("a literal nested as deep as files may nest, and a 10,000-number matrix, are formatted", () => {
    const depth = 126; // the graph's braces count too
    const deep = `graph g { input v = ${"[".repeat(depth)}1${"]".repeat(depth)}  output v }`;
    const formatted = format(deep);
    expect(formatted.split("\n")).toHaveLength(2 * depth + 5); // a bracket a line, the 1, and the graph around them
    expect(format(formatted)).toBe(formatted);
    const rows = Array.from({ length: 200 }, (_, i) => `[${Array.from({ length: 50 }, (_, j) => (i * 50 + j) / 8).join(",")}]`);
    const big = `graph g { input W: [200, 50] = [${rows.join(",")}]  y = sum(W)  output y }`;
    const lines = format(big).split("\n");
    expect(lines[1]).toBe("  input W: [200, 50] = [");
    expect(lines.filter((l) => l === "    [")).toHaveLength(200); // each row too long for a line: broken, and filled
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(FORMAT_WIDTH);
  });
});

describe("the canonical files", () => {
  it.each(examples)("examples/%s is laid out canonically", (file) => {
    const source = exampleSource(file);
    expect(format(source)).toBe(source);
  });

  const docsExamples = readdirSync("docs/examples").filter((f) => f.endsWith(".graph") && f !== "messy.graph");
  it.each(docsExamples)("docs/examples/%s is laid out canonically", (file) => {
    const source = readFileSync(join("docs/examples", file), "utf8");
    expect(format(source)).toBe(source);
  });

  it("the graph files docs/language.md shows are laid out canonically", () => {
    const blocks = [...readFileSync("docs/language.md", "utf8").matchAll(/^```\n((?:#|graph |op )[\s\S]*?)^```$/gm)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) expect(format(block)).toBe(block);
  });

  it.each(examples)("the gradient gradc grad prints for examples/%s is laid out canonically", (file) => {
    const text = gradientGraph(exampleSource(file)).text!;
    expect(format(text)).toBe(text);
  });
});

/** Random numbers from a fast-check array, cycled. */
function picker(numbers: readonly number[]): (n: number) => number {
  let i = 0;
  return (n) => numbers[i++ % numbers.length]! % n;
}

/** The file again with every gap between tokens and comments filled anew, its lines and blank lines kept. */
function scrambled(source: string, pick: (n: number) => number): string {
  const lexed = graphLexer.tokenize(source);
  const items = [...lexed.tokens, ...(lexed.groups[COMMENTS] ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  const spaces = () => [" ", "\t", "  ", " \t "][pick(4)]!;
  let out = "";
  let end = 0;
  for (const item of items) {
    const newlines = (source.slice(end, item.startOffset).match(/\n/g) ?? []).length;
    const afterComment = out.trimEnd().split("\n").pop()!.includes("#");
    let lines = newlines >= 2 ? 2 + pick(2) : newlines;
    // Inside a statement a line may break anywhere; a line before a comment or after one stays.
    if (newlines <= 1 && !afterComment && item.tokenType.name !== "Comment") lines = pick(2);
    out += end === 0 ? "\n".repeat(lines) : lines === 0 ? spaces() : Array.from({ length: lines }, () => `${spaces()}${pick(2) ? "\r\n" : "\n"}`).join("");
    out += item.image + (item.tokenType.name === "Comment" ? spaces() : "");
    end = item.endOffset! + 1;
  }
  return `${out}\n`;
}

describe("formatting is safe", () => {
  it.each(examples)("examples/%s with its white space scrambled is formatted back to itself", (file) => {
    const source = exampleSource(file);
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 50, maxLength: 50 }), (numbers) => {
        const messy = scrambled(source, picker(numbers));
        expect(format(messy)).toBe(source);
      }),
      { numRuns: 20, seed: 9 },
    );
  });

  it("random graphs with random parentheses, white space and comments (200 cases)", () => {
    fc.assert(
      fc.property(randomGraph, fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), (graph, numbers) => {
        const source = withGaps(graph, picker(numbers));
        const formatted = format(source);
        expectSafe(source, formatted, true);
      }),
      { numRuns: 200, seed: 20260611 },
    );
  });

  it("the examples with tokens deleted, duplicated, swapped or inserted: when they parse, formatted safely (1000 cases)", () => {
    let formattedCount = 0;
    fc.assert(
      fc.property(mutated, (source) => {
        const result = formatGraphFile(source);
        if (result.text === undefined) {
          expect(result.diagnostics.length).toBeGreaterThan(0);
          return;
        }
        formattedCount++;
        expectSafe(source, result.text, analyze(source).graph !== undefined);
      }),
      { numRuns: 1000, seed: 5 },
    );
    expect(formattedCount).toBeGreaterThan(10);
  });
});

// ── random graphs ────────────────────────────────────────────────────────────────────────────

type Tree =
  | { readonly kind: "leaf"; readonly text: string }
  | { readonly kind: "neg"; readonly x: Tree }
  | { readonly kind: "bin"; readonly op: string; readonly l: Tree; readonly r: Tree }
  | { readonly kind: "call"; readonly f: string; readonly args: readonly Tree[] };

const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("a", "b", "v", "an_input_with_a_name_long_enough_to_break_lines", "2", "0.5", "1e-3", ".5", "3.", "1E2").map((text): Tree => ({ kind: "leaf", text })),
    fc.record({ op: fc.constantFrom("+", "-", "*", "/"), l: tie("tree"), r: tie("tree") }).map((t): Tree => ({ kind: "bin", ...t })),
    tie("tree").map((x): Tree => ({ kind: "neg", x })),
    fc.record({ f: fc.constantFrom("exp", "tanh", "relu", "sigmoid", "square", "sum"), x: tie("tree") }).map(({ f, x }): Tree => ({ kind: "call", f, args: [x] })),
    fc.record({ l: tie("tree"), r: tie("tree") }).map(({ l, r }): Tree => ({ kind: "call", f: "mix", args: [l, r] })),
  ),
}));

const level = (op: string) => (op === "+" || op === "-" ? 1 : 2);

/** The tree as text: the parentheses it needs, and others where the coin says so. */
function render(t: Tree, coin: () => boolean, context?: { level: number; right: boolean } | "neg"): string {
  let text: string;
  let needs = false;
  if (t.kind === "leaf") text = t.text;
  else if (t.kind === "neg") text = `-${coin() ? " " : ""}${render(t.x, coin, "neg")}`;
  else if (t.kind === "call") text = `${t.f}(${t.args.map((a) => render(a, coin)).join(", ")})`;
  else {
    const l = level(t.op);
    text = `${render(t.l, coin, { level: l, right: false })} ${t.op} ${render(t.r, coin, { level: l, right: true })}`;
    needs = context === "neg" || (context !== undefined && (context.right ? l <= context.level : l < context.level));
  }
  return needs || coin() ? `(${text})` : text;
}

const randomGraph = fc
  .record({ first: tree, second: tree, coins: fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }) })
  .map(({ first, second, coins }) => {
    let i = 0;
    const coin = () => coins[i++ % coins.length]! && coins[(i * 7) % coins.length]!;
    return [
      "# a random graph",
      "op mix(p, q) {",
      "  t = p * q",
      "  return t - p",
      "}",
      "graph random {",
      "  input a",
      "  input b = 2",
      "  input v: [3] = [1, -2, 0.5]",
      "  input an_input_with_a_name_long_enough_to_break_lines",
      `  y = ${render(first, coin)}`,
      `  z = ${render(second, coin)} + y`,
      "  output z, y",
      "}",
    ].join("\n");
  });

/** The tokens of a file again, each gap between them white space or comments chosen at random. */
function withGaps(source: string, pick: (n: number) => number): string {
  let comment = 0;
  const gaps = [" ", "\t", "\n", "\n\n\n", "\r\n  ", () => `  # c${++comment}\n`, () => `\n  # c${++comment}\n\n`, () => `# c${++comment}\n# c${++comment}\n`];
  const tokens = graphLexer.tokenize(source).tokens;
  return tokens
    .map((t, i) => {
      if (i === tokens.length - 1) return `${t.image}\n`;
      const gap = gaps[pick(gaps.length)]!;
      return t.image + (typeof gap === "string" ? gap : gap());
    })
    .join("");
}
