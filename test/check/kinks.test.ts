// The gradient check at kinks: an element where the graph is not differentiable (ReLU at 0) is
// not called wrong when its gradient is a one-sided derivative or lies between them, and the
// report says so; params that start constant and put elements at a kink are redrawn; a gradient
// that is wrong, at a kink or not, still fails. Wrong gradients come from hand-made modules,
// since the compiler's are right; every numeric value comes from a forward function.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkGradients, loadGraph, type GraphModule, type Tensor, type Value } from "../../src/index.js";
import { expectNoStack, gradc } from "../support/gradc.js";

// The `op dense` example of docs/language.md, in a graph whose params start at zero: every
// pre-activation is 0, so every element of W and b sits at ReLU's kink.
const DENSE_AT_ZERO = `op dense(x, W, b) {
  z = affine(x, W, b)
  return relu(z)
}

graph layer {
  input x: [N, 4]
  param W: [4, 3]
  param b: [3]
  y = sum(dense(x, W, b))
  output y
}
`;

const zeros = (shape: number[]): Tensor => ({ shape, data: new Float64Array(shape.reduce((p, d) => p * d, 1)) });

describe("the dense example at zero params", () => {
  it("is checked at redrawn params, and the report says why", async () => {
    const { module } = await loadGraph(DENSE_AT_ZERO);
    const report = checkGradients(module);
    expect(report.ok).toBe(true);
    expect(report.redrawn).toEqual(["W", "b"]);
    expect(report.note).toMatch(/^at the params from init\(0\), 15 checked elements sat at a kink/);
    expect(report.note).toContain("(W: 12 of 12, b: 3 of 3)");
    expect(report.note).toContain('"W" and "b" start constant, so they were drawn from N(0, 1)');
    // At random params no element is at a kink, so every element was compared.
    for (const row of report.rows) {
      expect(row.kinks).toBeUndefined();
      expect(row.note).toBeUndefined();
      expect(row.maxRelError).toBeLessThanOrEqual(1e-6);
      expect(row.maxAbsError).toBeGreaterThan(0);
    }
  });

  it("at zero params the user gave, reports ok with the kink note on each row", async () => {
    const { module } = await loadGraph(DENSE_AT_ZERO);
    const report = checkGradients(module, { values: { W: zeros([4, 3]), b: zeros([3]) } });
    expect(report.ok).toBe(true);
    expect(report.redrawn).toBeUndefined();
    expect(report.note).toBeUndefined();
    expect(report.rows.map((r) => [r.name, r.kinks, r.checked])).toEqual([
      ["W", 12, 12],
      ["b", 3, 3],
    ]);
    for (const row of report.rows) {
      expect(row.note).toMatch(/^all \d+ checked elements sit at a kink \(not differentiable there; the gradient/);
      expect(row.note).toContain("check with values away from kinks (--inputs)");
    }
  });

  it("gradc check prints the note and exits 0", async () => {
    const file = fixture("dense_zero.graph", DENSE_AT_ZERO);
    const r = await gradc("check", file);
    expectNoStack(r.stdout + r.stderr);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("  note: at the params from init(0), 15 checked elements sat at a kink");
    expect(r.stdout).toMatch(/^\s+W\s+12\/12\s.*ok$/m);
    expect(r.stdout).not.toContain("FAIL");
    const json = await gradc("check", file, "--json");
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; note: string; redrawn: string[] };
    expect(parsed.ok).toBe(true);
    expect(parsed.redrawn).toEqual(["W", "b"]);
    expect(parsed.note).toContain("sat at a kink");
  });

  it("gradc check --json carries each row's kink note when the params are given", async () => {
    const file = fixture("dense_zero2.graph", DENSE_AT_ZERO);
    const params = fixture("zero_params.json", JSON.stringify({ W: [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]], b: [0, 0, 0] }));
    const r = await gradc("check", file, "--inputs", params, "--json");
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout) as { ok: boolean; rows: { name: string; kinks?: number; note?: string }[] };
    expect(parsed.ok).toBe(true);
    expect(parsed.rows.map((row) => [row.name, row.kinks])).toEqual([
      ["W", 12],
      ["b", 3],
    ]);
    for (const row of parsed.rows) expect(row.note).toContain("at a kink");
  });
});

