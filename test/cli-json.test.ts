// Machine-readable output: --json on compile, grad, check and run gives diagnostics as
// {file, line, column, endLine, endColumn, severity, message} with 1-based positions, exit
// codes unchanged; run --json keeps NaN and ±Infinity apart from each other and from null.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gradc } from "./support/gradc.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-json-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bad = join(dir, "bad.graph");
// Two mistakes: an unknown op on line 3 (columns 7–10) and an undefined name on line 4.
writeFileSync(bad, "graph g {\n  input x\n  y = rleu(x)\n  z = y + weights\n  output z\n}\n");
const expected = [
  { file: bad, line: 3, column: 7, endLine: 3, endColumn: 11, severity: "error", message: 'Unknown op "rleu". Did you mean "relu"?' },
  { file: bad, line: 4, column: 11, endLine: 4, endColumn: 18, severity: "error", message: '"weights" is not defined.' },
];

describe.concurrent("--json diagnostics", () => {
  it("compile --json: {diagnostics} on stdout, nothing on stderr, exit 1", async () => {
    const r = await gradc("compile", bad, "--json");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ diagnostics: expected });
  });

  it("grad --json and check --json carry the same diagnostics", async () => {
    const g = await gradc("grad", bad, "--json");
    expect(g.status).toBe(1);
    expect(JSON.parse(g.stdout)).toEqual({ diagnostics: expected });
    const c = await gradc("check", bad, "--json");
    expect(c.status).toBe(1);
    expect(JSON.parse(c.stdout)).toEqual({ file: bad, ok: false, diagnostics: expected });
    const r = await gradc("run", bad, "--json");
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ diagnostics: expected });
  });

  it("success: compile --json gives the code, or the files it wrote; grad --json the graph file", async () => {
    const printed = JSON.parse((await gradc("compile", "examples/apple.graph", "--json")).stdout);
    expect(printed.diagnostics).toEqual([]);
    expect(printed.code).toMatch(/^export function forward\(inputs: Inputs, params: Params\): Forward \{$/m);
    const out = join(dir, "apple.js");
    const written = await gradc("compile", "examples/apple.graph", "-o", out, "--dts", "--json");
    expect(JSON.parse(written.stdout)).toEqual({
      diagnostics: [],
      outputs: [{ file: "examples/apple.graph", output: out, declarations: join(dir, "apple.d.ts") }],
    });
    const grad = JSON.parse((await gradc("grad", "examples/apple.graph", "--json")).stdout);
    expect(grad.diagnostics).toEqual([]);
    expect(grad.text).toContain("dapple = tax * apple_num");
  });

  it("check --json over several files: one entry each, with its diagnostics or its report", async () => {
    const r = await gradc("check", "examples/apple.graph", bad, join(dir, "missing.graph"), "--json");
    expect(r.status).toBe(1);
    const [ok, broken, missing] = JSON.parse(r.stdout);
    expect(ok).toMatchObject({ file: "examples/apple.graph", ok: true, diagnostics: [] });
    expect(ok.rows.map((row: { name: string }) => row.name)).toEqual(["apple", "apple_num", "tax"]);
    expect(broken).toEqual({ file: bad, ok: false, diagnostics: expected });
    expect(missing.diagnostics).toEqual([
      { file: join(dir, "missing.graph"), line: 1, column: 1, endLine: 1, endColumn: 1, severity: "error", message: `cannot read "${join(dir, "missing.graph")}": no such file.` },
    ]);
  });

  it("a whole-file diagnostic is placed at the start of the file", async () => {
    const empty = join(dir, "empty.graph");
    writeFileSync(empty, "# nothing here\n");
    const r = await gradc("compile", empty, "--json");
    expect(JSON.parse(r.stdout).diagnostics).toEqual([
      { file: empty, line: 1, column: 1, endLine: 1, endColumn: 1, severity: "error", message: "The file declares no graph; expected `graph NAME { ... }`." },
    ]);
  });
});

describe("run --json and numbers JSON has no name for", () => {
  it("NaN, Infinity and -Infinity are the strings \"NaN\", \"Infinity\" and \"-Infinity\"", async () => {
    const graph = join(dir, "ieee.graph");
    writeFileSync(graph, "graph ieee {\n  input zero = 0\n  input one = 1\n  a = log(zero)\n  b = one / zero\n  c = zero / zero\n  output a, b, c\n  grad a wrt zero\n}\n");
    const r = await gradc("run", graph, "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ outputs: { a: "-Infinity", b: "Infinity", c: "NaN" }, grads: { zero: "Infinity" } });
  });
});
