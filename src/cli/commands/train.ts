// `gradc train`: minibatch training of a graph's params on MNIST or the user's data, with a
// progress bar, a line per epoch, an optional CSV log and plot of the curves, and params saved
// atomically, also when Ctrl-C stops training between batches (then the exit code is 130).
import cliProgress from "cli-progress";
import { availableParallelism } from "node:os";
import { extname } from "node:path";
import {
  DataError,
  defaultLearningRates,
  JsonError,
  loadCsv,
  loadJson,
  makeOptimizer,
  planTraining,
  train,
  TrainError,
  type Dtype,
  type EpochStats,
  type OptimizerName,
  type Params,
  type Split,
  type Target,
} from "../../index.js";
import { trainingCurves } from "../../draw/curves.js";
import { jsonValue } from "../../runtime/tensor.js";
import { loadMnist } from "../../node/mnist.js";
import { startEvaluator } from "../../node/evaluator.js";
import { EngineError, onnxRuntimeStep } from "../../node/onnxruntime.js";
import { svgToPng } from "../../node/png.js";
import { guarded, loadFile, reportDiagnostics } from "../common.js";
import { checkNotAnInput, checkWritable, displayName, readJsonValues, readSource, UserError, writeAtomically } from "../files.js";
import type { Io } from "../io.js";
import { UsageError } from "../options.js";

interface TrainOptions {
  graph?: string;
  data: string;
  epochs: number;
  batch: number;
  lr?: number;
  optimizer: OptimizerName;
  seed: number;
  dtype: Dtype;
  target: Target;
  save?: string;
  resume?: string;
  log?: string;
  plot?: string;
  features: string;
  labels: string;
  predict?: string;
  labelColumn?: string;
  engine?: "gradc" | "onnxruntime";
}

/** The exit code of a run that Ctrl-C stopped (128 + SIGINT), after the params were saved. */
export const INTERRUPTED = 130;

export async function trainCommand(io: Io, file: string, opts: TrainOptions): Promise<number> {
  const protectedFiles = [file, ...(opts.data === "mnist" ? [] : [opts.data]), ...(opts.resume ? [opts.resume] : [])];
  if (opts.plot !== undefined && ![".svg", ".png"].includes(extname(opts.plot).toLowerCase())) {
    throw new UsageError(`--plot must name a file ending in .svg or .png, got ${JSON.stringify(opts.plot)}`);
  }
  // Refuse to overwrite an input before spending time on training, not after.
  for (const out of [opts.save, opts.log, opts.plot]) {
    if (out === undefined) continue;
    checkNotAnInput(out, protectedFiles);
    checkWritable(out);
  }
  const loaded = await loadFile(io, file, { graph: opts.graph, dtype: opts.dtype, target: opts.target });
  reportDiagnostics(io, loaded.diagnostics, loaded.name, loaded.source);
  const module = loaded.module;
  if (!module) return 1;
  const name = loaded.name;
  const data = loadData(io, opts, module.meta.inputs.find((i) => i.name === opts.labels)?.shape[1]);
  const params: Params | undefined = opts.resume
    ? { ...module.init(opts.seed), ...readJsonValues(opts.resume, "param", { inputs: module.meta.inputs, params: module.meta.params }, opts.dtype).params }
    : undefined;
  const optimizer = makeOptimizer(opts.optimizer, opts.lr);
  // Refuse a graph that cannot be trained before announcing the run.
  const { predict } = await guardedAsync(name, async () => planTraining(module, data, opts.features, opts.labels, opts.predict));

  // Another engine runs the steps from the same graph, exported as `gradc export --training` does.
  let engine: Awaited<ReturnType<typeof onnxRuntimeStep>> | undefined;
  if (opts.engine === "onnxruntime") {
    try {
      engine = await onnxRuntimeStep({ graph: loaded.graph!, module, dtype: opts.dtype, optimizer: opts.optimizer, lr: opts.lr });
    } catch (e) {
      if (e instanceof EngineError) throw new UserError(e.message);
      throw e;
    }
  }

  io.out(
    `training ${name} (graph "${module.meta.graph}", ${opts.dtype}, ${engine ? `ONNX Runtime ${engine.version}` : opts.target}) on ${data.name}: ` +
      `${data.train.rows} train / ${data.test.rows} test examples, ${opts.optimizer} lr ${opts.lr ?? defaultLearningRates[opts.optimizer]}, batch ${opts.batch}\n`,
  );
  const bar = io.interactive
    ? new cliProgress.SingleBar(
        { format: "epoch {epoch} [{bar}] {value}/{total} batches, loss {loss}", stream: process.stderr, clearOnComplete: true, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(INTERRUPTED);
    stopRequested = true;
    io.err("\nstopping after this batch (Ctrl-C again to quit at once)\n");
  };
  process.on("SIGINT", onSigint);
  const log: EpochStats[] = [];
  /** Whether the loss has stopped being a finite number (said once). */
  let diverged = false;
  /** The epoch training now (its line may come after the next one starts), and whether the bar shows. */
  let epoch = 0;
  let barRunning = false;
  const title = `${name} (graph "${module.meta.graph}"), ${opts.optimizer}, batch ${opts.batch}`;
  const plot = opts.plot ? plotter(opts.plot, title, protectedFiles) : undefined;
  // With a second core, the accuracies of each epoch are measured there while the next one trains.
  const evaluator =
    predict !== undefined && loaded.code !== undefined && availableParallelism() > 1
      ? startEvaluator(loaded.code, data, { predict, features: opts.features, labels: opts.labels })
      : undefined;
  try {
    const result = await guardedAsync(name, () =>
      train(module, data, {
        epochs: opts.epochs,
        batch: opts.batch,
        optimizer,
        seed: opts.seed,
        features: opts.features,
        labels: opts.labels,
        predict: opts.predict,
        params,
        step: engine?.step,
        evaluate: evaluator?.evaluate,
        onBatch: (done, total, loss) => {
          if (!bar) return;
          if (done === 1) epoch++;
          // (Re)started here: an epoch's line may be printed while the next epoch trains.
          if (!barRunning) bar.start(total, done, { epoch, loss: loss.toFixed(4) });
          barRunning = true;
          bar.update(done, { epoch, loss: loss.toFixed(4) });
          if (done === total) {
            bar.stop();
            barRunning = false;
          }
        },
        onEpoch: (stats) => {
          bar?.stop();
          barRunning = false;
          log.push(stats);
          io.out(`${formatEpoch(stats, opts.epochs)}\n`);
          if (!Number.isFinite(stats.loss) && !diverged) {
            diverged = true;
            io.err(`${name}: warning: the loss is ${stats.loss} in epoch ${stats.epoch}: training diverged (a smaller --lr may help).\n`);
          }
          if (opts.log) writeAtomically(opts.log, logCsv(log), protectedFiles);
          plot?.draw([...log]);
        },
        shouldStop: () => stopRequested,
      }),
    );
    await plot?.done();
    if (result.stopped) io.out(`stopped by Ctrl-C after ${result.history.length} epoch(s)\n`);
    if (opts.save) {
      const json = Object.fromEntries(Object.entries(result.params).map(([k, v]) => [k, jsonValue(v)]));
      writeAtomically(opts.save, `${JSON.stringify(json)}\n`, protectedFiles);
      io.out(`saved params to ${opts.save}\n`);
    }
    return result.stopped ? INTERRUPTED : 0;
  } finally {
    bar?.stop();
    process.off("SIGINT", onSigint);
    await evaluator?.close();
    await plot?.finished();
  }
}

function loadData(io: Io, opts: TrainOptions, classes: number | string | undefined): Split {
  try {
    if (opts.data === "mnist") return loadMnist();
    const text = readSource(opts.data, io);
    const ext = extname(opts.data).toLowerCase();
    if (ext === ".csv") {
      return loadCsv(displayName(opts.data), text, { labelColumn: opts.labelColumn, classes: typeof classes === "number" ? classes : undefined });
    }
    if (ext === ".json") return loadJson(displayName(opts.data), text, opts.features, opts.labels);
    throw new UserError(`--data takes mnist, a .csv file or a .json file, got "${opts.data}".`);
  } catch (e) {
    if (e instanceof DataError) throw new UserError(e.reason, { file: e.file, ...(e.line === undefined ? {} : { line: e.line }) });
    if (e instanceof JsonError) throw new UserError(`not valid JSON: ${e.reason}.`, { file: e.file, line: e.line, column: e.column });
    throw e;
  }
}

async function guardedAsync<T>(file: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof TrainError) throw new UserError(e.message, { file });
    return guarded(file, () => {
      throw e;
    });
  }
}

