// gradc's generated modules, loaded through the public API from the build in dist/.
import { readFile } from "node:fs/promises";
import { loadGraph, sgd } from "../../dist/index.js";
import { C, D, LR, N, measure } from "../lib.mjs";

const graphFile = new URL("../../examples/two_layer_net.graph", import.meta.url);

/** One gradc implementation: target × dtype, timed on a training step and on forward alone. */
export async function benchGradc(problem, target, dtype) {
  const source = await readFile(graphFile, "utf8");
  const { module, code } = await loadGraph(source, { target, dtype, file: "two_layer_net.graph" });
  const Arr = dtype === "f32" ? Float32Array : Float64Array;
  const p = problem.params[50];
  const params = {
    W1: { shape: [D, 50], data: Arr.from(p.W1) },
    b1: { shape: [50], data: Arr.from(p.b1) },
    W2: { shape: [50, C], data: Arr.from(p.W2) },
    b2: { shape: [C], data: Arr.from(p.b2) },
  };
  const inputs = {
    x: { shape: [N, D], data: Arr.from(problem.x) },
    t: { shape: [N, C], data: Arr.from(problem.t) },
  };
  const optimizer = sgd(LR);

  const step = () => {
    const fwd = module.forward(inputs, params);
    const grads = module.backward(fwd);
    optimizer.step(params, grads);
    return fwd.outputs.loss;
  };
  const forward = () => module.forward(inputs, params).outputs.loss;

  const s = await measure(step);
  const f = await measure(forward);

  // Where a step's time goes: forward, backward and the SGD update timed apart (wasm only: the
  // ts target is slow enough that this would cost seconds).
  let parts;
  if (target === "wasm") {
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
    parts = samples;
  }
  return {
    name: `gradc ${target}`,
    dtype,
    width: 50,
    step: s.samples,
    forward: f.samples,
    loss0: s.first,
    parts,
    code,
  };
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
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
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
