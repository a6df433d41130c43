// Owns minibatch training with a generated module: shuffle, batch, forward, backward,
// optimizer step; then loss and accuracies per epoch. It is I/O-free: progress, logging,
// saving and stopping are the caller's (the CLI's) through the hooks.
import type { GraphModule } from "../runtime/load.js";
import { mulberry32, shuffle } from "../runtime/random.js";
import { getOwn, setOwn } from "../runtime/records.js";
import { copyValue, type Tensor, type Value } from "../runtime/tensor.js";
import { argmax, TRAIN_FRACTION, type Examples, type Split } from "./data.js";
import type { Optimizer, Params } from "./optimizers.js";

/** How `train` trains: epochs, batch size, optimizer, seed, which inputs and output, and hooks. */
export interface TrainOptions {
  readonly epochs: number;
  readonly batch: number;
  readonly optimizer: Optimizer;
  readonly seed: number;
  /** The graph input that receives the features. */
  readonly features: string;
  /** The graph input that receives the labels. */
  readonly labels: string;
  /** The output whose row-wise argmax is the prediction; accuracy is not measured without one. */
  readonly predict?: string;
  /** Params to start from (a resumed run); init(seed) when absent. */
  readonly params?: Params;
  /**
   * Another engine's training step, in place of the module's forward, backward and `optimizer`:
   * given a batch's inputs and the params, it leaves the updated values in `params` and returns
   * the batch's loss. The module still measures the accuracies.
   */
  readonly step?: (inputs: Record<string, Value>, params: Params) => Promise<number>;
  /** Called after each batch. */
  readonly onBatch?: (done: number, total: number, loss: number) => void;
  /** Called after each epoch. */
  readonly onEpoch?: (stats: EpochStats, params: Params) => void;
  /**
   * Measures the accuracies of a copy of the params elsewhere (another thread), so the next epoch
   * trains meanwhile; each epoch is then reported once its accuracies arrive. Without it they are
   * measured here, between epochs.
   */
  readonly evaluate?: (params: Params) => Promise<Accuracies>;
  /** Checked between batches; true stops training after the current batch. */
  readonly shouldStop?: () => boolean;
}

/** What one epoch of `train` measured. */
export interface EpochStats {
  readonly epoch: number;
  /** Mean loss over the epoch's batches. */
  readonly loss: number;
  readonly trainAccuracy?: number;
  readonly testAccuracy?: number;
  /** The whole epoch. */
  readonly seconds: number;
  /** Of which: inside the training steps (forward, backward and update). */
  readonly stepSeconds: number;
  /** Shuffling and copying examples into batches. */
  readonly dataSeconds: number;
  /** Measuring the accuracies (on another thread, overlapping the next epoch, with `evaluate`). */
  readonly evalSeconds: number;
}

/** What `TrainOptions.evaluate` measures: the accuracies, and how long that took where it ran. */
export interface Accuracies {
  readonly trainAccuracy?: number;
  readonly testAccuracy?: number;
  readonly seconds: number;
}

/** What `train` returns: the trained params and the statistics of each epoch. */
export interface TrainResult {
  readonly params: Params;
  readonly history: readonly EpochStats[];
  /** Whether shouldStop ended training early. */
  readonly stopped: boolean;
}

/** Why a graph cannot be trained as asked, phrased for the user. */
export class TrainError extends Error {}

const EVAL_BATCH = 1000;

/**
 * How often training lets pending events run (Ctrl-C, progress output, the accuracies arriving,
 * a page's input), in milliseconds: often enough to feel immediate, rarely enough that a batch of
 * a small net does not pay an event-loop turn (≈ 25 µs) every time.
 */
const YIELD_EVERY_MS = 8;

/**
 * Resolves after pending events have run: at once in Node (setImmediate), through a message
 * in browsers and workers (setTimeout would wait at least 4 ms there).
 */
