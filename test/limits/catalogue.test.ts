// docs/limits.md is the error catalogue; every compile-time example in it must still produce
// exactly the message printed beside it, so the page and the compiler cannot drift apart.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze, formatDiagnostics } from "../../src/index.js";

const page = readFileSync("docs/limits.md", "utf8");
const examples = [...page.matchAll(/#### (.+)\n\n```graph\n([\s\S]*?)\n?```\n\n```text\n([\s\S]*?)\n```/g)].map((m) => ({
  title: m[1]!,
  source: m[2]!,
  expected: m[3]!,
}));

describe("the error catalogue in docs/limits.md", () => {
  it("has an example for each family of compile-time error", () => {
    expect(examples.length).toBeGreaterThanOrEqual(35);
  });

  it.each(examples.map((e) => [e.title, e] as const))("%s", (_title, e) => {
    const { diagnostics } = analyze(e.source);
    expect(formatDiagnostics(diagnostics, "example.graph", e.source)).toBe(e.expected);
  });
});
