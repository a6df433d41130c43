// The wasm target's runtime: the kernels gradc built when it was packaged (scripts/wasm-kernels.ts:
// matrix products, optimizer updates, a dense layer's element-wise work, the softmax family),
// instantiated over one WebAssembly memory, and buffers allocated in that memory so the kernels
// read and write them in place.
import { alignedOffsets } from "./allocate.js";
import { Arr } from "./arr.js";
import { kernelBytes } from "./kernel-bytes.js";
import type { UpdateRule } from "./update.js";

// Typed here rather than taken from a lib, so the module compiles with or without "dom" types.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * The kernels' exports: byte offsets of the arrays in the memory, then sizes (n, k, m or an
 * element count), then scalars. The optimizer updates overwrite their first array and state.
 */
export interface WasmKernels {
  matmulNN(out: number, a: number, b: number, n: number, k: number, m: number): void;
  matmulTN(out: number, a: number, b: number, n: number, k: number, m: number): void;
  matmulNT(out: number, a: number, b: number, n: number, k: number, m: number): void;
  matmulTNAdd(out: number, a: number, b: number, n: number, k: number, m: number, alpha: number): void;
  sgd(p: number, g: number, count: number, lr: number): void;
  momentum(p: number, g: number, v: number, count: number, lr: number, alpha: number): void;
  adagrad(p: number, g: number, h: number, count: number, lr: number): void;
  adam(p: number, g: number, m: number, v: number, count: number, lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number): void;
  addRowBias(out: number, x: number, b: number, rows: number, cols: number): void;
  addRowBiasRelu(out: number, x: number, b: number, rows: number, cols: number): void;
  reluBackward(out: number, dh: number, h: number, count: number): void;
  sumRows(out: number, x: number, rows: number, cols: number): void;
  softmaxRows(out: number, x: number, rows: number, cols: number): void;
  logSoftmaxRows(out: number, x: number, rows: number, cols: number): void;
  softmaxLoss(x: number, t: number, rows: number, cols: number): number;
  expElements(out: number, x: number, count: number): void;
}

export interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: WasmKernels };
}

/** A memory and the kernels instantiated over it. */
export interface KernelSet {
  readonly memory: WasmMemory;
  readonly exports: WasmKernels;
}

const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const kernelModule = new wasmApi.Module(fromBase64(kernelBytes));

/**
 * The kernels over a fresh memory of their own (each trainer has one, so its params stay put).
 * They import JavaScript's Math.log: the softmax family takes the log of each row's sum.
 */
export function instantiateKernels(): KernelSet {
  const memory = new wasmApi.Memory({ initial: 1 });
  return { memory, exports: new wasmApi.Instance(kernelModule, { env: { memory, log: Math.log } }).exports };
}

/** The memory and kernels that forward and backward use. */
export const sharedKernels: KernelSet = instantiateKernels();
export const memory: WasmMemory = sharedKernels.memory;

/** The kernels the wrappers below call: the shared ones, or a trainer's while its step runs. */
export let wasm: WasmKernels = sharedKernels.exports;

/** Makes the wrappers call the kernels of `set` (and so work on its memory) until called again. */
export function useKernels(set: KernelSet): void {
  wasm = set.exports;
}

/** Bytes from base64 text (no Buffer or atob needed, so it runs in any JavaScript engine). */
export function fromBase64(text: string): Uint8Array {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let value = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < text.length - padding; i++) {
    value = ((value << 6) | alphabet.indexOf(text.charAt(i))) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[j++] = (value >> bits) & 255;
    }
  }
  return bytes;
}

/**
 * Views of the WebAssembly memory, each 16-byte aligned, for the sizes given (in elements). The
 * memory grows as needed, with one vector of padding at the end, since a kernel may read (never
 * write) a little past a row.
 */
export function allocateInMemory(sizes: readonly number[]): Arr[] {
  return allocateIn(memory, sizes);
}

/** Views of `into`, laid out from its start as allocateInMemory lays them out. */
export function allocateIn(into: WasmMemory, sizes: readonly number[]): Arr[] {
  const { offsets, total } = alignedOffsets(sizes);
  const pages = Math.ceil((total * Arr.BYTES_PER_ELEMENT + 16) / 65536) - into.buffer.byteLength / 65536;
  if (pages > 0) into.grow(pages);
  return sizes.map((size, i) => new Arr(into.buffer, offsets[i]! * Arr.BYTES_PER_ELEMENT, size));
}

/** out[n×m] = a[n×k] · b[k×m] in WebAssembly SIMD; out, a and b live in the module's memory. */
export function wasmMatmulNN(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  wasm.matmulNN(out.byteOffset, a.byteOffset, b.byteOffset, n, k, m);
  return out;
}

/** out[n×m] = aᵀ · b for a stored as [k×n], in WebAssembly SIMD. */
export function wasmMatmulTN(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  wasm.matmulTN(out.byteOffset, a.byteOffset, b.byteOffset, n, k, m);
  return out;
}

/** out[n×m] = a · bᵀ for b stored as [m×k], in WebAssembly SIMD. */
export function wasmMatmulNT(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  wasm.matmulNT(out.byteOffset, a.byteOffset, b.byteOffset, n, k, m);
  return out;
}

/**
 * out[n×m] += alpha · aᵀ · b for a stored as [k×n], in WebAssembly SIMD: with alpha = −lr, an SGD
 * step on out from the gradient aᵀ·b without writing the gradient (bit-identical to
 * wasmMatmulTN into a buffer, then wasmSgd).
 */
