// Size and depth: deep nesting is refused at the place it goes too deep; long chains, big
// files and wide graphs compile. The sizes here run fast; `npm run bench:scaling` shows how
// compile time grows with size (about linearly).
import { describe, expect, it } from "vitest";
import { analyze, compile, formatDiagnostics, loadGraph } from "../../src/index.js";
import { MAX_NESTING } from "../../src/syntax/parse.js";

describe("size and depth", () => {
  it("10,000 nested parentheses: a located error, not a stack overflow", () => {
    const source = `graph g {\n  input x = 1\n  y = ${"(".repeat(10_000)}x${")".repeat(10_000)}\n  output y\n}\n`;
    const { diagnostics } = analyze(source);
    expect(formatDiagnostics(diagnostics, "deep.graph", source).split("\n")[0]).toBe(
      `deep.graph:3:${7 + MAX_NESTING - 1}: error: Expressions nest more than ${MAX_NESTING} levels deep here; name some inner expressions in steps of their own.`,
    );
  });

  it("10,000 unary minus signs and 10,000 nested calls: the same located error", () => {
    for (const body of ["-".repeat(10_000) + "x", "neg(".repeat(10_000) + "x" + ")".repeat(10_000)]) {
      const { diagnostics } = analyze(`graph g { input x = 1  y = ${body}  output y }`);
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]!.message).toMatch(/nest more than 128 levels/);
    }
  });

  it("nesting just inside the limit compiles and runs", async () => {
    const depth = MAX_NESTING - 2; // the graph's braces count too
    const { module } = await loadGraph(`graph g { input x = 3  y = ${"neg(".repeat(depth)}x${")".repeat(depth)}  output y }`);
    expect(module.forward({}, {}).outputs.y).toBe(depth % 2 === 0 ? 3 : -3);
  });

  it("a literal nested just inside the limit is read in steps linear in its depth", () => {
    // Finding a list's source span once took 2^depth steps: this did not finish.
    const depth = MAX_NESTING - 2;
    const { diagnostics } = analyze(`graph g { input v = ${"[".repeat(depth)}1${"]".repeat(depth)}  output v }`);
    expect(diagnostics).toEqual([]);
  });

  it("a chain of 5,000 statements compiles, runs and differentiates", async () => {
    const lines = ["graph chain {", "  input x = 1"];
    let prev = "x";
    for (let i = 0; i < 5000; i++) {
      lines.push(`  v${i} = ${prev} * 1.0001 + 1`);
      prev = `v${i}`;
    }
    lines.push(`  output ${prev}`, "}");
    const { module } = await loadGraph(lines.join("\n"));
    const grads = module.backward(module.forward({}, {}));
    expect(grads.x).toBeCloseTo(1.0001 ** 5000, 6);
  });

  it("a flat sum of 5,000 different terms compiles (no recursion per term)", () => {
    const names = Array.from({ length: 5000 }, (_, i) => `x${i}`);
    const source = `graph wide {\n${names.map((n) => `  input ${n} = 1`).join("\n")}\n  s = ${names.join(" + ")}\n  output s\n}\n`;
    const result = analyze(source);
    expect(result.diagnostics).toEqual([]);
    expect(result.graph!.grads).toHaveLength(5000);
  });

  it("a 1 MB file (a 150,000-number literal) compiles", async () => {
    const values = Array.from({ length: 150_000 }, (_, i) => ((i * 7919) % 1000) / 1000);
    const source = `graph big { input v: [150000] = [${values.join(", ")}]  y = sum(v * v)  output y }\n`;
    expect(source.length).toBeGreaterThan(800_000);
    const result = await compile(source);
    expect(result.diagnostics).toEqual([]);
    expect(result.code!.length).toBeGreaterThan(source.length);
  });
});
