// `gradc train`: minibatch training of a graph's params on MNIST or the user's data, with a
// progress bar, a line per epoch, an optional CSV log and plot of the curves, and params saved
// atomically (also when Ctrl-C stops training between batches).
import { Command, Option } from "commander";
import cliProgress from "cli-progress";
import { extname } from "node:path";
import {
  DataError,
  defaultLearningRates,
  loadCsv,
  loadJson,
  loadMnist,
  makeOptimizer,
  optimizerNames,
  planTraining,
  toNested,
  svgToPng,
  train,
  trainingCurves,
  TrainError,
  type EpochStats,
  type OptimizerName,
  type Params,
  type Split,
} from "../index.js";
import {
  dtypeOption,
  graphOption,
  guarded,
  load,
  parsePositive,
  parsePositiveNumber,
  seedOption,
  targetOption,
  UsageError,
  type Io,
} from "./common.js";
import { readJsonValues, readSource, UserError, writeAtomically } from "./files.js";

interface TrainCliOptions {
  graph?: string;
  data: string;
  epochs: number;
  batch: number;
  lr?: number;
  optimizer: OptimizerName;
  seed: number;
  dtype: "f64" | "f32";
  target: "ts" | "wasm";
  save?: string;
  resume?: string;
  log?: string;
  plot?: string;
  features: string;
  labels: string;
  predict?: string;
  labelColumn?: string;
}

export function trainCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("train")
    .description("train a graph's params by minibatch gradient descent on its `grad` output")
    .argument("<file>", "the graph file")
    .addOption(graphOption())
    .option("--data <mnist|path>", "training data: mnist (bundled), a .csv file or a .json file", "mnist")
    .option("--epochs <n>", "passes over the training set", parsePositive, 17)
    .option("--batch <n>", "examples per minibatch", parsePositive, 100)
    .option("--lr <rate>", `learning rate (default per optimizer: ${Object.entries(defaultLearningRates).map(([k, v]) => `${k} ${v}`).join(", ")})`, parsePositiveNumber)
    .addOption(new Option("--optimizer <name>", "update rule").choices([...optimizerNames]).default("sgd"))
    .addOption(seedOption("seed for the params' initializers and the shuffling"))
    .addOption(dtypeOption())
    .addOption(targetOption().default("wasm"))
    .option("--save <file.json>", "write the trained params here (JSON that run --params and --resume read)")
    .option("--resume <file.json>", "start from these params instead of init(seed)")
    .option("--log <file.csv>", "write epoch, loss and accuracies per epoch as CSV")
    .option("--plot <file.svg>", "draw loss and accuracies per epoch (.svg or .png), redrawn after every epoch")
    .option("--features <input>", "the graph input the features feed", "x")
    .option("--labels <input>", "the graph input the labels feed", "t")
    .option("--predict <output>", "the output whose argmax is the prediction (default: the first output shaped like the labels)")
    .option("--label-column <name|index>", "for CSV data: the label column (default: the last)")
    .action(async (file: string, opts: TrainCliOptions) => {
      const protectedFiles = [file, ...(opts.data === "mnist" ? [] : [opts.data]), ...(opts.resume ? [opts.resume] : [])];
      if (opts.plot !== undefined && ![".svg", ".png"].includes(extname(opts.plot).toLowerCase())) {
        throw new UsageError(`--plot takes a file ending in .svg or .png, got "${opts.plot}"`);
      }
      for (const out of [opts.save, opts.log, opts.plot]) {
        if (out !== undefined && protectedFiles.some((p) => p === out)) {
          throw new UserError(`gradc: error: refusing to write "${out}": it is an input of this command.`);
        }
      }
      const loaded = await load(io, file, opts.graph, opts.dtype, opts.target);
      if (!loaded) return setExit(1);
      const { module } = loaded;
      const data = loadData(opts, module.meta.inputs.find((i) => i.name === opts.labels)?.shape[1]);
      const params: Params | undefined = opts.resume
        ? { ...module.init(opts.seed), ...readJsonValues(opts.resume, "param", module.meta.params, opts.dtype) }
        : undefined;
      const optimizer = makeOptimizer(opts.optimizer, opts.lr);
      // Refuse a graph that cannot be trained before announcing the run.
      await guardedAsync(file, async () => planTraining(module, data, opts.features, opts.labels, opts.predict));

      io.out(
        `training ${file} (graph "${module.meta.graph}", ${opts.dtype}, ${opts.target}) on ${data.name}: ` +
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
        if (stopRequested) process.exit(130);
        stopRequested = true;
        io.err("\nstopping after this batch (Ctrl-C again to quit at once)\n");
      };
      process.on("SIGINT", onSigint);
      const log: EpochStats[] = [];
      let epoch = 1;
      const title = `${file} (graph "${module.meta.graph}"), ${opts.optimizer}, batch ${opts.batch}`;
      const plot = opts.plot ? plotter(opts.plot, title, protectedFiles) : undefined;
      try {
        const result = await guardedAsync(file, () =>
          train(module, data, {
            epochs: opts.epochs,
            batch: opts.batch,
            optimizer,
            seed: opts.seed,
            features: opts.features,
            labels: opts.labels,
            predict: opts.predict,
            params,
            onBatch: (done, total, loss) => {
              if (!bar) return;
              if (done === 1) bar.start(total, 0, { epoch, loss: loss.toFixed(4) });
              bar.update(done, { epoch, loss: loss.toFixed(4) });
              if (done === total) bar.stop();
            },
            onEpoch: (stats) => {
              bar?.stop();
              epoch = stats.epoch + 1;
              log.push(stats);
              io.out(`${formatEpoch(stats, opts.epochs)}\n`);
              if (opts.log) writeAtomically(opts.log, logCsv(log), protectedFiles);
              plot?.draw([...log]);
            },
            shouldStop: () => stopRequested,
          }),
        );
        await plot?.done();
        if (result.stopped) io.out(`stopped by Ctrl-C after ${result.history.length} epoch(s)\n`);
        if (opts.save) {
          const json = Object.fromEntries(Object.entries(result.params).map(([k, v]) => [k, toNested(v)]));
          writeAtomically(opts.save, `${JSON.stringify(json)}\n`, protectedFiles);
          io.out(`saved params to ${opts.save}\n`);
        }
      } finally {
        bar?.stop();
        process.off("SIGINT", onSigint);
        await plot?.finished();
      }
    });
}

