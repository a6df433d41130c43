// The helpers generated modules carry (src/emit/helpers/), tested as the ordinary TypeScript
// they are: against straightforward reference computations, under the strictest compiler
// settings, and against the text the build embeds from them (src/generated/).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkKeys, InputError, scalarIn, tensorIn } from "../../src/emit/helpers/checks.js";
import { allocate } from "../../src/emit/helpers/allocate.js";
import { filled, normal, rng, uniform } from "../../src/emit/helpers/random.js";
import { scaledCopy } from "../../src/emit/helpers/results.js";
import * as kernels from "../../src/emit/helpers/kernels.js";
import {
  allocateInMemory,
  fromBase64,
  wasmAdagrad,
  wasmAdam,
  wasmAddRowBias,
  wasmAddRowBiasRelu,
  wasmExpElements,
  wasmLogSoftmaxRows,
  wasmMatmulNN,
  wasmMatmulNT,
  wasmMatmulTN,
  wasmMomentum,
  wasmReluBackward,
  wasmSgd,
  wasmSoftmaxLoss,
  wasmSoftmaxRows,
  wasmSumRows,
} from "../../src/emit/helpers/wasm.js";
import { helperTexts } from "../../src/generated/helpers.js";
import { wasmKernelsBase64 } from "../../src/generated/wasm-kernels.js";
import { mulberry32 } from "../../src/runtime/random.js";
import { adagrad, adam, momentum, sgd } from "../../src/train/optimizers.js";
import { helperDeclarations } from "../../scripts/helper-texts.js";
import { buildKernels } from "../../scripts/wasm-kernels.js";
import { typecheckStrict } from "../support/typecheck.js";

const random = mulberry32(7);
const values = (n: number) => Float64Array.from({ length: n }, () => random() * 2 - 1);

/** a[n×k] · b[k×m], by the definition. */
function product(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * m + j]!;
    out.push(s);
  }
  return out;
}

function transposed(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tolerance);
}

describe("checks", () => {
  it("tensorIn binds symbolic dims, and refuses a wrong shape, array type or length, naming the value", () => {
    const dims = new Map<string, number>();
    const data = new Float64Array(6);
    expect(tensorIn('input "x"', { shape: [2, 3], data }, ["N", 3], dims)).toBe(data);
    expect(dims.get("N")).toBe(2);
    expect(() => tensorIn('input "t"', { shape: [3, 3], data: new Float64Array(9) }, ["N", 3], dims)).toThrow(
      'input "t" has shape [3, 3] but the graph expects [N, 3] (N is 2 elsewhere).',
    );
    expect(() => tensorIn('input "x"', { shape: [2, 3], data: new Float32Array(6) }, [2, 3], new Map())).toThrow(
      "must hold its data in a Float64Array, got a Float32Array",
    );
    expect(() => tensorIn('input "x"', { shape: [2, 3], data: new Float64Array(5) }, [2, 3], new Map())).toThrow(
      "has 5 values but its shape [2, 3] needs 6",
    );
    expect(() => tensorIn('input "x"', [1, 2], [2], new Map())).toThrow(InputError);
  });

  it("checkKeys refuses unknown names and non-objects; scalarIn refuses non-numbers", () => {
    expect(() => checkKeys("input", { x: 1 }, ["x"])).not.toThrow();
    expect(() => checkKeys("input", { y: 1 }, ["x"])).toThrow('Unknown input "y"; the graph\'s inputs are "x".');
    expect(() => checkKeys("param", null, [])).toThrow("Expected the params as an object keyed by name, got null.");
    expect(scalarIn("x", 3)).toBe(3);
    expect(() => scalarIn('input "x"', "3")).toThrow('input "x" must be a number, got the string "3".');
    // What was given, as a reader would write it: a string quoted (and cut short), a value itself.
    expect(() => scalarIn("x", "a".repeat(50))).toThrow(`x must be a number, got the string "${"a".repeat(40)}…".`);
    expect(() => scalarIn("x", true)).toThrow("x must be a number, got true.");
    expect(() => scalarIn("x", 3n)).toThrow("x must be a number, got the bigint 3n.");
    expect(() => scalarIn("x", () => 3)).toThrow("x must be a number, got a function.");
    expect(() => scalarIn("x", {})).toThrow("x must be a number, got an object.");
    // Cut by characters, not halves of one; a long bigint cut too; a value that throws when looked at.
    expect(() => scalarIn("x", "😀".repeat(50))).toThrow(`x must be a number, got the string "${"😀".repeat(40)}…".`);
    expect(() => scalarIn("x", 10n ** 100n)).toThrow(`x must be a number, got the bigint ${"1" + "0".repeat(39)}…n.`);
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(() => scalarIn("x", revoked.proxy)).toThrow("x must be a number, got a value.");
  });
});

