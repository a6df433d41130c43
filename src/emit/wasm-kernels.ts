// Owns which kernels the wasm target runs in WebAssembly (scripts/wasm-kernels.ts writes them;
// the bytes are built with gradc, in src/generated/wasm-kernels.ts). The others stay loops.
// A kernel emitted code calls by a name listed here is routed to its wrapper, `wasm` + Name.

/** The kernels the wasm target implements in WebAssembly, each with its wrapper's name. */
export const wasmKernels = ["matmulNN", "matmulTN", "matmulNT", "matmulTNAdd", "sgd", "momentum", "adagrad", "adam", "addRowBias", "addRowBiasRelu", "reluBackward", "sumRows", "softmaxRows", "logSoftmaxRows", "softmaxLoss", "expElements"] as const;
export type WasmKernel = (typeof wasmKernels)[number];

export function isWasmKernel(name: string): name is WasmKernel {
  return (wasmKernels as readonly string[]).includes(name);
}

/** The helper that runs kernel `name` in WebAssembly (src/emit/helpers/wasm.ts). */
export function wasmWrapperName(name: WasmKernel): `wasm${Capitalize<WasmKernel>}` {
  return `wasm${name.charAt(0).toUpperCase()}${name.slice(1)}` as `wasm${Capitalize<WasmKernel>}`;
}
