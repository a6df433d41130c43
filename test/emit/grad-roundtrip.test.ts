// The printed gradient graph (`gradc grad`) is a graph file of its own: compiled and run with
// the same inputs and params, its outputs d<name> must equal the original module's backward
// gradients. Printing it twice gives second derivatives.
import { describe, expect, it } from "vitest";
import { DIM, exampleSource, examples, inputsFor } from "../support/examples.js";
import { checkGradients, gradientGraph, loadGraph, type Tensor, type Value } from "../../src/index.js";

const source = exampleSource;

const ones = (shape: readonly number[]): Tensor => ({ shape: [...shape], data: new Float64Array(shape.reduce((p, s) => p * s, 1)).fill(1) });

/** a equals b to `tol` relative to the largest magnitude in either (exactly, if both are all zero). */
function expectSameValue(actual: Value | undefined, expected: Value, what: string, tol = 1e-12): void {
  expect(actual, what).toBeDefined();
  if (typeof expected === "number") expect(typeof actual, `${what}: a number`).toBe("number");
  else expect((actual as Tensor).shape, `${what}: shape`).toEqual(expected.shape);
  const a = typeof actual === "number" ? [actual] : (actual as Tensor).data;
  const e = typeof expected === "number" ? [expected] : expected.data;
  expect(a.length, what).toBe(e.length);
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]!), Math.abs(e[i]!));
  // The worst element, reported with its index.
  let worst = -1;
  let worstError = -1;
  for (let i = 0; i < a.length; i++) {
    const error = Number.isFinite(a[i]!) && Number.isFinite(e[i]!) ? Math.abs(a[i]! - e[i]!) : Infinity;
    if (error > worstError) [worst, worstError] = [i, error];
  }
  expect(worstError, `${what}[${worst}]: ${a[worst]} vs ${e[worst]} (largest magnitude ${scale})`).toBeLessThanOrEqual(tol * scale);
}

/**
 * Runs `src` forward and backward, and its printed gradient graph forward, on the same inputs
 * and params; each gradient graph output must equal the matching backward gradient.
 */
async function roundTrip(src: string, seed = 1): Promise<{ text: string }> {
  const original = await loadGraph(src);
  const mod = original.module;
  const printed = gradientGraph(src);
  expect(printed.diagnostics).toEqual([]);
  const text = printed.text!;
  expect(text).toBeDefined();
  const grad = (await loadGraph(text, { file: "<gradient graph>" })).module;

  const params = mod.init(0);
  const inputs = inputsFor(mod, seed);
  const fwd = mod.forward(inputs, params);
  const of = mod.meta.grad.of;
  const out = fwd.outputs[of]!;
  const upstream = typeof out === "number" ? undefined : ones(out.shape);
  const expected = mod.backward(fwd, upstream);

  // The gradient graph takes the same params, the same inputs and, for a tensor output, the
  // gradient flowing into it as one more input named d<output> (ones, like backward's upstream).
  expect(grad.meta.params.map((p) => p.name)).toEqual(mod.meta.params.map((p) => p.name));
  const upstreamInputs = upstream ? [`d${of}`] : [];
  expect(grad.meta.inputs.map((v) => v.name)).toEqual([...mod.meta.inputs.map((v) => v.name), ...upstreamInputs]);
  const gradInputs: Record<string, Value> = { ...inputs };
  if (upstream) gradInputs[`d${of}`] = upstream;

  // One output per wrt name, in order, called d<name>.
  const wrt = mod.meta.grad.wrt;
  expect(grad.meta.outputs.map((o) => o.name)).toEqual(wrt.map((w) => `d${w}`));
  const outputs = grad.forward(gradInputs, params).outputs;
  for (const w of wrt) expectSameValue(outputs[`d${w}`], expected[w]!, `d${w}\n${text}`);
  return { text };
}