describe("buffers, random numbers, results", () => {
  it("allocate gives 16-byte aligned, disjoint views of the sizes asked for", () => {
    const views = allocate([3, 5, 1, 8]);
    expect(views.map((v) => v.length)).toEqual([3, 5, 1, 8]);
    for (const v of views) expect(v.byteOffset % 16).toBe(0);
    views.forEach((v, i) => v.fill(i + 1));
    views.forEach((v, i) => expect([...v].every((x) => x === i + 1)).toBe(true));
  });

  it("rng repeats itself for a seed, differs between seeds, is uniform; the initializers draw from it", () => {
    const a = rng(42);
    const b = rng(42);
    const c = rng(43);
    const first = Array.from({ length: 1000 }, () => a());
    expect(first).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(first).not.toEqual(Array.from({ length: 1000 }, () => c()));
    expect(first.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Math.abs(first.reduce((s, v) => s + v, 0) / first.length - 0.5)).toBeLessThan(0.03);
    const u = uniform(rng(1), [1000], -2, 3);
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u.data)).toBeLessThan(3);
    const g = normal(rng(1), [20000], 1, 2);
    const mean = g.data.reduce((s, v) => s + v, 0) / g.data.length;
    const sd = Math.sqrt(g.data.reduce((s, v) => s + (v - mean) ** 2, 0) / g.data.length);
    expect(Math.abs(mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(sd - 2)).toBeLessThan(0.05);
    expect([...filled([2, 2], 7).data]).toEqual([7, 7, 7, 7]);
  });

  it("scaledCopy copies, scaled", () => {
    const x = Float64Array.of(1, -2, 3);
    const y = scaledCopy(x, 1);
    expect(y).not.toBe(x);
    expect([...y]).toEqual([1, -2, 3]);
    expect([...scaledCopy(x, -0.5)]).toEqual([-0.5, 1, -1.5]);
  });
});

