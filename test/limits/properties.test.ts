// Property tests: any text is either compiled or answered with located diagnostics. Random and
// mutated graph files (tokens of the examples deleted, duplicated, swapped; random bytes;
// invalid UTF-8; empty files; only comments) go to the library and to the CLI. Nothing throws,
// nothing prints a stack trace, every message is located, and each case finishes in bounded
// time. The case counts below are what CI runs.
import * as fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyze, compile, formatDiagnostics } from "../../src/index.js";
import { expectNoStack, gradc } from "../support/gradc.js";
import { anyText, mutated } from "../support/random-files.js";

export const LIBRARY_CASES = 3000;
export const COMPILE_CASES = 60;
export const CLI_CASES = 16;

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
