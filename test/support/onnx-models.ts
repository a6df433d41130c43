// Builds small ONNX models in memory, as PyTorch's exporter lays them out (Gemm with transB=1 for
// nn.Linear, names like "/fc1/Gemm_output_0"), and runs them with ONNX Runtime: the reference the
// importer's results are compared with. scripts/make-example-onnx.ts builds docs/examples/mlp.onnx
// with it too.
import { create, toBinary } from "@bufbuild/protobuf";
import { mulberry32 } from "../../src/index.js";
import {
  AttributeProto_AttributeType,
  ModelProtoSchema,
  TensorProto_DataType,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
  AttributeProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  ValueInfoProtoSchema,
} from "../../src/onnx/proto/onnx_pb.js";

export { TensorProto_DataType as DataType };

/** The element types the tests use. */
export type Elem = TensorProto_DataType.FLOAT | TensorProto_DataType.DOUBLE;

/** A tensor: float32 values in float_data, float64 in double_data; `raw` puts them in raw_data, little-endian. */
export function tensor(name: string, dims: readonly number[], data: readonly number[], elem: Elem = TensorProto_DataType.FLOAT, raw = false): TensorProto {
  const typed = elem === TensorProto_DataType.DOUBLE ? Float64Array.from(data) : Float32Array.from(data);
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: elem,
    ...(raw
      ? { rawData: new Uint8Array(typed.buffer.slice(0)) }
      : elem === TensorProto_DataType.DOUBLE
        ? { doubleData: [...typed] }
        : { floatData: [...typed] }),
  });
}

/** An int64 tensor (the `axes` input of ReduceSum from opset 13). */
export function int64Tensor(name: string, dims: readonly number[], data: readonly number[]): TensorProto {
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.INT64, int64Data: data.map(BigInt) });
}

/** A graph input or output: a tensor type with dims that are sizes, names (dim_param) or null (unknown). */
export function value(name: string, dims: readonly (number | string | null)[] | undefined, elem: number = TensorProto_DataType.FLOAT): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: "tensorType",
        value: {
          elemType: elem,
          ...(dims === undefined
            ? {}
            : {
                shape: {
                  dim: dims.map((d) => ({
                    value:
                      d === null ? { case: undefined } : typeof d === "number" ? { case: "dimValue" as const, value: BigInt(d) } : { case: "dimParam" as const, value: d },
                  })),
                },
              }),
        },
      },
    },
  });
}

export type Attr = number | readonly number[] | { float: number } | TensorProto;

function attribute(name: string, a: Attr): AttributeProto {
  if (typeof a === "number") return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(a) });
  if (Array.isArray(a)) return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: (a as number[]).map(BigInt) });
  if ("float" in (a as object)) return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: (a as { float: number }).float });
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.TENSOR, t: a as TensorProto });
}

/** A node; integers are INT attributes, arrays INTS, `{ float }` FLOAT, tensors TENSOR. */
export function node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, Attr> = {}, name = "", domain = ""): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    name,
    domain,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  });
}

export interface ModelSpec {
  readonly nodes: readonly NodeProto[];
  readonly inputs: readonly ValueInfoProto[];
  readonly outputs: readonly ValueInfoProto[];
  readonly initializers?: readonly TensorProto[];
  readonly opset?: number;
  readonly opsets?: readonly { domain: string; version: number }[];
  readonly producer?: { name: string; version: string };
  readonly graphName?: string;
}

/** The model's bytes, as a .onnx file holds them. */
export function model(spec: ModelSpec): Uint8Array {
  const m = create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: spec.producer?.name ?? "gradc-tests",
    producerVersion: spec.producer?.version ?? "1",
    opsetImport: (spec.opsets ?? [{ domain: "", version: spec.opset ?? 17 }]).map((o) => ({ domain: o.domain, version: BigInt(o.version) })),
    graph: {
      name: spec.graphName ?? "main_graph",
      node: [...spec.nodes],
      input: [...spec.inputs],
      output: [...spec.outputs],
      initializer: [...(spec.initializers ?? [])],
    },
  });
  return toBinary(ModelProtoSchema, m);
}

/** Seeded uniform numbers in [0, 1) (mulberry32), so the models and inputs are the same each run. */
export const uniform = (seed: number): (() => number) => mulberry32(seed);