function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (run: () => void) => void }).setImmediate;
  if (immediate) return new Promise((resolve) => immediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Checks that the graph can be trained on `data` and picks the prediction output. */
export function planTraining(mod: GraphModule, data: Split, features: string, labels: string, predict?: string): { predict?: string } {
  const input = (name: string, role: string) => {
    const v = mod.meta.inputs.find((i) => i.name === name);
    if (!v) {
      const names = mod.meta.inputs.map((i) => `"${i.name}"`).join(", ") || "none";
      throw new TrainError(`The graph has no input "${name}" for the ${role}; its inputs are ${names} (choose with --${role} NAME).`);
    }
    if (v.shape.length !== 2) throw new TrainError(`Input "${name}" must have shape [N, size] to take a batch of ${role}.`);
    return v;
  };
  const f = input(features, "features");
  const l = input(labels, "labels");
  if (typeof f.shape[0] === "number" || f.shape[0] !== l.shape[0]) {
    throw new TrainError(
      `Inputs "${features}" and "${labels}" need the same symbolic batch dimension, like [N, size]: batches and evaluation vary in size.`,
    );
  }
  if (data.train.rows === 0) {
    throw new TrainError(
      `The data has no training examples: each class gives its first ${TRAIN_FRACTION * 100} % to training, and ${data.test.rows} examples are too few.`,
    );
  }
  const width = f.shape[1];
  if (typeof width === "number" && width !== data.train.width) {
    throw new TrainError(`Input "${features}" takes ${width} features per example but the data has ${data.train.width}.`);
  }
  const classes = l.shape[1];
  if (typeof classes === "number" && classes !== data.train.classes) {
    throw new TrainError(`Input "${labels}" takes ${classes} label values per example but the data has ${data.train.classes}.`);
  }
  const loss = mod.meta.outputs.find((o) => o.name === mod.meta.grad.of);
  if (!loss || loss.shape.length !== 0) {
    throw new TrainError(`Training needs a scalar loss: "${mod.meta.grad.of}" (the graph's \`grad\` output) is not a scalar.`);
  }
  if (!mod.meta.params.some((p) => mod.meta.grad.wrt.includes(p.name))) {
    const wrt = mod.meta.grad.wrt.map((w) => `"${w}"`).join(", ") || "nothing";
    throw new TrainError(`Training needs a param to train, but the graph's \`grad\` is taken with respect to ${wrt}, and no param is among them.`);
  }
  const others = mod.meta.inputs.filter(
    (i) => i.name !== features && i.name !== labels && getOwn(mod.defaults, i.name) === undefined,
  );
  if (others.length > 0) {
    throw new TrainError(`Input "${others[0]!.name}" has no default value, and training feeds only the features and labels.`);
  }
  if (predict !== undefined) {
    const out = mod.meta.outputs.find((o) => o.name === predict);
    if (!out) throw new TrainError(`The graph has no output "${predict}" to predict with.`);
    if (out.shape.length !== 2 || out.shape[0] !== f.shape[0]) {
      throw new TrainError(`Output "${predict}" must have one row per example, shape [${String(f.shape[0])}, classes], to predict with.`);
    }
    return { predict };
  }
  // By convention the prediction is the first output shaped like the labels.
  const guess = mod.meta.outputs.find(
    (o) => o.name !== mod.meta.grad.of && o.shape.length === 2 && o.shape[1] === l.shape[1] && o.shape[0] === l.shape[0],
  );
  return { predict: guess?.name };
}

/**
 * Minibatch training, as `gradc train` runs it: each epoch shuffles the training examples
 * (seeded), runs forward, backward and an optimizer step per batch, then measures the loss and
 * the accuracies. The training examples are read as they are when it is called (for an f32
 * module, converted once then); the test examples as they are at each measurement.
 */
export async function train(mod: GraphModule, data: Split, options: TrainOptions): Promise<TrainResult> {
  const { predict } = planTraining(mod, data, options.features, options.labels, options.predict);
  const params: Params = options.params ?? mod.init(options.seed);
  const random = mulberry32(options.seed ^ 0x5eed);
  const order = Int32Array.from({ length: data.train.rows }, (_, i) => i);
  const history: EpochStats[] = [];
  const batches = Math.ceil(data.train.rows / options.batch);
  const nextBatch = batcher(mod, options.features, options.labels);
  let stopped = false;
  let lastYield = performance.now();

  // The module's fused step, where it has one and the optimizer is one of the runtime's: the
  // params and the optimizer's state stay in the module between steps.
  const trainerOptions = options.optimizer.trainerOptions;
  const fused = !options.step && trainerOptions && mod.createTrainer ? mod.createTrainer(params, trainerOptions) : undefined;
  const syncParams = () => {
    if (fused) for (const [name, value] of Object.entries(fused.params())) setOwn(params, name, value);
  };
  // An epoch whose accuracies `options.evaluate` is measuring, and how it is reported: the time
  // spent waiting for them (not the time they took elsewhere) counts in the epoch's seconds.
  type Measuring = {
    trained: Omit<EpochStats, "trainAccuracy" | "testAccuracy" | "evalSeconds">;
    params: Params;
    result: Promise<Accuracies>;
    settled: boolean;
  };
  let pending: Measuring | undefined;
  const measure = (trained: Measuring["trained"]): Measuring => {
    const snapshot = copyParams(params);
    const measuring: Measuring = { trained, params: snapshot, result: options.evaluate!(snapshot), settled: false };
    // Noted as it settles, so it is reported between batches; a failure is rethrown when it is
    // reported (or never, if training fails first), not left unhandled.
    const settle = () => void (measuring.settled = true);
    measuring.result.then(settle, settle);
    return measuring;
  };
  const report = async ({ trained, params: measured, result }: Measuring) => {
    const waiting = performance.now();
    const { trainAccuracy, testAccuracy, seconds } = await result;
    const stats: EpochStats = { ...trained, trainAccuracy, testAccuracy, seconds: trained.seconds + (performance.now() - waiting) / 1000, evalSeconds: seconds };
    history.push(stats);
    options.onEpoch?.(stats, measured);
  };

  // The training examples are read once, here (for an f32 module, converted: counted in the
  // first epoch's data time).
  const converting = performance.now();
  const examples = inDtype(mod, data.train);
  for (let epoch = 1; epoch <= options.epochs && !stopped; epoch++) {
    const started = epoch === 1 ? converting : performance.now();
    let stepTime = 0;
    shuffle(order, random);
    let dataTime = performance.now() - started;
    let lossSum = 0;
    let done = 0;
    for (let b = 0; b < batches; b++) {
      const t0 = performance.now();
      const rows = order.subarray(b * options.batch, Math.min((b + 1) * options.batch, order.length));
      const inputs = nextBatch(examples, rows);
      const t1 = performance.now();
      let loss: number;
      if (fused) loss = fused.step(inputs);
      else if (options.step) loss = await options.step(inputs, params);
      else {
        const fwd = mod.forward(inputs, params);
        loss = fwd.outputs[mod.meta.grad.of] as number;
        options.optimizer.step(params, mod.backward(fwd));
      }
      const t2 = performance.now();
      dataTime += t1 - t0;
      stepTime += t2 - t1;
      lossSum += loss;
      done++;
      options.onBatch?.(done, batches, loss);
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      if (pending?.settled) {
        await report(pending);
        pending = undefined;
      }
      if (options.shouldStop?.()) {
        stopped = true;
        break;
      }
    }
    syncParams();
    const trained = {
      epoch,
      loss: lossSum / Math.max(1, done),
      seconds: (performance.now() - started) / 1000,
      stepSeconds: stepTime / 1000,
      dataSeconds: dataTime / 1000,
    };
    if (predict && options.evaluate) {
      // Measured elsewhere while the next epoch trains; reported once measured, in order.
      const measuring = measure(trained);
      if (pending) await report(pending);
      pending = measuring;
      continue;
    }
    const evaluated = performance.now();
    const trainAccuracy = predict ? accuracy(mod, params, data.train, predict, options) : undefined;
    const testAccuracy = predict ? accuracy(mod, params, data.test, predict, options) : undefined;
    const evalSeconds = (performance.now() - evaluated) / 1000;
    const stats: EpochStats = { ...trained, trainAccuracy, testAccuracy, seconds: trained.seconds + evalSeconds, evalSeconds };
    history.push(stats);
    options.onEpoch?.(stats, params);
  }
  if (pending) await report(pending);
  return { params, history, stopped };
}

/** Examples whose arrays are of a module's dtype. */
type Rows = Omit<Examples, "features" | "labels"> & {
  readonly features: Float32Array | Float64Array;
  readonly labels: Float32Array | Float64Array;
};

/** The array type of a module's tensors. */
function arrayOf(mod: GraphModule): Float32ArrayConstructor | Float64ArrayConstructor {
  return mod.meta.dtype === "f32" ? Float32Array : Float64Array;
}

/**
 * The examples in the module's dtype: themselves for f64, else a converted copy, so that making
 * a batch is a plain copy of rows rather than a conversion of every value.
 */
function inDtype(mod: GraphModule, ex: Examples): Rows {
  const Arr = arrayOf(mod);
  if (ex.features instanceof Arr && ex.labels instanceof Arr) return ex;
  return { rows: ex.rows, width: ex.width, classes: ex.classes, features: new Arr(ex.features), labels: new Arr(ex.labels) };
}

/**
 * Where accuracy converts a block of examples whose arrays are not of the module's dtype: kept
 * between calls (fresh memory is the cost otherwise) up to a few MB, dropped after a call past
 * that; accuracy runs to completion, so no two calls share it at once.
 */
const scratch = { f32: { x: new Float32Array(0), t: new Float32Array(0) }, f64: { x: new Float64Array(0), t: new Float64Array(0) } };
const SCRATCH_KEPT = 4 << 20; // elements, per array

/**
 * Elements start…end of `from`, in the module's dtype: a view when they are of it already, else
 * converted into the scratch array `into`.
 */
function blockOf(mod: GraphModule, from: Float32Array | Float64Array, into: "x" | "t", start: number, end: number): Float32Array | Float64Array {
  const view = from.subarray(start, end);
  const Arr = arrayOf(mod);
  if (view instanceof Arr) return view;
  const kept = scratch[mod.meta.dtype];
  if (kept[into].length < end - start) kept[into] = new Arr(end - start) as never;
  const block = kept[into].subarray(0, end - start);
  block.set(view);
  return block;
}

/**
 * Copies the chosen rows into tensors of the module's dtype, in arrays reused from call to call
 * (a batch is consumed before the next is made): the copy, not an allocation, is the cost.
 */
function batcher(mod: GraphModule, features: string, labels: string) {
  const Arr = arrayOf(mod);
  let x = new Arr(0);
  let t = new Arr(0);
  return (ex: Rows, rows: ArrayLike<number>): Record<string, Value> => {
    if (x.length < rows.length * ex.width) x = new Arr(rows.length * ex.width);
    if (t.length < rows.length * ex.classes) t = new Arr(rows.length * ex.classes);
    const xs = x.subarray(0, rows.length * ex.width);
    const ts = t.subarray(0, rows.length * ex.classes);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      xs.set(ex.features.subarray(r * ex.width, (r + 1) * ex.width), i * ex.width);
      // A label row is short: copied by a loop, without making a view of it.
      for (let j = 0, from = r * ex.classes, to = i * ex.classes; j < ex.classes; j++) ts[to + j] = ex.labels[from + j]!;
    }
    return {
      [features]: { shape: [rows.length, ex.width], data: xs },
      [labels]: { shape: [rows.length, ex.classes], data: ts },
    };
  };
}

