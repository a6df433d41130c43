// Owns the Train panel: the settings, a Web Worker that trains (src/train-worker.ts) so the page
// stays responsive, a progress bar, and the loss and accuracy curves drawn live by uPlot.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import mnistIndexUrl from "../../dist/assets/mnist.json?url";
import mnistUrl from "../../dist/assets/mnist.bin.gz?url";
import { defaultLearningRates, emit, type Dtype, type EpochStats, type OptimizerName, type Target } from "./gradc.js";
import type { TrainRequest, WorkerMessage } from "./train-protocol.js";

export interface TrainControls {
  readonly form: HTMLFormElement;
  readonly start: HTMLButtonElement;
  readonly stop: HTMLButtonElement;
  readonly progress: HTMLProgressElement;
  readonly status: HTMLElement;
  readonly lossChart: HTMLElement;
  readonly accuracyChart: HTMLElement;
}

const setting = (form: HTMLFormElement, name: string): string => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;

/** A chart `width` wide in `parent`, with an x series and `series` y series. */
function chart(parent: HTMLElement, title: string, x: string, series: uPlot.Series[], range?: uPlot.Range.MinMax): uPlot {
  parent.replaceChildren();
  return new uPlot(
    {
      title,
      width: Math.max(280, parent.clientWidth || 480),
      height: 200,
      scales: { x: { time: false }, ...(range ? { y: { range } } : {}) },
      axes: [{ label: x }, {}],
      series: [{ label: x }, ...series],
    },
    [[], ...series.map(() => [])],
    parent,
  );
}

export class TrainPanel {
  private worker: Worker | undefined;
  private readonly steps: number[] = [];
  private readonly losses: number[] = [];
  private history: EpochStats[] = [];
  private lossPlot: uPlot | undefined;
  private accuracyPlot: uPlot | undefined;

  constructor(
    private readonly ui: TrainControls,
    private readonly source: () => string,
  ) {
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.start();
    });
    ui.stop.addEventListener("click", () => this.finish("Stopped."));
    // Each optimizer starts at its own default learning rate, as `gradc train --optimizer` does.
    const optimizer = ui.form.elements.namedItem("optimizer") as HTMLSelectElement;
    optimizer.addEventListener("change", () => {
      (ui.form.elements.namedItem("lr") as HTMLInputElement).value = String(defaultLearningRates[optimizer.value as OptimizerName]);
    });
  }

  /** Whether a graph can be trained here: MNIST feeds its inputs `x` [N, 784] and `t` [N, 10]. */
  explain(inputs: readonly { name: string; shape: readonly (number | string)[] }[] | undefined): void {
    if (this.worker) return;
    const shape = (name: string) => JSON.stringify(inputs?.find((i) => i.name === name)?.shape.slice(1));
    const ok = inputs !== undefined && shape("x") === "[784]" && shape("t") === "[10]";
    this.ui.start.disabled = !ok;
    this.ui.status.textContent = ok
      ? "Ready: trains on the bundled MNIST digits (x: the 784 pixels, t: the one-hot digit)."
      : "Training feeds the bundled MNIST digits to inputs x: [N, 784] and t: [N, 10] and minimises the graph's scalar gradient output; this graph has no such inputs.";
  }

  private start(): void {
    this.stopWorker();
    const form = this.ui.form;
    const target = setting(form, "target") as Target;
    const dtype = setting(form, "dtype") as Dtype;
    const result = emit(this.source(), { lang: "js", target, dtype });
    if (!result.code) {
      this.ui.status.textContent = "The graph has errors; see the editor.";
      return;
    }
    const epochs = Number(setting(form, "epochs"));
    const request: TrainRequest = {
      code: result.code,
      mnistUrl: new URL(mnistUrl, location.href).href,
      mnistIndexUrl: new URL(mnistIndexUrl, location.href).href,
      epochs,
      batch: Number(setting(form, "batch")),
      optimizer: setting(form, "optimizer"),
      lr: Number(setting(form, "lr")),
      seed: Number(setting(form, "seed")),
    };
    this.steps.length = 0;
    this.losses.length = 0;
    this.history = [];
    this.lossPlot = chart(this.ui.lossChart, "Loss per batch", "batch", [{ label: "loss", stroke: "#c0392b", width: 1.5 }]);
    this.accuracyPlot = chart(
      this.ui.accuracyChart,
      "Accuracy per epoch",
      "epoch",
      [
        { label: "train", stroke: "#2f5f8a", width: 2, points: { show: true } },
        { label: "test", stroke: "#1e8449", width: 2, points: { show: true } },
      ],
      [0, 1],
    );
    this.ui.progress.max = epochs;
    this.ui.progress.value = 0;
    this.ui.start.disabled = true;
    this.ui.stop.disabled = false;
    this.ui.status.textContent = "Loading the digits…";
    delete this.ui.status.dataset["testAccuracy"];
    const worker = new Worker(new URL("./train-worker.ts", import.meta.url), { type: "module" });
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => this.receive(event.data, epochs);
    worker.onerror = (event) => this.finish(`Training failed: ${event.message}`);
    worker.postMessage(request);
  }

  private receive(message: WorkerMessage, epochs: number): void {
    switch (message.kind) {
      case "data":
        this.ui.status.textContent = `Training on ${message.train} digits, testing on ${message.test} (loaded in ${message.seconds.toFixed(1)} s)…`;
        break;
      case "batch":
        this.steps.push(message.step);
        this.losses.push(message.loss);
        this.ui.progress.value = this.history.length + message.done / message.total;
        this.lossPlot?.setData([this.steps, this.losses]);
        break;
      case "epoch": {
        this.history.push(message.stats);
        const s = message.stats;
        this.accuracyPlot?.setData([
          this.history.map((h) => h.epoch),
          this.history.map((h) => h.trainAccuracy ?? null),
          this.history.map((h) => h.testAccuracy ?? null),
        ] as uPlot.AlignedData);
        this.ui.status.textContent = `Epoch ${s.epoch}/${epochs}: loss ${s.loss.toFixed(4)}, train accuracy ${s.trainAccuracy?.toFixed(4) ?? "n/a"}, test accuracy ${s.testAccuracy?.toFixed(4) ?? "n/a"}.`;
        if (s.testAccuracy !== undefined) this.ui.status.dataset["testAccuracy"] = String(s.testAccuracy);
        break;
      }
      case "done": {
        const last = message.history.at(-1);
        this.finish(
          `Done: ${message.history.length} epoch(s) in ${message.seconds.toFixed(1)} s` +
            (last?.testAccuracy === undefined ? "." : `, test accuracy ${last.testAccuracy.toFixed(4)}.`),
        );
        if (last?.testAccuracy !== undefined) this.ui.status.dataset["testAccuracy"] = String(last.testAccuracy);
        this.ui.status.dataset["seconds"] = String(message.seconds);
        break;
      }
      case "error":
        this.finish(`Training failed: ${message.message}`);
        break;
    }
  }

  private finish(status: string): void {
    this.stopWorker();
    this.ui.status.textContent = status;
    this.ui.start.disabled = false;
    this.ui.stop.disabled = true;
  }

  private stopWorker(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}