describe("kernels agree with the definitions", () => {
  it("matmulNN, matmulTN, matmulNT, matmulTT equal the definition exactly, over every blocked size and remainder, overwriting out", () => {
    // Each sums every element over p from 0 upwards, as `product` does, so f64 results are equal
    // to the last bit. Sizes cover the 4×4 blocks and 1 to 3 rows or columns past them; out
    // starts as NaN, so an element left unwritten or added to shows.
    const sizes = [1, 2, 3, 4, 5, 7, 13, 50, 51];
    for (const n of sizes) for (const m of sizes) for (const k of [0, 1, 3, 5, 8]) {
      const a = values(n * k);
      const b = values(k * m);
      const want = product(a, b, n, k, m);
      const out = () => new Float64Array(n * m).fill(NaN);
      const at = `n=${n} k=${k} m=${m}`;
      expect([...kernels.matmulNN(out(), a, b, n, k, m)], `NN ${at}`).toEqual(want);
      expect([...kernels.matmulTN(out(), transposed(a, n, k), b, n, k, m)], `TN ${at}`).toEqual(want);
      expect([...kernels.matmulNT(out(), a, transposed(b, k, m), n, k, m)], `NT ${at}`).toEqual(want);
      expect([...kernels.matmulTT(out(), transposed(a, n, k), transposed(b, k, m), n, k, m)], `TT ${at}`).toEqual(want);
    }
  });

  it("a matrix product of the TwoLayerNet's sizes equals the definition", () => {
    const [n, k, m] = [100, 784, 50];
    const a = values(n * k);
    const b = values(k * m);
    expect([...kernels.matmulNN(new Float64Array(n * m), a, b, n, k, m)]).toEqual(product(a, b, n, k, m));
  });

  it("dot, outer, transpose, sumAll", () => {
    const x = values(4);
    const y = values(4);
    expect(kernels.dot(x, y, 4)).toBeCloseTo(product(x, y, 1, 4, 1)[0]!, 14);
    expectClose(kernels.outer(new Float64Array(16), x, y, 4, 4), product(x, y, 4, 1, 4));
    const a = values(5 * 7);
    expectClose(kernels.transpose(new Float64Array(5 * 7), a, 5, 7), transposed(a, 5, 7));
    expect(kernels.sumAll(x)).toBeCloseTo(x[0]! + x[1]! + x[2]! + x[3]!, 14);
  });

  it("addRowBias, addRowBiasRelu and sumRows equal their definitions, in place too, and the wasm kernels equal them", () => {
    const rows = 5;
    const cols = 7;
    const x = Float64Array.from(values(rows * cols), (v, i) => (i === 3 ? -0 : i === 4 ? NaN : v));
    const b = values(cols);
    const biased = [...x].map((v, i) => v + b[i % cols]!);
    expect([...kernels.addRowBias(new Float64Array(rows * cols), x, b, rows, cols)]).toEqual(biased);
    expect([...kernels.addRowBiasRelu(x.slice(), x.slice(), b, rows, cols)]).toEqual(biased.map((v) => Math.max(0, v)));
    const sums = Array.from({ length: cols }, (_, j) => {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i * cols + j]!;
      return s;
    });
    expect([...kernels.sumRows(new Float64Array(cols).fill(NaN), x, rows, cols)]).toEqual(sums);
    const [wx, wb, wout] = allocateInMemory([rows * cols, cols, rows * cols]);
    wx!.set(x);
    wb!.set(b);
    expect([...wasmAddRowBiasRelu(wout!, wx!, wb!, rows, cols)]).toEqual([...kernels.addRowBiasRelu(new Float64Array(rows * cols), x, b, rows, cols)]);
    expect([...wasmSumRows(wout!.subarray(0, cols), wx!, rows, cols)]).toEqual(sums);
  });

  it("softmaxRows, logSoftmaxRows and softmaxLoss, stable at large logits", () => {
    const x = Float64Array.of(1, 2, 3, 1000, 1000, -1000);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    const p = kernels.softmaxRows(new Float64Array(6), x, 2, 3);
    expectClose(p, [e[0]! / s, e[1]! / s, e[2]! / s, 0.5, 0.5, 0], 1e-15);
    const lp = kernels.logSoftmaxRows(new Float64Array(6), x, 2, 3);
    expectClose(lp, [1 - Math.log(s), 2 - Math.log(s), 3 - Math.log(s), -Math.LN2, -Math.LN2, -2000 - Math.LN2], 1e-12);
    const t = Float64Array.of(0, 0, 1, 1, 0, 0);
    expect(kernels.softmaxLoss(x, t, 2, 3)).toBeCloseTo((-(3 - Math.log(s)) + Math.LN2) / 2, 12);
  });
});

