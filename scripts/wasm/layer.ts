// Owns the element-wise work of a dense layer's training step as wasm kernels, each the same
// operations, in the same order, as the ts target's loops for it (so bit-identical to them).
import type { ElementwiseKernel } from "./elementwise.js";

export const layerKernels = {
  /** out = x + b, b[cols] added to every row of x[rows×cols] */
  addRowBias: {
    arrays: ["out", "x", "b"],
    perColumn: ["b"],
    scalars: [],
    body: (e) => [e.store("out", e.add(e.load("x"), e.load("b")))],
  },
  /** out = Math.max(0, x + b) */
  addRowBiasRelu: {
    arrays: ["out", "x", "b"],
    perColumn: ["b"],
    scalars: [],
    body: (e) => [e.store("out", e.max(e.num(0), e.add(e.load("x"), e.load("b"))))],
  },
  /** out = dh · (h > 0 ? 1 : 0): ReLU's gradient from its output h (a product, so −0 and NaN as JS gives them) */
  reluBackward: {
    arrays: ["out", "dh", "h"],
    scalars: [],
    body: (e) => [e.store("out", e.mul(e.load("dh"), e.positive(e.load("h"))))],
  },
} satisfies Record<string, ElementwiseKernel>;
