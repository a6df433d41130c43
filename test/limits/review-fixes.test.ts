// Defects a review found, each pinned by the input that showed it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyze, checkGradients, loadCsv, loadGraph, sgd, train } from "../../src/index.js";
import { gradc } from "../support/gradc.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-review-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("gradient check", () => {
  it("passes a right gradient that is tiny next to its output (round-off of the differences), with a warning", async () => {
    const { module } = await loadGraph("graph g { input x: [3]  y = 1000 + 0.0001 * sum(x)  output y  grad y wrt x }");
    const report = checkGradients(module);
    expect(report.ok).toBe(true);
    expect(report.rows[0]!.note).toMatch(/round-off/);
  });

  it("still fails a wrong gradient of that kind", async () => {
    const { module } = await loadGraph("graph g { input x: [3]  y = 1000 + 0.0001 * sum(x)  output y  grad y wrt x }");
    const wrong = { ...module, backward: (f: Parameters<typeof module.backward>[0]) => {
      const g = module.backward(f);
      const x = g.x as { data: Float64Array };
      x.data[0] = 2e-4;
      return g;
    } };
    expect(checkGradients(wrong).ok).toBe(false);
  });

  it("handles a symbolic dimension named like an Object property", async () => {
    const { module } = await loadGraph("graph g { input x: [constructor]  y = sum(x * x)  output y }");
    const report = checkGradients(module, { dims: { constructor: 2 } });
    expect(report.ok).toBe(true);
    expect(report.rows[0]!.total).toBe(2);
  });
});

describe("compiler", () => {
  it("0 * x is not folded to 0: an infinite or NaN x gives NaN, as IEEE says", async () => {
    const { module } = await loadGraph("graph g { input x = 1e999  y = x * 0  output y  grad y wrt x }");
    const fwd = module.forward({}, {});
    expect(fwd.outputs.y).toBeNaN();
  });

  it("a mistake inside a user op names the call that brought it there, and says ops see only their parameters", () => {
    const calls = analyze("op f(a, b) {\n  return a @ b\n}\ngraph g {\n  input x: [2, 3]\n  input w: [4, 5]\n  y = f(x, w)\n  output y\n}\n");
    expect(calls.diagnostics[0]!.message).toMatch(/\(in the call of "f" at line 7\)\.$/);
    const scope = analyze("op f(a) {\n  return a * q\n}\ngraph g {\n  input x\n  q = 2\n  y = f(x)\n  output y\n}\n");
    expect(scope.diagnostics[0]!.message).toMatch(/^"q" is not defined in op "f"; an op sees only its parameters/);
  });
});

describe("training refuses what it cannot do, up front", () => {
  const graph = `graph g {
  input x: [N, 2]
  input t: [N, 3]
  param W: [2, 3]
  y = affine(x, W, zeros3)
  loss = softmaxloss(y, t)
  output loss, y, p
}`.replace("affine(x, W, zeros3)", "x @ W").replace("output loss, y, p", "p = sum(y, axis=1)\n  output loss, y, p");
  const options = { epochs: 1, batch: 2, optimizer: sgd(0.1), seed: 0, features: "x", labels: "t" };

  it("data with no training examples", async () => {
    const { module } = await loadGraph(graph);
    await expect(train(module, loadCsv("tiny.csv", "0,1,0\n1,0,1\n1,1,2\n"), options)).rejects.toThrow(/no training examples/);
  });

  it("a prediction output that is not one row per example", async () => {
    const { module } = await loadGraph(graph);
    const data = loadCsv("d.csv", Array.from({ length: 30 }, (_, i) => `${i % 2},${i % 3},${i % 3}`).join("\n"));
    await expect(train(module, data, { ...options, predict: "loss" })).rejects.toThrow(/one row per example/);
    await expect(train(module, data, { ...options, predict: "p" })).rejects.toThrow(/one row per example/);
  });

  it("a fixed batch size in the graph", async () => {
    const { module } = await loadGraph(graph.replace("[N, 2]", "[2, 2]").replace("[N, 3]", "[2, 3]"));
    const data = loadCsv("d.csv", Array.from({ length: 30 }, (_, i) => `${i % 2},${i % 3},${i % 3}`).join("\n"));
    await expect(train(module, data, options)).rejects.toThrow(/symbolic batch dimension/);
  });
});

describe("command line", () => {
  it("run prints NaN and ±Infinity in tensors as such (only JSON uses null)", async () => {
    const r = await gradc("run", file("inf.graph", "graph g { input x: [3] = [0, 1, -1]  y = log(x)  output y  grad y wrt x }"));
    expect(r.stdout).toContain("y: [3] [-Infinity,0,NaN]");
    expect(r.stdout).toContain("dx: [3] [Infinity,1,-1]");
  });

  it("params too large to allocate are a one-line error with exit 1", async () => {
    const r = await gradc("run", file("big.graph", "graph g { param W: [100000, 100000]  y = sum(W)  output y }"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: the tensors are too large to allocate/);
  });

  it("check goes on to the next file when --inputs does not fit one of them", async () => {
    const inputs = file("ax.json", JSON.stringify({ x: [[1, 2, 3]] }));
    const again = file("affine2.graph", readFileSync("examples/affine.graph", "utf8"));
    const r = await gradc("check", "examples/affine.graph", "examples/apple.graph", again, "--inputs", inputs);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the graph has no input or param "x"/);
    expect(r.stdout).toMatch(/examples\/affine\.graph/);
    expect(r.stdout).toMatch(/affine2\.graph/);
  });
});