export function wasmMatmulTNAdd(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number, alpha: number): Arr {
  wasm.matmulTNAdd(out.byteOffset, a.byteOffset, b.byteOffset, n, k, m, alpha);
  return out;
}

// The optimizers' updates of src/train/optimizers.ts, element for element (bit-identical in f64),
// over `count` elements of arrays in the module's memory; each returns the updated params.

/** p ← p − lr·g */
export function wasmSgd(p: Arr, g: Arr, count: number, lr: number): Arr {
  wasm.sgd(p.byteOffset, g.byteOffset, count, lr);
  return p;
}

/** v ← α·v − lr·g; p ← p + v */
export function wasmMomentum(p: Arr, g: Arr, v: Arr, count: number, lr: number, alpha: number): Arr {
  wasm.momentum(p.byteOffset, g.byteOffset, v.byteOffset, count, lr, alpha);
  return p;
}

/** h ← h + g·g; p ← p − lr·g / (√h + 1e-7) */
export function wasmAdagrad(p: Arr, g: Arr, h: Arr, count: number, lr: number): Arr {
  wasm.adagrad(p.byteOffset, g.byteOffset, h.byteOffset, count, lr);
  return p;
}

/**
 * m ← β₁·m + (1−β₁)·g; v ← β₂·v + (1−β₂)·g²; p ← p − lr·(m/c1) / (√(v/c2) + eps), with the bias
 * corrections of step t (from 1) computed by the caller: c1 = 1 − β₁ᵗ, c2 = 1 − β₂ᵗ.
 */
export function wasmAdam(
  p: Arr, g: Arr, m: Arr, v: Arr, count: number,
  lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number,
): Arr {
  wasm.adam(p.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, count, lr, beta1, beta2, eps, c1, c2);
  return p;
}

// A dense layer's element-wise work, as the ts target's loops compute it (bit-identical), over
// arrays in the module's memory; each returns out. Except in wasmSumRows, out may be x (or dh).

/** out[i, j] = x[i, j] + b[j] for x[rows×cols] */
export function wasmAddRowBias(out: Arr, x: Arr, b: Arr, rows: number, cols: number): Arr {
  wasm.addRowBias(out.byteOffset, x.byteOffset, b.byteOffset, rows, cols);
  return out;
}

/** out[i, j] = Math.max(0, x[i, j] + b[j]) for x[rows×cols] */
export function wasmAddRowBiasRelu(out: Arr, x: Arr, b: Arr, rows: number, cols: number): Arr {
  wasm.addRowBiasRelu(out.byteOffset, x.byteOffset, b.byteOffset, rows, cols);
  return out;
}

/** out[i] = dh[i] · (h[i] > 0 ? 1 : 0): ReLU's gradient, read from its output h */
export function wasmReluBackward(out: Arr, dh: Arr, h: Arr, count: number): Arr {
  wasm.reluBackward(out.byteOffset, dh.byteOffset, h.byteOffset, count);
  return out;
}

/** out[j] = Σ_i x[i, j] for x[rows×cols], summed over i = 0, 1, … in order */
export function wasmSumRows(out: Arr, x: Arr, rows: number, cols: number): Arr {
  wasm.sumRows(out.byteOffset, x.byteOffset, rows, cols);
  return out;
}

// The row-wise softmax family over x[rows×cols] in the module's memory, as the helpers of the
// same names in kernels.ts (to an ulp or so: the kernels' exp is their own, and they round as
// scripts/wasm/softmax.ts says); out may be x.

/** Softmax of each row; the row maximum is subtracted first so exp cannot overflow. */
export function wasmSoftmaxRows(out: Arr, x: Arr, rows: number, cols: number): Arr {
  wasm.softmaxRows(out.byteOffset, x.byteOffset, rows, cols);
  return out;
}

/** log softmax of each row: (x − max) − log Σ exp(x − max), finite for any finite x. */
export function wasmLogSoftmaxRows(out: Arr, x: Arr, rows: number, cols: number): Arr {
  wasm.logSoftmaxRows(out.byteOffset, x.byteOffset, rows, cols);
  return out;
}

/** Mean over rows of −Σ t·log softmax(x), the terms with t = 0 skipped. */
export function wasmSoftmaxLoss(x: Arr, t: Arr, rows: number, cols: number): number {
  return wasm.softmaxLoss(x.byteOffset, t.byteOffset, rows, cols);
}

/** out[i] = e^x[i] over `count` elements: the kernels' own exp (scripts/wasm/exp.ts), which no op calls alone. */
export function wasmExpElements(out: Arr, x: Arr, count: number): Arr {
  wasm.expElements(out.byteOffset, x.byteOffset, count);
  return out;
}

/**
 * One update of param `p` from its gradient `g` by `rule`, as updateParam does it, in the
 * WebAssembly SIMD kernels; `step` counts updates from 1 (adam's bias correction).
 */
export function wasmUpdateParam(rule: UpdateRule, step: number, p: Arr, g: Arr, s0: Arr, s1: Arr): void {
  const { lr, alpha, beta1, beta2, eps } = rule;
  switch (rule.optimizer) {
    case "sgd":
      wasmSgd(p, g, p.length, lr);
      return;
    case "momentum":
      wasmMomentum(p, g, s0, p.length, lr, alpha);
      return;
    case "adagrad":
      wasmAdagrad(p, g, s0, p.length, lr);
      return;
    case "adam":
      wasmAdam(p, g, s0, s1, p.length, lr, beta1, beta2, eps, 1 - beta1 ** step, 1 - beta2 ** step);
      return;
  }
}
