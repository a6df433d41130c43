// jax-js (f32) on its WebAssembly device: a jit of value-and-grad of the loss followed by the SGD
// update, traced and compiled once; then the arrays are read back so the work is really done.
import { C, D, LR, TIMING, measure, moved } from "../lib.mjs";

let jax;
async function load() {
  if (jax) return jax;
  // Node 20 has no Float16Array; jax-js names it when it maps dtypes, and float16 is unused here.
  globalThis.Float16Array ??= class Float16Array extends Float32Array {};
  jax = await import("@jax-js/jax");
  const devices = await jax.init("wasm");
  if (!devices.includes("wasm")) throw new Error(`jax-js wasm device did not start (got ${devices.join(", ")})`);
  jax.defaultDevice("wasm");
  return jax;
}

/**
 * `fused`: true puts the SGD update inside the same jit as value-and-grad (one compiled program
 * a step); false jits value-and-grad and applies the update eagerly after it.
 */
export async function benchJax(work, { fused = true, timing = TIMING } = {}) {
  const { numpy: np, nn, jit, valueAndGrad, tree, blockUntilReady } = await load();
  const { n, H, params: p0 } = work;
  const arr = (data, shape) => np.array(Float32Array.from(data)).reshape(shape);
  let params = { W1: arr(p0.W1, [D, H]), b1: arr(p0.b1, [H]), W2: arr(p0.W2, [H, C]), b2: arr(p0.b2, [C]) };
  const x = arr(work.x, [n, D]);
  const t = arr(work.t, [n, C]);

  // Every jax-js function takes ownership of its array arguments (see its README): `.ref` keeps one.
  const lossOf = (p, x, t) => {
    const h = nn.relu(np.matmul(x, p.W1).add(p.b1));
    const y = np.matmul(h, p.W2).add(p.b2);
    return np.mean(np.sum(nn.logSoftmax(y).mul(t), -1)).neg();
  };
  const update = (p, g) => ({
    W1: p.W1.sub(g.W1.mul(LR)),
    b1: p.b1.sub(g.b1.mul(LR)),
    W2: p.W2.sub(g.W2.mul(LR)),
    b2: p.b2.sub(g.b2.mul(LR)),
  });
  const jitStep = fused
    ? jit((p, x, t) => {
        const [loss, grads] = valueAndGrad(lossOf)(tree.ref(p), x, t);
        return [loss, update(p, grads)];
      })
    : jit((p, x, t) => valueAndGrad(lossOf)(p, x, t));
  const jitForward = jit(lossOf);

  const step = async () => {
    let loss;
    if (fused) {
      [loss, params] = jitStep(params, x.ref, t.ref);
    } else {
      const [value, grads] = jitStep(tree.ref(params), x.ref, t.ref);
      loss = value;
      params = update(params, grads);
    }
    await blockUntilReady(params);
    const [value] = await loss.data(); // consumes loss
    return value;
  };
  const forward = async () => {
    const loss = jitForward(tree.ref(params), x.ref, t.ref);
    const [value] = await loss.data();
    return value;
  };

  const s = await measure(step, timing);
  const f = await measure(forward, timing);
  const notes = [];
  const W2now = await params.W2.ref.data();
  if (!moved(W2now, p0.W2)) notes.push("WARNING: W2 did not change");
  notes.push(fused ? "value-and-grad and update in one jit" : "jit(value-and-grad), update eager");
  tree.dispose(params);
  x.dispose();
  t.dispose();
  jitStep.dispose();
  jitForward.dispose();
  return {
    name: `jax-js wasm, H=${H}`,
    dtype: "f32",
    width: H,
    batch: n,
    step: s.samples,
    forward: f.samples,
    loss0: s.first,
    notes,
  };
}
