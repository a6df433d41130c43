// The language service on its own (what `gradc lsp` and a browser playground ask): diagnostics
// that are the compiler's, names followed within their scopes, renames that refuse what would
// break the file, completions by context, the outline, and answers while the file has a mistake.
import { describe, expect, it } from "vitest";
import {
  analyze,
  analyzeDocument,
  completionsAt,
  definitionAt,
  hoverAt,
  outline,
  referencesAt,
  renameAt,
  type DocumentAnalysis,
} from "../../src/index.js";
import { exampleSource, examples } from "../support/examples.js";

/** The offset of the n-th occurrence of `needle`, plus `delta`. */
function at(text: string, needle: string, n = 0, delta = 0): number {
  let i = -1;
  for (let k = 0; k <= n; k++) i = text.indexOf(needle, i + 1);
  expect(i, needle).toBeGreaterThanOrEqual(0);
  return i + delta;
}

const slice = (doc: DocumentAnalysis, span: { start: number; end: number }) => doc.source.slice(span.start, span.end);

describe("diagnostics", () => {
  it.each(examples)("%s: the same as the compiler's (none)", (file) => {
    const source = exampleSource(file);
    expect(analyzeDocument(source).diagnostics).toEqual(analyze(source).diagnostics);
  });

  it("a file with mistakes: exactly the compiler's messages and spans", () => {
    const cases = [
      "graph g {\n  input x: [N, 3]\n  y = rleu(x)\n  z = y + weights\n  output z\n}\n",
      "graph g {\n  input x\n  output x y\n}\n",
      "graph g {\n  input x: [N, 3]\n  input y: [M, 3]\n  z = x + y\n  output z\n}\n",
      "graph g { input a  output b }\nop f(x) { return g(x) }\n",
    ];
    for (const source of cases) expect(analyzeDocument(source).diagnostics, source).toEqual(analyze(source).diagnostics);
  });

  it("every graph of the file is checked, not only the first", () => {
    const source = "graph a {\n  input x\n  output x\n}\n\ngraph b {\n  input y\n  z = relu(y, y)\n  output z\n}\n";
    expect(analyze(source).diagnostics).toEqual([]);
    const messages = analyzeDocument(source).diagnostics.map((d) => [d.span?.line, d.message]);
    expect(messages).toEqual([[8, 'Op "relu" takes 1 argument (x), got 2.']]);
  });
});

