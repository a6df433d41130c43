// TensorFlow.js (f32): the pure-JS CPU backend and the WebAssembly backend, whose .wasm files
// are read from node_modules by file path.
import { createRequire } from "node:module";
import path from "node:path";
import { C, D, LR, TIMING, measure, moved } from "../lib.mjs";

const require = createRequire(import.meta.url);

let tf;
async function load() {
  if (tf) return tf;
  tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  wasm.setWasmPaths(dir + path.sep);
  return tf;
}

let made = 0; // variables are named, and names must be unique while they live

/**
 * One TensorFlow.js row on the workload (see lib.mjs). backend: "cpu" or "wasm". `parts` lists
 * what to time: "step" (variableGrads and the SGD update) and/or "forward" (the loss).
 */
export async function benchTfjs(work, backend, { parts = ["step", "forward"], timing = TIMING } = {}) {
  const tf = await load();
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not start`);
  await tf.ready();
  const notes = [];
  if (backend === "wasm") {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    notes.push(`SIMD ${simd ? "on" : "off"}, threads ${threads ? "on" : "off (one thread)"}`);
  }
  const { n, H, params: p } = work;
  const x = tf.tensor2d(Float32Array.from(work.x), [n, D]);
  const t = tf.tensor2d(Float32Array.from(work.t), [n, C]);
  const id = `${backend}_${made++}`;
  const W1 = tf.variable(tf.tensor2d(Float32Array.from(p.W1), [D, H]), true, `W1_${id}`);
  const b1 = tf.variable(tf.tensor1d(Float32Array.from(p.b1)), true, `b1_${id}`);
  const W2 = tf.variable(tf.tensor2d(Float32Array.from(p.W2), [H, C]), true, `W2_${id}`);
  const b2 = tf.variable(tf.tensor1d(Float32Array.from(p.b2)), true, `b2_${id}`);
  const vars = [W1, b1, W2, b2];
  const initial = vars.map((v) => tf.clone(v));

  const lossOf = () => {
    const h = tf.relu(tf.add(tf.matMul(x, W1), b1));
    const y = tf.add(tf.matMul(h, W2), b2);
    return tf.losses.softmaxCrossEntropy(t, y); // mean over the batch
  };

  // forward + backward + SGD, all inside tidy; the loss is read back so the work is really done.
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossOf, vars);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], LR)));
      return value;
    });
    const [value] = await loss.data();
    loss.dispose();
    return value;
  };
  const forward = async () => {
    const loss = tf.tidy(lossOf);
    const [value] = await loss.data();
    loss.dispose();
    return value;
  };

  const row = { name: `tfjs ${backend}`, dtype: "f32", width: H, batch: n, notes };
  const before = tf.memory().numTensors;
  if (parts.includes("step")) {
    const s = await measure(step, timing);
    row.step = s.samples;
    row.loss0 = s.first;
    // the update really happened: the weights moved away from their initial values
    if (!moved(await W2.data(), p.W2)) notes.push("WARNING: W2 did not change");
    vars.forEach((v, i) => v.assign(initial[i])); // forward sees the initial params, as the others' do
  }
  if (parts.includes("forward")) {
    const f = await measure(forward, timing);
    row.forward = f.samples;
    row.loss0 ??= f.first;
  }
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) notes.push(`${leaked} tensors leaked`);
  for (const v of [x, t, ...vars, ...initial]) v.dispose();
  return row;
}
