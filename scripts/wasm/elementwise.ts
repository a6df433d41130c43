// Owns the wasm target's element-wise kernels (the optimizers' updates, bias and ReLU, column
// sums) and the `Lanes` they and the row-wise kernels (scripts/wasm/softmax.ts) are written in:
// each is written once as arithmetic over `Lanes`, then emitted twice, as a SIMD loop over
// whole vectors and as a scalar loop over the elements left, so the two cannot disagree. In the
// element-wise kernels every operation is an IEEE one, applied in the order the JavaScript it
// stands for applies it, so results are bit-identical to that JavaScript's; WebAssembly has no
// fused multiply-add to change that.
import { func, get, i32, loop, set, type Scalar } from "./text.js";

/** Arithmetic at one width: a SIMD vector of elements, or one element. */
export interface Lanes {
  /** The element type, for code whose constants depend on it (scripts/wasm/exp.ts). */
  readonly type: Scalar["t"];
  add(a: string, b: string): string;
  sub(a: string, b: string): string;
  mul(a: string, b: string): string;
  div(a: string, b: string): string;
  sqrt(a: string): string;
  /** max(a, b) as Math.max: NaN if either is, and +0 over −0. */
  max(a: string, b: string): string;
  /**
   * a limited to [lo, hi], NaN staying NaN (lo and hi are not NaN). Vectors use pmax(a, lo) =
   * `a < lo ? lo : a` and pmin(a, hi) = `hi < a ? hi : a`, which keep a NaN a, one instruction
   * each on x64, where max and min take several for their NaN and −0 rules.
   */
  clamp(a: string, lo: string, hi: string): string;
  /** JavaScript's `a > 0 ? 1 : 0`: 1 where a > 0, else 0 (NaN included). */
  positive(a: string): string;
  /** `a` where t ≠ 0 (NaN included, as JavaScript's `t !== 0`), +0 where t is ±0. */
  unlessZero(t: string, a: string): string;
  /** A constant, in every lane. */
  num(x: number): string;
  /**
   * Integer arithmetic on the bits of each lane, at the element's width (i64 for f64, i32 for
   * f32): `bits` reads a float's bits as an integer, `fromBits` the other way; `shr` is arithmetic.
   */
  bits(a: string): string;
  fromBits(a: string): string;
  iadd(a: string, b: string): string;
  isub(a: string, b: string): string;
  shl(a: string, n: number): string;
  shr(a: string, n: number): string;
  /** An integer constant, in every lane. */
  int(n: bigint): string;
  /** A scalar parameter (or a hoisted value), in every lane. */
  param(name: string): string;
  /** The current element of an array parameter. */
  load(array: string): string;
  store(array: string, value: string): string;
  /** Binds a temporary (returns the statement), a float or, with `int`, bits; `temp` reads it back. */
  let(name: string, value: string, kind?: TempKind): string;
  temp(name: string): string;
}

export type TempKind = "float" | "int";

/** The temporaries a kernel's bodies bind, and what each holds. */
export type Temps = Map<string, TempKind>;

/** WebAssembly text for a float constant (which has `inf` and `nan` where JavaScript has words). */
export function floatText(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return Object.is(x, -0) ? "-0" : String(x);
}

export interface ElementwiseKernel {
  /**
   * Array parameters (byte offsets), in the order the kernel takes them; `count` follows them, or
   * `rows, cols` when some arrays are `perColumn`.
   */
  readonly arrays: readonly string[];
  /** Arrays of one row (`cols` elements), the same for every row: a bias added to each. */
  readonly perColumn?: readonly string[];
  /** Scalar parameters, in the dtype's type, after `count`. */
  readonly scalars: readonly string[];
  /** Values computed once from the scalars before the loops, readable with `param`. */
  readonly hoisted?: readonly (readonly [string, (e: Lanes) => string])[];
  /** The statements for one vector or one element. */
  readonly body: (e: Lanes) => string[];
}

/**
 * Arithmetic at one width; `address(array)` is the byte address of the current element of
 * `array`. Temporaries bound are recorded in `temps` (loopLocals declares them).
 */
