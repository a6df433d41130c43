// The loops the ops' emit rules call by name (EmitContext.kernel): matrix products that read a
// transposed operand in place, reductions and the row-wise softmax family. Each works on
// row-major typed arrays; the output array is passed in (the module's reused buffers).
import type { Arr } from "./arr.js";

/**
 * out[n×m] = A · B, overwriting out, where A[i, p] is a[i·ai + p·ap] and B[p, j] is
 * b[p·bp + j·bj]: the strides say whether an operand is read as stored or transposed.
 *
 * Register-blocked: each 4×4 block of out is summed in sixteen local variables over all of k,
 * so one step of p loads 4 elements of A and 4 of B for 16 multiply-adds (a plain loop loads
 * two for one, and reads and writes out as well), and out is written once and never read.
 * Rows and columns past the last multiple of 4 are done in 4×1, 1×4 and 1×1 blocks. Each
 * element is still summed over p from 0 upwards, as the definition sums it.
 */
export function matmulBlocked(
  out: Arr,
  a: Arr,
  b: Arr,
  n: number,
  k: number,
  m: number,
  ai: number,
  ap: number,
  bp: number,
  bj: number,
): Arr {
  const mLast = m - (m % 4);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const row = i * m;
    let j = 0;
    for (; j < mLast; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let p = 0, pa = i * ai, pb = j * bj; p < k; p++, pa += ap, pb += bp) {
        const a0 = a[pa]!, a1 = a[pa + ai]!, a2 = a[pa + 2 * ai]!, a3 = a[pa + 3 * ai]!;
        const b0 = b[pb]!, b1 = b[pb + bj]!, b2 = b[pb + 2 * bj]!, b3 = b[pb + 3 * bj]!;
        s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
        s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
        s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
        s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
      }
      const o = row + j;
      out[o] = s00; out[o + 1] = s01; out[o + 2] = s02; out[o + 3] = s03;
      out[o + m] = s10; out[o + m + 1] = s11; out[o + m + 2] = s12; out[o + m + 3] = s13;
      out[o + 2 * m] = s20; out[o + 2 * m + 1] = s21; out[o + 2 * m + 2] = s22; out[o + 2 * m + 3] = s23;
      out[o + 3 * m] = s30; out[o + 3 * m + 1] = s31; out[o + 3 * m + 2] = s32; out[o + 3 * m + 3] = s33;
    }
    for (; j < m; j++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0, pa = i * ai, pb = j * bj; p < k; p++, pa += ap, pb += bp) {
        const bpj = b[pb]!;
        s0 += a[pa]! * bpj; s1 += a[pa + ai]! * bpj; s2 += a[pa + 2 * ai]! * bpj; s3 += a[pa + 3 * ai]! * bpj;
      }
      out[row + j] = s0; out[row + m + j] = s1; out[row + 2 * m + j] = s2; out[row + 3 * m + j] = s3;
    }
  }
  for (; i < n; i++) {
    const row = i * m;
    let j = 0;
    for (; j < mLast; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0, pa = i * ai, pb = j * bj; p < k; p++, pa += ap, pb += bp) {
        const aip = a[pa]!;
        s0 += aip * b[pb]!; s1 += aip * b[pb + bj]!; s2 += aip * b[pb + 2 * bj]!; s3 += aip * b[pb + 3 * bj]!;
      }
      out[row + j] = s0; out[row + j + 1] = s1; out[row + j + 2] = s2; out[row + j + 3] = s3;
    }
    for (; j < m; j++) {
      let s = 0;
      for (let p = 0, pa = i * ai, pb = j * bj; p < k; p++, pa += ap, pb += bp) s += a[pa]! * b[pb]!;
      out[row + j] = s;
    }
  }
  return out;
}

/** out[n×m] = a[n×k] · b[k×m]. */
export function matmulNN(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  return matmulBlocked(out, a, b, n, k, m, k, 1, m, 1);
}

/** out[n×m] = aᵀ · b where a is stored as [k×n]: the transpose is read in place. */
export function matmulTN(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  return matmulBlocked(out, a, b, n, k, m, 1, n, m, 1);
}

/** out[n×m] = a · bᵀ where b is stored as [m×k]. */
export function matmulNT(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  return matmulBlocked(out, a, b, n, k, m, k, 1, 1, k);
}

/** out[n×m] = aᵀ · bᵀ where a is stored as [k×n] and b as [m×k]. */
export function matmulTT(out: Arr, a: Arr, b: Arr, n: number, k: number, m: number): Arr {
  return matmulBlocked(out, a, b, n, k, m, 1, n, 1, k);
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

/** out[i, j] = x[i, j] + b[j] for x of shape [rows × cols]; out may be x. */
export function addRowBias(out: Arr, x: Arr, b: Arr, rows: number, cols: number): Arr {
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) out[row + j] = x[row + j]! + b[j]!;
  }
  return out;
}

/** out[i, j] = max(0, x[i, j] + b[j]): a dense layer's bias and ReLU; out may be x. */
export function addRowBiasRelu(out: Arr, x: Arr, b: Arr, rows: number, cols: number): Arr {
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) out[row + j] = Math.max(0, x[row + j]! + b[j]!);
  }
  return out;
}

/** out[j] = Σ_i x[i, j] for x of shape [rows × cols], summed in row order (a bias's gradient). */
export function sumRows(out: Arr, x: Arr, rows: number, cols: number): Arr {
  out.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) out[j]! += x[row + j]!;
  }
  return out;
}