function percent(v: number | undefined): string {
  return v === undefined ? "n/a" : v.toFixed(4);
}

export function formatEpoch(s: EpochStats, epochs: number): string {
  const width = String(epochs).length;
  return (
    `epoch ${String(s.epoch).padStart(width)}/${epochs}  loss ${Math.abs(s.loss) < 1e6 ? s.loss.toFixed(4) : s.loss.toPrecision(4)}  ` +
    `train acc ${percent(s.trainAccuracy)}  test acc ${percent(s.testAccuracy)}  ` +
    `(${s.seconds.toFixed(1)} s: steps ${s.stepSeconds.toFixed(1)}, data ${s.dataSeconds.toFixed(1)}, evaluation ${s.evalSeconds.toFixed(1)})`
  );
}

/**
 * Draws the curves off the training loop, one drawing at a time and always of the latest
 * history: epochs that end while a drawing is made are drawn together by the next one.
 */
function plotter(target: string, title: string, inputs: readonly string[]) {
  let latest: readonly EpochStats[] | undefined;
  let running: Promise<void> | undefined;
  let error: unknown;
  const drawAll = async () => {
    try {
      for (let history = latest; history; history = latest) {
        latest = undefined;
        const svg = await trainingCurves(history, title);
        writeAtomically(target, extname(target).toLowerCase() === ".png" ? await svgToPng(svg) : svg, inputs);
      }
    } catch (e) {
      error ??= e;
    } finally {
      running = undefined;
    }
  };
  return {
    draw(history: readonly EpochStats[]): void {
      if (error) throw error; // the last drawing failed: stop training, as a failed --log write does
      latest = history;
      running ??= drawAll();
    },
    /** Waits for the last drawing. */
    async finished(): Promise<void> {
      await running;
    },
    /** Waits for the last drawing and reports its failure. */
    async done(): Promise<void> {
      await running;
      if (error) throw error;
    },
  };
}

function logCsv(history: readonly EpochStats[]): string {
  const rows = history.map((s) =>
    [s.epoch, s.loss, s.trainAccuracy ?? "", s.testAccuracy ?? "", ...[s.seconds, s.stepSeconds, s.dataSeconds, s.evalSeconds].map((t) => t.toFixed(3))].join(","),
  );
  return `epoch,loss,train_accuracy,test_accuracy,seconds,step_seconds,data_seconds,eval_seconds\n${rows.join("\n")}\n`;
}
