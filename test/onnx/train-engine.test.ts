// `gradc train --engine onnxruntime`: every step runs in ONNX Runtime as the exported training
// step, fed its own outputs; the accuracies are measured by gradc's module from the params the
// steps leave. The same seed and batches as the built-in engine give the same epochs, and the
// book's settings (17 epochs, batch 100, SGD 0.1) reach over 0.90 on the bundled MNIST digits.
import { describe, expect, it } from "vitest";
import { gradc } from "../support/gradc.js";

/** The epoch lines without their times: loss and accuracies to 4 decimals. */
const epochs = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("epoch")).map((l) => l.replace(/\s+\([\d.]+ s[^)]*\)$/, ""));

describe("gradc train --engine onnxruntime", () => {
  it("trains the same epochs as gradc's own engine (f64, sgd and adam)", async () => {
    for (const optimizer of ["sgd", "adam"]) {
      const args = ["train", "examples/two_layer_net.graph", "--epochs", "2", "--optimizer", optimizer];
      const own = await gradc(...args);
      const ort = await gradc(...args, "--engine", "onnxruntime");
      expect(ort.status, ort.stderr).toBe(0);
      expect(ort.stdout).toMatch(/^training examples\/two_layer_net\.graph \(graph "two_layer_net", f64, ONNX Runtime 1\.\d+\.\d+\) on mnist:/);
      expect(epochs(ort.stdout)).toHaveLength(2);
      expect(epochs(ort.stdout)).toEqual(epochs(own.stdout));
    }
  }, 120_000);

  it("reaches over 0.90 test accuracy with the book's settings, in f32 too", async () => {
    for (const dtype of ["f64", "f32"]) {
      const r = await gradc("train", "examples/two_layer_net.graph", "--engine", "onnxruntime", "--dtype", dtype);
      expect(r.status, r.stderr).toBe(0);
      const last = epochs(r.stdout).at(-1)!;
      expect(last).toMatch(/^epoch 17\/17 /);
      expect(Number(/test acc ([\d.]+)/.exec(last)![1])).toBeGreaterThan(0.9);
    }
  }, 120_000);
});
