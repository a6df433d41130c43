// Every example exported to ONNX: ONNX Runtime's outputs and gradients equal the compiled
// module's; the bytes are the same on every export and pass the structural check; each
// supported opset loads; params come from init(seed) or the caller; names a training step
// needs for itself are refused where the graph declares them.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { formatDiagnostics, loadGraph, type Tensor } from "../../src/index.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { MAX_OPSET, MIN_OPSET, opsetIrVersions } from "../../src/onnx/opset.js";
import { ModelProtoSchema } from "../../src/onnx/proto/onnx_pb.js";
import { examples, exampleSource, inputsFor } from "../support/examples.js";
import { modelProblems, relativeError, runModel, session } from "../support/onnx.js";
import { agreement } from "./agreement.js";

const tolerance = { f64: 1e-12, f32: 1e-5 } as const;
const net = exampleSource("two_layer_net.graph");

describe.each(["f64", "f32"] as const)("the examples in ONNX Runtime, %s", (dtype) => {
  it.each(examples)("%s: outputs and gradients", async (file) => {
    const { errors, problems } = await agreement(exampleSource(file), dtype);
    expect(problems).toEqual([]);
    expect(Object.entries(errors).filter(([, e]) => !(e <= tolerance[dtype])), JSON.stringify(errors)).toEqual([]);
  });
});

describe("the bytes", () => {
  it.each(examples)("%s: the same on every export, forward and training step", async (file) => {
    for (const training of [undefined, "adam"] as const) {
      const a = await exportOnnx(exampleSource(file), { training });
      const b = await exportOnnx(exampleSource(file), { training });
      expect(a.bytes).toBeDefined();
      expect(Buffer.from(b.bytes!).equals(Buffer.from(a.bytes!))).toBe(true);
    }
  });

  it("name the graph's inputs and outputs, with symbolic dimensions as dim_param", async () => {
    const r = await exportOnnx(net);
    const graph = fromBinary(ModelProtoSchema, r.bytes!).graph!;
    expect(graph.input.map((v) => v.name)).toEqual(["x", "t"]);
    expect(graph.output.map((v) => v.name)).toEqual(["loss", "y"]);
    expect(graph.initializer.filter((t) => !t.name.startsWith("%")).map((t) => t.name)).toEqual(["W1", "b1", "W2", "b2"]);
    const x = graph.input[0]!.type!.value;
    expect(x.case === "tensorType" && x.value.shape!.dim.map((d) => d.value)).toEqual([
      { case: "dimParam", value: "N" },
      { case: "dimValue", value: 784n },
    ]);
    const loss = graph.output[0]!.type!.value;
    expect(loss.case === "tensorType" && loss.value.shape!.dim).toEqual([]);
    expect(r.inputs).toEqual([
      { name: "x", shape: ["N", 784] },
      { name: "t", shape: ["N", 10] },
    ]);
  });

  it("the structural check finds a value defined twice, a node reading a value before it exists, and a missing output", async () => {
    const model = fromBinary(ModelProtoSchema, (await exportOnnx(net)).bytes!);
    const graph = model.graph!;
    expect(modelProblems(toBinary(ModelProtoSchema, model))).toEqual([]);
    graph.node.reverse();
    graph.node.push({ ...graph.node[0]! });
    graph.output.push({ ...graph.output[0]!, name: "nowhere" });
    const problems = modelProblems(toBinary(ModelProtoSchema, model)).join("\n");
    expect(problems).toMatch(/reads ".*" before it is defined/);
    expect(problems).toMatch(/is defined twice/);
    expect(problems).toMatch(/graph output "nowhere" is never computed/);
  });
});

describe("opsets", () => {
  const x = inputsFor({ meta: { inputs: [{ name: "x", shape: ["N", 784] }, { name: "t", shape: ["N", 10] }] }, defaults: {} } as never);
  it.each(Object.keys(opsetIrVersions).map(Number))("opset %i: its IR version, and ONNX Runtime runs it", async (opset) => {
    const reference = await runModel(await session((await exportOnnx(net, { dtype: "f64" })).bytes!), x, "f64");
    for (const training of [undefined, "momentum"] as const) {
      const r = await exportOnnx(net, { dtype: "f64", opset, training });
      const model = fromBinary(ModelProtoSchema, r.bytes!);
      expect(model.irVersion).toBe(BigInt(opsetIrVersions[opset]!));
      expect(model.opsetImport).toMatchObject([{ domain: "", version: BigInt(opset) }]);
      const out = await runModel(await session(r.bytes!), { ...r.initialValues, ...x }, "f64");
      expect(relativeError(out.loss, reference.loss!)).toBeLessThanOrEqual(1e-12);
    }
  });

  it(`refuses opsets outside ${MIN_OPSET}–${MAX_OPSET}`, async () => {
    await expect(exportOnnx(net, { opset: MIN_OPSET - 1 })).rejects.toThrow(RangeError);
    await expect(exportOnnx(net, { opset: MAX_OPSET + 1 })).rejects.toThrow(/opset must be a whole number from 18 to 26, got 27/);
    expect((await exportOnnx(net)).opset).toBe(21);
    expect((await exportOnnx(net)).irVersion).toBe(10);
  });
});

describe("params", () => {
  it("come from init(seed), the module's own, or from the caller", async () => {
    const { module } = await loadGraph(net);
    const inputs = inputsFor(module);
    for (const seed of [0, 5]) {
      const expected = module.forward(inputs, module.init(seed)).outputs;
      const out = await runModel(await session((await exportOnnx(net, { dtype: "f64", seed })).bytes!), inputs, "f64");
      expect(relativeError(out.y, expected.y!)).toBeLessThanOrEqual(1e-12);
    }
    const given = module.init(9);
    const b2 = given.b2 as Tensor;
    b2.data.fill(0.25);
    const expected = module.forward(inputs, given).outputs;
    const out = await runModel(await session((await exportOnnx(net, { dtype: "f64", params: { W1: given.W1!, W2: given.W2!, b2 }, seed: 9 })).bytes!), inputs, "f64");
    expect(relativeError(out.y, expected.y!)).toBeLessThanOrEqual(1e-12);
    expect(relativeError(out.y, module.forward(inputs, module.init(9)).outputs.y!)).toBeGreaterThan(1e-3);
  });

  it("that do not fit the graph are refused", async () => {
    await expect(exportOnnx(net, { params: { W1: 1 } })).rejects.toThrow(/"W1" has shape \[\] but the graph expects \[784, 50\]/);
    await expect(exportOnnx(net, { params: { x: 1 } })).rejects.toThrow(/no param "x"/);
  });
});

describe("names a training step needs for itself", () => {
  const clash = `graph g {
  input x: [2]
  param lr = 0.5
  param W: [2]
  dW = x * W * lr
  loss = sum(dW)
  output loss, dW
  grad loss wrt W, lr
}
`;

  it("are errors where the graph declares them, saying what to rename", async () => {
    const r = await exportOnnx(clash, { training: "sgd" });
    expect(r.bytes).toBeUndefined();
    expect(formatDiagnostics(r.diagnostics, "clash.graph", clash)).toBe(
      [
        `clash.graph:3:9: error: "lr" is the training step's learning-rate input; rename "lr" to export a training step.`,
        "3 |   param lr = 0.5",
        "  |         ^^",
        `clash.graph:7:16: error: "dW" is the training step's gradient of "W"; rename "dW" to export a training step.`,
        "7 |   output loss, dW",
        "  |                ^^",
      ].join("\n"),
    );
  });

  it("are not reserved in a forward export", async () => {
    expect((await exportOnnx(clash)).bytes).toBeDefined();
  });
});
