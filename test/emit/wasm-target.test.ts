// The wasm target must compute the same numbers as the readable ts target: to 1e-12 in f64,
// for sizes that exercise every path of the SIMD kernels (blocks, single vectors, scalar tails).
import { describe, expect, it } from "vitest";
import { loadGraph, type GraphModule, type Value } from "../../src/index.js";
import { mulberry32 } from "../../src/runtime/random.js";
import { maxRelativeDifference, randomValue } from "../support/values.js";

async function both(source: string, dtype: "f64" | "f32"): Promise<[GraphModule, GraphModule]> {
  const ts = await loadGraph(source, { dtype, target: "ts" });
  const wasm = await loadGraph(source, { dtype, target: "wasm" });
  expect(wasm.code).toContain("kernelBytes");
  expect(ts.code).not.toContain("kernelBytes");
  return [ts.module, wasm.module];
}

function run(mod: GraphModule, inputs: Record<string, Value>, params: Record<string, Value>) {
  const fwd = mod.forward(inputs, params);
  const of = fwd.outputs[mod.meta.grad.of]!;
  const upstream = typeof of === "number" ? undefined : { shape: of.shape, data: of.data.map(() => 1) };
  return { outputs: fwd.outputs, grads: mod.backward(fwd, upstream) };
}

// [n, k, m]: 4-row blocks and a remainder, 2-vector column blocks, single vectors, scalar tails.
const sizes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [7, 13, 11],
  [9, 2, 17],
  [100, 784, 50],
];

describe.each(["f64", "f32"] as const)("wasm target equals ts target (%s)", (dtype) => {
  const tolerance = dtype === "f64" ? 1e-12 : 1e-5;
  const Arr = dtype === "f64" ? Float64Array : Float32Array;

  it.each(sizes)("matmul forward and backward at n=%i k=%i m=%i", async (n, k, m) => {
    // x @ W uses matmulNN; the gradients use xᵀ·dz (matmulTN) and dz·Wᵀ (matmulNT).
    const source = `graph g { input x: [${n}, ${k}]  input W: [${k}, ${m}]  z = x @ W  y = sum(z * z)  output y  grad y wrt x, W }`;
    const [ts, wasm] = await both(source, dtype);
    const random = mulberry32(n * 1000 + k * 10 + m);
    const inputs = { x: randomValue([n, k], random, Arr), W: randomValue([k, m], random, Arr) };
    const a = run(ts, inputs, {});
    const b = run(wasm, inputs, {});
    expect(maxRelativeDifference(a.outputs.y!, b.outputs.y!)).toBeLessThan(tolerance);
    expect(maxRelativeDifference(a.grads.x!, b.grads.x!)).toBeLessThan(tolerance);
    expect(maxRelativeDifference(a.grads.W!, b.grads.W!)).toBeLessThan(tolerance);
  });

  it.each([
    [1, 1],
    [3, 5],
    [7, 10],
    [13, 17],
  ])("softmax, log_softmax and softmaxloss forward and backward at %i×%i", async (rows, cols) => {
    // Every one of the family's kernels, in forward and backward (softmaxloss's gradient wrt t is
    // −log_softmax(x) / N), with labels of either sign so that no term is skipped.
    const source = `graph g { input x: [${rows}, ${cols}]  input t: [${rows}, ${cols}]
      p = softmax(x)  lp = log_softmax(x)  l = softmaxloss(x, t) + sum(p * p) + sum(lp * t)
      output l, p, lp  grad l wrt x, t }`;
    const [ts, wasm] = await both(source, dtype);
    const code = (await loadGraph(source, { dtype, target: "wasm" })).code;
    for (const kernel of ["wasmSoftmaxRows", "wasmLogSoftmaxRows", "wasmSoftmaxLoss"]) expect(code).toContain(`${kernel}(`);
    const random = mulberry32(rows * 100 + cols);
    const inputs = { x: randomValue([rows, cols], random, Arr), t: randomValue([rows, cols], random, Arr) };
    const a = run(ts, inputs, {});
    const b = run(wasm, inputs, {});
    for (const name of ["l", "p", "lp"]) expect(maxRelativeDifference(a.outputs[name]!, b.outputs[name]!), name).toBeLessThan(tolerance);
    for (const name of ["x", "t"]) expect(maxRelativeDifference(a.grads[name]!, b.grads[name]!), `d${name}`).toBeLessThan(tolerance);
  });

  it("the TwoLayerNet: outputs and every gradient, at a batch size that is not a multiple of 4", async () => {
    const { readFileSync } = await import("node:fs");
    const [ts, wasm] = await both(readFileSync("examples/two_layer_net.graph", "utf8"), dtype);
    const random = mulberry32(7);
    const params = ts.init(3);
    const inputs = { x: randomValue([13, 784], random, Arr), t: randomValue([13, 10], random, Arr) };
    const a = run(ts, inputs, params);
    const b = run(wasm, inputs, params);
    for (const name of ["loss", "y"]) expect(maxRelativeDifference(a.outputs[name]!, b.outputs[name]!)).toBeLessThan(tolerance);
    for (const name of ["W1", "b1", "W2", "b2"]) expect(maxRelativeDifference(a.grads[name]!, b.grads[name]!)).toBeLessThan(tolerance);
  });
});
