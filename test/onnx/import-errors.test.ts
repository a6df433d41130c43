// What importOnnx refuses, and how it says so: one message per problem, naming the node (its
// index in graph.node, its name and op type), input or tensor at fault; every problem of a model
// at once, each unknown op type once, and nothing about the nodes downstream of a failure.
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { importOnnx, MAX_MODEL_BYTES } from "../../src/index.js";
import { ModelProtoSchema, TensorProto_DataLocation, TensorProtoSchema } from "../../src/onnx/proto/onnx_pb.js";
import { DataType, int64Tensor, model, node, tensor, value } from "../support/onnx-models.js";

async function messages(bytes: Uint8Array): Promise<string[]> {
  const result = await importOnnx(bytes);
  expect(result.graph).toBeUndefined();
  expect(result.params).toBeUndefined();
  expect(result.diagnostics.every((d) => d.severity === "error" && d.span === undefined)).toBe(true);
  return result.diagnostics.map((d) => d.message);
}

/** A model of one input x [N, 4] through `nodes` to the output y. */
function chain(nodes: Parameters<typeof model>[0]["nodes"], extra: Partial<Parameters<typeof model>[0]> = {}): Uint8Array {
  return model({ inputs: [value("x", ["N", 4])], outputs: [value("y", ["N", 4])], nodes, ...extra });
}

describe("not a model", () => {
  it("bytes that are not protobuf", async () => {
    expect(await messages(new TextEncoder().encode("graph g { input x }"))).toEqual([expect.stringMatching(/^not an ONNX model \(.+\)\.$/)]);
  });

  it("an empty file, and a message without a graph", async () => {
    expect(await messages(new Uint8Array())).toEqual(["not an ONNX model (the file is empty)."]);
    expect(await messages(toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n })))).toEqual(["not an ONNX model (it has no graph)."]);
  });

  it("a model larger than the limit, refused before it is decoded", async () => {
    const [message] = await messages(new Uint8Array(MAX_MODEL_BYTES + 1));
    expect(message).toBe("the model is 32.0 MB; gradc imports models of up to 32.0 MB.");
  });
});

describe("unknown ops", () => {
  it("are all reported in one run, each op type once, naming its first node, and nothing downstream", async () => {
    const bytes = chain([
      node("Relu", ["x"], ["a"], {}, "/act/Relu"),
      node("Gelu", ["a"], ["b"], {}, "/act/Gelu"),
      node("Tanh", ["b"], ["c"]), // downstream of the Gelu: not reported
      node("Gelu", ["c"], ["d"], {}, "/act2/Gelu"),
      node("Erf", ["a"], ["e"]),
      node("Gelu", ["e"], ["f"], {}, "/act3/Gelu"),
      node("Add", ["d", "f"], ["y"]),
    ]);
    const all = await messages(bytes);
    expect(all).toHaveLength(2);
    expect(all[0]).toMatch(/^node 1 "\/act\/Gelu" \(Gelu\): gradc has no op for Gelu \(nodes 3, 5 are Gelu too\); it knows Gemm, MatMul, Add, .*, Constant\.$/);
    expect(all[1]).toBe("node 4 (Erf): gradc has no op for Erf."); // the known ops are listed once
  });

  it("ops of another domain are refused, named with their domain", async () => {
    const bytes = chain([node("FusedGemm", ["x"], ["y"], {}, "f", "com.microsoft")], {
      opsets: [
        { domain: "", version: 17 },
        { domain: "com.microsoft", version: 1 },
      ],
    });
    expect(await messages(bytes)).toEqual([
      'node 0 "f" (com.microsoft.FusedGemm): it is an op of the domain "com.microsoft"; gradc imports ops of the default ONNX domain only.',
    ]);
  });

  it("a model that imports no version of the default opset, or too old a one", async () => {
    expect(await messages(chain([node("Relu", ["x"], ["y"])], { opsets: [{ domain: "com.microsoft", version: 1 }] }))).toEqual([
      'the model imports no version of the default ONNX opset (only "com.microsoft").',
    ]);
    expect(await messages(chain([node("Relu", ["x"], ["y"])], { opset: 6 }))).toEqual(["the model uses opset 6; gradc imports opset 7 and later."]);
  });
});