function loadData(opts: TrainCliOptions, classes: number | string | undefined): Split {
  try {
    if (opts.data === "mnist") return loadMnist();
    const text = readSource(opts.data);
    const ext = extname(opts.data).toLowerCase();
    if (ext === ".csv") {
      return loadCsv(opts.data, text, { labelColumn: opts.labelColumn, classes: typeof classes === "number" ? classes : undefined });
    }
    if (ext === ".json") return loadJson(opts.data, text, opts.features, opts.labels);
    throw new UserError(`gradc: error: --data takes mnist, a .csv file or a .json file, got "${opts.data}".`);
  } catch (e) {
    if (e instanceof DataError) throw new UserError(e.message);
    throw e;
  }
}

async function guardedAsync<T>(file: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof TrainError) throw new UserError(`${file}: error: ${e.message}`);
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
    `epoch ${String(s.epoch).padStart(width)}/${epochs}  loss ${s.loss.toFixed(4)}  ` +
    `train acc ${percent(s.trainAccuracy)}  test acc ${percent(s.testAccuracy)}  (${s.seconds.toFixed(1)} s)`
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
  const rows = history.map((s) => [s.epoch, s.loss, s.trainAccuracy ?? "", s.testAccuracy ?? "", s.seconds.toFixed(3)].join(","));
  return `epoch,loss,train_accuracy,test_accuracy,seconds\n${rows.join("\n")}\n`;
}
