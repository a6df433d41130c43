// importOnnx against ONNX Runtime: each model is built here, imported, and the imported graph run
// by gradc (loadGraph, with the params the import returned) must compute what onnxruntime-node
// computes from the same model on the same random inputs, to 1e-5 of the output's largest
// magnitude for float32 models and 1e-12 for float64 ones.
import { describe, expect, it } from "vitest";
import { formatGraphFile, importOnnx, loadGraph, type ImportResult, type Tensor, type Value } from "../../src/index.js";
import { readableName } from "../../src/onnx/names.js";
import {
  DataType,
  int64Tensor,
  mlp,
  model,
  node,
  randoms,
  runOrt,
  tensor,
  uniform,
  value,
  type Elem,
  type Feeds,
} from "../support/onnx-models.js";

/** Random feeds for the model's inputs, as float32 values when the model is float32. */
function feedsFor(shapes: Record<string, number[]>, elem: Elem, seed = 7, lo = -2, hi = 2): Feeds {
  const next = uniform(seed);
  const round = elem === DataType.FLOAT ? Math.fround : (v: number) => v;
  return Object.fromEntries(
    Object.entries(shapes).map(([name, dims]) => [name, { dims, data: randoms(next, dims.reduce((a, b) => a * b, 1), lo, hi).map(round) }]),
  );
}

function flat(v: Value | undefined): { dims: number[]; data: number[] } {
  if (v === undefined) throw new Error("no such output");
  return typeof v === "number" ? { dims: [], data: [v] } : { dims: v.shape, data: Array.from(v.data) };
}

/** The largest difference between gradc's and ONNX Runtime's outputs, relative to the output's largest magnitude. */
async function compare(bytes: Uint8Array, result: ImportResult, feeds: Feeds, elem: Elem, params = result.params!): Promise<number> {
  expect(result.diagnostics).toEqual([]);
  const { module } = await loadGraph(result.graph!);
  const inputs: Record<string, Value> = {};
  for (const v of result.inputs!) {
    const f = feeds[v.onnx]!;
    inputs[v.name] = f.dims.length === 0 ? f.data[0]! : ({ shape: [...f.dims], data: Float64Array.from(f.data) } satisfies Tensor);
  }
  const got = module.forward(inputs, params).outputs;
  const want = await runOrt(bytes, feeds, elem);
  let worst = 0;
  for (const o of result.outputs!) {
    const g = flat(got[o.name]);
    const w = want[o.onnx]!;
    expect(g.dims, o.onnx).toEqual(w.dims);
    const scale = Math.max(...w.data.map(Math.abs));
    expect(scale, `${o.onnx} is not all zeros (a comparison of zeros would show nothing)`).toBeGreaterThan(0);
    for (let i = 0; i < w.data.length; i++) worst = Math.max(worst, Math.abs(g.data[i]! - w.data[i]!) / scale);
  }
  return worst;
}

const tolerance = (elem: Elem) => (elem === DataType.FLOAT ? 1e-5 : 1e-12);