describe("values gradc cannot compute with", () => {
  it("an int64 input, and a float16 initializer", async () => {
    const bytes = model({
      inputs: [value("ids", ["N"], DataType.INT64), value("x", [2])],
      outputs: [value("y", [2])],
      initializers: [{ ...tensor("w", [2], [1, 2]), dataType: DataType.FLOAT16 }],
      nodes: [node("Mul", ["x", "w"], ["y"])],
    });
    expect(await messages(bytes)).toEqual([
      'input "ids" is int64; gradc computes in float32 or float64.',
      'node 0 (Mul): initializer "w": it is float16; gradc computes in float32 or float64.',
    ]);
  });

  it("an initializer whose values are in an external file", async () => {
    const external = create(TensorProtoSchema, {
      name: "w",
      dims: [4n],
      dataType: DataType.FLOAT,
      dataLocation: TensorProto_DataLocation.EXTERNAL,
      externalData: [{ key: "location", value: "weights.bin" }],
    });
    const bytes = chain([node("Mul", ["x", "w"], ["y"], {}, "scale")], { initializers: [external] });
    expect(await messages(bytes)).toEqual([
      'node 0 "scale" (Mul): initializer "w": its values are in an external file ("weights.bin"); gradc reads only models that hold their values (save the model without external data).',
    ]);
  });

  it("a NaN in an initializer, which the params JSON could not hold", async () => {
    const bytes = chain([node("Add", ["x", "w"], ["y"])], { initializers: [tensor("w", [4], [1, NaN, 3, 4])] });
    expect(await messages(bytes)).toEqual(['node 0 (Add): initializer "w" holds NaN, which JSON cannot hold.']);
  });

  it("an input without a shape", async () => {
    const bytes = model({ inputs: [value("x", undefined)], outputs: [value("y", [2])], nodes: [node("Relu", ["x"], ["y"])] });
    expect(await messages(bytes)).toEqual(['input "x" has no shape in the model; gradc needs the rank of each input.']);
  });
});

describe("attributes and shapes gradc's ops cannot express", () => {
  it.each([
    ["Softmax over the first axis", [node("Softmax", ["x"], ["y"], { axis: 0 }, "sm")], /^node 0 "sm" \(Softmax\): axis 0 of a rank-2 input is not its last axis, the only one gradc's softmax works on\.$/],
    ["LogSoftmax over axis 0 in opset 11", [node("LogSoftmax", ["x"], ["y"], { axis: 0 })], /^node 0 \(LogSoftmax\): axis 0 of a rank-2 input is not its last axis/],
    ["Flatten at axis 0", [node("Flatten", ["x"], ["y"], { axis: 0 })], /^node 0 \(Flatten\): flattening a rank-2 input at axis 0 reshapes it, and gradc has no reshape/],
    ["Pow with exponent 3", [node("Constant", [], ["three"], { value: tensor("", [], [3]) }), node("Pow", ["x", "three"], ["y"])], /^node 1 \(Pow\): gradc has square\(x\) for an exponent of 2, and no other power\.$/],
    ["ReduceSum with computed axes", [node("Relu", ["x"], ["r"]), node("ReduceSum", ["x", "r"], ["y"])], /^node 1 \(ReduceSum\): its axes are computed; gradc needs them to be a constant\.$/],
    ["ReduceSum over an axis out of range", [node("ReduceSum", ["x", "ax"], ["y"])], /^node 0 \(ReduceSum\): axis 5 is out of range for a rank-2 input\.$/],
    ["an attribute of the wrong type", [node("Softmax", ["x"], ["y"], { axis: { float: 1 } })], /^node 0 \(Softmax\): its attribute axis is of type FLOAT, not INT\.$/],
    ["an input no node makes", [node("Add", ["x", "ghost"], ["y"])], /^node 0 \(Add\): its input "ghost" is not a graph input, an initializer or the output of an earlier node\.$/],
  ] as const)("%s", async (_, nodes, message) => {
    const bytes = chain([...nodes], { opset: _.includes("opset 11") ? 11 : 17, initializers: [int64Tensor("ax", [1], [5])] });
    expect(await messages(bytes)).toEqual([expect.stringMatching(message)]);
  });

  it("Gemm with transA on a vector, a MatMul of rank-3 tensors, a Transpose of rank 3", async () => {
    const bytes = model({
      inputs: [value("v", [4]), value("t", [2, 3, 4]), value("m", [4, 4])],
      outputs: [value("y1", [4]), value("y2", [2, 3, 4]), value("y3", [4, 3, 2])],
      nodes: [
        node("Gemm", ["v", "m"], ["y1"], { transA: 1 }, "g"),
        node("MatMul", ["t", "m"], ["y2"], {}, "mm"),
        node("Transpose", ["t"], ["y3"], {}, "tr"),
      ],
    });
    expect(await messages(bytes)).toEqual([
      'node 0 "g" (Gemm): A has rank 1; Gemm multiplies matrices (rank 2).',
      'node 1 "mm" (MatMul): matmul needs operands of rank 1 or 2, got [2, 3, 4] and [4, 4].',
      'node 2 "tr" (Transpose): its input has rank 3; gradc transposes matrices (rank 2).',
    ]);
  });

  it("a used second output (Dropout's mask), and a Dropout in training mode", async () => {
    const bytes = model({
      inputs: [value("x", [4]), value("train", [], DataType.FLOAT)],
      outputs: [value("y", [4]), value("mask", [4])],
      nodes: [node("Dropout", ["x"], ["d", "mask"], {}, "drop"), node("Dropout", ["x", "", "train"], ["y"], {}, "drop2")],
    });
    expect(await messages(bytes)).toEqual([
      'node 0 "drop" (Dropout): its output "mask" is used, and gradc imports only the first output of Dropout.',
      'node 1 "drop2" (Dropout): it has a training_mode input; gradc imports models for inference, where Dropout passes its input through.',
    ]);
  });
});
