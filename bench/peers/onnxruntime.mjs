// ONNX Runtime (onnxruntime-node, CPU): the same TwoLayerNet as `gradc export` writes it, the
// forward graph (params as initializers) and one whole SGD training step (forward, backward and
// update in one model), each step fed the params the previous one returned, as a caller would.
import { readFile } from "node:fs/promises";
import { exportOnnx } from "../../dist/index.js";
import { C, D, LR, N, measure } from "../lib.mjs";

const graphFile = new URL("../../examples/two_layer_net.graph", import.meta.url);

/** threads: 1, or 0 for ONNX Runtime's default (one per core). dtype: "f32" or "f64". */
export async function benchOnnxRuntime(problem, dtype, threads) {
  const ort = await import("onnxruntime-node");
  const source = await readFile(graphFile, "utf8");
  const Arr = dtype === "f32" ? Float32Array : Float64Array;
  const type = dtype === "f32" ? "float32" : "float64";
  const p = problem.params[50];
  const values = {
    W1: { shape: [D, 50], data: Float64Array.from(p.W1) },
    b1: { shape: [50], data: Float64Array.from(p.b1) },
    W2: { shape: [50, C], data: Float64Array.from(p.W2) },
    b2: { shape: [C], data: Float64Array.from(p.b2) },
  };
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1, logSeverityLevel: 3 };
  const forwardModel = await exportOnnx(source, { dtype, params: values });
  const stepModel = await exportOnnx(source, { dtype, training: "sgd", lr: LR });
  const forwardSession = await ort.InferenceSession.create(forwardModel.bytes, options);
  const stepSession = await ort.InferenceSession.create(stepModel.bytes, options);

  const tensor = (v) => new ort.Tensor(type, Arr.from(v.data), v.shape);
  const x = new ort.Tensor(type, Arr.from(problem.x), [N, D]);
  const t = new ort.Tensor(type, Arr.from(problem.t), [N, C]);
  const lr = new ort.Tensor(type, Arr.of(LR), []);
  let params = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tensor(v)]));

  const step = async () => {
    const out = await stepSession.run({ x, t, lr, ...params });
    params = { W1: out["W1.next"], b1: out["b1.next"], W2: out["W2.next"], b2: out["b2.next"] };
    return out.loss.data[0];
  };
  const forward = async () => (await forwardSession.run({ x, t })).loss.data[0];

  const s = await measure(step);
  const f = await measure(forward);
  const notes = [`onnxruntime-node ${ort.env.versions?.common ?? "?"}, CPU, intra-op threads ${threads === 0 ? "default" : threads}`];
  // The update really happened: the weights moved away from their initial values.
  if (params.W2.data[0] === Math.fround(p.W2[0]) || params.W2.data[0] === p.W2[0]) notes.push("WARNING: W2 did not change");
  return {
    name: threads === 0 ? "ONNX Runtime, default threads" : "ONNX Runtime, 1 thread",
    dtype,
    width: 50,
    step: s.samples,
    forward: f.samples,
    loss0: s.first,
    notes,
  };
}