describe("a ReLU input at 0 (no params to redraw)", () => {
  it("is ok, one element at a kink, the gradient a one-sided derivative", async () => {
    const { module } = await loadGraph("graph kink { input x: [3] = [0, 1, -1]  y = sum(relu(x))  output y }");
    const report = checkGradients(module);
    expect(report.ok).toBe(true);
    expect(report.redrawn).toBeUndefined();
    const [row] = report.rows;
    expect(row!.kinks).toBe(1);
    expect(row!.note).toMatch(/^1 of the 3 checked elements sits at a kink \(not differentiable there; the gradient equals a one-sided derivative\)/);
    // The two other elements were compared.
    expect(row!.maxRelError).toBeLessThanOrEqual(1e-6);
  });

  it("within a step of the kink, agrees with finer central differences and says so", async () => {
    // h = 1e-5 straddles the kink at 0 from x = 3e-6; a step 16 times finer does not.
    const { module } = await loadGraph("graph near { input x: [2] = [0.000003, 1]  y = sum(relu(x))  output y }");
    const report = checkGradients(module);
    expect(report.ok).toBe(true);
    const [row] = report.rows;
    expect(row!.kinks).toBeUndefined();
    expect(row!.note).toContain("1 of the 2 checked elements agrees only with central differences 16 times finer");
  });
});

describe("a smooth graph", () => {
  it("has no kink note", async () => {
    const { module } = await loadGraph(
      "graph smooth { input x: [N, 3]  param W: [3, 2] = he  param b: [2]  y = sum(sigmoid(x @ W + b) * tanh(x @ W))  output y }",
    );
    const report = checkGradients(module);
    expect(report.ok).toBe(true);
    expect(report.note).toBeUndefined();
    expect(report.redrawn).toBeUndefined();
    for (const row of report.rows) {
      expect(row.kinks).toBeUndefined();
      expect(row.note).toBeUndefined();
    }
  });
});

/**
 * A hand-made module of a vector input `x` and, optionally, a vector param `p` that starts at
 * zero: forward computes `f(x, p)`, backward returns `grad(x, p)` for x (and p), which a test
 * makes wrong on purpose.
 */
function handMade(
  f: (x: Float64Array, p: Float64Array) => number,
  grad: (x: Float64Array, p: Float64Array) => number[],
  x: number[],
  withParam = false,
): GraphModule {
  class InputError extends Error {}
  const n = x.length;
  const vector = (data: ArrayLike<number>): Tensor => ({ shape: [n], data: Float64Array.from(data) });
  return {
    meta: {
      graph: "hand",
      dtype: "f64",
      inputs: [{ name: "x", shape: [n] }],
      params: withParam ? [{ name: "p", shape: [n] }] : [],
      outputs: [{ name: "y", shape: [] }],
      grad: { of: "y", wrt: withParam ? ["x", "p"] : ["x"] },
    },
    defaults: { x: vector(x) },
    init: (): Record<string, Value> => (withParam ? { p: vector(new Float64Array(n)) } : {}),
    forward: (inputs: Record<string, Value>, params: Record<string, Value>) => {
      const xs = (inputs.x as Tensor).data.slice() as Float64Array;
      const ps = withParam ? ((params.p as Tensor).data.slice() as Float64Array) : new Float64Array(n);
      return { outputs: { y: f(xs, ps) }, saved: { xs, ps } };
    },
    backward: (fwd): Record<string, Value> => {
      const { xs, ps } = fwd.saved as { xs: Float64Array; ps: Float64Array };
      const g = vector(grad(xs, ps));
      return withParam ? { x: g, p: g } : { x: g };
    },
    InputError,
  };
}

const sumRelu = (x: Float64Array) => x.reduce((s, v) => s + Math.max(0, v), 0);
/** sum(relu(x + p)) and its gradient with relu'(0) = 0, wrong where `wrongAt(x + p)`. */
const shiftedRelu = (x: Float64Array, p: Float64Array) => sumRelu(x.map((v, i) => v + p[i]!));
const shiftedGrad = (wrongAt: (z: number) => boolean) => (x: Float64Array, p: Float64Array) =>
  [...x].map((v, i) => v + p[i]!).map((z) => (wrongAt(z) ? 3 : z > 0 ? 1 : 0));

