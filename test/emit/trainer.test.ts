// createTrainer must give what forward, backward and gradc/runtime's optimizer give: to 1e-12 in
// f64 (they run the same arithmetic), for every optimizer, both targets, odd sizes, a batch size
// that changes between steps, and scalar params.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, loadGraph, type GraphModule, type Value } from "../../src/index.js";
import { mulberry32 } from "../../src/runtime/random.js";
import { makeOptimizer, type OptimizerName } from "../../src/train/optimizers.js";
import { examples, exampleSource } from "../support/examples.js";
import { maxRelativeDifference, randomValue, type ArrCtor } from "../support/values.js";

function copy(params: Record<string, Value>): Record<string, Value> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === "number" ? v : { shape: [...v.shape], data: v.data.slice() }]),
  );
}

/** Inputs for the module at these sizes of its symbolic dimensions. */
function batch(mod: GraphModule, dims: Record<string, number>, random: () => number, Arr: ArrCtor): Record<string, Value> {
  return Object.fromEntries(
    mod.meta.inputs.map((i) => [i.name, randomValue(i.shape.map((d) => (typeof d === "number" ? d : dims[d]!)), random, Arr)]),
  );
}

/**
 * Trains with the module's trainer and, side by side, with forward + backward + the runtime's
 * optimizer, and returns the largest relative difference of the losses and the final params.
 */
function compare(mod: GraphModule, optimizer: OptimizerName, sizes: readonly Record<string, number>[], seed: number): number {
  const Arr = mod.meta.dtype === "f32" ? Float32Array : Float64Array;
  const random = mulberry32(seed);
  const start = mod.init(seed);
  const trainer = mod.createTrainer!(copy(start), { optimizer, lr: 0.05 });
  const params = copy(start);
  const reference = makeOptimizer(optimizer, 0.05);
  let worst = 0;
  for (const dims of sizes) {
    const inputs = batch(mod, dims, random, Arr);
    const fwd = mod.forward(inputs, params);
    reference.step(params, mod.backward(fwd));
    const loss = trainer.step(inputs);
    expect(Number.isFinite(loss)).toBe(true);
    worst = Math.max(worst, maxRelativeDifference(loss, fwd.outputs[mod.meta.grad.of] as number));
  }
  const trained = trainer.params();
  expect(Object.keys(trained)).toEqual(Object.keys(params));
  for (const name of Object.keys(params)) worst = Math.max(worst, maxRelativeDifference(trained[name]!, params[name]!));
  // The params moved: a trainer that did nothing would pass the comparison only if the reference did nothing too.
  const moved = Object.keys(params).some((name) => maxRelativeDifference(trained[name]!, start[name]!) > 0);
  expect(moved).toBe(true);
  return worst;
}

const optimizers: OptimizerName[] = ["sgd", "momentum", "adagrad", "adam"];
const targets = ["ts", "wasm"] as const;

// Odd sizes everywhere: 4-row blocks with remainders, vectors with scalar tails.
const oddNet = `graph odd {
  input x: [N, 13]
  input t: [N, 5]
  param W1: [13, 7] = normal(0, 0.5)
  param b1: [7] = normal(0, 0.1)
  param W2: [7, 5] = normal(0, 0.5)
  param b2: [5]
  param s = 1.5
  h = relu(affine(x, W1, b1))
  y = affine(h, W2, b2) * s
  loss = softmaxloss(y, t)
  output loss, y
  grad loss wrt W1, b1, W2, b2, s
}`;

describe.each(["f64", "f32"] as const)("createTrainer equals forward + backward + the runtime's optimizer (%s)", (dtype) => {
  // In f32 the trainer updates in f32 arithmetic and state (the runtime's optimizers keep f64
  // state), so the params part by an ulp after the first step. adagrad and adam normalise each
  // element's step (≈ lr·sign(g) at first), so where a gradient is nearly cancelled that ulp can
  // change its sign, and a step of lr, in later steps: they get a looser bound.
  const tolerances = (optimizer: OptimizerName) => (dtype === "f64" ? 1e-12 : optimizer === "adagrad" || optimizer === "adam" ? 1e-3 : 1e-5);

  it.each(targets.flatMap((target) => optimizers.map((o) => [target, o] as const)))(
    "a net of odd sizes with a scalar param, %s target, %s, batch sizes 3, 1, 9, 3",
    async (target, optimizer) => {
      const { module } = await loadGraph(oddNet, { dtype, target });
      expect(compare(module, optimizer, [{ N: 3 }, { N: 1 }, { N: 9 }, { N: 3 }], 11)).toBeLessThan(tolerances(optimizer));
    },
  );

  it.each(targets)("the TwoLayerNet, %s target, every optimizer, batch 13 then 100", async (target) => {
    const { module } = await loadGraph(readFileSync("examples/two_layer_net.graph", "utf8"), { dtype, target });
    for (const optimizer of optimizers) expect(compare(module, optimizer, [{ N: 13 }, { N: 100 }, { N: 13 }], 5)).toBeLessThan(tolerances(optimizer));
  });
});

describe("createTrainer on every example", () => {
  it.each(examples)("%s: a trainer where there is a scalar loss and params, and the same steps", async (file) => {
    const source = exampleSource(file);
    for (const target of targets) {
      const { module } = await loadGraph(source, { dtype: "f64", target });
      const trainable = module.meta.grad.wrt.some((w) => module.meta.params.some((p) => p.name === w));
      const scalarLoss = module.meta.outputs.find((o) => o.name === module.meta.grad.of)?.shape.length === 0;
      expect(typeof module.createTrainer).toBe(trainable && scalarLoss ? "function" : "undefined");
      if (!module.createTrainer) continue;
      const dims = Object.fromEntries(
        module.meta.inputs.flatMap((i) => i.shape.filter((d): d is string => typeof d === "string").map((d) => [d, 3])),
      );
      expect(compare(module, "adam", [dims, dims], 2)).toBeLessThan(1e-12);
    }
  });
});

