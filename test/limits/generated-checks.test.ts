// A generated module checks what it is given and says which value is wrong, with the expected
// and the actual shape; and backward refuses saved values that a later forward overwrote.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadGraph, type GraphModule, type Value } from "../../src/index.js";

let net: GraphModule;
let net32: GraphModule;
const source = readFileSync("examples/two_layer_net.graph", "utf8");

const tensor = (shape: number[], Arr: Float64ArrayConstructor | Float32ArrayConstructor = Float64Array) => ({
  shape,
  data: new Arr(shape.reduce((p, d) => p * d, 1)).fill(0.5),
});

beforeAll(async () => {
  net = (await loadGraph(source)).module;
  net32 = (await loadGraph(source, { dtype: "f32" })).module;
});

function forwardError(mod: GraphModule, inputs: Record<string, unknown>, params?: Record<string, unknown>): string {
  try {
    mod.forward(inputs as Record<string, Value>, (params ?? mod.init(0)) as Record<string, Value>);
  } catch (e) {
    expect((e as Error).name).toBe("InputError");
    return (e as Error).message;
  }
  throw new Error("forward accepted bad input");
}

describe("generated forward checks its inputs", () => {
  it("a wrong size names the input, the expected and the actual shape", () => {
    expect(forwardError(net, { x: tensor([2, 785]), t: tensor([2, 10]) })).toBe(
      'input "x" has shape [2, 785] but the graph expects [N, 784].',
    );
  });

  it("a wrong rank", () => {
    expect(forwardError(net, { x: tensor([784]), t: tensor([1, 10]) })).toBe(
      'input "x" has shape [784] but the graph expects [N, 784].',
    );
  });

  it("an inconsistent symbolic dimension says what it was bound to", () => {
    expect(forwardError(net, { x: tensor([2, 784]), t: tensor([3, 10]) })).toBe(
      'input "t" has shape [3, 10] but the graph expects [N, 10] (N is 2 elsewhere).',
    );
  });

  it("a missing input", () => {
    expect(forwardError(net, { x: tensor([2, 784]) })).toMatch(/^input "t" must be a tensor \{ shape, data \} of shape \[N, 10\], got nothing\.$/);
  });

  it("an extra input, listing the graph's inputs", () => {
    expect(forwardError(net, { x: tensor([2, 784]), t: tensor([2, 10]), z: 1 })).toBe(
      'Unknown input "z"; the graph\'s inputs are "x", "t".',
    );
  });

  it("a plain array where a tensor is expected", () => {
    expect(forwardError(net, { x: [[1, 2]], t: tensor([1, 10]) })).toMatch(/^input "x" must be a tensor .* got a plain array\.$/);
  });

  it("a Float32Array given to an f64 module, and the reverse", () => {
    expect(forwardError(net, { x: tensor([2, 784], Float32Array), t: tensor([2, 10]) })).toBe(
      'input "x" must hold its data in a Float64Array, got a Float32Array.',
    );
    expect(forwardError(net32, { x: tensor([2, 784]), t: tensor([2, 10], Float32Array) }, net32.init(0))).toBe(
      'input "x" must hold its data in a Float32Array, got a Float64Array.',
    );
  });

  it("data that does not fill its shape", () => {
    expect(forwardError(net, { x: { shape: [2, 784], data: new Float64Array(10) }, t: tensor([2, 10]) })).toBe(
      'input "x" has 10 values but its shape [2, 784] needs 1568.',
    );
  });

  it("a wrong param shape names the param", () => {
    const params = net.init(0);
    params.W2 = tensor([10, 50]);
    expect(forwardError(net, { x: tensor([2, 784]), t: tensor([2, 10]) }, params)).toBe(
      'param "W2" has shape [10, 50] but the graph expects [50, 10].',
    );
  });

  it("NaN and Infinity are allowed and propagate (the documented policy)", () => {
    const x = tensor([1, 784]);
    x.data[0] = NaN;
    const fwd = net.forward({ x, t: tensor([1, 10]) }, net.init(0));
    expect(fwd.outputs.loss).toBeNaN();
  });
});

describe("backward and forward's saved values", () => {
  it("backward refuses the result of an earlier forward call: the buffers were reused", () => {
    const params = net.init(0);
    const first = net.forward({ x: tensor([2, 784]), t: tensor([2, 10]) }, params);
    net.forward({ x: tensor([3, 784]), t: tensor([3, 10]) }, params);
    expect(() => net.backward(first)).toThrow(/latest forward call/);
  });

  it("backward of the latest forward works, and its results are copies the caller keeps", () => {
    const params = net.init(0);
    const fwd = net.forward({ x: tensor([2, 784]), t: tensor([2, 10]) }, params);
    const grads = net.backward(fwd);
    const copy = Float64Array.from((grads.W1 as { data: Float64Array }).data);
    net.backward(net.forward({ x: tensor([2, 784]), t: tensor([2, 10]).data.fill(0) && tensor([2, 10]) }, params));
    expect(Array.from((grads.W1 as { data: Float64Array }).data)).toEqual(Array.from(copy));
  });

  it("a tensor output's upstream gradient is checked like an input", async () => {
    const { module } = await loadGraph(readFileSync("examples/affine.graph", "utf8"));
    const fwd = module.forward({ x: tensor([2, 3]) }, module.init(0));
    expect(() => module.backward(fwd, tensor([3, 2]))).toThrow('upstream gradient "dy" has shape [3, 2] but the graph expects [N, 2] (N is 2 elsewhere).');
  });
});
