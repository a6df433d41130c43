// gradc's generated modules, loaded through the public API from the build in dist/.
import { loadGraph, sgd } from "../../dist/index.js";
import { C, D, LR, N, TIMING, measure, moved, twoLayerNetSource } from "../lib.mjs";

const modules = new Map();

/** The TwoLayerNet of hidden width H compiled for target × dtype, once per run. */
async function loadNet(H, target, dtype) {
  const key = `${H} ${target} ${dtype}`;
  if (!modules.has(key)) {
    const source = await twoLayerNetSource(H);
    modules.set(key, await loadGraph(source, { target, dtype, file: "two_layer_net.graph" }));
  }
  return modules.get(key);
}

function tensors(work, dtype) {
  const Arr = dtype === "f32" ? Float32Array : Float64Array;
  const { n, H, params: p } = work;
  return {
    params: {
      W1: { shape: [D, H], data: Arr.from(p.W1) },
      b1: { shape: [H], data: Arr.from(p.b1) },
      W2: { shape: [H, C], data: Arr.from(p.W2) },
      b2: { shape: [C], data: Arr.from(p.b2) },
    },
    inputs: { x: { shape: [n, D], data: Arr.from(work.x) }, t: { shape: [n, C], data: Arr.from(work.t) } },
  };
}

/**
 * One gradc row on the workload (see lib.mjs). `mode` "trainer": the step is the module's
 * `createTrainer(params, { optimizer: "sgd", lr }).step(inputs)` (forward, backward and update in
 * one call, params kept in the module); "classic": the step is `forward`, `backward` and the
 * runtime's `sgd` optimizer, as before createTrainer. `parts` lists what to time: "step" and/or
 * "forward" (`module.forward`, the loss of the batch).
 */
export async function benchGradc(work, target, dtype, { mode = "classic", parts = ["step", "forward"], timing = TIMING, split = false } = {}) {
  const { module, code } = await loadNet(work.H, target, dtype);
  const { params, inputs } = tensors(work, dtype);
  const name = !parts.includes("step") ? `gradc ${target}` : mode === "trainer" ? `gradc ${target} trainer` : `gradc ${target}, forward+backward+sgd`;
  const row = { name, dtype, width: work.H, batch: work.n, notes: [], code };

  if (parts.includes("step")) {
    let step;
    let current;
    if (mode === "trainer") {
      if (typeof module.createTrainer !== "function") {
        throw new Error("not available: the generated module has no createTrainer (this build predates it)");
      }
      const trainer = module.createTrainer(params, { optimizer: "sgd", lr: LR });
      step = () => trainer.step(inputs);
      current = () => trainer.params();
    } else {
      const optimizer = sgd(LR);
      step = () => {
        const fwd = module.forward(inputs, params);
        optimizer.step(params, module.backward(fwd));
        return fwd.outputs.loss;
      };
      current = () => params;
    }
    const s = await measure(step, timing);
    row.step = s.samples;
    row.loss0 = s.first;
    if (!moved(current().W2.data, work.params.W2)) row.notes.push("WARNING: W2 did not change");
  }
  if (parts.includes("forward")) {
    const fresh = tensors(work, dtype); // the initial params, whatever the steps did to theirs
    const f = await measure(() => module.forward(fresh.inputs, fresh.params).outputs.loss, timing);
    row.forward = f.samples;
    row.loss0 ??= f.first;
  }
  // `split`: where a classic step goes, forward, backward and the SGD update timed apart.
  if (split && mode === "classic") row.parts = timeParts(module, params, inputs);
  return row;
}

function timeParts(module, params, inputs) {
  const optimizer = sgd(LR);
  const samples = { forward: [], backward: [], sgd: [] };
  for (let i = 0; i < 400; i++) {
    const t0 = performance.now();
    const fwd = module.forward(inputs, params);
    const t1 = performance.now();
    const grads = module.backward(fwd);
    const t2 = performance.now();
    optimizer.step(params, grads);
    const t3 = performance.now();
    if (i < 100) continue;
    samples.forward.push(t1 - t0);
    samples.backward.push(t2 - t1);
    samples.sgd.push(t3 - t2);
  }
  return samples;
}

/**
 * The wasm matrix-product kernels alone (no copies, no element-wise work): the kernel bytes are
 * taken from the generated module and instantiated here on their own memory.
 */
export async function benchGradcKernels(code, dtype) {
  const match = /const kernelBytes\s*=\s*"([A-Za-z0-9+/=]+)"/.exec(code);
  if (!match) return undefined;
  const bytes = Buffer.from(match[1], "base64");
  const memory = new WebAssembly.Memory({ initial: 64 }); // 4 MiB: room for the operands below
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory, log: Math.log } });
  const k = instance.exports;
  const Arr = dtype === "f32" ? Float32Array : Float64Array;
  const size = Arr.BYTES_PER_ELEMENT;
  // Three regions, 16-byte aligned: out, a, b; each big enough for the largest operand (784×100).
  const region = Math.ceil((D * N * size) / 16) * 16;
  const [out, a, b] = [0, region, 2 * region];
  const view = new Arr(memory.buffer, 0, (3 * region) / size);
  for (let i = 0; i < view.length; i++) view[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  const H = 50;
  const shapes = [
    // name, call, flops
    ["x@W1  (NN 100×784 · 784×50)", () => k.matmulNN(out, a, b, N, D, H), 2 * N * D * H],
    ["xᵀ@dh (TN 784×100 · 100×50)", () => k.matmulTN(out, a, b, D, N, H), 2 * D * N * H],
    ["dy@W2ᵀ (NT 100×10 · 10×50)", () => k.matmulNT(out, a, b, N, C, H), 2 * N * C * H],
  ];
  const results = [];
  for (const [name, call, flops] of shapes) {
    const m = await measure(call, { warmup: 50, minIters: 200, minMs: 300, maxIters: 20000 });
    results.push({ name, flops, samples: m.samples });
  }
  return results;
}
