// How a module's trainer (`createTrainer`) updates its params in place: the runtime's optimizers
// (src/train/optimizers.ts) as loops over the module's own arrays, with the same arithmetic in
// the same order, so in f64 both give the same numbers. The wasm target runs the same rules as
// WebAssembly SIMD kernels (src/emit/helpers/wasm.ts).
import type { Arr } from "./arr.js";
import { describe, InputError, take } from "./checks.js";

/** The update rules a trainer knows, as `createTrainer`'s `optimizer` option names them. */
export type UpdateName = "sgd" | "momentum" | "adagrad" | "adam";

/** An update rule with every hyper-parameter settled, and how many state arrays it keeps per param. */
export interface UpdateRule {
  readonly optimizer: UpdateName;
  readonly lr: number;
  readonly alpha: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** State arrays per param: momentum's velocity, adagrad's sum of squares, adam's two moments. */
  readonly slots: number;
}

/**
 * The rule `options` asks for, with each optimizer's usual values for what it leaves out (the
 * runtime's defaults). Options another optimizer takes are refused, so a misplaced one is not
 * silently ignored.
 */
export function updateRule(options: unknown): UpdateRule {
  if (options === undefined) options = {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InputError(`The trainer's options must be an object, got ${describe(options)}.`);
  }
  const given = options;
  const known: Record<UpdateName, readonly string[]> = {
    sgd: ["lr"],
    momentum: ["lr", "alpha"],
    adagrad: ["lr"],
    adam: ["lr", "beta1", "beta2", "eps"],
  };
  const name = take(given, "optimizer") ?? "sgd";
  if (name !== "sgd" && name !== "momentum" && name !== "adagrad" && name !== "adam") {
    throw new InputError(`Unknown optimizer ${typeof name === "string" ? JSON.stringify(name) : describe(name)}; the trainer knows "sgd", "momentum", "adagrad" and "adam".`);
  }
  const all = ["optimizer", ...new Set(Object.values(known).flat())];
  for (const key of Object.keys(given)) {
    if (!all.includes(key)) {
      throw new InputError(`Unknown option ${JSON.stringify(key)}; the trainer's options are ${all.map((k) => JSON.stringify(k)).join(", ")}.`);
    }
    if (key !== "optimizer" && !known[name].includes(key)) {
      throw new InputError(
        `Option ${JSON.stringify(key)} does not apply to ${name}; it takes ${known[name].map((k) => JSON.stringify(k)).join(", ")}.`,
      );
    }
  }
  const option = (key: string, fallback: number, valid: (x: number) => boolean, range: string): number => {
    const value = take(given, key);
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !valid(value)) {
      throw new InputError(`Option ${JSON.stringify(key)} must be a number ${range}, got ${describe(value)}.`);
    }
    return value;
  };
  const positive = (x: number) => x > 0 && x < Infinity;
  const fraction = (x: number) => x >= 0 && x < 1;
  const defaultLr = name === "sgd" ? 0.1 : name === "adam" ? 0.001 : 0.01;
  return {
    optimizer: name,
    lr: option("lr", defaultLr, positive, "above 0"),
    alpha: option("alpha", 0.9, fraction, "in [0, 1)"),
    beta1: option("beta1", 0.9, fraction, "in [0, 1)"),
    beta2: option("beta2", 0.999, fraction, "in [0, 1)"),
    eps: option("eps", 1e-8, positive, "above 0"),
    slots: name === "sgd" ? 0 : name === "adam" ? 2 : 1,
  };
}

/**
 * One update of param `p` from its gradient `g`, in place; `s0` and `s1` are its state arrays
 * (as many as the rule's slots, the others empty) and `step` counts updates from 1 (adam's bias
 * correction).
 */
export function updateParam(rule: UpdateRule, step: number, p: Arr, g: Arr, s0: Arr, s1: Arr): void {
  const { lr, alpha, beta1, beta2, eps } = rule;
  switch (rule.optimizer) {
    case "sgd": // W ← W − lr·∂L/∂W
      for (let i = 0; i < p.length; i++) p[i]! -= lr * g[i]!;
      return;
    case "momentum": // v ← αv − lr·∂L/∂W; W ← W + v
      for (let i = 0; i < p.length; i++) {
        s0[i] = alpha * s0[i]! - lr * g[i]!;
        p[i] = p[i]! + s0[i]!;
      }
      return;
    case "adagrad": // h ← h + (∂L/∂W)²; W ← W − lr·∂L/∂W / (√h + 1e-7)
      for (let i = 0; i < p.length; i++) {
        s0[i]! += g[i]! * g[i]!;
        p[i] = p[i]! - (lr * g[i]!) / (Math.sqrt(s0[i]!) + 1e-7);
      }
      return;
    case "adam": {
      // m, v: running moments of the gradient and its square, bias-corrected by 1 − β^t.
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        s0[i] = beta1 * s0[i]! + (1 - beta1) * gi;
        s1[i] = beta2 * s1[i]! + (1 - beta2) * gi * gi;
        p[i] = p[i]! - (lr * (s0[i]! / c1)) / (Math.sqrt(s1[i]! / c2) + eps);
      }
      return;
    }
  }
}
