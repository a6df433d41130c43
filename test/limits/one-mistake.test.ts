// One mistake, one error. Every single-token mistake in a graph file that uses every construct
// of the language (each token deleted, doubled, or preceded by a stray token) must give exactly
// one syntax error, located on or near the line of the mistake; and two mistakes some lines
// apart must give at most two errors, each at its mistake (a repair that went wrong would
// cascade into more). A character the lexer does not know, anywhere, is one error too.
import type { IToken } from "chevrotain";
import { describe, expect, it } from "vitest";
import { graphLexer } from "../../grammar/tokens.js";
import { DiagnosticBag, formatDiagnostics } from "../../src/diagnostics.js";
import { parseProgram } from "../../src/syntax/parse.js";

const CORPUS = `# Every construct of the language.
op dense(x, W, b) {
  z = affine(x, W, b)
  return relu(z)
}

graph net {
  input x: [N, 4]
  input t: [N, 3]
  input v: [2] = [-0.5, 1e-3]
  param W1: [4, 8] = normal(0, 0.01)
  param b1: [8]
  param W2: [8, 3] = he
  h = dense(x, W1, b1)
  y = h @ W2 - (2 * h @ W2) / 3
  s = sum(y, axis=1, keepdims=true)
  loss = softmaxloss(y, t) + -mean(s) * sum(v)
  output loss, y
  grad loss wrt W1, b1, W2
}
`;

const tokens = graphLexer.tokenize(CORPUS).tokens;

/** What may be put before a token: a stray token of each kind, keywords included. */
const strays = ["(", ")", "[", "]", "{", "}", ",", ":", "-", "*", "@", "1", "x",
  "graph", "op", "input", "param", "output", "grad", "wrt", "return"];

type Edit = "delete" | "double" | string;

function edited(source: string, t: IToken, edit: Edit): string {
  const [a, b] = [t.startOffset, t.endOffset! + 1];
  if (edit === "delete") return source.slice(0, a) + source.slice(b);
  if (edit === "double") return `${source.slice(0, b)} ${t.image}${source.slice(b)}`;
  return `${source.slice(0, a)}${edit} ${source.slice(a)}`;
}

/** The syntax errors of a text, or undefined when it parses (the mistake was valid syntax). */
function syntaxErrors(source: string): DiagnosticBag | undefined {
  const bag = new DiagnosticBag();
  return parseProgram(source, bag) ? undefined : bag;
}

describe("one mistake, one error", () => {
  it("the corpus itself parses", () => {
    expect(syntaxErrors(CORPUS)).toBeUndefined();
  });

  it("every single-token mistake gives exactly one syntax error, near the mistake", () => {
    let mistakes = 0;
    const wrong: string[] = [];
    for (const t of tokens) {
      for (const edit of ["delete", "double", ...strays]) {
        const source = edited(CORPUS, t, edit);
        const bag = syntaxErrors(source);
        if (!bag) continue;
        mistakes++;
        const [only] = bag.items;
        const near = only?.span !== undefined && Math.abs(only.span.line - t.startLine!) <= 2;
        if (bag.items.length !== 1 || !near) {
          wrong.push(`${edit} at ${t.startLine}:${t.startColumn} ("${t.image}"):\n${formatDiagnostics(bag.items, "f.graph", source)}`);
        }
      }
    }
    expect(mistakes).toBeGreaterThan(3000);
    expect(wrong.slice(0, 5).join("\n\n")).toBe("");
  });

  it("one unknown character anywhere outside a comment gives exactly one error, at it", () => {
    let mistakes = 0;
    const wrong: string[] = [];
    for (let at = 0; at <= CORPUS.length; at++) {
      const lineStart = CORPUS.lastIndexOf("\n", at - 1) + 1;
      if (CORPUS.slice(lineStart, at).includes("#")) continue;
      for (const c of ["$", "?", "€", "!", "'"]) {
        const source = CORPUS.slice(0, at) + c + CORPUS.slice(at);
        const bag = syntaxErrors(source);
        if (!bag) continue;
        mistakes++;
        if (bag.items.length !== 1 || bag.items[0]!.span?.start !== at) {
          wrong.push(`${JSON.stringify(c)} at offset ${at}:\n${formatDiagnostics(bag.items, "f.graph", source)}`);
        }
      }
    }
    expect(mistakes).toBeGreaterThan(2000);
    expect(wrong.slice(0, 5).join("\n\n")).toBe("");
  });

  it("two mistakes three or more lines apart: two errors at most, one at each mistake", () => {
    // Every other pair of tokens far enough apart, with the kinds of mistake taken in turn.
    const edits: Edit[] = ["delete", "double", ",", ")", "(", "=", "x", "input", "]", "}", "*", "output", "return", "graph"];
    const alone = new Map<string, number | undefined>();
    const errorsAlone = (t: IToken, e: Edit): number | undefined => {
      const key = `${t.startOffset} ${e}`;
      if (!alone.has(key)) alone.set(key, syntaxErrors(edited(CORPUS, t, e))?.items.length);
      return alone.get(key);
    };
    let pairs = 0;
    let both = 0;
    const wrong: string[] = [];
    tokens.forEach((t1, i) => {
      tokens.forEach((t2, j) => {
        if (t2.startLine! - t1.startLine! < 3 || (i + j) % 2 === 1) return;
        const [e1, e2] = [edits[(i + 2 * j) % edits.length]!, edits[(3 * i + j) % edits.length]!];
        if (errorsAlone(t1, e1) !== 1 || errorsAlone(t2, e2) !== 1) return;
        const source = edited(edited(CORPUS, t2, e2), t1, e1);
        const items = syntaxErrors(source)?.items ?? [];
        pairs++;
        const at = (k: number, t: IToken) => items[k]?.span !== undefined && Math.abs(items[k]!.span!.line - t.startLine!) <= 2;
        if (items.length === 2) both++;
        if (items.length < 1 || items.length > 2 || !at(0, t1) || (items.length === 2 && !at(1, t2))) {
          wrong.push(`${e1} at ${t1.startLine}:${t1.startColumn}, ${e2} at ${t2.startLine}:${t2.startColumn}:\n${formatDiagnostics(items, "f.graph", source)}`);
        }
      });
    });
    expect(pairs).toBeGreaterThan(3000);
    expect(wrong.slice(0, 5).join("\n\n")).toBe("");
    // Both mistakes are found nearly always; the exceptions are a broken op header, whose
    // declaration is skipped whole, taking a second mistake in its body with it.
    expect(both / pairs).toBeGreaterThan(0.97);
  });
});