/** The fraction of examples whose predicted row argmax equals the label's argmax. */
export function accuracy(
  mod: GraphModule,
  params: Params,
  ex: Examples,
  predict: string,
  options: Pick<TrainOptions, "features" | "labels">,
): number {
  let correct = 0;
  for (let start = 0; start < ex.rows; start += EVAL_BATCH) {
    const count = Math.min(EVAL_BATCH, ex.rows - start);
    // A view of the examples where it can be: forward copies its inputs, it does not keep or change them.
    const inputs = {
      [options.features]: { shape: [count, ex.width], data: blockOf(mod, ex.features, "x", start * ex.width, (start + count) * ex.width) },
      [options.labels]: { shape: [count, ex.classes], data: blockOf(mod, ex.labels, "t", start * ex.classes, (start + count) * ex.classes) },
    };
    const y = mod.forward(inputs, params).outputs[predict] as Tensor;
    const width = y.shape[1]!;
    for (let i = 0; i < count; i++) {
      if (argmax(y.data, i * width, width) === argmax(ex.labels, (start + i) * ex.classes, ex.classes)) correct++;
    }
  }
  const kept = scratch[mod.meta.dtype];
  for (const into of ["x", "t"] as const) if (kept[into].length > SCRATCH_KEPT) kept[into] = kept[into].subarray(0, 0) as never;
  return ex.rows === 0 ? NaN : correct / ex.rows;
}

/** A copy of params whose tensors' arrays are the copy's own. */
function copyParams(params: Params): Params {
  return Object.fromEntries(
    Object.entries(params).map(([name, v]) => [name, copyValue(v)]),
  );
}