describe("a PyTorch-style MLP (Gemm with transB=1, Relu, Gemm, then Softmax or LogSoftmax)", () => {
  const cases = [
    { last: "Softmax", elem: DataType.FLOAT, opset: 17, raw: true },
    { last: "LogSoftmax", elem: DataType.FLOAT, opset: 11, raw: false },
    { last: "none", elem: DataType.FLOAT, opset: 13, raw: true },
    { last: "Softmax", elem: DataType.DOUBLE, opset: 17, raw: false },
    { last: "LogSoftmax", elem: DataType.DOUBLE, opset: 18, raw: true },
  ] as const;
  it.each(cases)("$last, elem type $elem, opset $opset: gradc computes what ONNX Runtime computes", async (c) => {
    const bytes = mlp({ last: c.last, elem: c.elem, opset: c.opset, raw: c.raw, seed: 3 });
    const result = await importOnnx(bytes, { file: "mlp.onnx" });
    expect(await compare(bytes, result, feedsFor({ input: [5, 4] }, c.elem), c.elem)).toBeLessThanOrEqual(tolerance(c.elem));
    expect(result.dtype).toBe(c.elem === DataType.FLOAT ? "f32" : "f64");
  });

  it("is written with affine and transpose, names made readable, the ONNX names in comments", async () => {
    const result = await importOnnx(mlp({ last: "LogSoftmax" }), { file: "mlp.onnx", paramsFile: "mlp.params.json" });
    const graph = result.graph!;
    expect(graph).toMatch(/^# Imported from mlp\.onnx by gradc import \(opset 17, producer pytorch 2\.1\.0\)\.\n/);
    expect(graph).toContain("# The params' values are in mlp.params.json.");
    expect(graph).toContain("graph mlp {");
    expect(graph).toMatch(/input input_: \[batch_size, 4\] +# "input"/);
    expect(graph).toMatch(/param _0_weight: \[8, 4\] +# "0\.weight"/);
    expect(graph).toContain("_0_Gemm = affine(input_, transpose(_0_weight), _0_bias)");
    expect(graph).toContain("_1_Relu = relu(_0_Gemm)");
    expect(graph).toMatch(/output_ = log_softmax\(_2_Gemm\) +# "output"/);
    expect(graph).toContain("output output_\n");
    expect(result.inputs).toEqual([{ name: "input_", onnx: "input", shape: ["batch_size", 4] }]);
    expect(result.outputs).toEqual([{ name: "output_", onnx: "output", shape: ["batch_size", 3] }]);
    expect(Object.keys(result.params!)).toEqual(["_0_weight", "_0_bias", "_2_weight", "_2_bias"]);
  });

  it("the comparison notices a wrong weight (it is not vacuous)", async () => {
    const bytes = mlp({ last: "none" });
    const result = await importOnnx(bytes);
    const w = result.params!._2_weight as Tensor;
    const changed = { ...result.params!, _2_weight: { shape: w.shape, data: w.data.map((v, i) => (i === 0 ? v + 0.01 : v)) } };
    expect(await compare(bytes, result, feedsFor({ input: [5, 4] }, DataType.FLOAT), DataType.FLOAT, changed)).toBeGreaterThan(1e-4);
  });

  it("is laid out canonically, and the same model gives the same text", async () => {
    const first = (await importOnnx(mlp())).graph!;
    expect(formatGraphFile(first).text).toBe(first);
    expect((await importOnnx(mlp())).graph).toBe(first);
  });

  it("params hold the model's values exactly: float32 values as the doubles they are", async () => {
    const result = await importOnnx(mlp({ seed: 9 }));
    const b = result.params!._0_bias as Tensor;
    const next = uniform(9);
    randoms(next, 32); // the weight's values come first
    expect(Array.from(b.data)).toEqual(randoms(next, 8).map(Math.fround));
  });
});

describe("other models", () => {
  /** x [N, 5] → Flatten → MatMul W1 → Add b1 → Relu → Transpose twice → MatMul W2 → Sigmoid. */
  function matmulModel(elem: Elem): Uint8Array {
    const next = uniform(11);
    return model({
      inputs: [value("x", ["N", 5], elem)],
      outputs: [value("y", ["N", 2], elem)],
      initializers: [
        tensor("W1", [5, 4], randoms(next, 20), elem),
        tensor("b1", [4], randoms(next, 4), elem),
        tensor("W2", [4, 2], randoms(next, 8), elem),
      ],
      nodes: [
        node("Flatten", ["x"], ["f"], { axis: 1 }),
        node("MatMul", ["f", "W1"], ["xw"]),
        node("Add", ["xw", "b1"], ["z"]),
        node("Relu", ["z"], ["h"]),
        node("Transpose", ["h"], ["ht"], { perm: [1, 0] }),
        node("Transpose", ["ht"], ["hh"]),
        node("MatMul", ["hh", "W2"], ["o"]),
        node("Sigmoid", ["o"], ["y"]),
      ],
    });
  }

  it.each([DataType.FLOAT, DataType.DOUBLE] as const)("MatMul + Add, Flatten, Transpose (elem type %i)", async (elem) => {
    const bytes = matmulModel(elem);
    const result = await importOnnx(bytes);
    expect(result.graph).toContain("xw = x @ W1");
    expect(result.graph).not.toMatch(/\bf = /); // Flatten of a matrix at axis 1 is the matrix itself
    expect(await compare(bytes, result, feedsFor({ x: [6, 5] }, elem), elem)).toBeLessThanOrEqual(tolerance(elem));
  });

  /** Element-wise ops, constants, reductions (axes as an input and as an attribute) and pass-throughs. */
  function elementwiseModel(elem: Elem, opset: number): Uint8Array {
    const next = uniform(5);
    const axesAsInput = opset >= 18;
    return model({
      opset,
      inputs: [value("a", ["N", 3], elem), value("b", ["N", 3], elem)],
      outputs: [value("y1", ["N", 3], elem), value("y2", ["N", 3], elem), value("y3", ["N"], elem), value("y4", [1, 3], elem), value("y5", [], elem)],
      initializers: [tensor("c", [3], randoms(next, 3, 0.5, 1.5), elem), int64Tensor("axes1", [1], [1]), int64Tensor("axes0", [1], [0])],
      nodes: [
        node("Sigmoid", ["a"], ["s"]),
        node("Tanh", ["b"], ["t"]),
        node("Sub", ["s", "t"], ["d"]),
        node("Mul", ["d", "c"], ["m"]),
        node("Exp", ["m"], ["e"]),
        node("Constant", [], ["two"], { value: tensor("", [], [2], elem) }),
        node("Div", ["e", "two"], ["h"]),
        node("Log", ["e"], ["l"]),
        node("Sqrt", ["e"], ["r"]),
        node("Neg", ["r"], ["nr"]),
        node("Reciprocal", ["e"], ["re"]),
        node("Pow", ["d", "two"], ["sq"]),
        node("Sum", ["h", "l", "nr"], ["su"]),
        node("Add", ["su", "re"], ["y1"]),
        node("Dropout", ["sq"], ["dr"]),
        node("Identity", ["dr"], ["y2"]),
        node("ReduceSum", opset >= 13 ? ["m", "axes1"] : ["m"], ["y3"], opset >= 13 ? { keepdims: 0 } : { axes: [1], keepdims: 0 }),
        node("ReduceMean", axesAsInput ? ["d", "axes0"] : ["d"], ["y4"], axesAsInput ? {} : { axes: [0] }),
        node("Div", ["a", "c"], ["ac"]),
        node("ReduceSumSquare", ["ac"], ["y5"], { keepdims: 0 }),
      ],
    });
  }

  it.each([
    [DataType.FLOAT, 17],
    [DataType.FLOAT, 11],
    [DataType.DOUBLE, 18],
  ] as const)("element-wise ops, constants, reductions (elem type %i, opset %i)", async (elem, opset) => {
    const bytes = elementwiseModel(elem, opset);
    const result = await importOnnx(bytes);
    const graph = result.graph!;
    expect(graph).toContain("h = e / 2"); // a scalar Constant is written as a number
    expect(graph).toContain("sq = square(d)");
    expect(graph).toContain("y2 = sq"); // Identity of an output: a statement; Dropout: nothing
    expect(graph).toContain("y3 = sum(m, axis=1)");
    expect(graph).toContain("y4 = mean(d, axis=0, keepdims=true)");
    expect(graph).toContain("y5 = sum(square(ac))");
    expect(await compare(bytes, result, feedsFor({ a: [4, 3], b: [4, 3] }, elem), elem)).toBeLessThanOrEqual(tolerance(elem));
  });

  it("Gemm with alpha, beta, transA and a matrix C, and without C", async () => {
    const next = uniform(21);
    const bytes = model({
      inputs: [value("x", [2, 3]), value("xt", [3, 2])],
      outputs: [value("y1", [2, 4]), value("y2", [2, 4]), value("y3", [2, 4])],
      initializers: [tensor("W", [4, 3], randoms(next, 12)), tensor("C", [2, 4], randoms(next, 8)), tensor("V", [3, 4], randoms(next, 12)), tensor("bias", [4], randoms(next, 4))],
      nodes: [
        node("Gemm", ["x", "W", "C"], ["y1"], { alpha: { float: 0.5 }, beta: { float: 2 }, transB: 1 }),
        node("Gemm", ["xt", "V", "bias"], ["y2"], { alpha: { float: 0.1 }, transA: 1 }),
        node("Gemm", ["x", "V"], ["y3"]),
      ],
    });
    const result = await importOnnx(bytes);
    expect(result.graph).toContain("y1 = 0.5 * (x @ transpose(W)) + 2 * C");
    expect(result.graph).toContain("y2 = 0.1 * (transpose(xt) @ V) + bias"); // float32 0.1, written short
    expect(result.graph).toContain("y3 = x @ V");
    expect(await compare(bytes, result, feedsFor({ x: [2, 3], xt: [3, 2] }, DataType.FLOAT), DataType.FLOAT)).toBeLessThanOrEqual(1e-5);
  });

  it("a non-scalar Constant becomes an input with its value as default; unknown dims get fresh names", async () => {
    const bytes = model({
      inputs: [value("x", [null, 3])],
      outputs: [value("y", [null, 3])],
      nodes: [node("Constant", [], ["k"], { value: tensor("", [3], [1, -2, 0.25]) }), node("Mul", ["x", "k"], ["y"])],
    });
    const result = await importOnnx(bytes);
    expect(result.graph).toContain("input x: [N, 3]");
    expect(result.graph).toContain("input k: [3] = [1, -2, 0.25]");
    expect(result.params).toEqual({});
    expect(await compare(bytes, result, feedsFor({ x: [2, 3] }, DataType.FLOAT), DataType.FLOAT)).toBeLessThanOrEqual(1e-5);
  });

  it("initializers that older models also list as inputs are params, not inputs", async () => {
    const bytes = model({
      inputs: [value("x", [2, 3]), value("w", [3])],
      outputs: [value("y", [2, 3])],
      initializers: [tensor("w", [3], [0.5, -1, 2])],
      nodes: [node("Mul", ["x", "w"], ["y"])],
    });
    const result = await importOnnx(bytes);
    expect(result.inputs!.map((v) => v.name)).toEqual(["x"]);
    expect(result.declaredParams).toEqual([{ name: "w", onnx: "w", shape: [3] }]);
    expect(await compare(bytes, result, feedsFor({ x: [2, 3] }, DataType.FLOAT), DataType.FLOAT)).toBeLessThanOrEqual(1e-5);
  });
});

describe("names", () => {
  it.each([
    ["/fc1/Gemm_output_0", "fc1_Gemm"],
    ["onnx::Gemm_5", "Gemm_5"],
    ["fc1.weight", "fc1_weight"],
    ["0.bias", "_0_bias"],
    ["input", "input_"],
    ["grad", "grad_"],
    ["batch size", "batch_size"],
    ["número", "número"],
    ["::", "v"],
    ["relu", "relu"], // op names live in their own namespace
  ])("%j becomes %j", (onnx, name) => {
    expect(readableName(onnx)).toBe(name);
  });

  it("names that read the same are kept apart, and every name compiles", async () => {
    const bytes = model({
      inputs: [value("a.b", [2]), value("a/b", [2]), value("output", [2])],
      outputs: [value("a:b", [2])],
      nodes: [node("Add", ["a.b", "a/b"], ["s"]), node("Add", ["s", "output"], ["a:b"])],
    });
    const result = await importOnnx(bytes);
    expect(result.inputs!.map((v) => v.name)).toEqual(["a_b", "a_b_1", "output_"]);
    expect(result.outputs!.map((v) => v.name)).toEqual(["a_b_2"]);
    expect(await compare(bytes, result, feedsFor({ "a.b": [2], "a/b": [2], output: [2] }, DataType.FLOAT), DataType.FLOAT)).toBeLessThanOrEqual(1e-5);
  });
});
