// Owns the optimizers a training loop steps params with (the book's chapter 6 update rules).
// They update tensors in place and return scalars anew, so they work with any generated module.
import type { GraphTrainerOptions } from "../runtime/load.js";
import { setOwn } from "../runtime/records.js";
import { isTensor, type Value } from "../runtime/tensor.js";

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
   * Applies one update to `params` from `grads`, in place: a generated module's Params and
   * Grads, or any object of numbers and tensors. Each param with a gradient of its name is
   * updated (gradients of other names, such as inputs', are left aside); a gradient that does not
   * fit its param (a number for a number, a tensor of the same shape for a tensor) is refused
   * with an OptimizerError before anything is changed.
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

/** An optimizer asked for with a hyper-parameter out of range, or stepped with gradients that do not fit its params. */
export class OptimizerError extends Error {
  override name = "OptimizerError";
}

/** A value named for a message: a number itself, a string quoted, anything else by kind. */
function shown(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (value === undefined || value === null) return String(value);
  return isTensor(value) ? "a tensor" : `a ${typeof value}`;
}

/** `value`, once checked to be a number `valid` accepts (`range` says which, for the message). */
function hyper(optimizer: string, key: string, value: unknown, valid: (x: number) => boolean, range: string): number {
  if (typeof value !== "number" || !valid(value)) throw new OptimizerError(`${optimizer}: ${key} must be a number ${range}, got ${shown(value)}.`);
  return value;
}
const positive = (x: number) => x > 0 && x < Infinity;
const fraction = (x: number) => x >= 0 && x < 1;

/**
 * The params that have a gradient, each with it, once every such gradient is checked to fit its
 * param (a number for a number, a tensor of the same shape for a tensor): so a misfit is refused
 * before any param changes, and no update writes past or short of a param.
 */
function pairs(params: Params, grads: Grads): [name: string, p: Value, g: Value][] {
  const found: [string, Value, Value][] = [];
  for (const name of Object.keys(grads)) {
    const p = params[name];
    const g: unknown = grads[name];
    if (p === undefined || g === undefined) continue;
    if (typeof p === "number") {
      if (typeof g !== "number") throw new OptimizerError(`The gradient of "${name}" must be a number, like the param, got ${shown(g)}.`);
    } else {
      const fits = isTensor(g) && Array.isArray(g.shape) && g.shape.length === p.shape.length && g.shape.every((d, i) => d === p.shape[i]) && g.data?.length === p.data.length;
      if (!fits) {
        const values = (g as { data?: { length?: unknown } }).data?.length;
        const held = isTensor(g) && Array.isArray(g.shape) && values !== g.shape.reduce((a: number, d: number) => a * d, 1) ? ` holding ${String(values)} value${values === 1 ? "" : "s"}` : "";
        const got = isTensor(g) && Array.isArray(g.shape) ? `shape [${g.shape.join(", ")}]${held}` : shown(g);
        throw new OptimizerError(`The gradient of "${name}" must be a tensor of the param's shape [${p.shape.join(", ")}], got ${got}.`);
      }
    }
    found.push([name, p, g as Value]);
  }
  return found;
}

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
    for (const [name, p, g] of pairs(params, grads)) {
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
  hyper("sgd", "lr", lr, positive, "above 0");
  // A plain loop: the update is on every training step's critical path.
  return {
    name: "sgd",
    trainerOptions: { optimizer: "sgd", lr },
    step: (paramsObject, gradsObject) => {
      const params = paramsObject as Params;
      const grads = gradsObject as Grads;
      for (const [name, p, g] of pairs(params, grads)) {
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
  hyper("momentum", "lr", lr, positive, "above 0");
  hyper("momentum", "alpha", alpha, fraction, "in [0, 1)");
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
  hyper("adagrad", "lr", lr, positive, "above 0");
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
  hyper("adam", "lr", lr, positive, "above 0");
  hyper("adam", "beta1", beta1, fraction, "in [0, 1)");
  hyper("adam", "beta2", beta2, fraction, "in [0, 1)");
  hyper("adam", "eps", eps, positive, "above 0");
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
      try {
        update(params as Params, grads as Grads);
      } catch (e) {
        t--; // refused before any param changed: the step did not happen
        throw e;
      }
    },
  };
}

/** The optimizer of that name, with its default learning rate unless `lr` is given. */
export function makeOptimizer(name: OptimizerName, lr?: number): Optimizer {
  if (!optimizerNames.includes(name)) {
    throw new OptimizerError(`Unknown optimizer ${shown(name)}; the optimizers are ${optimizerNames.map((n) => JSON.stringify(n)).join(", ")}.`);
  }
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
