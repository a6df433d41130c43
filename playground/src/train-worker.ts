// Owns training off the page's thread: a Web Worker that fetches the bundled MNIST digits
// (gzip, unzipped by the browser's DecompressionStream and decoded by gradc's own decodeMnist),
// imports the module the page compiled, and runs gradc's training loop, posting progress after
// batches and statistics after each epoch. The page stops it by terminating the worker.
import { decodeMnist, makeOptimizer, planTraining, train, TrainError, type EpochStats, type GraphModule, type MnistIndex, type OptimizerName, type Split } from "../../src/runtime/index.js";
import type { TrainRequest, WorkerMessage } from "./train-protocol.js";

const post = (message: WorkerMessage): void => self.postMessage(message);

async function loadDigits(url: string, indexUrl: string): Promise<Split> {
  const index = (await (await fetch(indexUrl)).json()) as MnistIndex;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The digits did not load (${response.status} ${response.statusText}).`);
  let bytes = new Uint8Array(await response.arrayBuffer());
  // A server may already have unzipped a .gz it sent with Content-Encoding: gzip.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  return decodeMnist(bytes, index);
}

async function run(request: TrainRequest): Promise<void> {
  const started = performance.now();
  const data = await loadDigits(request.mnistUrl, request.mnistIndexUrl);
  post({ kind: "data", train: data.train.rows, test: data.test.rows, seconds: (performance.now() - started) / 1000 });
  // What loadModule (gradc) does: the generated JavaScript, imported from a data: URL.
  const module = (await import(/* @vite-ignore */ `data:text/javascript;charset=utf-8,${encodeURIComponent(request.code)}`)) as GraphModule;
  planTraining(module, data, "x", "t");
  let batches = 0;
  const result = await train(module, data, {
    epochs: request.epochs,
    batch: request.batch,
    optimizer: makeOptimizer(request.optimizer as OptimizerName, request.lr),
    seed: request.seed,
    features: "x",
    labels: "t",
    onBatch: (done, total, loss) => {
      batches++;
      if (done % 5 === 0 || done === total) post({ kind: "batch", done, total, loss, step: batches });
    },
    onEpoch: (stats: EpochStats) => post({ kind: "epoch", stats }),
  });
  post({ kind: "done", history: result.history, seconds: (performance.now() - started) / 1000 });
}

self.onmessage = (event: MessageEvent<TrainRequest>) => {
  run(event.data).catch((e: unknown) => {
    const message = e instanceof TrainError || (e instanceof Error && e.name === "InputError") ? e.message : String(e instanceof Error ? e.message : e);
    post({ kind: "error", message });
  });
};
