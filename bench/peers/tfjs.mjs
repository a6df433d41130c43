// TensorFlow.js (f32): the pure-JS CPU backend and the WebAssembly backend, whose .wasm files
// are read from node_modules by file path.
import { createRequire } from "node:module";
import path from "node:path";
import { C, D, LR, N, measure } from "../lib.mjs";

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

/** backend: "cpu" or "wasm". */
export async function benchTfjs(problem, backend) {
  const tf = await load();
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not start`);
  await tf.ready();
  const notes = [];
  if (backend === "wasm") {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    notes.push(`SIMD ${simd ? "on" : "off"}, threads ${threads ? "on" : "off (one thread)"}`);
  }
  const p = problem.params[50];
  const x = tf.tensor2d(Float32Array.from(problem.x), [N, D]);
  const t = tf.tensor2d(Float32Array.from(problem.t), [N, C]);
  const W1 = tf.variable(tf.tensor2d(Float32Array.from(p.W1), [D, 50]), true, `W1_${backend}`);
  const b1 = tf.variable(tf.tensor1d(Float32Array.from(p.b1)), true, `b1_${backend}`);
  const W2 = tf.variable(tf.tensor2d(Float32Array.from(p.W2), [50, C]), true, `W2_${backend}`);
  const b2 = tf.variable(tf.tensor1d(Float32Array.from(p.b2)), true, `b2_${backend}`);
  const vars = [W1, b1, W2, b2];

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

  const before = tf.memory().numTensors;
  const s = await measure(step);
  const f = await measure(forward);
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) notes.push(`${leaked} tensors leaked`);
  // the update really happened: the weights moved away from their initial values
  const moved = Math.abs((await W2.data())[0] - p.W2[0]) > 0;
  if (!moved) notes.push("WARNING: W2 did not change");
  for (const v of [x, t, ...vars]) v.dispose();
  return {
    name: `tfjs ${backend}`,
    dtype: "f32",
    width: 50,
    step: s.samples,
    forward: f.samples,
    loss0: s.first,
    notes,
  };
}
