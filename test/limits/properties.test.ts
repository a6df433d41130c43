// Property tests: any text is either compiled or answered with located diagnostics. Random and
// mutated graph files (tokens of the examples deleted, duplicated, swapped; random bytes;
// invalid UTF-8; empty files; only comments) go to the library and to the CLI. Nothing throws,
// nothing prints a stack trace, every message is located, and each case finishes in bounded
// time. The case counts below are what CI runs.
import * as fc from "fast-check";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { graphLexer } from "../../grammar/tokens.js";
import { analyze, compile, formatDiagnostics } from "../../src/index.js";
import { expectNoStack, gradc } from "../support/gradc.js";

export const LIBRARY_CASES = 3000;
export const COMPILE_CASES = 60;
export const CLI_CASES = 16;

const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".graph"))
  .sort()
  .map((f) => readFileSync(join("examples", f), "utf8"));
const tokenLists = examples.map((s) => graphLexer.tokenize(s).tokens.map((t) => t.image));

/** A token-level mutation of an example: delete, duplicate, swap or replace tokens. */
const mutated = fc
  .record({
    example: fc.nat({ max: tokenLists.length - 1 }),
    edits: fc.array(
      fc.record({
        kind: fc.constantFrom("delete", "duplicate", "swap", "replace", "insert"),
        at: fc.nat(),
        other: fc.nat(),
        text: fc.constantFrom("(", ")", "[", "]", "{", "}", ",", "=", "-", "*", "@", "graph", "op", "input", "param", "output", "grad", "wrt", "return", "x", "1e999", "0", "-0", ":", "#", "relu", "sum(x, axis=7)"),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ example, edits }) => {
    const tokens = [...tokenLists[example]!];
    for (const e of edits) {
      if (tokens.length === 0) break;
      const i = e.at % tokens.length;
      const j = e.other % tokens.length;
      if (e.kind === "delete") tokens.splice(i, 1);
      else if (e.kind === "duplicate") tokens.splice(i, 0, tokens[i]!);
      else if (e.kind === "swap") [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
      else if (e.kind === "replace") tokens[i] = e.text;
      else tokens.splice(i, 0, e.text);
    }
    return tokens.join(" ");
  });

/** Example text with random characters spliced in. */
const noisy = fc
  .record({ example: fc.nat({ max: examples.length - 1 }), at: fc.nat(), noise: fc.string({ unit: "binary", maxLength: 12 }) })
  .map(({ example, at, noise }) => {
    const s = examples[example]!;
    const i = at % (s.length + 1);
    return s.slice(0, i) + noise + s.slice(i);
  });

const anyText = fc.oneof(
  mutated,
  noisy,
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("", "   \n\t", "# only a comment\n# and another", "graph", "graph g {", "}", "op f() { return 1 }"),
);

function expectLocatedAnswer(source: string): void {
  const result = analyze(source);
  if (result.graph) return;
  expect(result.diagnostics.length).toBeGreaterThan(0);
  for (const d of result.diagnostics) {
    expect(d.message).toMatch(/[.?]$/);
    if (d.span) {
      expect(d.span.start).toBeGreaterThanOrEqual(0);
      expect(d.span.end).toBeLessThanOrEqual(source.length);
      expect(d.span.line).toBeGreaterThanOrEqual(1);
      expect(d.span.column).toBeGreaterThanOrEqual(1);
    }
  }
  const text = formatDiagnostics(result.diagnostics, "f.graph", source);
  expect(text).toMatch(/^f\.graph(:\d+:\d+)?: error: /);
}

describe("any text: compiled, or located diagnostics", () => {
  it(`the library never throws (${LIBRARY_CASES} cases)`, () => {
    fc.assert(fc.property(anyText, expectLocatedAnswer), { numRuns: LIBRARY_CASES, seed: 20261129 });
  });

  it(`whole compiles, TypeScript included, never throw (${COMPILE_CASES} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (source) => {
        const result = await compile(source);
        expect(result.code !== undefined || result.diagnostics.length > 0).toBe(true);
      }),
      { numRuns: COMPILE_CASES, seed: 7 },
    );
  });
});

describe("the CLI on random files", () => {
  const dir = mkdtempSync(join(tmpdir(), "gradc-fuzz-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`exit 0 or 1, located messages, no stack trace (${CLI_CASES} files, invalid UTF-8 among them)`, async () => {
    const sources = fc.sample(anyText, { numRuns: CLI_CASES - 2, seed: 99 });
    const files = sources.map((s, i) => {
      const file = join(dir, `case${i}.graph`);
      writeFileSync(file, s);
      return file;
    });
    const invalidUtf8 = join(dir, "invalid-utf8.graph");
    writeFileSync(invalidUtf8, Buffer.from([0x67, 0x72, 0x61, 0x70, 0x68, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x7b, 0x7d]));
    const empty = join(dir, "empty.graph");
    writeFileSync(empty, "");
    files.push(invalidUtf8, empty);
    const run = await gradc("check", ...files);
    expectNoStack(run.stdout + run.stderr);
    expect([0, 1]).toContain(run.status);
    for (const line of run.stderr.split("\n")) {
      if (/error:/.test(line)) expect(line).toMatch(/^\S+\.graph(:\d+:\d+)?: error: /);
    }
    expect(run.stderr).toMatch(/empty\.graph: error: The file declares no graph/);
    expect(run.stderr).toMatch(/invalid-utf8\.graph:1:7: error: Unexpected character/);
  }, 120_000);
});
