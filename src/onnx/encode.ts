// Owns the bytes of an exported model: the builder's graph as an ONNX ModelProto, encoded by
// @bufbuild/protobuf from the official onnx.proto3 (src/onnx/proto/). Nothing here reads a
// clock or depends on the machine: tensors are written little-endian, fields in a fixed order.
// Loaded when a model is first encoded (src/onnx/export.ts): the protobuf runtime and ONNX's
// descriptor take 50-100 ms to load, which no other command should wait for.
import { create, toBinary } from "@bufbuild/protobuf";
import { version } from "../version.js";
import {
  AttributeProto_AttributeType,
  ModelProtoSchema,
  type AttributeProtoSchema,
  type TensorProtoSchema,
  type ValueInfoProtoSchema,
} from "./proto/onnx_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { DOUBLE, FLOAT, INT64, type OnnxGraphBuilder, type OnnxTensor } from "./builder.js";

/** A graph input or output: its name and shape (a symbolic dimension is its name). */
export interface OnnxValue {
  readonly name: string;
  readonly shape: readonly (number | string)[];
}

export interface ModelParts {
  readonly name: string;
  readonly doc: string;
  readonly opset: number;
  readonly irVersion: number;
  readonly builder: OnnxGraphBuilder;
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
}

function tensorProto(t: OnnxTensor): MessageInitShape<typeof TensorProtoSchema> {
  const width = t.dataType === FLOAT ? 4 : 8;
  const bytes = new Uint8Array(t.data.length * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    if (t.dataType === FLOAT) view.setFloat32(i * 4, v, true);
    else if (t.dataType === DOUBLE) view.setFloat64(i * 8, v, true);
    else if (t.dataType === INT64) view.setBigInt64(i * 8, BigInt(v), true);
  }
  return { name: t.name, dataType: t.dataType, dims: t.dims.map(BigInt), rawData: bytes };
}

function attribute(name: string, value: number | readonly number[] | OnnxTensor): MessageInitShape<typeof AttributeProtoSchema> {
  if (typeof value === "number") return { name, type: AttributeProto_AttributeType.INT, i: BigInt(value) };
  if ("dataType" in value) return { name, type: AttributeProto_AttributeType.TENSOR, t: tensorProto(value) };
  return { name, type: AttributeProto_AttributeType.INTS, ints: value.map(BigInt) };
}

function valueInfo(v: OnnxValue, elemType: number): MessageInitShape<typeof ValueInfoProtoSchema> {
  const dim = v.shape.map((d) =>
    typeof d === "number" ? { value: { case: "dimValue" as const, value: BigInt(d) } } : { value: { case: "dimParam" as const, value: d } },
  );
  return { name: v.name, type: { value: { case: "tensorType", value: { elemType, shape: { dim } } } } };
}

/** The model's bytes. */
export function encodeModel(m: ModelParts): Uint8Array {
  const b = m.builder;
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(m.irVersion),
    producerName: "gradc",
    producerVersion: version,
    opsetImport: [{ domain: "", version: BigInt(m.opset) }],
    graph: {
      name: m.name,
      docString: m.doc,
      node: b.nodes.map((n) => ({
        name: n.output,
        opType: n.opType,
        input: [...n.inputs],
        output: [n.output],
        attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v)),
      })),
      initializer: b.initializers.map(tensorProto),
      input: m.inputs.map((v) => valueInfo(v, b.elemType)),
      output: m.outputs.map((v) => valueInfo(v, b.elemType)),
    },
  });
  return toBinary(ModelProtoSchema, model);
}
