// ONNX Runtime (onnxruntime-node, CPU): the same TwoLayerNet as `gradc export` writes it, the
// forward graph (params as initializers) and one whole SGD training step (forward, backward and
// update in one model), each step fed the params the previous one returned, as a caller would.
import { exportOnnx } from "../../dist/index.js";
import { C, D, LR, TIMING, measure, moved, twoLayerNetSource } from "../lib.mjs";

/**
 * One ONNX Runtime row on the workload (see lib.mjs). threads: 1, or 0 for ONNX Runtime's default
 * (one per core). dtype: "f32" or "f64". `parts` lists what to time: "step" (the exported SGD
 * step) and/or "forward" (the exported forward graph, params as initializers).
 */
export async function benchOnnxRuntime(work, dtype, threads, { parts = ["step", "forward"], timing = TIMING } = {}) {
  const ort = await import("onnxruntime-node");
  const source = await twoLayerNetSource(work.H);
  const Arr = dtype === "f32" ? Float32Array : Float64Array;
  const type = dtype === "f32" ? "float32" : "float64";
  const { n, H, params: p } = work;
  const values = {
    W1: { shape: [D, H], data: Float64Array.from(p.W1) },
    b1: { shape: [H], data: Float64Array.from(p.b1) },
    W2: { shape: [H, C], data: Float64Array.from(p.W2) },
    b2: { shape: [C], data: Float64Array.from(p.b2) },
  };
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1, logSeverityLevel: 3 };
  const x = new ort.Tensor(type, Arr.from(work.x), [n, D]);
  const t = new ort.Tensor(type, Arr.from(work.t), [n, C]);
  const row = {
    name: threads === 0 ? "ONNX Runtime, default threads" : "ONNX Runtime, 1 thread",
    dtype,
    width: H,
    batch: n,
    notes: [`onnxruntime-node ${ort.env.versions?.common ?? "?"}, CPU, intra-op threads ${threads === 0 ? "default" : threads}`],
  };

  if (parts.includes("step")) {
    const stepModel = await exportOnnx(source, { dtype, training: "sgd", lr: LR });
    const stepSession = await ort.InferenceSession.create(stepModel.bytes, options);
    const tensor = (v) => new ort.Tensor(type, Arr.from(v.data), v.shape);
    const lr = new ort.Tensor(type, Arr.of(LR), []);
    let params = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tensor(v)]));
    // Each step is fed the params the previous one returned, as a caller would.
    const step = async () => {
      const out = await stepSession.run({ x, t, lr, ...params });
      params = { W1: out["W1.next"], b1: out["b1.next"], W2: out["W2.next"], b2: out["b2.next"] };
      return out.loss.data[0];
    };
    const s = await measure(step, timing);
    row.step = s.samples;
    row.loss0 = s.first;
    if (!moved(params.W2.data, p.W2)) row.notes.push("WARNING: W2 did not change");
    await stepSession.release();
  }
  if (parts.includes("forward")) {
    const forwardModel = await exportOnnx(source, { dtype, params: values });
    const forwardSession = await ort.InferenceSession.create(forwardModel.bytes, options);
    const f = await measure(async () => (await forwardSession.run({ x, t })).loss.data[0], timing);
    row.forward = f.samples;
    row.loss0 ??= f.first;
    await forwardSession.release();
  }
  return row;
}
