// Owns `gradc train --engine onnxruntime`: each training step runs in ONNX Runtime
// (onnxruntime-node, which the user installs; gradc does not depend on it) as the model
// `gradc export --training` writes, fed its own outputs from one step to the next. The module gradc
// compiled still measures the accuracies, from the params this step writes back after each batch.
import { graphToOnnx, type Dtype, type Graph, type GraphModule, type OptimizerName, type Params, type Value } from "../index.js";
import { getOwn, setOwn } from "../runtime/records.js";

/** The part of onnxruntime-node's API the engine uses (so gradc's declarations need none of it). */
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtSession {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface Ort {
  readonly Tensor: new (type: "float32" | "float64", data: Float32Array | Float64Array, dims: readonly number[]) => OrtTensor;
  readonly InferenceSession: { create(bytes: Uint8Array, options?: object): Promise<OrtSession> };
  readonly env: { readonly versions?: { readonly common?: string } };
}

/** Why the engine cannot run: onnxruntime-node is missing or broken. */
export class EngineError extends Error {}

/** onnxruntime-node as the user's project has it, or an EngineError that says how to install it. */
async function loadOrt(): Promise<Ort> {
  try {
    const name = "onnxruntime-node"; // resolved at run time from the user's project, never bundled
    return (await import(name)) as Ort;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new EngineError("--engine onnxruntime trains in ONNX Runtime, which is not installed here: run `npm install onnxruntime-node`, or train without --engine.");
    }
    throw new EngineError(`ONNX Runtime (onnxruntime-node) did not load: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}

/** What `onnxRuntimeStep` needs: the graph, its compiled module, and the step's settings. */
export interface EngineOptions {
  readonly graph: Graph;
  readonly module: GraphModule;
  readonly dtype: Dtype;
  readonly optimizer: OptimizerName;
  readonly lr?: number;
}

/** A training step in ONNX Runtime for `train`'s `step` option, and the runtime's version. */
export async function onnxRuntimeStep(options: EngineOptions): Promise<{ step: (inputs: Record<string, Value>, params: Params) => Promise<number>; version: string }> {
  const ort = await loadOrt();
  const exported = await graphToOnnx(options.graph, { dtype: options.dtype, training: options.optimizer, lr: options.lr });
  if (!exported.bytes) throw new EngineError(exported.diagnostics.map((d) => d.message).join("\n"));
  const session = await ort.InferenceSession.create(exported.bytes, { logSeverityLevel: 3 });
  const type = options.dtype === "f32" ? "float32" : "float64";
  const Arr = options.dtype === "f32" ? Float32Array : Float64Array;
  const tensor = (v: Value): OrtTensor =>
    typeof v === "number" ? new ort.Tensor(type, Arr.of(v), []) : new ort.Tensor(type, v.data instanceof Arr ? v.data : Arr.from(v.data), v.shape);
  const paramNames = new Set(options.module.meta.params.map((p) => p.name));
  const lossName = options.module.meta.grad.of;
  // The learning rate and the optimizer's state, fed back from each step's `.next` outputs.
  const carried = new Map<string, OrtTensor>();
  for (const [name, v] of Object.entries(exported.initialValues ?? {})) if (!paramNames.has(name)) carried.set(name, tensor(v));

  const step = async (inputs: Record<string, Value>, params: Params): Promise<number> => {
    const feeds: Record<string, OrtTensor> = {};
    for (const name of session.inputNames) {
      const value = getOwn(inputs, name) ?? getOwn(params, name) ?? getOwn(options.module.defaults, name);
      const fed = value !== undefined ? tensor(value) : carried.get(name);
      if (!fed) throw new EngineError(`ONNX Runtime's training step needs "${name}", which nothing gives.`);
      feeds[name] = fed;
    }
    const out = await session.run(feeds);
    for (const name of carried.keys()) {
      const next = out[`${name}.next`];
      if (next) carried.set(name, next);
    }
    for (const name of paramNames) {
      const next = out[`${name}.next`];
      if (!next) continue; // a param the graph does not differentiate
      const data = next.data as Float32Array | Float64Array;
      const current = getOwn(params, name);
      if (current === undefined || typeof current === "number") setOwn<Value>(params, name, data[0]!);
      else current.data.set(data);
    }
    const loss = out[lossName];
    return loss ? (loss.data as Float32Array | Float64Array)[0]! : NaN;
  };
  return { step, version: ort.env.versions?.common ?? "" };
}
