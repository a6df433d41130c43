// Owns the wasm target's element-wise kernels (the optimizers' updates): each is written once as
// arithmetic over `Lanes`, then emitted twice, as a SIMD loop over whole vectors and as a scalar
// loop over the elements left, so the two cannot disagree. Every operation is an IEEE one applied
// in the order src/train/optimizers.ts applies it, so f64 results are bit-identical to the
// runtime's; WebAssembly has no fused multiply-add to change that.
import { func, get, i32, loop, set, type Scalar } from "./text.js";

/** Arithmetic at one width: a SIMD vector of elements, or one element. */
export interface Lanes {
  add(a: string, b: string): string;
  sub(a: string, b: string): string;
  mul(a: string, b: string): string;
  div(a: string, b: string): string;
  sqrt(a: string): string;
  /** A constant, in every lane. */
  num(x: number): string;
  /** A scalar parameter (or a hoisted value), in every lane. */
  param(name: string): string;
  /** The current element of an array parameter. */
  load(array: string): string;
  store(array: string, value: string): string;
  /** Binds a temporary (returns the statement); `temp` reads it back. */
  let(name: string, value: string): string;
  temp(name: string): string;
}

export interface ElementwiseKernel {
  /** Array parameters (byte offsets), in the order the kernel takes them; `count` follows them. */
  readonly arrays: readonly string[];
  /** Scalar parameters, in the dtype's type, after `count`. */
  readonly scalars: readonly string[];
  /** Values computed once from the scalars before the loops, readable with `param`. */
  readonly hoisted?: readonly (readonly [string, (e: Lanes) => string])[];
  /** The statements for one vector or one element. */
  readonly body: (e: Lanes) => string[];
}

function lanes(s: Scalar, vector: boolean, temps: Set<string>): Lanes {
  const op = vector ? s.v : s.t;
  const width = vector ? "v" : "s";
  const at = (array: string) => `(i32.add ${get(array)} ${get("o")})`;
  return {
    add: (a, b) => `(${op}.add ${a} ${b})`,
    sub: (a, b) => `(${op}.sub ${a} ${b})`,
    mul: (a, b) => `(${op}.mul ${a} ${b})`,
    div: (a, b) => `(${op}.div ${a} ${b})`,
    sqrt: (a) => `(${op}.sqrt ${a})`,
    num: (x) => (vector ? `(${s.v}.splat (${s.t}.const ${x}))` : `(${s.t}.const ${x})`),
    param: (name) => get(vector ? `${name}_v` : name),
    load: (array) => (vector ? `(v128.load ${at(array)})` : `(${s.t}.load ${at(array)})`),
    store: (array, value) => (vector ? `(v128.store ${at(array)} ${value})` : `(${s.t}.store ${at(array)} ${value})`),
    let: (name, value) => {
      temps.add(name);
      return set(`${name}_${width}`, value);
    },
    temp: (name) => get(`${name}_${width}`),
  };
}

/** The kernel as a function `name(arrays…, count, scalars…)` over `count` elements of each array. */
export function elementwise(name: string, s: Scalar, kernel: ElementwiseKernel): string {
  const temps = new Set<string>();
  const vector = lanes(s, true, temps);
  const scalar = lanes(s, false, temps);
  const bytes = 1 << s.shift;
  const params: [string, string][] = [...kernel.arrays.map((a): [string, string] => [a, "i32"]), ["count", "i32"], ...kernel.scalars.map((x): [string, string] => [x, s.t])];
  const hoisted = kernel.hoisted ?? [];
  const prelude = [
    ...hoisted.map(([h, value]) => set(h, value(scalar))),
    ...[...kernel.scalars, ...hoisted.map(([h]) => h)].map((x) => set(`${x}_v`, `(${s.v}.splat ${get(x)})`)),
    set("end", `(i32.shl ${get("count")} ${i32(s.shift)})`),
    set("o", i32(0)),
  ];
  // Both bodies are generated before the locals are listed: `let` records the temporaries.
  const vectorLoop = loop("vectors", `(i32.gt_u (i32.add ${get("o")} ${i32(16)}) ${get("end")})`, kernel.body(vector).join("\n"), set("o", `(i32.add ${get("o")} ${i32(16)})`));
  const scalarLoop = loop("tail", `(i32.ge_u ${get("o")} ${get("end")})`, kernel.body(scalar).join("\n"), set("o", `(i32.add ${get("o")} ${i32(bytes)})`));
  const locals = [
    "(local $o i32) (local $end i32)",
    ...hoisted.map(([h]) => `(local $${h} ${s.t})`),
    ...[...kernel.scalars, ...hoisted.map(([h]) => h)].map((x) => `(local $${x}_v v128)`),
    ...[...temps].map((t) => `(local $${t}_v v128) (local $${t}_s ${s.t})`),
  ].join(" ");
  return func(name, params, locals, [...prelude, vectorLoop, scalarLoop].join("\n"));
}
