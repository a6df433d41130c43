// Owns the small vocabulary the wasm kernels are written in: one dtype's WebAssembly types, and
// WebAssembly text for locals, constants, addresses and loops.
import type { Dtype } from "../../src/emit/options.js";

export interface Scalar {
  /** WebAssembly value type of one element. */
  readonly t: "f32" | "f64";
  /** SIMD shape: 4 lanes of f32 or 2 of f64. */
  readonly v: "f32x4" | "f64x2";
  readonly lanes: number;
  /** log2 of the element size in bytes. */
  readonly shift: number;
}

export const scalars: Record<Dtype, Scalar> = {
  f32: { t: "f32", v: "f32x4", lanes: 4, shift: 2 },
  f64: { t: "f64", v: "f64x2", lanes: 2, shift: 3 },
};

export const get = (name: string) => `(local.get $${name})`;
export const set = (name: string, value: string) => `(local.set $${name} ${value})`;
export const i32 = (n: number) => `(i32.const ${n})`;
export const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
export const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
/** `name += n` for an i32 local. */
export const bump = (name: string, n: string) => set(name, add(get(name), n));
/** Byte address of element `index` of the array at `base`. */
export const addr = (s: Scalar, base: string, index: string) => add(get(base), `(i32.shl ${index} ${i32(s.shift)})`);

/** `for (; !exitWhen; step) body` as a WebAssembly block/loop pair. */
export function loop(label: string, exitWhen: string, body: string, step: string): string {
  return `(block $${label}_done (loop $${label}
  (br_if $${label}_done ${exitWhen})
  ${body}
  ${step}
  (br $${label})))`;
}

/**
 * An exported function: `(param $x i32)`s for the byte offsets and sizes, then typed scalars; with
 * `result`, the body's last expression is returned as that type.
 */
export function func(name: string, params: readonly [string, string][], locals: string, body: string, result?: string): string {
  const declared = params.map(([p, type]) => `(param $${p} ${type})`).join(" ");
  return `(func $${name} (export "${name}") ${declared}${result ? ` (result ${result})` : ""}\n  ${locals}\n  ${body})`;
}
