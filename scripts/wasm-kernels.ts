// Owns the WebAssembly kernels of the wasm target, assembled into one module per dtype: the
// matrix products (scripts/wasm/matmul.ts), the optimizers' updates (scripts/wasm/optimizers.ts),
// a dense layer's element-wise work (scripts/wasm/layer.ts) and the row-wise softmax family with
// its exp (scripts/wasm/softmax.ts, scripts/wasm/exp.ts), written as WebAssembly text, then
// parsed, validated and optimised by Binaryen into the bytes generated modules embed. They depend
// only on the dtype, so they are built once, when gradc is built (scripts/generate.ts), and
// Binaryen is needed only then.
import binaryen from "binaryen";
import type { Dtype } from "../src/emit/options.js";
import { wasmKernels, type WasmKernel } from "../src/emit/wasm-kernels.js";
import { elementwise, sumRows } from "./wasm/elementwise.js";
import { expElements } from "./wasm/exp.js";
import { layerKernels } from "./wasm/layer.js";
import { gemm, gemmNT, type Tiling } from "./wasm/matmul.js";
import { optimizerKernels } from "./wasm/optimizers.js";
import { softmaxKernel } from "./wasm/softmax.js";
import { scalars, type Scalar } from "./wasm/text.js";

/**
 * The blocking of each product, the fastest measured side by side: 4 rows × 2 vectors is the
 * largest block whose accumulators and loaded values fit V8's registers. Column blocks outer
 * measured 4% faster for f32 x·W1 (b = W1 read down 784 rows), 4% slower in f64, even for TN.
 */
export const tilings: Record<Dtype, Record<"NN" | "TN", Tiling>> = {
  f32: {
    NN: { rows: [4, 1], vectors: 2, unroll: 8, columnsOuter: true },
    TN: { rows: [4, 1], vectors: 2, unroll: 8, columnsOuter: false },
  },
  f64: {
    NN: { rows: [4, 1], vectors: 2, unroll: 8, columnsOuter: false },
    TN: { rows: [4, 1], vectors: 2, unroll: 8, columnsOuter: false },
  },
};

/** Each kernel's WebAssembly text for one dtype. */
const kernelTexts = {
  matmulNN: (s) => gemm("matmulNN", s, { transA: false, accumulate: false }, tilings[s.t].NN),
  matmulTN: (s) => gemm("matmulTN", s, { transA: true, accumulate: false }, tilings[s.t].TN),
  matmulNT: (s) => gemmNT("matmulNT", s),
  matmulTNAdd: (s) => gemm("matmulTNAdd", s, { transA: true, accumulate: true }, tilings[s.t].TN),
  sgd: (s) => elementwise("sgd", s, optimizerKernels.sgd),
  momentum: (s) => elementwise("momentum", s, optimizerKernels.momentum),
  adagrad: (s) => elementwise("adagrad", s, optimizerKernels.adagrad),
  adam: (s) => elementwise("adam", s, optimizerKernels.adam),
  addRowBias: (s) => elementwise("addRowBias", s, layerKernels.addRowBias),
  addRowBiasRelu: (s) => elementwise("addRowBiasRelu", s, layerKernels.addRowBiasRelu),
  reluBackward: (s) => elementwise("reluBackward", s, layerKernels.reluBackward),
  sumRows: (s) => sumRows("sumRows", s),
  softmaxRows: (s) => softmaxKernel("softmaxRows", s),
  logSoftmaxRows: (s) => softmaxKernel("logSoftmaxRows", s),
  softmaxLoss: (s) => softmaxKernel("softmaxLoss", s),
  expElements: (s) => elementwise("expElements", s, expElements),
} satisfies Record<WasmKernel, (s: Scalar) => string>;

/**
 * The WebAssembly text of a module with the given kernels, importing its memory and JavaScript's
 * Math.log (`env.log`, which the softmax family calls once a row).
 */
export function kernelText(kernels: readonly WasmKernel[], dtype: Dtype): string {
  const s = scalars[dtype];
  const funcs = kernels.map((k) => kernelTexts[k](s));
  const imports = ['(import "env" "memory" (memory 1))', '(import "env" "log" (func $log (param f64) (result f64)))'];
  return `(module\n${imports.join("\n")}\n${funcs.join("\n")}\n)`;
}

/** Binaryen-validated and -optimised bytes of every kernel for one dtype. */
export function buildKernels(dtype: Dtype, kernels: readonly WasmKernel[] = wasmKernels): Uint8Array {
  const module = binaryen.parseText(kernelText(kernels, dtype));
  try {
    module.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128);
    if (!module.validate()) throw new Error("the generated WebAssembly kernels do not validate (a bug in gradc)");
    binaryen.setOptimizeLevel(3);
    binaryen.setShrinkLevel(0);
    module.optimize();
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}
