// The TypeScript source of the helpers a generated module carries with it, so it imports
// nothing at run time. Arrays are typed `Arr`, which the module binds to Float64Array or
// Float32Array. Only the kernels a graph uses are copied into its module.

/** Checks and conversions every module needs. */
export const preludeSource = `
/** Thrown when forward or backward is given a value of the wrong kind or shape. */
export class InputError extends Error {
  override name = "InputError";
}

type Dims = Map<string, number>;

/** An own property of a plain object, never one inherited from Object.prototype. */
function take(from: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(from, key) ? (from as Record<string, unknown>)[key] : undefined;
}

function checkKeys(what: string, given: unknown, expected: readonly string[]): void {
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new InputError(\`Expected the \${what}s as an object keyed by name, got \${describe(given)}.\`);
  }
  for (const key of Object.keys(given)) {
    if (!expected.includes(key)) {
      const known = expected.length === 0 ? "none" : expected.map((k) => JSON.stringify(k)).join(", ");
      throw new InputError(\`Unknown \${what} \${JSON.stringify(key)}; the graph's \${what}s are \${known}.\`);
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a plain array";
  if (ArrayBuffer.isView(value)) return \`a \${value.constructor.name}\`;
  if (typeof value === "object") return "an object";
  return \`\${typeof value} \${String(value).slice(0, 40)}\`;
}

function scalarIn(what: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new InputError(\`\${what} must be a number, got \${describe(value)}.\`);
  }
  return value;
}

function shapeText(shape: readonly (number | string)[]): string {
  return \`[\${shape.join(", ")}]\`;
}

/** The data of a tensor argument, after checking its shape and binding its symbolic dims. */
function tensorIn(what: string, value: unknown, expected: readonly (number | string)[], dims: Dims): Arr {
  if (typeof value !== "object" || value === null || !("shape" in value) || !("data" in value)) {
    throw new InputError(\`\${what} must be a tensor { shape, data } of shape \${shapeText(expected)}, got \${describe(value)}.\`);
  }
  const { shape, data } = value as { shape: unknown; data: unknown };
  if (!(data instanceof Arr)) {
    throw new InputError(\`\${what} must hold its data in a \${Arr.name}, got \${describe(data)}.\`);
  }
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new InputError(\`\${what} has an invalid shape; expected \${shapeText(expected)}.\`);
  }
  const fail = (why: string) =>
    new InputError(\`\${what} has shape \${shapeText(shape)} but the graph expects \${shapeText(expected)}\${why}.\`);
  if (shape.length !== expected.length) throw fail("");
  expected.forEach((want, i) => {
    const got = shape[i] as number;
    if (typeof want === "number") {
      if (got !== want) throw fail("");
    } else {
      const bound = dims.get(want);
      if (bound === undefined) dims.set(want, got);
      else if (bound !== got) throw fail(\` (\${want} is \${bound} elsewhere)\`);
    }
  });
  const size = (shape as number[]).reduce((p, d) => p * d, 1);
  if (data.length !== size) {
    throw new InputError(\`\${what} has \${data.length} values but its shape \${shapeText(shape)} needs \${size}.\`);
  }
  return data;
}
`;

/**
 * allocate(sizes): views, each 16-byte aligned, of one fresh ArrayBuffer (ts target) or of the
 * module's WebAssembly memory, grown as needed and padded by one vector at the end, since a
 * kernel may read (never write) a little past a row (wasm target).
 */
function allocateFunction(memory: "buffer" | "wasm"): string {
  const buffer =
    memory === "buffer"
      ? `const memory = new ArrayBuffer(total * Arr.BYTES_PER_ELEMENT);`
      : `const pages = Math.ceil((total * Arr.BYTES_PER_ELEMENT + 16) / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);`;
  const source = memory === "buffer" ? "memory" : "memory.buffer";
  return `
/** Views of ${memory === "buffer" ? "one fresh buffer" : "the WebAssembly memory"}, each 16-byte aligned, for the sizes given (in elements). */
function allocate(sizes: readonly number[]): Arr[] {
  const align = 16 / Arr.BYTES_PER_ELEMENT;
  const offsets: number[] = [];
  let total = 0;
  for (const size of sizes) {
    offsets.push(total);
    total += Math.ceil(size / align) * align;
  }
  ${buffer}
  return sizes.map((size, i) => new Arr(${source}, offsets[i]! * Arr.BYTES_PER_ELEMENT, size));
}
`;
}

export const allocateSource = allocateFunction("buffer");

/**
 * The wasm target's runtime: the embedded kernels instantiated over one WebAssembly memory,
 * and buffers allocated in that memory so the kernels read and write them in place.
 */
export function wasmRuntimeSource(bytes: Uint8Array): string {
  return `
/** The WebAssembly kernels gradc built for this graph (SIMD matrix products), base64-encoded. */
const kernelBytes = "${Buffer.from(bytes).toString("base64")}";

// Typed here rather than taken from a lib, so the module compiles with or without "dom" types.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, (...args: number[]) => void> };
}

const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const memory = new wasmApi.Memory({ initial: 1 });
const wasm = new wasmApi.Instance(new wasmApi.Module(fromBase64(kernelBytes)), { env: { memory } }).exports;

function fromBase64(text: string): Uint8Array {
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

${allocateFunction("wasm")}
`;
}

