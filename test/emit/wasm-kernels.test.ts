// The wasm kernels of both dtypes (scripts/wasm-kernels.ts, as src/generated/ embeds them), each
// module on a memory of its own, against plain JavaScript: the matrix products against the
// definition, the optimizer updates against src/train/optimizers.ts itself, bit for bit in f64,
// the kernels' exp against Math.exp and the softmax family against the JavaScript helpers.
// Sizes are odd so every path runs (register blocks, single vectors, partial vectors, scalar
// tails, nothing at all), and every array is followed by a guard that no kernel may write.
import { describe, expect, it } from "vitest";
import { fromBase64, type WasmKernels } from "../../src/emit/helpers/wasm.js";
import { wasmKernelsBase64 } from "../../src/generated/wasm-kernels.js";
import * as helpers from "../../src/emit/helpers/kernels.js";
import { mulberry32 } from "../../src/runtime/random.js";
import { adagrad, adam, momentum, sgd, type Optimizer } from "../../src/train/optimizers.js";

type Dtype = "f32" | "f64";
type Floats = Float32Array | Float64Array;

const GUARD = 16;
const GUARD_BYTE = 0xab;

/** One dtype's kernels on a fresh 4 MiB memory, and arrays in it, each 16-byte aligned and guarded. */
function instantiate(dtype: Dtype) {
  const memory = new WebAssembly.Memory({ initial: 64 });
  const module = new WebAssembly.Module(new Uint8Array(fromBase64(wasmKernelsBase64[dtype])));
  const kernels = new WebAssembly.Instance(module, { env: { memory, log: Math.log } }).exports as unknown as WasmKernels;
  const Arr = dtype === "f64" ? Float64Array : Float32Array;
  const bytes = new Uint8Array(memory.buffer);
  const guards: number[] = [];
  let top = 0;
  /** Frees every array (the next ones reuse the memory). */
  const reset = () => {
    top = 0;
    guards.length = 0;
  };
  const array = (values: ArrayLike<number>): Floats => {
    const view = new Arr(memory.buffer, top, values.length);
    view.set(values);
    top += Math.ceil(view.byteLength / 16) * 16;
    bytes.fill(GUARD_BYTE, view.byteOffset + view.byteLength, top + GUARD);
    guards.push(view.byteOffset + view.byteLength, top + GUARD);
    top += GUARD;
    if (top > bytes.length) throw new Error("the test's arrays outgrew its memory");
    return view;
  };
  const guardsIntact = () => {
    for (let i = 0; i < guards.length; i += 2) {
      for (let b = guards[i]!; b < guards[i + 1]!; b++) if (bytes[b] !== GUARD_BYTE) return false;
    }
    return true;
  };
  return { kernels, array, guardsIntact, reset, Arr };
}

/** The byte offset a kernel takes for an array. */
const at = (x: Floats) => x.byteOffset;

/** Uniform in (-1, 1), with exact zeros sprinkled in (√0 and 0·x paths). */
function randoms(random: () => number, length: number): Float64Array {
  return Float64Array.from({ length }, (_, i) => (i % 7 === 3 ? 0 : random() * 2 - 1));
}

/** Largest |a − b| over the largest magnitude of either. */
function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let scale = 1e-300;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]!), Math.abs(b[i]!));
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  }
  return worst / scale;
}

/** a[n×k] · b[k×m] by the definition, in f64, reading a and b stored as the kernel says. */
function product(a: Floats, b: Floats, n: number, k: number, m: number, transA: boolean, transB: boolean): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[transA ? p * n + i : i * k + p]! * b[transB ? j * k + p : p * m + j]!;
      out[i * m + j] = sum;
    }
  }
  return out;
}

const matmuls = [
  { name: "matmulNN", transA: false, transB: false },
  { name: "matmulTN", transA: true, transB: false },
  { name: "matmulNT", transA: false, transB: true },
] as const;

// Every n with a spread of k (0 included) and m, and the TwoLayerNet's first layer.
const dims = [1, 2, 3, 5, 7, 13, 50, 51, 97];
const shapes: [number, number, number][] = [
  ...dims.flatMap((n) => [0, 1, 3, 13, 50].flatMap((k) => dims.filter((_, j) => (j + n + k) % 3 === 0).map((m): [number, number, number] => [n, k, m]))),
  [100, 784, 50],
];