describe("a wrong gradient still fails", () => {
  it("away from kinks", () => {
    // d/dx sum(relu(x)) is 1 where x > 0; this backward says 2.
    const report = checkGradients(handMade(sumRelu, (x) => [...x].map((v) => (v > 0 ? 2 : 0)), [0.5, -1, 2]));
    expect(report.ok).toBe(false);
    expect(report.rows[0]!.ok).toBe(false);
    expect(report.rows[0]!.kinks).toBeUndefined();
    expect(report.rows[0]!.note).toBeUndefined();
  });

  it("at a kink, outside the one-sided derivatives (above and below)", () => {
    // At x = 0 the one-sided derivatives of relu are 0 and 1; 2 and -1 lie outside them.
    for (const wrong of [2, -1]) {
      const report = checkGradients(handMade(sumRelu, (x) => [...x].map((v) => (v > 0 ? 1 : v === 0 ? wrong : 0)), [0, 1, -1]));
      expect(report.ok, `gradient ${wrong} at the kink`).toBe(false);
      const [row] = report.rows;
      expect(row!.ok).toBe(false);
      expect(row!.kinks).toBeUndefined();
      expect(row!.note).toMatch(/^1 of the 3 checked elements sits at a kink where the gradient lies outside the one-sided derivatives/);
    }
  });

  it("where curvature, not a kink, makes the one-sided differences differ", () => {
    // f = 1e6·x² at x = 1: f' = 2e6, and the one-sided differences at h = 1e-5 are 2e6 ± 10.
    // A gradient 3e-6 too large lies between them but is wrong; a finer step shrinks their gap.
    const f = (x: Float64Array) => 1e6 * x[0]! * x[0]!;
    const report = checkGradients(handMade(f, (x) => [2e6 * x[0]! * (1 + 3e-6)], [1]));
    expect(report.ok).toBe(false);
    expect(report.rows[0]!.kinks).toBeUndefined();
    // …while the right gradient passes.
    expect(checkGradients(handMade(f, (x) => [2e6 * x[0]!], [1])).ok).toBe(true);
  });

  it("near a kink, under a large output, the finer step's round-off lets nothing more through", () => {
    // f = 1e6 + relu(x) at x = 3e-6: h = 1e-5 straddles the kink, h / 16 does not, but its
    // round-off (about 1e-3 here) is larger than the first step's; a gradient 1e-3 off fails.
    const f = (x: Float64Array) => 1e6 + sumRelu(x);
    expect(checkGradients(handMade(f, () => [1.001], [3e-6])).ok).toBe(false);
    expect(checkGradients(handMade(f, () => [1], [3e-6])).ok).toBe(true);
  });

  it("at params that start constant: the failure is reported, not traded for a check at random params", () => {
    // Wrong only where x + p is exactly 1, which happens at p = 0 (from init) and not at random
    // p; element 0 sits at the kink. The failure at init() is what the report shows.
    const mod = handMade(shiftedRelu, shiftedGrad((z) => z === 1), [0, 1, -1], true);
    const report = checkGradients(mod);
    expect(report.ok).toBe(false);
    expect(report.redrawn).toBeUndefined();
    expect(report.rows.map((r) => r.ok)).toEqual([false, false]);
  });
});

describe("params that start constant and put elements at a kink", () => {
  it("are redrawn, and a gradient wrong at the redrawn values fails", () => {
    // Right at p = 0 (relu'(0) = 0 at the kink, 1 above it), wrong wherever x + p > 1.5.
    const mod = handMade(shiftedRelu, shiftedGrad((z) => z > 1.5), [0, 1, -1, 0], true);
    const atInit = checkGradients(mod, { values: { p: { shape: [4], data: new Float64Array(4) } } });
    expect(atInit.ok).toBe(true);
    expect(atInit.rows[0]!.kinks).toBe(2);
    // Seeds whose redrawn p puts some x + p above 1.5, where the gradient is wrong: reported.
    const failing = [0, 1, 2, 3, 4, 5, 6, 7].map((seed) => checkGradients(mod, { seed })).filter((r) => !r.ok);
    expect(failing.length).toBeGreaterThan(0);
    for (const report of failing) expect(report.redrawn).toEqual(["p"]);
  });
});

const dir = mkdtempSync(join(tmpdir(), "gradc-kinks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
