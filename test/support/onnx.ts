// What the ONNX tests share: a structural check of an exported model (what onnx.checker checks
// of a graph's structure, decoded independently with the generated messages), and running a
// model in ONNX Runtime with gradc's values.
import { fromBinary } from "@bufbuild/protobuf";
import * as ort from "onnxruntime-node";
import { ModelProtoSchema, TensorProto_DataType, type TensorProto } from "../../src/onnx/proto/onnx_pb.js";
import type { Tensor, Value } from "../../src/index.js";

const widths: Record<number, number> = {
  [TensorProto_DataType.FLOAT]: 4,
  [TensorProto_DataType.DOUBLE]: 8,
  [TensorProto_DataType.INT64]: 8,
};

function elements(t: TensorProto): number {
  return t.dims.reduce((p, d) => p * Number(d), 1);
}

/**
 * The structural mistakes of a model, as sentences (none for a valid one): an IR version and an
 * opset import; every value name defined exactly once (a graph input, an initializer that is
 * not also an input, or a node output); each node's inputs defined before the node; every graph
 * output computed; graph inputs and outputs typed, with a shape; initializers' data matching
 * their dims and type; node names unique.
 */
export function modelProblems(bytes: Uint8Array): string[] {
  const problems: string[] = [];
  const model = fromBinary(ModelProtoSchema, bytes);
  if (model.irVersion < 3n) problems.push(`IR version ${model.irVersion}`);
  if (!model.opsetImport.some((o) => o.domain === "" && o.version > 0n)) problems.push("no opset import of the default domain");
  const graph = model.graph;
  if (!graph) return [...problems, "no graph"];
  const defined = new Set<string>();
  const define = (name: string, what: string) => {
    if (name === "") problems.push(`${what} has an empty name`);
    else if (defined.has(name)) problems.push(`"${name}" is defined twice (again as ${what})`);
    defined.add(name);
  };
  for (const v of [...graph.input, ...graph.output]) {
    const type = v.type?.value;
    if (type?.case !== "tensorType" || type.value.elemType === 0 || !type.value.shape) {
      problems.push(`"${v.name}" has no tensor type with an element type and a shape`);
    } else {
      for (const d of type.value.shape.dim) {
        if (d.value.case === undefined) problems.push(`"${v.name}" has a dimension without a value or a name`);
      }
    }
  }
  const inputNames = new Set(graph.input.map((v) => v.name));
  for (const v of graph.input) define(v.name, "a graph input");
  for (const t of graph.initializer) {
    if (!inputNames.has(t.name)) define(t.name, "an initializer");
    const width = widths[t.dataType];
    if (width === undefined) problems.push(`initializer "${t.name}" has data type ${t.dataType}`);
    else if (t.rawData.length !== elements(t) * width) problems.push(`initializer "${t.name}" holds ${t.rawData.length} bytes for dims [${t.dims.join(", ")}]`);
  }
  const nodeNames = new Set<string>();
  for (const n of graph.node) {
    if (n.opType === "") problems.push(`node "${n.name}" has no op type`);
    if (n.domain !== "") problems.push(`node "${n.name}" is of domain "${n.domain}"`);
    if (nodeNames.has(n.name)) problems.push(`two nodes are named "${n.name}"`);
    nodeNames.add(n.name);
    for (const i of n.input) if (i !== "" && !defined.has(i)) problems.push(`node "${n.name}" (${n.opType}) reads "${i}" before it is defined`);
    for (const o of n.output) define(o, `an output of node "${n.name}"`);
  }
  for (const o of graph.output) if (!defined.has(o.name)) problems.push(`graph output "${o.name}" is never computed`);
  return problems;
}

/** A session for a model, without ONNX Runtime's warnings (inputs that have initializers). */
export function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
}

/** gradc values as ONNX Runtime tensors of the element type. */
export function feeds(values: Readonly<Record<string, Value>>, dtype: "f32" | "f64"): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, v] of Object.entries(values)) {
    const data = typeof v === "number" ? [v] : v.data;
    const shape = typeof v === "number" ? [] : v.shape;
    out[name] = dtype === "f32" ? new ort.Tensor("float32", Float32Array.from(data), shape) : new ort.Tensor("float64", Float64Array.from(data), shape);
  }
  return out;
}

/** ONNX Runtime's results as gradc values (rank 0 as a number, the elements as f64). */
export function values(results: ort.InferenceSession.ReturnType): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [name, t] of Object.entries(results)) {
    const data = Float64Array.from(t.data as Float32Array | Float64Array);
    out[name] = t.dims.length === 0 ? data[0]! : ({ shape: [...t.dims], data } satisfies Tensor);
  }
  return out;
}

/** Runs a model once. */
export async function runModel(s: ort.InferenceSession, inputs: Readonly<Record<string, Value>>, dtype: "f32" | "f64"): Promise<Record<string, Value>> {
  return values(await s.run(feeds(inputs, dtype)));
}

/**
 * How far `actual` is from `expected`: the largest |a − e| over the elements, divided by the
 * largest |e| or 1 if that is smaller (a relative error, absolute below 1: a gradient that is
 * zero up to rounding is compared as such). NaN matches only NaN; Infinity when the shapes
 * differ or a value is missing.
 */
export function relativeError(actual: Value | undefined, expected: Value): number {
  if (actual === undefined) return Infinity;
  const a = typeof actual === "number" ? { shape: [] as number[], data: [actual] } : actual;
  const e = typeof expected === "number" ? { shape: [] as number[], data: [expected] } : expected;
  if (a.shape.length !== e.shape.length || a.shape.some((d, i) => d !== e.shape[i])) return Infinity;
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < e.data.length; i++) {
    const x = a.data[i]!;
    const y = e.data[i]!;
    if (Object.is(x, y) || x === y) continue;
    if (Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x) || !Number.isFinite(y)) return Infinity;
    worst = Math.max(worst, Math.abs(x - y));
    scale = Math.max(scale, Math.abs(y));
  }
  for (let i = 0; i < e.data.length; i++) if (Number.isFinite(e.data[i]!)) scale = Math.max(scale, Math.abs(e.data[i]!));
  return worst / scale;
}