describe("the wasm trainer's fused work", () => {
  it("folds each product gradient into sgd's update, and runs ReLU's gradient as a kernel", async () => {
    const { code } = await compile(readFileSync("examples/two_layer_net.graph", "utf8"), { target: "wasm", dtype: "f32" });
    expect(code).toContain("wasmMatmulTNAdd(buf.W1, x, t");
    expect(code).toContain("wasmMatmulTNAdd(buf.W2, h, dy, 50, N, 10, -rule.lr)");
    expect(code).toMatch(/= wasmReluBackward\(buf\.\w+, dh, h, N \* 50\);/);
  });

  // W meets the batch twice, so its gradient is the sum of two products: updated from the sum.
  const shared = `graph shared {
  input x: [N, 6]
  input t: [N, 6]
  param W: [6, 6] = normal(0, 0.5)
  param b: [6]
  h = relu(affine(x, W, b))
  loss = softmaxloss(affine(h, W, b), t)
  output loss
  grad loss wrt W, b
}`;
  it.each(optimizers)("a weight used twice is updated from its whole gradient (%s)", async (optimizer) => {
    const { module } = await loadGraph(shared, { dtype: "f64", target: "wasm" });
    expect(compare(module, optimizer, [{ N: 5 }, { N: 2 }, { N: 5 }], 3)).toBeLessThan(1e-12);
    const { code } = await compile(shared, { target: "wasm", dtype: "f64" });
    expect(code).not.toContain("wasmMatmulTNAdd(buf.W,");
  });
});

describe("what a trainer refuses, and what it hands out", () => {
  const load = () => loadGraph(oddNet, { dtype: "f64", target: "wasm" }).then((r) => r.module);

  it("refuses unknown optimizers, options of another optimizer and bad numbers, naming them", async () => {
    const mod = await load();
    const params = mod.init(1);
    const refused = (options: unknown) => {
      try {
        mod.createTrainer!(params, options as never);
      } catch (e) {
        expect(e).toBeInstanceOf(mod.InputError);
        return (e as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refused({ optimizer: "rmsprop" })).toBe(
      'Unknown optimizer "rmsprop"; the trainer knows "sgd", "momentum", "adagrad" and "adam".',
    );
    expect(refused({ optimizer: "sgd", beta1: 0.9 })).toBe('Option "beta1" does not apply to sgd; it takes "lr".');
    expect(refused({ lr: -1 })).toBe('Option "lr" must be a number above 0, got -1.');
    expect(refused({ optimizer: "adam", beta2: 1 })).toBe('Option "beta2" must be a number in [0, 1), got 1.');
    // Whatever the optimizer's name is, the refusal is an InputError (JSON.stringify throws on some).
    expect(refused({ optimizer: 1n })).toBe('Unknown optimizer the bigint 1n; the trainer knows "sgd", "momentum", "adagrad" and "adam".');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refused({ optimizer: cyclic })).toBe('Unknown optimizer an object; the trainer knows "sgd", "momentum", "adagrad" and "adam".');
    expect(refused("adam")).toBe('The trainer\'s options must be an object, got the string "adam".');
    expect(refused({ learningRate: 0.1 })).toBe(
      'Unknown option "learningRate"; the trainer\'s options are "optimizer", "lr", "alpha", "beta1", "beta2", "eps".',
    );
    expect(() => mod.createTrainer!(params, { optimizer: undefined, lr: undefined })).not.toThrow();
  });

  it("checks params when created and inputs at each step, as forward does", async () => {
    const mod = await load();
    const params = mod.init(1);
    expect(() => mod.createTrainer!({ ...params, W1: { shape: [7, 13], data: new Float64Array(91) } })).toThrow(
      'param "W1" has shape [7, 13] but the graph expects [13, 7].',
    );
    const trainer = mod.createTrainer!(params);
    expect(() => trainer.step({ x: { shape: [2, 13], data: new Float64Array(26) } })).toThrow(/input "t"/);
    expect(() => trainer.step({ x: { shape: [2, 13], data: new Float64Array(26) }, t: { shape: [3, 5], data: new Float64Array(15) } })).toThrow(
      'input "t" has shape [3, 5] but the graph expects [N, 5] (N is 2 elsewhere).',
    );
  });

  it("works on a copy of the params and hands out copies", async () => {
    const mod = await load();
    const params = mod.init(1);
    const before = copy(params);
    const trainer = mod.createTrainer!(params);
    const random = mulberry32(3);
    trainer.step(batch(mod, { N: 4 }, random, Float64Array));
    expect(params).toEqual(before);
    const out = trainer.params();
    (out.W1 as { data: Float64Array }).data.fill(0);
    expect(maxRelativeDifference(trainer.params().W1!, out.W1!)).toBeGreaterThan(0);
  });

  it("two trainers of one module, and forward between their steps, do not disturb each other", async () => {
    const mod = await load();
    const random = mulberry32(9);
    const inputs = batch(mod, { N: 5 }, random, Float64Array);
    const a = mod.createTrainer!(mod.init(1), { optimizer: "momentum" });
    const b = mod.createTrainer!(mod.init(1), { optimizer: "momentum" });
    a.step(inputs);
    mod.forward(inputs, mod.init(2));
    b.step(inputs);
    a.step(inputs);
    b.step(inputs);
    for (const name of ["W1", "b1", "W2", "b2", "s"]) expect(a.params()[name]).toEqual(b.params()[name]);
  });
});