/** A TypeScript function that runs a WebAssembly kernel on buffers in the module's memory. */
export function wasmKernelWrapper(name: string): string {
  return `
function ${name}(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  wasm.${name}!(out.byteOffset, a.byteOffset, b.byteOffset, n, k, m);
  return out;
}`;
}

/** Seeded random numbers for init(): mulberry32, and Box–Muller for Gaussians. */
export const randomSource = `
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(random: () => number, shape: number[], lo: number, hi: number): Tensor {
  const data = new Arr(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random();
  return { shape, data };
}

function normal(random: () => number, shape: number[], mean: number, std: number): Tensor {
  const data = new Arr(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) {
    // Box–Muller: 1 - random() is in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    data[i] = mean + std * r * Math.cos(2 * Math.PI * random());
  }
  return { shape, data };
}
`;

/** Filling a tensor with one value, or from a literal. */
export const fillSource = `
function filled(shape: number[], value: number): Tensor {
  return { shape, data: new Arr(shape.reduce((p, d) => p * d, 1)).fill(value) };
}
`;

/** Kernels by name: the ops' emit rules ask for them through EmitContext.kernel. */
export const kernelSources: Readonly<Record<string, string>> = {
  matmulNN: `
/** out[n×m] = a[n×k] · b[k×m], in i-p-j order so the inner loop runs along rows of b and out. */
function matmulNN(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      const col = p * m;
      for (let j = 0; j < m; j++) out[row + j] += aip * b[col + j];
    }
  }
  return out;
}`,
  matmulTN: `
/** out[n×m] = aᵀ · b where a is stored as [k×n]: the transpose is read in place. */
function matmulTN(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  for (let p = 0; p < k; p++) {
    const col = p * m;
    for (let i = 0; i < n; i++) {
      const api = a[p * n + i];
      const row = i * m;
      for (let j = 0; j < m; j++) out[row + j] += api * b[col + j];
    }
  }
  return out;
}`,
  matmulNT: `
/** out[n×m] = a · bᵀ where b is stored as [m×k]: each element is a dot product of two rows. */
function matmulNT(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
      out[i * m + j] = s;
    }
  }
  return out;
}`,
  matmulTT: `
/** out[n×m] = aᵀ · bᵀ where a is stored as [k×n] and b as [m×k]. */
function matmulTT(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[p * n + i] * b[j * k + p];
      out[i * m + j] = s;
    }
  }
  return out;
}`,
  dot: `
function dot(a: Arr, b: Arr, k: number): number {
  let s = 0;
  for (let p = 0; p < k; p++) s += a[p] * b[p];
  return s;
}`,
  outer: `
function outer(out: Arr, a: Arr, b: Arr, k: number, m: number): Arr {
  for (let i = 0; i < k; i++) for (let j = 0; j < m; j++) out[i * m + j] = a[i] * b[j];
  return out;
}`,
  transpose: `
function transpose(out: Arr, x: Arr, rows: number, cols: number): Arr {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
  return out;
}`,
  sumAll: `
function sumAll(x: Arr): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}`,
  softmaxRows: `
/** Softmax of each row; the row maximum is subtracted first so exp cannot overflow. */
function softmaxRows(out: Arr, x: Arr, rows: number, cols: number): Arr {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]);
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[o + j] - max);
      out[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) out[o + j] /= sum;
  }
  return out;
}`,
  logSoftmaxRows: `
/** log softmax of each row: x - max - log Σ exp(x - max), finite for any finite x. */
function logSoftmaxRows(out: Arr, x: Arr, rows: number, cols: number): Arr {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[o + j] - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < cols; j++) out[o + j] = x[o + j] - lse;
  }
  return out;
}`,
  softmaxLoss: `
/**
 * Mean over rows of -Σ t log softmax(x) = lse(x) Σ t - Σ t x, with the log-sum-exp taken
 * after subtracting the row maximum, so logits of any finite size give a finite loss.
 */
function softmaxLoss(x: Arr, t: Arr, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[o + j] - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < cols; j++) if (t[o + j] !== 0) total -= t[o + j] * (x[o + j] - lse);
  }
  return total / rows;
}`,
};

/** Every identifier the generated module defines or relies on, which user names must avoid. */
export const runtimeNames: readonly string[] = [
  ...Object.keys(kernelSources),
  "InputError",
  "Dims",
  "take",
  "checkKeys",
  "describe",
  "scalarIn",
  "shapeText",
  "tensorIn",
  "rng",
  "uniform",
  "normal",
  "filled",
  "scaledCopy",
  "allocate",
  "buffers",
  "buffersKey",
  "buffersFor",
  "Buffers",
  "generation",
  "buf",
  "key",
  "kernelBytes",
  "WasmMemory",
  "WasmApi",
  "wasmApi",
  "memory",
  "wasm",
  "fromBase64",
  "i",
  ...Array.from({ length: 10 }, (_, i) => `i${i}`),
  "Arr",
  "Tensor",
  "Inputs",
  "Params",
  "Outputs",
  "Grads",
  "Saved",
  "Forward",
  "meta",
  "defaults",
  "init",
  "forward",
  "backward",
  "inputs",
  "params",
  "fwd",
  "upstream",
  "saved",
  "dims",
  "random",
  "Math",
  "Object",
  "Array",
  "Number",
  "JSON",
  "String",
  "Error",
  "Map",
  "Float64Array",
  "Float32Array",
];
