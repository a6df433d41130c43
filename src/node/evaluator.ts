// Owns measuring a training run's accuracies on another thread (`gradc train`): a worker that
// loads the same generated module and the same data once, then measures the accuracies of each
// epoch's params while the main thread trains the next epoch. The numbers are the ones `train`
// measures in place: the same module code, params copied exactly, the runtime's own `accuracy`.
import { Worker } from "node:worker_threads";
import type { Accuracies, Params, Split } from "../runtime/index.js";

export interface Evaluator {
  evaluate(params: Params): Promise<Accuracies>;
  close(): Promise<void>;
}

/** What the worker is started with. */
interface Setup {
  readonly runtime: string;
  readonly code: string;
  readonly data: Split;
  readonly predict: string;
  readonly features: string;
  readonly labels: string;
}

// The worker, as an ES module: it imports gradc/runtime by the URL the main thread resolved.
const workerSource = `
import { parentPort, workerData } from "node:worker_threads";
const setup = workerData;
const { accuracy } = await import(setup.runtime);
const mod = await import("data:text/javascript;charset=utf-8," + encodeURIComponent(setup.code));
const names = { features: setup.features, labels: setup.labels };
parentPort.on("message", (params) => {
  const started = performance.now();
  const trainAccuracy = accuracy(mod, params, setup.data.train, setup.predict, names);
  const testAccuracy = accuracy(mod, params, setup.data.test, setup.predict, names);
  parentPort.postMessage({ trainAccuracy, testAccuracy, seconds: (performance.now() - started) / 1000 });
});
`;

/**
 * A worker measuring accuracies of the module `code` (its JavaScript) on `data`. Requests are
 * answered in order; a failure in the worker rejects the waiting requests.
 */
export function startEvaluator(code: string, data: Split, names: { predict: string; features: string; labels: string }): Evaluator {
  const setup: Setup = { runtime: import.meta.resolve("gradc/runtime"), code, data, ...names };
  const worker = new Worker(new URL(`data:text/javascript;charset=utf-8,${encodeURIComponent(workerSource)}`), { workerData: setup });
  const waiting: { resolve: (a: Accuracies) => void; reject: (e: unknown) => void }[] = [];
  let failure: unknown;
  worker.on("message", (a: Accuracies) => waiting.shift()?.resolve(a));
  const fail = (e: unknown) => {
    failure ??= e;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the evaluation thread stopped (exit code ${code})`)));
  return {
    evaluate(params) {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage(params);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
