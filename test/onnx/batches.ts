// The TwoLayerNet's training batches the ONNX tests step with: random images and one-hot labels.
import type { Tensor } from "../../src/index.js";
import { gaussian, mulberry32 } from "../../src/runtime/random.js";

const ROWS = 8;

/** A batch of ROWS random images and one-hot labels, different for each step. */
export function batch(step: number): { x: Tensor; t: Tensor } {
  const random = mulberry32(100 + step);
  const x = new Float64Array(ROWS * 784).map(() => gaussian(random));
  const t = new Float64Array(ROWS * 10);
  for (let r = 0; r < ROWS; r++) t[r * 10 + Math.floor(random() * 10)] = 1;
  return { x: { shape: [ROWS, 784], data: x }, t: { shape: [ROWS, 10], data: t } };
}

