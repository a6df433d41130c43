// Seeded random numbers for init(): mulberry32, and Box–Muller for Gaussians, so the same seed
// gives the same params on every machine and in every browser.
import { Arr, type Tensor } from "./arr.js";

/** mulberry32: a small, fast generator of uniform numbers in [0, 1) from a 32-bit seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tensor of uniform samples in [lo, hi). */
export function uniform(random: () => number, shape: number[], lo: number, hi: number): Tensor {
  const data = new Arr(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random();
  return { shape, data };
}

/** A tensor of Gaussian samples with the given mean and standard deviation. */
export function normal(random: () => number, shape: number[], mean: number, std: number): Tensor {
  const data = new Arr(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) {
    // Box–Muller: 1 - random() is in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    data[i] = mean + std * r * Math.cos(2 * Math.PI * random());
  }
  return { shape, data };
}

/** A tensor with every element `value`. */
export function filled(shape: number[], value: number): Tensor {
  return { shape, data: new Arr(shape.reduce((p, d) => p * d, 1)).fill(value) };
}
