// The loops the ops' emit rules call by name (EmitContext.kernel): matrix products that read a
// transposed operand in place, reductions and the row-wise softmax family. Each works on
// row-major typed arrays; the output array is passed in (the module's reused buffers).
import type { Arr } from "./arr.js";

/** out[n×m] += a[n×k] · b[k×m], in i-p-j order so the inner loop runs along rows of b and out. */
export function matmulNN(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      const col = p * m;
      for (let j = 0; j < m; j++) out[row + j]! += aip * b[col + j]!;
    }
  }
  return out;
}

/** out[n×m] += aᵀ · b where a is stored as [k×n]: the transpose is read in place. */
export function matmulTN(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  for (let p = 0; p < k; p++) {
    const col = p * m;
    for (let i = 0; i < n; i++) {
      const api = a[p * n + i]!;
      const row = i * m;
      for (let j = 0; j < m; j++) out[row + j]! += api * b[col + j]!;
    }
  }
  return out;
}

/** out[n×m] = a · bᵀ where b is stored as [m×k]: each element is a dot product of two rows. */
export function matmulNT(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[j * k + p]!;
      out[i * m + j] = s;
    }
  }
  return out;
}

/** out[n×m] = aᵀ · bᵀ where a is stored as [k×n] and b as [m×k]. */
export function matmulTT(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[p * n + i]! * b[j * k + p]!;
      out[i * m + j] = s;
    }
  }
  return out;
}

/** The dot product of two vectors of length k. */
export function dot(a: Arr, b: Arr, k: number): number {
  let s = 0;
  for (let p = 0; p < k; p++) s += a[p]! * b[p]!;
  return s;
}

/** out[k×m] = a ⊗ b: out[i, j] = a[i] · b[j]. */
export function outer(out: Arr, a: Arr, b: Arr, k: number, m: number): Arr {
  for (let i = 0; i < k; i++) for (let j = 0; j < m; j++) out[i * m + j] = a[i]! * b[j]!;
  return out;
}

/** out[cols×rows] = xᵀ for x stored as [rows×cols]. */
export function transpose(out: Arr, x: Arr, rows: number, cols: number): Arr {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

/** The sum of every element. */
export function sumAll(x: Arr): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
}

/** Softmax of each row; the row maximum is subtracted first so exp cannot overflow. */
export function softmaxRows(out: Arr, x: Arr, rows: number, cols: number): Arr {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[o + j]! - max);
      out[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) out[o + j]! /= sum;
  }
  return out;
}

/** log softmax of each row: x - max - log Σ exp(x - max), finite for any finite x. */
export function logSoftmaxRows(out: Arr, x: Arr, rows: number, cols: number): Arr {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[o + j]! - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < cols; j++) out[o + j] = x[o + j]! - lse;
  }
  return out;
}

/**
 * Mean over rows of -Σ t log softmax(x) = lse(x) Σ t - Σ t x, with the log-sum-exp taken
 * after subtracting the row maximum, so logits of any finite size give a finite loss.
 */
export function softmaxLoss(x: Arr, t: Arr, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[o + j]! - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < cols; j++) if (t[o + j] !== 0) total -= t[o + j]! * (x[o + j]! - lse);
  }
  return total / rows;
}
