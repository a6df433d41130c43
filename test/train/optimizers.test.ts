// The update rules, each against its formula worked by hand in the test.
import { describe, expect, it } from "vitest";
import { adagrad, adam, makeOptimizer, momentum, OptimizerError, sgd, type OptimizerName, type Params } from "../../src/index.js";

const tensor = (...values: number[]) => ({ shape: [values.length], data: Float64Array.from(values) });

describe("optimizers", () => {
  it("sgd: W ← W − lr·g, for tensors and scalars", () => {
    const params: Params = { W: tensor(1, 2), c: 3 };
    sgd(0.1).step(params, { W: tensor(10, -20), c: 5 });
    expect(Array.from((params.W as { data: Float64Array }).data)).toEqual([1 - 0.1 * 10, 2 + 0.1 * 20]);
    expect(params.c).toBeCloseTo(3 - 0.5, 15);
  });

  it("momentum: v ← 0.9v − lr·g; W ← W + v, over two steps", () => {
    const params: Params = { W: tensor(1) };
    const opt = momentum(0.01, 0.9);
    opt.step(params, { W: tensor(2) });
    const v1 = -0.01 * 2;
    opt.step(params, { W: tensor(4) });
    const v2 = 0.9 * v1 - 0.01 * 4;
    expect((params.W as { data: Float64Array }).data[0]).toBeCloseTo(1 + v1 + v2, 15);
  });

  it("adagrad: h ← h + g²; W ← W − lr·g/(√h + 1e-7)", () => {
    const params: Params = { W: tensor(1) };
    const opt = adagrad(0.5);
    opt.step(params, { W: tensor(3) });
    const w1 = 1 - (0.5 * 3) / (Math.sqrt(9) + 1e-7);
    opt.step(params, { W: tensor(-1) });
    const w2 = w1 - (0.5 * -1) / (Math.sqrt(10) + 1e-7);
    expect((params.W as { data: Float64Array }).data[0]).toBeCloseTo(w2, 15);
  });

  it("adam: bias-corrected moments; the first step moves by lr·g/(|g| + eps)", () => {
    const params: Params = { W: tensor(1, 1) };
    const opt = adam(0.001);
    opt.step(params, { W: tensor(0.5, -2) });
    const data = (params.W as { data: Float64Array }).data;
    expect(data[0]).toBeCloseTo(1 - (0.001 * 0.5) / (0.5 + 1e-8), 14);
    expect(data[1]).toBeCloseTo(1 + (0.001 * 2) / (2 + 1e-8), 14);
    // Second step, by the formula.
    opt.step(params, { W: tensor(1, 1) });
    const m = 0.9 * (0.1 * 0.5) + 0.1 * 1;
    const v = 0.999 * (0.001 * 0.25) + 0.001 * 1;
    const step = (0.001 * (m / (1 - 0.9 ** 2))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    expect(data[0]).toBeCloseTo(1 - (0.001 * 0.5) / (0.5 + 1e-8) - step, 14);
  });

  it("refuses hyper-parameters out of range and unknown names, as createTrainer does", () => {
    expect(() => sgd(-1)).toThrow(new OptimizerError("sgd: lr must be a number above 0, got -1."));
    expect(() => sgd(NaN)).toThrow("sgd: lr must be a number above 0, got NaN.");
    expect(() => sgd("0.1" as unknown as number)).toThrow('sgd: lr must be a number above 0, got the string "0.1".');
    expect(() => momentum(0.1, 1)).toThrow("momentum: alpha must be a number in [0, 1), got 1.");
    expect(() => adagrad(Infinity)).toThrow("adagrad: lr must be a number above 0, got Infinity.");
    expect(() => adam(0.1, 1.5)).toThrow("adam: beta1 must be a number in [0, 1), got 1.5.");
    expect(() => adam(0.1, 0.9, -0.1)).toThrow("adam: beta2 must be a number in [0, 1), got -0.1.");
    expect(() => adam(0.1, 0.9, 0.999, 0)).toThrow("adam: eps must be a number above 0, got 0.");
    expect(() => makeOptimizer("Adam" as OptimizerName)).toThrow('Unknown optimizer the string "Adam"; the optimizers are "sgd", "momentum", "adagrad", "adam".');
    expect(() => makeOptimizer("adam", "0.01" as unknown as number)).toThrow(OptimizerError);
    // The edges that are allowed.
    expect(() => momentum(0.1, 0)).not.toThrow();
    expect(() => adam(0.1, 0)).not.toThrow();
  });

  it.each(["sgd", "momentum", "adagrad", "adam"] as const)(
    "%s refuses a gradient that does not fit its param, before changing any param or its state",
    (name) => {
      const params: Params = { A: tensor(1, 2), W: tensor(3, 4), c: 5 };
      const opt = makeOptimizer(name, 0.1);
      const wrong = [
        [{ A: tensor(1, 1), W: tensor(9) }, 'The gradient of "W" must be a tensor of the param\'s shape [2], got shape [1].'],
        [{ A: tensor(1, 1), W: { shape: [2], data: Float64Array.of(1) } }, 'The gradient of "W" must be a tensor of the param\'s shape [2], got shape [2] holding 1 value.'],
        [{ A: tensor(1, 1), c: tensor(1) }, 'The gradient of "c" must be a number, like the param, got a tensor.'],
        [{ A: tensor(1, 1), W: 2 }, 'The gradient of "W" must be a tensor of the param\'s shape [2], got 2.'],
      ] as const;
      for (const [grads, message] of wrong) expect(() => opt.step(params, grads)).toThrow(new OptimizerError(message));
      expect(Array.from((params.A as { data: Float64Array }).data)).toEqual([1, 2]);
      // The refused steps left no trace: a good step now is the optimizer's first.
      const fresh: Params = { A: tensor(1, 2), W: tensor(3, 4), c: 5 };
      const good = { A: tensor(0.5, -1), W: tensor(2, 2), c: 1, x: tensor(7) };
      opt.step(params, good);
      makeOptimizer(name, 0.1).step(fresh, good);
      expect(params).toEqual(fresh);
    },
  );
});