export function lanes(s: Scalar, vector: boolean, temps: Temps, address: (array: string) => string): Lanes {
  const op = vector ? s.v : s.t;
  // The integer type of the same width, for the bit-level operations.
  const it = s.t === "f64" ? "i64" : "i32";
  const iop = vector ? (s.t === "f64" ? "i64x2" : "i32x4") : it;
  const width = vector ? "v" : "s";
  const at = address;
  return {
    type: s.t,
    add: (a, b) => `(${op}.add ${a} ${b})`,
    sub: (a, b) => `(${op}.sub ${a} ${b})`,
    mul: (a, b) => `(${op}.mul ${a} ${b})`,
    div: (a, b) => `(${op}.div ${a} ${b})`,
    sqrt: (a) => `(${op}.sqrt ${a})`,
    max: (a, b) => `(${op}.max ${a} ${b})`,
    clamp: (a, lo, hi) => (vector ? `(${op}.pmin (${op}.pmax ${a} ${lo}) ${hi})` : `(${op}.min (${op}.max ${a} ${lo}) ${hi})`),
    // A vector comparison gives all-ones lanes where true: and-ed with 1.0's bits, 1.0 or +0.0.
    positive: (a) =>
      vector
        ? `(v128.and (${s.v}.gt ${a} (v128.const i64x2 0 0)) (${s.v}.splat (${s.t}.const 1)))`
        : `(select (${s.t}.const 1) (${s.t}.const 0) (${s.t}.gt ${a} (${s.t}.const 0)))`,
    // ne is true for NaN: all-ones lanes keep a, zero lanes give +0.0.
    unlessZero: (t, a) =>
      vector
        ? `(v128.and ${a} (${s.v}.ne ${t} (v128.const i64x2 0 0)))`
        : `(select ${a} (${s.t}.const 0) (${s.t}.ne ${t} (${s.t}.const 0)))`,
    num: (x) => (vector ? `(${s.v}.splat (${s.t}.const ${floatText(x)}))` : `(${s.t}.const ${floatText(x)})`),
    // A v128 has no type of its own: the same bits are floats or integers by the instruction.
    bits: (a) => (vector ? a : `(${it}.reinterpret_${s.t} ${a})`),
    fromBits: (a) => (vector ? a : `(${s.t}.reinterpret_${it} ${a})`),
    iadd: (a, b) => `(${iop}.add ${a} ${b})`,
    isub: (a, b) => `(${iop}.sub ${a} ${b})`,
    // A vector shift takes its count as an i32, a scalar one in the type shifted.
    shl: (a, n) => `(${iop}.shl ${a} (${vector ? "i32" : it}.const ${n}))`,
    shr: (a, n) => `(${iop}.shr_s ${a} (${vector ? "i32" : it}.const ${n}))`,
    int: (n) => (vector ? `(${iop}.splat (${it}.const ${n}))` : `(${it}.const ${n})`),
    param: (name) => get(vector ? `${name}_v` : name),
    load: (array) => (vector ? `(v128.load ${at(array)})` : `(${s.t}.load ${at(array)})`),
    store: (array, value) => (vector ? `(v128.store ${at(array)} ${value})` : `(${s.t}.store ${at(array)} ${value})`),
    let: (name, value, kind = "float") => {
      if ((temps.get(name) ?? kind) !== kind) throw new Error(`temporary "${name}" bound as both float and int`);
      temps.set(name, kind);
      return set(`${name}_${width}`, value);
    },
    temp: (name) => get(`${name}_${width}`),
  };
}

/**
 * `$o` (a byte offset) over [0, $end): a SIMD loop over the whole vectors, then (after
 * `between`, if given) a scalar loop over the elements left.
 */
export function vectorsThenTail(s: Scalar, vectorBody: string, scalarBody: string, between = ""): string {
  return [
    set("o", i32(0)),
    loop("vectors", `(i32.gt_u (i32.add ${get("o")} ${i32(16)}) ${get("end")})`, vectorBody, set("o", `(i32.add ${get("o")} ${i32(16)})`)),
    between,
    loop("tail", `(i32.ge_u ${get("o")} ${get("end")})`, scalarBody, set("o", `(i32.add ${get("o")} ${i32(1 << s.shift)})`)),
  ].filter((part) => part !== "").join("\n");
}

/** The loops' own locals, and each temporary at both widths. */
export function loopLocals(s: Scalar, temps: Temps): string {
  const scalarType = (kind: TempKind) => (kind === "int" ? (s.t === "f64" ? "i64" : "i32") : s.t);
  return [
    "(local $o i32) (local $end i32) (local $row i32) (local $rowsEnd i32)",
    ...[...temps].map(([t, kind]) => `(local $${t}_v v128) (local $${t}_s ${scalarType(kind)})`),
  ].join(" ");
}