/** `count` numbers drawn uniformly from [lo, hi). */
export function randoms(next: () => number, count: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: count }, () => lo + (hi - lo) * next());
}

export interface MlpOptions {
  readonly last?: "Softmax" | "LogSoftmax" | "none";
  readonly elem?: Elem;
  readonly opset?: number;
  readonly seed?: number;
  /** Weights in raw_data, as PyTorch writes them. */
  readonly raw?: boolean;
}

/**
 * PyTorch's `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1))`
 * as torch.onnx.export writes it: input "input" [batch, 4], output "output", Gemm with transB=1.
 */
export function mlp(options: MlpOptions = {}): Uint8Array {
  const elem = options.elem ?? TensorProto_DataType.FLOAT;
  const next = uniform(options.seed ?? 1);
  const last = options.last ?? "Softmax";
  const logits = last === "none" ? "output" : "/2/Gemm_output_0";
  const nodes = [
    node("Gemm", ["input", "0.weight", "0.bias"], ["/0/Gemm_output_0"], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 }, "/0/Gemm"),
    node("Relu", ["/0/Gemm_output_0"], ["/1/Relu_output_0"], {}, "/1/Relu"),
    node("Gemm", ["/1/Relu_output_0", "2.weight", "2.bias"], [logits], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 }, "/2/Gemm"),
  ];
  if (last !== "none") nodes.push(node(last, [logits], ["output"], { axis: 1 }, `/3/${last}`));
  return model({
    opset: options.opset ?? 17,
    producer: { name: "pytorch", version: "2.1.0" },
    inputs: [value("input", ["batch_size", 4], elem)],
    outputs: [value("output", ["batch_size", 3], elem)],
    initializers: [
      tensor("0.weight", [8, 4], randoms(next, 32), elem, options.raw),
      tensor("0.bias", [8], randoms(next, 8), elem, options.raw),
      tensor("2.weight", [3, 8], randoms(next, 24), elem, options.raw),
      tensor("2.bias", [3], randoms(next, 3), elem, options.raw),
    ],
    nodes,
  });
}

/** Feeds for a model: for each input, its dims (symbolic ones given sizes) and values. */
export type Feeds = Record<string, { readonly dims: readonly number[]; readonly data: readonly number[] }>;

/** The model's outputs as ONNX Runtime computes them, flattened, by output name. */
export async function runOrt(bytes: Uint8Array, feeds: Feeds, elem: Elem = TensorProto_DataType.FLOAT): Promise<Record<string, { dims: number[]; data: number[] }>> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(bytes);
  const type = elem === TensorProto_DataType.DOUBLE ? "float64" : "float32";
  const tensors = Object.fromEntries(
    Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor(type, type === "float64" ? Float64Array.from(f.data) : Float32Array.from(f.data), [...f.dims])]),
  );
  const results = await session.run(tensors);
  await session.release();
  return Object.fromEntries(
    Object.entries(results).map(([name, t]) => [name, { dims: [...t.dims].map(Number), data: Array.from(t.data as Float32Array | Float64Array) }]),
  );
}

/** docs/examples/mlp.onnx: a PyTorch-style classifier, 4 features → 8 hidden (ReLU) → 3 log-probabilities. */
export const exampleMlp = (): Uint8Array => mlp({ last: "LogSoftmax", seed: 1, raw: true });

/** docs/examples/gelu.onnx: a model with an op gradc does not have (Gelu), twice, and Erf. */
export function exampleUnknownOps(): Uint8Array {
  const next = uniform(2);
  return model({
    producer: { name: "pytorch", version: "2.1.0" },
    inputs: [value("x", ["batch", 4])],
    outputs: [value("y", ["batch", 4])],
    initializers: [tensor("fc.weight", [4, 4], randoms(next, 16), TensorProto_DataType.FLOAT, true)],
    nodes: [
      node("MatMul", ["x", "fc.weight"], ["/fc/MatMul_output_0"], {}, "/fc/MatMul"),
      node("Gelu", ["/fc/MatMul_output_0"], ["/act/Gelu_output_0"], {}, "/act/Gelu"),
      node("Erf", ["/act/Gelu_output_0"], ["/erf/Erf_output_0"], {}, "/erf/Erf"),
      node("Gelu", ["/erf/Erf_output_0"], ["y"], {}, "/act2/Gelu"),
    ],
  });
}