describe.each(["f64", "f32"] as const)("the %s matrix products equal the definition", (dtype) => {
  const tolerance = dtype === "f64" ? 1e-12 : 1e-5;
  const wasm = instantiate(dtype);

  it.each(matmuls)("$name, overwriting out, at every n, k, m", ({ name, transA, transB }) => {
    for (const [n, k, m] of shapes) {
      wasm.reset();
      const random = mulberry32(n * 10007 + k * 101 + m);
      const a = wasm.array(randoms(random, n * k));
      const b = wasm.array(randoms(random, k * m));
      const out = wasm.array(new Float64Array(n * m).fill(Number.NaN));
      wasm.kernels[name](at(out), at(a), at(b), n, k, m);
      const want = product(a, b, n, k, m, transA, transB);
      expect(relativeDifference(out, want), `${name} n=${n} k=${k} m=${m}`).toBeLessThanOrEqual(tolerance);
      expect(wasm.guardsIntact(), `${name} n=${n} k=${k} m=${m}`).toBe(true);
    }
  });

  it("matmulTNAdd(out, a, b, n, k, m, alpha) is matmulTN then sgd with lr = −alpha, bit for bit", () => {
    const alpha = -0.37;
    for (const [n, k, m] of shapes) {
      wasm.reset();
      const random = mulberry32(n * 10007 + k * 101 + m);
      const a = wasm.array(randoms(random, k * n));
      const b = wasm.array(randoms(random, k * m));
      const start = randoms(random, n * m);
      const fused = wasm.array(start);
      const product = wasm.array(new Float64Array(n * m));
      const separate = wasm.array(start);
      wasm.kernels.matmulTNAdd(at(fused), at(a), at(b), n, k, m, alpha);
      wasm.kernels.matmulTN(at(product), at(a), at(b), n, k, m);
      wasm.kernels.sgd(at(separate), at(product), n * m, -alpha);
      expect([...fused], `n=${n} k=${k} m=${m}`).toEqual([...separate]);
      expect(wasm.guardsIntact(), `n=${n} k=${k} m=${m}`).toBe(true);
    }
  });
});

/** Random values with NaN, ±Infinity, −0 and 0 among them. */
function awkward(random: () => number, length: number): Float64Array {
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0];
  return Float64Array.from({ length }, (_, i) => (i % 5 === 2 ? specials[(i / 5) % specials.length | 0]! : random() * 2 - 1));
}

// Each kernel against the loop the ts target runs for it, in the dtype's arrays: equal, bit for bit.
const layerRows = [1, 2, 3, 5, 13, 51];
const layerCols = [1, 2, 3, 5, 7, 13, 50, 51, 97];

describe.each(["f64", "f32"] as const)("the %s dense-layer kernels equal the ts target's loops", (dtype) => {
  const wasm = instantiate(dtype);
  const cases = layerRows.flatMap((rows) => layerCols.map((cols) => [rows, cols] as const));
  const check = (name: string, run: (random: () => number, rows: number, cols: number) => [Floats, Floats]) => {
    for (const [rows, cols] of cases) {
      wasm.reset();
      const [got, want] = run(mulberry32(rows * 1000 + cols), rows, cols);
      expect([...got], `${name} ${rows}×${cols}`).toEqual([...want]);
      expect(wasm.guardsIntact(), `${name} ${rows}×${cols}`).toBe(true);
    }
  };

  it("addRowBias and addRowBiasRelu: out = x + b and Math.max(0, x + b), b added to every row", () => {
    for (const relu of [false, true]) {
      check(relu ? "addRowBiasRelu" : "addRowBias", (random, rows, cols) => {
        const x = wasm.array(awkward(random, rows * cols));
        const b = wasm.array(awkward(random, cols));
        const out = wasm.array(new Float64Array(rows * cols).fill(Number.NaN));
        (relu ? wasm.kernels.addRowBiasRelu : wasm.kernels.addRowBias)(at(out), at(x), at(b), rows, cols);
        const want = new wasm.Arr(rows * cols);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) want[i * cols + j] = relu ? Math.max(0, x[i * cols + j]! + b[j]!) : x[i * cols + j]! + b[j]!;
        }
        return [out, want];
      });
    }
  });

  it("reluBackward: out = dh · (h > 0 ? 1 : 0), so −0 for a negative dh and NaN for ±Infinity where h ≤ 0", () => {
    check("reluBackward", (random, rows, cols) => {
      const dh = wasm.array(awkward(random, rows * cols));
      const h = wasm.array(awkward(random, rows * cols));
      const out = wasm.array(new Float64Array(rows * cols).fill(7));
      wasm.kernels.reluBackward(at(out), at(dh), at(h), rows * cols);
      const want = new wasm.Arr(rows * cols);
      for (let i = 0; i < want.length; i++) want[i] = dh[i]! * (h[i]! > 0 ? 1 : 0);
      return [out, want];
    });
  });

  it("sumRows: out[j] = Σ_i x[i, j], summed in row order", () => {
    check("sumRows", (random, rows, cols) => {
      const x = wasm.array(Float64Array.from({ length: rows * cols }, () => (random() - 0.5) * 10 ** Math.floor(random() * 8)));
      const out = wasm.array(new Float64Array(cols).fill(Number.NaN));
      wasm.kernels.sumRows(at(out), at(x), rows, cols);
      const want = new wasm.Arr(cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) want[j]! += x[i * cols + j]!;
      return [out, want];
    });
  });
});