/**
 * The kernel as a function `name(arrays…, count, scalars…)` over `count` elements of each array,
 * or `name(arrays…, rows, cols, scalars…)` over rows × cols elements, when some arrays are
 * `perColumn` (indexed by the column alone).
 */
export function elementwise(name: string, s: Scalar, kernel: ElementwiseKernel): string {
  const temps: Temps = new Map();
  const perColumn = kernel.perColumn ?? [];
  const rowwise = perColumn.length > 0;
  const address = (array: string) =>
    rowwise && !perColumn.includes(array) ? `(i32.add ${get(array)} (i32.add ${get("row")} ${get("o")}))` : `(i32.add ${get(array)} ${get("o")})`;
  const vector = lanes(s, true, temps, address);
  const scalar = lanes(s, false, temps, address);
  const sizes: [string, string][] = rowwise ? [["rows", "i32"], ["cols", "i32"]] : [["count", "i32"]];
  const params: [string, string][] = [...kernel.arrays.map((a): [string, string] => [a, "i32"]), ...sizes, ...kernel.scalars.map((x): [string, string] => [x, s.t])];
  const hoisted = kernel.hoisted ?? [];
  const prelude = [
    ...hoisted.map(([h, value]) => set(h, value(scalar))),
    ...[...kernel.scalars, ...hoisted.map(([h]) => h)].map((x) => set(`${x}_v`, `(${s.v}.splat ${get(x)})`)),
    set("end", `(i32.shl ${get(rowwise ? "cols" : "count")} ${i32(s.shift)})`),
  ];
  // Both bodies are generated before the locals are listed: `let` records the temporaries.
  const columns = vectorsThenTail(s, kernel.body(vector).join("\n"), kernel.body(scalar).join("\n"));
  // Rows × cols: $row is the byte offset of the row in the full arrays.
  const body = rowwise
    ? [set("row", i32(0)), set("rowsEnd", `(i32.mul ${get("rows")} ${get("end")})`), loop("rows", `(i32.ge_u ${get("row")} ${get("rowsEnd")})`, columns, set("row", `(i32.add ${get("row")} ${get("end")})`))].join("\n")
    : columns;
  const locals = [
    ...hoisted.map(([h]) => `(local $${h} ${s.t})`),
    ...[...kernel.scalars, ...hoisted.map(([h]) => h)].map((x) => `(local $${x}_v v128)`),
    loopLocals(s, temps),
  ].join(" ");
  return func(name, params, locals, [...prelude, body].join("\n"));
}

/**
 * out[j] = Σ_i x[i, j] for x[rows×cols], summed in row order from 0 as a JavaScript loop
 * `out[j] += x[i·cols + j]` over i = 0, 1, … sums it: a column of vectors at a time, then the
 * columns left one at a time.
 */
export function sumRows(name: string, s: Scalar): string {
  const temps: Temps = new Map();
  const address = (array: string) => (array === "x" ? `(i32.add ${get("x")} (i32.add ${get("row")} ${get("o")}))` : `(i32.add ${get(array)} ${get("o")})`);
  const column = (e: Lanes, zero: string) =>
    [
      e.let("sum", zero),
      set("row", i32(0)),
      loop("rows", `(i32.ge_u ${get("row")} ${get("rowsEnd")})`, e.let("sum", e.add(e.temp("sum"), e.load("x"))), set("row", `(i32.add ${get("row")} ${get("end")})`)),
      e.store("out", e.temp("sum")),
    ].join("\n");
  const vector = column(lanes(s, true, temps, address), "(v128.const i64x2 0 0)");
  const scalar = column(lanes(s, false, temps, address), `(${s.t}.const 0)`);
  const body = [
    set("end", `(i32.shl ${get("cols")} ${i32(s.shift)})`),
    set("rowsEnd", `(i32.mul ${get("rows")} ${get("end")})`),
    vectorsThenTail(s, vector, scalar),
  ].join("\n");
  const params: [string, string][] = [["out", "i32"], ["x", "i32"], ["rows", "i32"], ["cols", "i32"]];
  return func(name, params, loopLocals(s, temps), body);
}