describe("names", () => {
  const source = [
    "op dense(x, W, b) {",
    "  z = affine(x, W, b)",
    "  return relu(z)",
    "}",
    "",
    "graph layer {",
    "  input x: [N, 4]",
    "  input t: [N, 3]",
    "  param W: [4, 3] = he",
    "  param b: [3]",
    "  h = dense(x, W, b)",
    "  loss = softmaxloss(h, t)",
    "  output loss, h",
    "  grad loss wrt W, b",
    "}",
    "",
  ].join("\n");
  const doc = analyzeDocument(source);

  it("a graph's x and an op's parameter x are different names", () => {
    const graphX = definitionAt(doc, at(source, "dense(x", 1, 6))!;
    expect(graphX.line).toBe(7);
    const opX = definitionAt(doc, at(source, "affine(x", 0, 7))!;
    expect(opX.line).toBe(1);
    expect(referencesAt(doc, at(source, "affine(x", 0, 7)).map((s) => s.line)).toEqual([1, 2]);
    expect(referencesAt(doc, at(source, "input x") + 6).map((s) => s.line)).toEqual([7, 11]);
  });

  it("a user op is followed from its call to its declaration, and renamed everywhere", () => {
    const call = at(source, "dense(x", 1);
    expect(slice(doc, definitionAt(doc, call)!)).toBe("dense");
    expect(definitionAt(doc, call)!.line).toBe(1);
    const edits = renameAt(doc, call, "layer1");
    expect("edits" in edits && edits.edits.map((e) => e.span.line)).toEqual([1, 11]);
  });

  it("a symbolic dimension is one name across the graph's declarations", () => {
    expect(referencesAt(doc, at(source, "[N, 3]", 0, 1)).map((s) => s.line)).toEqual([7, 8]);
  });

  it("rename refuses what would break the file, and says why", () => {
    const w = at(source, "param W") + 6;
    const bLine = source.slice(0, at(source, "param b")).split("\n").length;
    expect(renameAt(doc, w, "b")).toEqual({ error: `"b" is already defined at line ${bLine}; choose another name.` });
    expect(renameAt(doc, w, "grad")).toEqual({ error: '"grad" is a keyword; it cannot be used as a name.' });
    expect(renameAt(doc, w, "2W")).toMatchObject({ error: expect.stringContaining("is not a name") });
    expect(renameAt(doc, at(source, "op dense") + 3, "relu")).toEqual({ error: '"relu" is a built-in op; choose another name.' });
    // The op's own W is another name: renaming the graph's W to z is fine although the op has a z.
    const ok = renameAt(doc, w, "z");
    expect("edits" in ok && ok.edits.map((e) => e.span.line)).toEqual([9, 11, 14]);
  });

  it("hover: a value's shape, an op parameter, a dimension, a user op, an attribute", () => {
    expect(hoverAt(doc, at(source, "h = dense"))?.contents).toContain("h: [N, 3]");
    expect(hoverAt(doc, at(source, "dense(x, W, b) {", 0, 6))?.contents).toContain("A parameter of op `dense`");
    expect(hoverAt(doc, at(source, "[N, 4]", 0, 1))?.contents).toContain("A symbolic dimension of graph `layer`");
    expect(hoverAt(doc, at(source, "dense(x", 1))?.contents).toContain("op dense(x, W, b)");
    const sum = analyzeDocument("graph g {\n  input x: [2, 3]\n  y = sum(x, axis=1)\n  output y\n}\n");
    expect(hoverAt(sum, at(sum.source, "axis"))?.contents).toContain("The axis to reduce");
  });

  it("the outline: ops and graphs with their names", () => {
    expect(outline(doc).map((o) => [o.name, o.kind, o.children.map((c) => c.name)])).toEqual([
      ["dense", "op", ["x", "W", "b", "z"]],
      ["layer", "graph", ["x", "t", "W", "b", "h", "loss"]],
    ]);
    // Each declaration's range is all of it, keyword to closing brace; its name is the selection.
    for (const o of outline(doc)) {
      expect(slice(doc, o.span)).toMatch(new RegExp(`^${o.kind} ${o.name}[\\s\\S]*\\}$`));
      expect(slice(doc, o.selection)).toBe(o.name);
    }
    expect(slice(doc, outline(doc)[1]!.span)).toContain("grad loss wrt");
  });
});

describe("completion by context", () => {
  const labels = (source: string, needle: string, delta: number) => completionsAt(analyzeDocument(source), at(source, needle, 0, delta)).map((c) => c.label);

  it("keywords at the start of a statement, ops and earlier names in an expression", () => {
    const source = "graph g {\n  input a\n  \n  b = a\n  c = \n  output c\n}\n";
    expect(labels(source, "  \n", 2)).toEqual(["input", "param", "output", "grad"]);
    const expr = labels(source, "c = \n", 4);
    expect(expr).toEqual(expect.arrayContaining(["a", "b", "relu", "matmul"]));
    expect(expr).not.toContain("c");
  });

  it("inputs and params after wrt, dimensions in a type", () => {
    const source = "graph g {\n  input x: [N, 3]\n  input y: []\n  param w: [3]\n  s = sum(x @ w)\n  output s\n  grad s wrt \n}\n";
    expect(labels(source, "wrt \n", 4)).toEqual(["x", "y", "w"]);
    expect(labels(source, "y: [", 4)).toEqual(["N"]);
  });
});

describe("while the file has a mistake", () => {
  it("names are still followed, from the compiler's repaired reading of the file", () => {
    const source = "graph g {\n  input x: [N, 3]\n  h = relu(x)\n  y = h +\n  output h\n}\n";
    const doc = analyzeDocument(source);
    expect(doc.syntaxErrors).toBe(true);
    expect(doc.diagnostics).toEqual(analyze(source).diagnostics);
    expect(slice(doc, definitionAt(doc, at(source, "output h", 0, 7))!)).toBe("h");
    expect(hoverAt(doc, at(source, "h = relu"))?.contents).toContain("h: [N, 3]");
  });
});