const lengths = [1, 3, 5, 17, 1001];
const STEPS = 4;

interface Rule {
  readonly name: string;
  readonly optimizer: () => Optimizer;
  /** State arrays the kernel keeps (zero at first), as the runtime keeps them. */
  readonly slots: number;
  /** One step `t` (from 1) of the kernel. */
  readonly step: (k: WasmKernels, p: Floats, g: Floats, state: Floats[], t: number) => void;
}

const [lr, alpha, beta1, beta2, eps] = [0.01, 0.7, 0.8, 0.95, 1e-6];
const rules: Rule[] = [
  { name: "sgd", optimizer: () => sgd(lr), slots: 0, step: (k, p, g) => k.sgd(at(p), at(g), p.length, lr) },
  {
    name: "momentum",
    optimizer: () => momentum(lr, alpha),
    slots: 1,
    step: (k, p, g, [v]) => k.momentum(at(p), at(g), at(v!), p.length, lr, alpha),
  },
  { name: "adagrad", optimizer: () => adagrad(lr), slots: 1, step: (k, p, g, [h]) => k.adagrad(at(p), at(g), at(h!), p.length, lr) },
  {
    name: "adam",
    optimizer: () => adam(lr, beta1, beta2, eps),
    slots: 2,
    step: (k, p, g, [m, v], t) =>
      k.adam(at(p), at(g), at(m!), at(v!), p.length, lr, beta1, beta2, eps, 1 - beta1 ** t, 1 - beta2 ** t),
  },
];

describe.each(rules)("the $name kernel steps params as src/train/optimizers.ts does", (rule) => {
  it.each(["f64", "f32"] as const)("%s", (dtype) => {
    const wasm = instantiate(dtype);
    for (const length of lengths) {
      const random = mulberry32(length);
      const start = randoms(random, length);
      const grads = Array.from({ length: STEPS }, () => randoms(random, length));
      const runtime = { w: { shape: [length], data: wasm.Arr.from(start) } };
      const optimizer = rule.optimizer();
      const p = wasm.array(start);
      const g = wasm.array(new Float64Array(length));
      const state = Array.from({ length: rule.slots }, () => wasm.array(new Float64Array(length)));
      for (let t = 1; t <= STEPS; t++) {
        optimizer.step(runtime, { w: { shape: [length], data: wasm.Arr.from(grads[t - 1]!) } });
        g.set(grads[t - 1]!);
        rule.step(wasm.kernels, p, g, state, t);
      }
      expect(relativeDifference(p, start), "the params moved").toBeGreaterThan(0);
      if (dtype === "f64") expect([...p], `length ${length}`).toEqual([...runtime.w.data]);
      else expect(relativeDifference(p, runtime.w.data), `length ${length}`).toBeLessThan(1e-5);
    }
    expect(wasm.guardsIntact()).toBe(true);
  });
});

