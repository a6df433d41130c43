// Owns the optimizer step of an exported training step: gradc's update rules
// (src/train/optimizers.ts) as ONNX nodes, with the same hyper-parameters and the same order of
// operations, and the state each one carries from step to step.
import type { OptimizerName } from "../train/optimizers.js";
import type { OnnxGraphBuilder } from "./builder.js";

// The hyper-parameters of src/train/optimizers.ts (its defaults: gradc's optimizers take no others).
const ALPHA = 0.9;
const ADAGRAD_EPS = 1e-7;
const BETA1 = 0.9;
const BETA2 = 0.999;
const ADAM_EPS = 1e-8;

/** The names of a param's optimizer state, as inputs; each has an output `<name>.next`. */
export function stateNames(optimizer: OptimizerName, param: string): string[] {
  switch (optimizer) {
    case "sgd":
      return [];
    case "momentum":
      return [`${param}.velocity`];
    case "adagrad":
      return [`${param}.sumsq`];
    case "adam":
      return [`${param}.m`, `${param}.v`];
  }
}

/** Adam's step counter: the steps done before this one (0 at first). */
export const ADAM_STEP = "adam.step";

/** What one param's update reads: its value, its gradient, and its state (by stateNames). */
export interface ParamUpdate {
  readonly param: string;
  readonly grad: string;
}

/**
 * Adds the nodes that compute `<param>.next` for each param and `<state>.next` for each state
 * value (and `adam.step.next`), from the learning rate `lr`.
 */
export function addUpdates(b: OnnxGraphBuilder, optimizer: OptimizerName, updates: readonly ParamUpdate[], lr: string): void {
  const op = (base: string, opType: string, inputs: readonly string[], output?: string) =>
    b.op(opType, inputs, {}, output ?? b.fresh(`${base}/${opType}`));
  // Adam's bias corrections use t = step + 1, shared by every param.
  let corrections: { m: string; v: string } | undefined;
  if (optimizer === "adam") {
    const t = op(ADAM_STEP, "Add", [ADAM_STEP, b.num(1)], `${ADAM_STEP}.next`);
    corrections = {
      m: op(ADAM_STEP, "Sub", [b.num(1), op(ADAM_STEP, "Pow", [b.num(BETA1), t])]),
      v: op(ADAM_STEP, "Sub", [b.num(1), op(ADAM_STEP, "Pow", [b.num(BETA2), t])]),
    };
  }
  for (const { param: p, grad: g } of updates) {
    const next = `${p}.next`;
    const o = (opType: string, inputs: readonly string[], output?: string) => op(next, opType, inputs, output);
    switch (optimizer) {
      case "sgd":
        // W ← W − lr·g
        o("Sub", [p, o("Mul", [lr, g])], next);
        break;
      case "momentum": {
        // v ← αv − lr·g; W ← W + v
        const [v] = stateNames(optimizer, p) as [string];
        const vNext = o("Sub", [o("Mul", [b.num(ALPHA), v]), o("Mul", [lr, g])], `${v}.next`);
        o("Add", [p, vNext], next);
        break;
      }
      case "adagrad": {
        // h ← h + g²; W ← W − lr·g / (√h + 1e-7)
        const [h] = stateNames(optimizer, p) as [string];
        const hNext = o("Add", [h, o("Mul", [g, g])], `${h}.next`);
        o("Sub", [p, o("Div", [o("Mul", [lr, g]), o("Add", [o("Sqrt", [hNext]), b.num(ADAGRAD_EPS)])])], next);
        break;
      }
      case "adam": {
        // m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g·g; W ← W − lr·m̂ / (√v̂ + ε), m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)
        const [m, v] = stateNames(optimizer, p) as [string, string];
        const mNext = o("Add", [o("Mul", [b.num(BETA1), m]), o("Mul", [b.num(1 - BETA1), g])], `${m}.next`);
        const vNext = o("Add", [o("Mul", [b.num(BETA2), v]), o("Mul", [o("Mul", [b.num(1 - BETA2), g]), g])], `${v}.next`);
        const mHat = o("Div", [mNext, corrections!.m]);
        const vHat = o("Div", [vNext, corrections!.v]);
        o("Sub", [p, o("Div", [o("Mul", [lr, mHat]), o("Add", [o("Sqrt", [vHat]), b.num(ADAM_EPS)])])], next);
        break;
      }
    }
  }
}
