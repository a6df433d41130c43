// Owns the optimizers' update rules as wasm kernels, one per rule of src/train/optimizers.ts,
// each operation in the order that file applies it (JS evaluates `a * b * c` as `(a * b) * c`).
import type { ElementwiseKernel } from "./elementwise.js";

export const optimizerKernels = {
  /** p ← p − lr·g */
  sgd: {
    arrays: ["p", "g"],
    scalars: ["lr"],
    body: (e) => [e.store("p", e.sub(e.load("p"), e.mul(e.param("lr"), e.load("g"))))],
  },
  /** v ← α·v − lr·g; p ← p + v */
  momentum: {
    arrays: ["p", "g", "v"],
    scalars: ["lr", "alpha"],
    body: (e) => [
      e.let("v", e.sub(e.mul(e.param("alpha"), e.load("v")), e.mul(e.param("lr"), e.load("g")))),
      e.store("v", e.temp("v")),
      e.store("p", e.add(e.load("p"), e.temp("v"))),
    ],
  },
  /** h ← h + g·g; p ← p − lr·g / (√h + 1e-7) */
  adagrad: {
    arrays: ["p", "g", "h"],
    scalars: ["lr"],
    body: (e) => [
      e.let("g", e.load("g")),
      e.let("h", e.add(e.load("h"), e.mul(e.temp("g"), e.temp("g")))),
      e.store("h", e.temp("h")),
      e.store("p", e.sub(e.load("p"), e.div(e.mul(e.param("lr"), e.temp("g")), e.add(e.sqrt(e.temp("h")), e.num(1e-7))))),
    ],
  },
  /**
   * m ← β₁·m + (1−β₁)·g; v ← β₂·v + (1−β₂)·g·g; p ← p − lr·(m/c₁) / (√(v/c₂) + ε), where the
   * caller passes the bias corrections c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ of step t.
   */
  adam: {
    arrays: ["p", "g", "m", "v"],
    scalars: ["lr", "beta1", "beta2", "eps", "c1", "c2"],
    hoisted: [
      ["oneMinusBeta1", (e) => e.sub(e.num(1), e.param("beta1"))],
      ["oneMinusBeta2", (e) => e.sub(e.num(1), e.param("beta2"))],
    ],
    body: (e) => [
      e.let("g", e.load("g")),
      e.let("m", e.add(e.mul(e.param("beta1"), e.load("m")), e.mul(e.param("oneMinusBeta1"), e.temp("g")))),
      e.let("v", e.add(e.mul(e.param("beta2"), e.load("v")), e.mul(e.mul(e.param("oneMinusBeta2"), e.temp("g")), e.temp("g")))),
      e.store("m", e.temp("m")),
      e.store("v", e.temp("v")),
      e.store(
        "p",
        e.sub(
          e.load("p"),
          e.div(e.mul(e.param("lr"), e.div(e.temp("m"), e.param("c1"))), e.add(e.sqrt(e.div(e.temp("v"), e.param("c2"))), e.param("eps"))),
        ),
      ),
    ],
  },
} satisfies Record<string, ElementwiseKernel>;