// exp (scripts/wasm/exp.ts) alone, through expElements, against Math.exp: a dense sweep over the
// whole range where exp is neither 0 nor +Infinity and a little beyond, and the special values.
// Where Math.exp's result is normal, f64 is within 1e-15 relative (an ulp is 1.1e-16 to 2.2e-16)
// and f32 within 3e-7 relative of Math.fround(Math.exp(x)), both within the 1 ulp measured; where
// it is subnormal, within 2 of the smallest subnormal.
const exactly = [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1000, -1000, 1e308, -1e308, 1e-320, -1e-320];
const precision = {
  f64: { minNormal: 2 ** -1022, minSubnormal: 2 ** -1074, mantissa: 52, relative: 1e-15, round: (x: number) => x },
  f32: { minNormal: 2 ** -126, minSubnormal: 2 ** -149, mantissa: 23, relative: 3e-7, round: Math.fround },
} as const;

describe.each(["f64", "f32"] as const)("the %s kernels' exp equals Math.exp", (dtype) => {
  const p = precision[dtype];
  const wasm = instantiate(dtype);
  /** Each x's exp by the kernel, and Math.exp's, rounded to the dtype. */
  const both = (xs: readonly number[]) => {
    wasm.reset();
    const x = wasm.array(xs);
    const out = wasm.array(new Float64Array(xs.length).fill(7));
    wasm.kernels.expElements(at(out), at(x), xs.length);
    expect(wasm.guardsIntact()).toBe(true);
    return Array.from(x, (v, i) => ({ x: v, got: out[i]!, want: p.round(Math.exp(v)) }));
  };

  it("at the special values, exactly: 1 at ±0, +Infinity and 0 beyond the range and at ±Infinity, NaN at NaN", () => {
    for (const { x, got, want } of both(exactly)) expect(got, `exp(${x})`).toBe(want);
  });

  it("over [−750, 712] and at the edges of the range where it is finite and nonzero", () => {
    const random = mulberry32(2024);
    // Steps of about 0.0146, each nudged at random so the sweep meets every fraction of ln2.
    const sweep = Array.from({ length: 100_003 }, (_, i) => -750 + i * 0.0146 + random() * 0.0146);
    const edges = [709.78, 709.782712893384, 709.7827128933841, 709.79, -708.39, -708.3964185322641, -708.4, -745.13, -745.1332191019411, -745.2];
    const edges32 = [88.72, 88.7228, 88.723, 88.73, -87.33, -87.3365, -87.34, -103.27, -103.28, -103.97, -103.98, -104];
    let [relative, ulps, subnormal] = [0, 0, 0];
    const wrong: string[] = [];
    for (const { x, got, want } of both([...sweep, ...edges, ...edges32, 1e-10, -1e-10, 5e-324, -5e-324])) {
      if (want === Number.POSITIVE_INFINITY) {
        if (got !== want) wrong.push(`exp(${x}) = ${got}, not +Infinity`);
      } else if (want < p.minNormal) {
        // Subnormal or 0: the last rounding is at a fixed step, the smallest subnormal.
        subnormal = Math.max(subnormal, Math.abs(got - want) / p.minSubnormal);
      } else {
        const ulp = 2 ** (Math.floor(Math.log2(want)) - p.mantissa);
        ulps = Math.max(ulps, Math.abs(got - want) / ulp);
        relative = Math.max(relative, Math.abs(got - want) / want);
        if (!(Math.abs(got - want) <= p.relative * want)) wrong.push(`exp(${x}) = ${got}, not ${want}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(relative).toBeLessThanOrEqual(p.relative);
    expect(ulps).toBeLessThanOrEqual(1);
    expect(subnormal).toBeLessThanOrEqual(2);
  });
});

// softmaxRows, logSoftmaxRows and softmaxLoss against the JavaScript helpers of the same names
// (src/emit/helpers/kernels.ts, Math.exp and Math.log in f64), which the ts target runs: f64 to
// 1e-13, f32 to 3e-6, relative to each element for softmax (the f32 kernels round x − max to
// f32, an error of up to 2^-24·|x − max| relative, 1.9e-6 for logits 60 apart), to each row's
// largest magnitude for log softmax and to the loss for softmaxLoss.
const softmaxRowCounts = [0, 1, 3, 7, 100];
const softmaxColCounts = [1, 2, 3, 4, 5, 8, 10, 17];
const softmaxTolerance = { f64: 1e-13, f32: 3e-6 } as const;

/** The helpers run on an f32 module's Float32Arrays too; they are typed for Float64Array. */
const js = helpers as unknown as {
  softmaxRows(out: Floats, x: Floats, rows: number, cols: number): Floats;
  logSoftmaxRows(out: Floats, x: Floats, rows: number, cols: number): Floats;
  softmaxLoss(x: Floats, t: Floats, rows: number, cols: number): number;
};

/**
 * Logits for rows × cols, row i of kind i % 6: uniform in [−30, 30]; the same shifted by 1000;
 * ±huge beside ordinary values; −Infinity beside finite values; a NaN among them; all −Infinity.
 * The first row is always an ordinary one.
 */
function logits(random: () => number, rows: number, cols: number, huge: number): Float64Array {
  const x = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = random() * 60 - 30;
      const special = j % 3 === 1 || cols === 1;
      x[i * cols + j] = [v, v + 1000, special ? (j % 2 ? huge : -huge) : v, special && j > 0 ? -Infinity : v, j === cols - 1 ? Number.NaN : v, -Infinity][i % 6]!;
    }
  }
  return x;
}

/**
 * Labels for logits x, row i of kind i % 3: one-hot (at a finite logit), soft (random weights
 * summing to 1, some exactly 0) or all 0. Every label beside a −Infinity or NaN logit is 0, so
 * that the loss is finite (the kernel must skip those terms, as the helper does).
 */
function labels(random: () => number, x: Floats, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = x.subarray(i * cols, (i + 1) * cols);
    const finite = [...row.keys()].filter((j) => Number.isFinite(row[j]!));
    if (finite.length === 0 || row.some(Number.isNaN)) continue;
    if (i % 3 === 0) t[i * cols + finite[Math.floor(random() * finite.length)]!] = 1;
    if (i % 3 === 1) {
      const weights = finite.map((_, k) => (k % 3 === 2 ? 0 : random()));
      const total = weights.reduce((a, b) => a + b, 0) || 1;
      finite.forEach((j, k) => (t[i * cols + j] = weights[k]! / total));
    }
  }
  return t;
}

/** Both NaN, both the same infinity, or within `tolerance` of `scale`. */
function near(got: number, want: number, scale: number, tolerance: number): boolean {
  if (Number.isNaN(want) || !Number.isFinite(want)) return Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want));
  return Math.abs(got - want) <= tolerance * scale;
}

describe.each(["f64", "f32"] as const)("the %s softmax family equals the JavaScript helpers", (dtype) => {
  const tolerance = softmaxTolerance[dtype];
  const huge = dtype === "f64" ? 1e300 : 1e30;
  const wasm = instantiate(dtype);
  const cases = softmaxRowCounts.flatMap((rows) => softmaxColCounts.map((cols) => [rows, cols] as const));
  /** Logits and labels in the kernels' memory, and a NaN-filled out. */
  const arrays = (rows: number, cols: number) => {
    wasm.reset();
    const random = mulberry32(rows * 100 + cols);
    const x = wasm.array(logits(random, rows, cols, huge));
    const t = wasm.array(labels(random, x, rows, cols));
    const out = wasm.array(new Float64Array(rows * cols).fill(Number.NaN));
    return { x, t, out };
  };

  it("softmaxRows, relative to each element", () => {
    for (const [rows, cols] of cases) {
      const { x, out } = arrays(rows, cols);
      wasm.kernels.softmaxRows(at(out), at(x), rows, cols);
      const want = js.softmaxRows(new wasm.Arr(rows * cols), x, rows, cols);
      want.forEach((w, i) => expect(near(out[i]!, w, Math.abs(w), tolerance), `${rows}×${cols} [${i}] ${out[i]} ≠ ${w}`).toBe(true));
      expect(wasm.guardsIntact(), `${rows}×${cols}`).toBe(true);
    }
  });

  it("logSoftmaxRows, relative to each row's largest magnitude", () => {
    for (const [rows, cols] of cases) {
      const { x, out } = arrays(rows, cols);
      wasm.kernels.logSoftmaxRows(at(out), at(x), rows, cols);
      const want = js.logSoftmaxRows(new wasm.Arr(rows * cols), x, rows, cols);
      for (let i = 0; i < rows; i++) {
        const row = want.subarray(i * cols, (i + 1) * cols);
        const scale = Math.max(...Array.from(row, (v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
        row.forEach((w, j) => expect(near(out[i * cols + j]!, w, scale, tolerance), `${rows}×${cols} [${i}, ${j}] ${out[i * cols + j]} ≠ ${w}`).toBe(true));
      }
      expect(wasm.guardsIntact(), `${rows}×${cols}`).toBe(true);
    }
  });

  it("softmaxLoss: the batch's mean relative to itself, and each row's loss alone", () => {
    for (const [rows, cols] of cases) {
      const { x, t } = arrays(rows, cols);
      const got = wasm.kernels.softmaxLoss(at(x), at(t), rows, cols);
      const want = js.softmaxLoss(x, t, rows, cols);
      expect(near(got, want, Math.abs(want), tolerance), `${rows}×${cols}: ${got} ≠ ${want}`).toBe(true);
      if (rows > 0) expect(Number.isFinite(got), `${rows}×${cols}`).toBe(true);
      // One row at a time: the helper rounds max + log Σ before subtracting it from x, an error of
      // an ulp of the row's largest logit times Σ|t|, which can exceed a confident row's tiny loss.
      for (let i = 0; i < rows; i++) {
        const [xi, ti] = [x.subarray(i * cols, (i + 1) * cols), t.subarray(i * cols, (i + 1) * cols)];
        const one = js.softmaxLoss(xi, ti, 1, cols);
        const largest = Math.max(...Array.from(xi, (v, j) => (ti[j] === 0 ? 0 : Math.abs(v))));
        const labelMass = Array.from(ti, Math.abs).reduce((a, b) => a + b, 0);
        const scale = Math.abs(one) + labelMass * largest;
        expect(near(wasm.kernels.softmaxLoss(at(xi), at(ti), 1, cols), one, scale, tolerance), `${rows}×${cols} row ${i}`).toBe(true);
      }
      expect(wasm.guardsIntact(), `${rows}×${cols}`).toBe(true);
    }
  });

  it("softmaxLoss of confident rows (a converged classifier's) keeps its relative accuracy", () => {
    // The label's logit leads the others by 4 to 12, so each row's loss is e^-12 to 0.04: the
    // helper (f64 throughout) is accurate to ~1e-13 of it, and the f32 kernel, which keeps the
    // sum of exps in f64, to ~1e-8 (rounding each row's sum, 1 + its loss, to f32 gave 1.4e-6).
    const [rows, cols] = [100, 10];
    const random = mulberry32(99);
    const x = new Float64Array(rows * cols);
    const t = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const label = Math.floor(random() * cols);
      const lead = 4 + random() * 8;
      for (let j = 0; j < cols; j++) x[i * cols + j] = j === label ? 3 + lead : 3 - random() * 3;
      t[i * cols + label] = 1;
    }
    wasm.reset();
    const [wx, wt] = [wasm.array(x), wasm.array(t)];
    const want = js.softmaxLoss(wx, wt, rows, cols);
    const got = wasm.kernels.softmaxLoss(at(wx), at(wt), rows, cols);
    expect(want).toBeLessThan(0.1);
    expect(Math.abs(got - want) / want).toBeLessThanOrEqual(dtype === "f64" ? 1e-12 : 1e-7);
  });

  it("softmaxLoss is NaN for no rows (0 / 0) and where a row with a NaN or +Infinity logit has a label, as the helper", () => {
    const x = wasm.array([1, 2, Number.NaN, 3, Number.POSITIVE_INFINITY, 0, -Infinity, 1, 2]);
    const t = wasm.array([0, 1, 0, 0, 0, 1, 0, 0, 1]);
    const cases = [
      [0, 3],
      [1, 3],
      [2, 3],
    ] as const;
    for (const [rows, cols] of cases) {
      const want = js.softmaxLoss(x, t, rows, cols);
      expect(Number.isNaN(want), `${rows}×${cols}`).toBe(true);
      expect(wasm.kernels.softmaxLoss(at(x), at(t), rows, cols), `${rows}×${cols}`).toBeNaN();
    }
  });
});
