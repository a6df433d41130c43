// Owns running a generated module in this process: its JavaScript (`gradc compile --lang js`)
// is imported from a data: URL, which Node and browsers both load, so what runs is what
// `gradc compile` writes, and nothing strips types or touches the file system at run time.
import type { Dtype } from "../emit/options.js";
import type { Value } from "./tensor.js";

/** One entry of a module's `meta.inputs`, `params` or `outputs`: a symbolic dimension is its name. */
export interface ValueMeta {
  readonly name: string;
  readonly shape: readonly (number | string)[];
}

/** What a generated module exports, seen from outside. */
export interface GraphModule {
  readonly meta: {
    readonly graph: string;
    readonly dtype: Dtype;
    readonly inputs: readonly ValueMeta[];
    readonly params: readonly ValueMeta[];
    readonly outputs: readonly ValueMeta[];
    readonly grad: { readonly of: string; readonly wrt: readonly string[] };
  };
  readonly defaults: Readonly<Record<string, Value>>;
  init(seed?: number): Record<string, Value>;
  forward(inputs: Record<string, Value>, params: Record<string, Value>): GraphForward;
  backward(fwd: GraphForward, upstream?: Value): Record<string, Value>;
  readonly InputError: new (message: string) => Error;
  /** Present when the graph has a scalar loss and params to train: see GraphTrainer. */
  createTrainer?(params: Record<string, Value>, options?: GraphTrainerOptions): GraphTrainer;
}

/** A module's `TrainerOptions`: the optimizer by name and its hyper-parameters. */
export interface GraphTrainerOptions {
  readonly optimizer?: "sgd" | "momentum" | "adagrad" | "adam";
  readonly lr?: number;
  readonly alpha?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

/** A module's `Trainer`: forward, backward and the update in one call per batch, on params it keeps. */
export interface GraphTrainer {
  /** One step on one batch; returns the loss. */
  step(inputs: Record<string, Value>): number;
  /** A copy of the current params. */
  params(): Record<string, Value>;
}

/** What a module's `forward` returns: the outputs, and what `backward` needs. */
export interface GraphForward {
  readonly outputs: Record<string, Value>;
  readonly saved: unknown;
}

/** Imports a generated JavaScript module (`lang: "js"`) as a live module. */
export async function loadModule(code: string): Promise<GraphModule> {
  return (await import(/* @vite-ignore */ `data:text/javascript;charset=utf-8,${encodeURIComponent(code)}`)) as GraphModule;
}