describe.each(examples)("the gradient graph of examples/%s", (file) => {
  const src = source(file);

  it("computes what backward computes", async () => {
    await roundTrip(src, 1);
    await roundTrip(src, 2);
  });

  it("is deterministic and stable through a second print of the same graph", () => {
    const a = gradientGraph(src).text!;
    expect(gradientGraph(src).text).toBe(a);
    // The gradient graph's own gradient prints, and parses back.
    const second = gradientGraph(a);
    expect(second.diagnostics).toEqual([]);
    expect(second.text).toBeDefined();
  });

  it("can itself be differentiated: its gradients pass the check", async () => {
    const { module } = await loadGraph(gradientGraph(src).text!);
    // A sample of each gradient's elements keeps the wide examples fast.
    const report = checkGradients(module, { dims: { N: DIM }, samples: 100 });
    expect(report.ok, JSON.stringify(report, null, 2)).toBe(true);
  });
});

describe("second derivatives", () => {
  it("grad twice on cube.graph (x*x*x) gives dx = 6 * x", async () => {
    const first = gradientGraph(source("cube.graph")).text!;
    const second = gradientGraph(first).text!;
    expect(second).toBeDefined();
    expect(second).toContain("6 * x");
    const { module } = await loadGraph(second);
    expect(module.meta.outputs.map((o) => o.name)).toEqual(["dx"]);
    // At the file's default, x = 2.
    expect(module.forward({}, {}).outputs.dx).toBe(12);
    for (const x of [-1.5, 0, 0.25, 7]) expect(module.forward({ x }, {}).outputs.dx).toBeCloseTo(6 * x, 12);
  });

  it("the first gradient of cube.graph is 3x²", async () => {
    const { module } = await loadGraph(gradientGraph(source("cube.graph")).text!);
    for (const x of [2, -1.5, 0.25]) expect(module.forward({ x }, {}).outputs.dx).toBeCloseTo(3 * x * x, 12);
  });
});

describe("the apple gradient graph", () => {
  it("has dapple = apple_num * tax (in either order)", () => {
    const text = gradientGraph(source("apple.graph")).text!;
    expect(text).toMatch(/^\s*dapple = (apple_num \* tax|tax \* apple_num)\s*$/m);
  });

  it("gives the book's numbers", async () => {
    const { module } = await loadGraph(gradientGraph(source("apple.graph")).text!);
    const outputs = module.forward({}, {}).outputs;
    expect(outputs.dapple).toBeCloseTo(2.2, 12);
    expect(outputs.dapple_num).toBeCloseTo(110, 12);
    expect(outputs.dtax).toBeCloseTo(200, 12);
  });
});

describe("printing survives awkward syntax", () => {
  const graphs: [string, string][] = [
    ["negative constants and nested parentheses", "graph g { input x: [2, 3]  z = sum(x - -2 - (x - 3) / (x * 2))  output z  grad z wrt x }"],
    ["negative axis and keepdims", "graph g { input x: [2, 3]  input w: [2, 3]  z = sum((x - mean(x, axis=-1, keepdims=1)) * w)  output z  grad z wrt x, w }"],
    ["matrix products and transposes", "graph g { input x: [2, 3]  input W: [3, 3]  z = sum(x @ W @ W * (x @ W))  output z  grad z wrt x, W }"],
    ["a tensor output and a symbolic batch", "graph g { input x: [N, 3]  param W: [3, 2] = uniform(-1, 1)  param b: [2] = [0.5, -0.25]  y = tanh(affine(x, W, b))  output y  grad y wrt x, W, b }"],
    ["a forward value named like a gradient", "graph g { input x: [3]  dx = x * 2  z = sum(dx * dx)  output z  grad z wrt x }"],
    ["an input the output does not use", "graph g { input x: [3]  input s  z = sum(exp(x))  output z  grad z wrt x, s }"],
    ["softmax-with-loss on a batch", "graph g { input x: [N, 4]  input t: [N, 4]  l = softmaxloss(x, t)  output l  grad l wrt x, t }"],
  ];
  it.each(graphs)("%s", async (_what, src) => {
    await roundTrip(src);
  });

  // Known bug: the upstream input of a tensor output y is always called dy, even when the graph
  // already has an input dy, so the printed graph declares `input dy` twice and does not compile.
  it("a tensor output y whose graph already has an input dy [known bug: the upstream input is not renamed]", async () => {
    const src = "graph g { input x: [3]  input dy: [3]  y = x * dy  output y  grad y wrt x, dy }";
    const text = gradientGraph(src).text!;
    const { module } = await loadGraph(text);
    expect(module.meta.inputs.length).toBe(3);
  });
});
