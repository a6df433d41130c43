// The wasm target's runtime: the matrix-product kernels gradc built when it was packaged
// (scripts/wasm-kernels.ts), instantiated over one WebAssembly memory, and buffers allocated
// in that memory so the kernels read and write them in place.
import { alignedOffsets } from "./allocate.js";
import { Arr } from "./arr.js";
import { kernelBytes } from "./kernel-bytes.js";

// Typed here rather than taken from a lib, so the module compiles with or without "dom" types.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The kernels' exports: byte offsets of out, a and b in the memory, then n, k and m. */
export interface WasmKernels {
  matmulNN(out: number, a: number, b: number, n: number, k: number, m: number): void;
  matmulTN(out: number, a: number, b: number, n: number, k: number, m: number): void;
  matmulNT(out: number, a: number, b: number, n: number, k: number, m: number): void;
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

/** The kernels over a fresh memory of their own (each trainer has one, so its params stay put). */
export function instantiateKernels(): KernelSet {
  const memory = new wasmApi.Memory({ initial: 1 });
  return { memory, exports: new wasmApi.Instance(kernelModule, { env: { memory } }).exports };
}

/** The memory and kernels that forward and backward use. */
export const sharedKernels: KernelSet = instantiateKernels();
export const memory: WasmMemory = sharedKernels.memory;
export const wasm: WasmKernels = sharedKernels.exports;

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

/** The kernels of a trainer's own memory, called with views of that memory like the wrappers above. */
export interface BoundKernels {
  matmulNN(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr;
  matmulTN(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr;
  matmulNT(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr;
}

/** `set`'s kernels taking views of its memory, as a trainer's step calls them. */
export function bindKernels(set: KernelSet): BoundKernels {
  const k = set.exports;
  return {
    matmulNN: (out, a, b, n, kk, m) => (k.matmulNN(out.byteOffset, a.byteOffset, b.byteOffset, n, kk, m), out),
    matmulTN: (out, a, b, n, kk, m) => (k.matmulTN(out.byteOffset, a.byteOffset, b.byteOffset, n, kk, m), out),
    matmulNT: (out, a, b, n, kk, m) => (k.matmulNT(out.byteOffset, a.byteOffset, b.byteOffset, n, kk, m), out),
  };
}
