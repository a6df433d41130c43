// Owns what the page and the training worker say to each other.
import type { EpochStats } from "../../src/runtime/index.js";

/** The page asks the worker to train the module `code` (JavaScript, as gradc emits it). */
export interface TrainRequest {
  readonly code: string;
  readonly mnistUrl: string;
  readonly mnistIndexUrl: string;
  readonly epochs: number;
  readonly batch: number;
  readonly optimizer: string;
  readonly lr: number;
  readonly seed: number;
}

/** What the worker tells the page. */
export type WorkerMessage =
  | { readonly kind: "data"; readonly train: number; readonly test: number; readonly seconds: number }
  | { readonly kind: "batch"; readonly done: number; readonly total: number; readonly loss: number; readonly step: number }
  | { readonly kind: "epoch"; readonly stats: EpochStats }
  | { readonly kind: "done"; readonly history: readonly EpochStats[]; readonly seconds: number }
  | { readonly kind: "error"; readonly message: string };