describe("the wasm runtime", () => {
  it("fromBase64 decodes what Buffer encodes, at every padding", () => {
    for (const length of [0, 1, 2, 3, 4, 5, 100]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 255);
      expect([...fromBase64(Buffer.from(bytes).toString("base64"))]).toEqual([...bytes]);
    }
  });

  it("the wasm matrix products equal the loops, in the module's memory", () => {
    for (const [n, k, m] of [[1, 1, 1], [5, 7, 3], [9, 13, 17]] as const) {
      const [out, a, aT, b, bT] = allocateInMemory([n * m, n * k, n * k, k * m, k * m]);
      a!.set(values(n * k));
      b!.set(values(k * m));
      aT!.set(transposed(a!, n, k));
      bT!.set(transposed(b!, k, m));
      const want = product(a!, b!, n, k, m);
      expectClose(wasmMatmulNN(out!, a!, b!, n, k, m), want);
      expectClose(wasmMatmulTN(out!, aT!, b!, n, k, m), want);
      expectClose(wasmMatmulNT(out!, a!, bT!, n, k, m), want);
    }
  });

  it("the wasm optimizer updates take their arrays and scalars in order: one step equals the runtime's", () => {
    const count = 7;
    const start = values(count);
    const g = values(count);
    const [lr, alpha, beta1, beta2, eps] = [0.01, 0.7, 0.8, 0.95, 1e-6];
    const runtimeStep = (optimizer: ReturnType<typeof sgd>) => {
      const params = { w: { shape: [count], data: Float64Array.from(start) } };
      optimizer.step(params, { w: { shape: [count], data: g } });
      return [...params.w.data];
    };
    const [p, gw, s1, s2] = allocateInMemory([count, count, count, count]);
    const fresh = () => {
      p!.set(start);
      gw!.set(g);
      s1!.fill(0);
      s2!.fill(0);
      return p!;
    };
    expect([...wasmSgd(fresh(), gw!, count, lr)]).toEqual(runtimeStep(sgd(lr)));
    expect([...wasmMomentum(fresh(), gw!, s1!, count, lr, alpha)]).toEqual(runtimeStep(momentum(lr, alpha)));
    expect([...wasmAdagrad(fresh(), gw!, s1!, count, lr)]).toEqual(runtimeStep(adagrad(lr)));
    const adamStep = wasmAdam(fresh(), gw!, s1!, s2!, count, lr, beta1, beta2, eps, 1 - beta1, 1 - beta2);
    expect([...adamStep]).toEqual(runtimeStep(adam(lr, beta1, beta2, eps)));
  });

  it("the wasm dense-layer kernels take their arrays and sizes in order", () => {
    const [rows, cols] = [3, 5];
    const [out, x, b, sums] = allocateInMemory([rows * cols, rows * cols, cols, cols]);
    x!.set(values(rows * cols));
    b!.set(values(cols));
    const biased = Array.from(x!, (v, i) => v + b![i % cols]!);
    expect([...wasmAddRowBias(out!, x!, b!, rows, cols)]).toEqual(biased);
    expect([...wasmAddRowBiasRelu(out!, x!, b!, rows, cols)]).toEqual(biased.map((v) => Math.max(0, v)));
    expect([...wasmReluBackward(out!, b!, x!, cols).subarray(0, cols)]).toEqual(Array.from(b!, (g, i) => g * (x![i]! > 0 ? 1 : 0)));
    const want = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) want[j]! += x![i * cols + j]!;
    expect([...wasmSumRows(sums!, x!, rows, cols)]).toEqual([...want]);
  });
  it("the wasm softmax family and exp take their arrays and sizes in order, and agree with the loops", () => {
    const [rows, cols] = [3, 5];
    const [out, x, t] = allocateInMemory([rows * cols, rows * cols, rows * cols]);
    x!.set(values(rows * cols).map((v) => v * 20));
    t!.set(Array.from({ length: rows * cols }, (_, i) => (i % cols === i % 4 ? 1 : 0)));
    const n = rows * cols;
    expectClose(wasmSoftmaxRows(out!, x!, rows, cols), kernels.softmaxRows(new Float64Array(n), x!, rows, cols), 1e-15);
    expectClose(wasmLogSoftmaxRows(out!, x!, rows, cols), kernels.logSoftmaxRows(new Float64Array(n), x!, rows, cols), 1e-13);
    expect(wasmSoftmaxLoss(x!, t!, rows, cols)).toBeCloseTo(kernels.softmaxLoss(x!, t!, rows, cols), 13);
    expectClose(wasmExpElements(out!, x!, n), Array.from(x!, (v) => Math.exp(v)), 1e-15 * Math.exp(20));
  });
});

describe("the helpers as code", () => {
  const dir = join("src", "emit", "helpers");

  it("type-check under the strictest settings projects use", () => {
    const files = readdirSync(dir).map((f) => join(dir, f));
    const { byFile } = typecheckStrict(files);
    expect([...byFile.values()].join("")).toBe("");
  });

  it("src/generated/helpers.ts is what the build writes from them (run `npm run build` after editing a helper)", async () => {
    const declarations = await helperDeclarations(dir);
    for (const d of declarations) {
      const embedded = helperTexts[d.name as keyof typeof helperTexts];
      expect(embedded, d.name).toBeDefined();
      expect(embedded.ts, d.name).toBe(d.ts);
      expect(embedded.js, d.name).toBe(d.js);
      expect([...embedded.uses], d.name).toEqual(d.uses);
    }
    expect(Object.keys(helperTexts)).toEqual(declarations.map((d) => d.name));
  });

  it("the embedded wasm kernels are what Binaryen builds from scripts/wasm-kernels.ts", () => {
    for (const dtype of ["f64", "f32"] as const) {
      expect(wasmKernelsBase64[dtype], dtype).toBe(Buffer.from(buildKernels(dtype)).toString("base64"));
    }
  });
});
