// Owns the optimizers a training loop steps params with (the book's chapter 6 update rules).
// They update tensors in place and return scalars anew, so they work with any generated module.
import type { GraphTrainerOptions } from "../runtime/load.js";
import { setOwn } from "../runtime/records.js";
import type { Value } from "../runtime/tensor.js";

/** Any module's params, by name: numbers and tensors. */
export type Params = Record<string, Value>;
/** Any module's gradients, by name. */
export type Grads = Readonly<Record<string, Value>>;

/** An update rule with its state (momentum, running averages), stepped once per batch. */
export interface Optimizer {
  readonly name: string;
  /**
   * The same rule as a generated module's `createTrainer` options, for the optimizers made here:
   * `train` then runs the module's fused step instead of forward, backward and `step`.
   */
  readonly trainerOptions?: GraphTrainerOptions;
  /**
   * Applies one update to `params` from `grads` (same keys), in place: a generated module's
   * Params and Grads, or any object of numbers and tensors.
   */
  step(params: object, grads: object): void;
}

/** The optimizers `makeOptimizer` knows by name. */
export type OptimizerName = "sgd" | "momentum" | "adagrad" | "adam";

/** Every `OptimizerName`, as `gradc train --optimizer` accepts them. */
export const optimizerNames: readonly OptimizerName[] = ["sgd", "momentum", "adagrad", "adam"];

/** The learning rate each optimizer uses when none is given (the book's choices). */
export const defaultLearningRates: Readonly<Record<OptimizerName, number>> = {
  sgd: 0.1,
  momentum: 0.01,
  adagrad: 0.01,
  adam: 0.001,
};

/**
 * Runs `update(i, p, g)` for each element of each param; `state` arrays (one per slot,
 * shaped like the param) are created on first use, so state follows the params it sees.
 */
function elementwise(
  slots: number,
  update: (p: number, g: number, state: Float64Array[], i: number) => number,
): (params: Params, grads: Grads) => void {
  const states = new Map<string, Float64Array[]>();
  return (params: Params, grads: Grads) => {
    for (const name of Object.keys(grads)) {
      const p = params[name];
      const g = grads[name];
      if (p === undefined || g === undefined) continue;
      const size = typeof p === "number" ? 1 : p.data.length;
      let state = states.get(name);
      if (!state) {
        state = Array.from({ length: slots }, () => new Float64Array(size));
        states.set(name, state);
      }
      if (typeof p === "number") {
        setOwn<Value>(params, name, update(p, g as number, state, 0));
        continue;
      }
      const pd = p.data;
      const gd = (g as Exclude<Value, number>).data;
      for (let i = 0; i < pd.length; i++) pd[i] = update(pd[i]!, gd[i]!, state, i);
    }
  };
}

/** Adapts an update over name-keyed values to Optimizer.step's plain objects. */
function stepWith(update: (params: Params, grads: Grads) => void): Optimizer["step"] {
  return (params, grads) => update(params as Params, grads as Grads);
}

// One loop per element type, so each stays monomorphic for the JIT (the update runs every step).
function descend32(p: Float32Array, g: Float32Array, lr: number): void {
  for (let i = 0; i < p.length; i++) p[i]! -= lr * g[i]!;
}

function descend64(p: Float64Array | Float32Array, g: Float64Array | Float32Array, lr: number): void {
  for (let i = 0; i < p.length; i++) p[i]! -= lr * g[i]!;
}

/** W ← W − lr·∂L/∂W */
export function sgd(lr = defaultLearningRates.sgd): Optimizer {
  // A plain loop: the update is on every training step's critical path.
  return {
    name: "sgd",
    trainerOptions: { optimizer: "sgd", lr },
    step: (paramsObject, gradsObject) => {
      const params = paramsObject as Params;
      const grads = gradsObject as Grads;
      for (const name of Object.keys(grads)) {
        const p = params[name];
        const g = grads[name];
        if (p === undefined || g === undefined) continue;
        if (typeof p === "number") {
          setOwn<Value>(params, name, p - lr * (g as number));
          continue;
        }
        const pd = p.data;
        const gd = (g as Exclude<Value, number>).data;
        if (pd instanceof Float32Array && gd instanceof Float32Array) descend32(pd, gd, lr);
        else descend64(pd, gd, lr);
      }
    },
  };
}

/** v ← αv − lr·∂L/∂W; W ← W + v */
export function momentum(lr = defaultLearningRates.momentum, alpha = 0.9): Optimizer {
  return {
    name: "momentum",
    trainerOptions: { optimizer: "momentum", lr, alpha },
    step: stepWith(elementwise(1, (p, g, [v], i) => {
      v![i] = alpha * v![i]! - lr * g;
      return p + v![i]!;
    })),
  };
}

/** h ← h + (∂L/∂W)²; W ← W − lr·∂L/∂W / (√h + 1e-7) */
export function adagrad(lr = defaultLearningRates.adagrad): Optimizer {
  return {
    name: "adagrad",
    trainerOptions: { optimizer: "adagrad", lr },
    step: stepWith(elementwise(1, (p, g, [h], i) => {
      h![i] += g * g;
      return p - (lr * g) / (Math.sqrt(h![i]!) + 1e-7);
    })),
  };
}

/** Adam with bias correction: m, v running moments of the gradient and its square. */
export function adam(lr = defaultLearningRates.adam, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): Optimizer {
  let t = 0;
  const update = elementwise(2, (p, g, [m, v], i) => {
    m![i] = beta1 * m![i]! + (1 - beta1) * g;
    v![i] = beta2 * v![i]! + (1 - beta2) * g * g;
    const mHat = m![i]! / (1 - beta1 ** t);
    const vHat = v![i]! / (1 - beta2 ** t);
    return p - (lr * mHat) / (Math.sqrt(vHat) + eps);
  });
  return {
    name: "adam",
    trainerOptions: { optimizer: "adam", lr, beta1, beta2, eps },
    step: (params, grads) => {
      t++;
      update(params as Params, grads as Grads);
    },
  };
}

/** The optimizer of that name, with its default learning rate unless `lr` is given. */
export function makeOptimizer(name: OptimizerName, lr?: number): Optimizer {
  switch (name) {
    case "sgd":
      return sgd(lr);
    case "momentum":
      return momentum(lr);
    case "adagrad":
      return adagrad(lr);
    case "adam":
      return adam(lr);
  }
}
