// Training end to end on small data the test makes, the data loaders and their errors, and
// the bundled MNIST split.
import { describe, expect, it } from "vitest";
import {
  DataError,
  decodeMnist,
  loadCsv,
  loadGraph,
  loadJson,
  sgd,
  adam,
  train,
  TrainError,
  accuracy,
  type EpochStats,
  type Split,
} from "../../src/index.js";
import { mulberry32, gaussian } from "../../src/runtime/random.js";
import { loadMnist } from "../../src/node/index.js";
import { splitIndices } from "../../src/train/data.js";

/** Three well-separated Gaussian blobs in 2-D, labels one-hot. */
function blobs(perClass: number, seed: number): Split {
  const random = mulberry32(seed);
  const centres = [
    [2, 0],
    [-2, 2],
    [0, -2.5],
  ];
  const rows: string[] = [];
  for (let i = 0; i < perClass; i++) {
    centres.forEach(([cx, cy], c) => rows.push(`${cx! + 0.5 * gaussian(random)},${cy! + 0.5 * gaussian(random)},${c}`));
  }
  return loadCsv("blobs.csv", `a,b,label\n${rows.join("\n")}\n`);
}

const classifier = `
graph classifier {
  input x: [N, 2]
  input t: [N, 3]
  param W1: [2, 16] = he
  param b1: [16]
  param W2: [16, 3] = xavier
  param b2: [3]
  y = affine(relu(affine(x, W1, b1)), W2, b2)
  loss = softmaxloss(y, t)
  output loss, y
}`;

describe("train", () => {
  it("learns separable blobs, with the loss falling and accuracies above 0.95", async () => {
    const { module } = await loadGraph(classifier);
    const data = blobs(100, 1);
    const result = await train(module, data, {
      epochs: 15,
      batch: 20,
      optimizer: sgd(0.1),
      seed: 3,
      features: "x",
      labels: "t",
    });
    expect(result.history).toHaveLength(15);
    expect(result.history[14]!.loss).toBeLessThan(result.history[0]!.loss);
    expect(result.history[14]!.trainAccuracy).toBeGreaterThan(0.95);
    expect(result.history[14]!.testAccuracy).toBeGreaterThan(0.95);
  });

  it.each([
    ["f64", "ts"],
    ["f32", "ts"],
    ["f64", "wasm"],
    ["f32", "wasm"],
  ] as const)("accuracy over blocks of rows (%s, %s) counts as forward on each example does, and leaves the examples as they were", async (dtype, target) => {
    const { module } = await loadGraph(classifier, { dtype, target });
    // 2,502 training examples: more than two blocks of 1,000, the last one short.
    const data = blobs(1043, 7);
    const params = module.init(5);
    const Arr = dtype === "f32" ? Float32Array : Float64Array;
    const oneByOne = () => {
      let correct = 0;
      for (let i = 0; i < data.train.rows; i++) {
        const x = Arr.from(data.train.features.subarray(i * 2, i * 2 + 2));
        const t = Arr.from(data.train.labels.subarray(i * 3, i * 3 + 3));
        const y = module.forward({ x: { shape: [1, 2], data: x }, t: { shape: [1, 3], data: t } }, params).outputs.y as { data: ArrayLike<number> };
        const predicted = [0, 1, 2].reduce((best, j) => (y.data[j]! > y.data[best]! ? j : best), 0);
        if (t[predicted] === 1) correct++;
      }
      return correct / data.train.rows;
    };
    const names = { features: "x", labels: "t" };
    expect(data.train.rows).toBe(2502);
    const before = Float64Array.from(data.train.features);
    expect(accuracy(module, params, data.train, "y", names)).toBe(oneByOne());
    expect(data.train.features).toEqual(before);
    // Examples changed between calls are measured as they now are (nothing is kept from a call).
    data.train.features.forEach((v, i) => (data.train.features[i] = -v));
    const now = oneByOne();
    expect(now).not.toBe(accuracy(module, params, { ...data.train, features: before }, "y", names));
    expect(accuracy(module, params, data.train, "y", names)).toBe(now);
  });

  it("with an evaluate hook, reports the same epochs in order, each with the params it was measured on", async () => {
    const { module } = await loadGraph(classifier);
    const data = blobs(40, 4);
    const options = { epochs: 4, batch: 16, optimizer: adam(0.01), seed: 1, features: "x", labels: "t" } as const;
    const inPlace = await train(module, data, options);
    const reported: { epoch: number; W1: number[] }[] = [];
    let calls = 0;
    const hooked = await train(module, data, {
      ...options,
      // Measured "elsewhere": later, after the next epoch has started training.
      evaluate: async (params) => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return {
          trainAccuracy: accuracy(module, params, data.train, "y", options),
          testAccuracy: accuracy(module, params, data.test, "y", options),
          seconds: 0.005,
        };
      },
      onEpoch: (stats, params) => reported.push({ epoch: stats.epoch, W1: Array.from((params.W1 as { data: Float64Array }).data) }),
    });
    expect(calls).toBe(4);
    expect(reported.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    const strip = (h: readonly EpochStats[]) => h.map((s) => [s.epoch, s.loss, s.trainAccuracy, s.testAccuracy]);
    expect(strip(hooked.history)).toEqual(strip(inPlace.history));
    expect(hooked.history.every((s) => s.evalSeconds === 0.005)).toBe(true);
    expect(reported[3]!.W1).toEqual(Array.from((hooked.params.W1 as { data: Float64Array }).data));
    expect(reported[2]!.W1).not.toEqual(reported[3]!.W1);
  });

  it("a failing evaluate hook fails train, catchably, and leaves no unhandled rejection", async () => {
    const { module } = await loadGraph(classifier);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      let calls = 0;
      const run = train(module, blobs(20, 5), {
        epochs: 3,
        batch: 16,
        optimizer: sgd(0.1),
        seed: 1,
        features: "x",
        labels: "t",
        // Epoch 1's accuracies arrive after epoch 2 has trained; epoch 2's fail at once, while
        // epoch 1's report is failing: that rejection must not go unhandled.
        evaluate: () =>
          ++calls === 2 ? Promise.reject(new Error("evaluation failed")) : new Promise((resolve) => setTimeout(() => resolve({ seconds: 0 }), 300)),
        onEpoch: (stats) => {
          if (stats.epoch === 1) throw new Error("the epoch's report failed");
        },
      });
      await expect(run).rejects.toThrow("the epoch's report failed");
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("lets a timer stop training between fast batches (events run every few milliseconds)", async () => {
    const { module } = await loadGraph(classifier);
    let stop = false;
    setTimeout(() => (stop = true), 0);
    const started = performance.now();
    // Batches of one example: thousands a second, far more than 1,000 epochs could take unstopped.
    const result = await train(module, blobs(100, 8), {
      epochs: 1000,
      batch: 1,
      optimizer: sgd(0.1),
      seed: 1,
      features: "x",
      labels: "t",
      shouldStop: () => stop,
    });
    expect(result.stopped).toBe(true);
    expect(result.history.length).toBeLessThan(1000);
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it("measures examples held in a Float32Array with an f64 module, and the other way round", async () => {
    for (const dtype of ["f64", "f32"] as const) {
      const { module } = await loadGraph(classifier, { dtype });
      const data = blobs(400, 9);
      const params = module.init(2);
      const names = { features: "x", labels: "t" };
      const expected = accuracy(module, params, data.test, "y", names);
      const other = dtype === "f64" ? Float32Array : Float64Array;
      const recast = { ...data.test, features: other.from(data.test.features), labels: other.from(data.test.labels) } as unknown as Split["test"];
      // For f64, the examples rounded to f32 first may predict differently; the labels may not.
      if (dtype === "f32") expect(accuracy(module, params, recast, "y", names)).toBe(expected);
      else expect(accuracy(module, params, recast, "y", names)).toBeCloseTo(expected, 1);
    }
  });

  it("refuses a graph whose grad names no param", async () => {
    const { module } = await loadGraph(classifier.replace("output loss, y", "output loss, y\n  grad loss wrt x"));
    await expect(train(module, blobs(20, 6), { epochs: 1, batch: 16, optimizer: sgd(0.1), seed: 1, features: "x", labels: "t" })).rejects.toThrow(
      'Training needs a param to train, but the graph\'s `grad` is taken with respect to "x", and no param is among them.',
    );
  });

  it("is reproducible: the same seed gives the same params, another seed different ones", async () => {
    const { module } = await loadGraph(classifier);
    const data = blobs(30, 2);
    const run = async (seed: number) =>
      (await train(module, data, { epochs: 2, batch: 16, optimizer: adam(0.01), seed, features: "x", labels: "t" })).params;
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(Array.from((a.W1 as { data: Float64Array }).data)).toEqual(Array.from((b.W1 as { data: Float64Array }).data));
    expect(Array.from((a.W1 as { data: Float64Array }).data)).not.toEqual(Array.from((c.W1 as { data: Float64Array }).data));
  });

  it("stops between batches when asked, reporting it", async () => {
    const { module } = await loadGraph(classifier);
    let batches = 0;
    const result = await train(module, blobs(30, 3), {
      epochs: 5,
      batch: 10,
      optimizer: sgd(0.1),
      seed: 0,
      features: "x",
      labels: "t",
      onBatch: () => batches++,
      shouldStop: () => batches >= 3,
    });
    expect(result.stopped).toBe(true);
    expect(batches).toBe(3);
    expect(result.history).toHaveLength(1);
  });

  it("rejects graphs it cannot train, naming the problem", async () => {
    const { module } = await loadGraph(classifier);
    const data = blobs(10, 4);
    const options = { epochs: 1, batch: 10, optimizer: sgd(0.1), seed: 0 };
    await expect(train(module, data, { ...options, features: "inputs", labels: "t" })).rejects.toThrow(TrainError);
    await expect(train(module, data, { ...options, features: "x", labels: "t", predict: "nope" })).rejects.toThrow(
      /no output "nope"/,
    );
    const wide = await loadGraph(classifier.replace("x: [N, 2]", "x: [N, 5]").replace("W1: [2, 16]", "W1: [5, 16]"));
    await expect(train(wide.module, data, { ...options, features: "x", labels: "t" })).rejects.toThrow(/5 features/);
  });
});

describe("data", () => {
  it("splits each class: its first 80 % trains, the rest tests", () => {
    const csv = ["1,0", "2,0", "3,0", "4,0", "5,0", "6,1", "7,1", "8,1", "9,1", "10,1"].join("\n");
    const split = loadCsv("s.csv", csv);
    expect(split.train.rows).toBe(8);
    expect(Array.from(split.train.features)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
    expect(Array.from(split.test.features)).toEqual([5, 10]);
    expect(Array.from(split.test.labels)).toEqual([1, 0, 0, 1]);
  });

  it("reads a named label column and reports bad rows by line", () => {
    const split = loadCsv("n.csv", "label,f1,f2\n1,0.5,0.25\n0,1,2\n", { labelColumn: "label" });
    expect(split.train.width).toBe(2);
    expect(split.train.classes).toBe(2);
    expect(() => loadCsv("bad.csv", "1,2,0\n3,x,1\n")).toThrow(/bad\.csv:2: error: "x" in column 2 is not a number/);
    expect(() => loadCsv("bad.csv", "1,2,0\n3,1\n")).toThrow(/bad\.csv:2: error: expected 3 values, found 2/);
    expect(() => loadCsv("bad.csv", "1,2,0.5\n")).toThrow(new DataError("the label 0.5 is not a class number 0, 1, 2, …", "bad.csv", 1));
    expect(() => loadCsv("bad.csv", "a,b,label\n")).toThrow("bad.csv: error: the CSV file has a header but no rows of data.");
    expect(() => loadCsv("bad.csv", "a,b,c\n1,2,0\n", { labelColumn: "d" })).toThrow('bad.csv: error: there is no label column "d"; the columns are "a", "b", "c" (or 0 to 2 by position).');
  });

  it("reads the JSON form run --inputs uses", () => {
    const split = loadJson("d.json", JSON.stringify({ x: [[1], [2], [3], [4], [5]], t: [[1, 0], [1, 0], [1, 0], [1, 0], [0, 1]] }), "x", "t");
    expect(split.train.rows + split.test.rows).toBe(5);
    expect(() => loadJson("d.json", "{", "x", "t")).toThrow(/d\.json:1:2: error: not valid JSON/);
    expect(() => loadJson("d.json", JSON.stringify({ x: [[1]], t: [[1], [0]] }), "x", "t")).toThrow(/1 rows but "t" has 2/);
  });

  it("decodes the digits' bytes (labels, then one index a pixel into the values' table), split per class", () => {
    // Five examples of width 2: labels 1, 0, 1, 0, 1; the pixels index the table [0, 0.5, 1].
    const index = { count: 5, width: 2, classes: 2, values: [0, 0.5, 1] };
    const bytes = Uint8Array.of(1, 0, 1, 0, 1, /* pixels */ 2, 0, 1, 1, 0, 2, 2, 2, 0, 0);
    const split = decodeMnist(bytes, index);
    // Class 0 (examples 2 and 4): floor(2 · 0.8) = 1 trains; class 1 (1, 3, 5): 2 train.
    expect(Array.from(split.train.features)).toEqual([0.5, 0.5, 1, 0, 0, 1]);
    expect(Array.from(split.train.labels)).toEqual([1, 0, 0, 1, 0, 1]);
    expect(Array.from(split.test.features)).toEqual([1, 1, 0, 0]);
    expect(() => decodeMnist(bytes.subarray(1), index)).toThrow(/damaged: 14 bytes where 15 were expected/);
    // A label past the classes would spill into the next example's label row.
    expect(() => decodeMnist(Uint8Array.of(1, 0, 2, 0, 1, ...bytes.subarray(5)), index)).toThrow(/damaged: digit 2 has label 2/);
  });

  it("splits a class of 200,000 examples (no argument spreading that would overflow the stack)", () => {
    const { train: t, test } = splitIndices(new Uint8Array(200_000));
    expect([t.length, test.length]).toEqual([160_000, 40_000]);
    expect([t[0], t.at(-1), test[0], test.at(-1)]).toEqual([0, 159_999, 160_000, 199_999]);
  });

  it("bundles 10,000 MNIST digits of 784 values in [0, 1], split 7996 / 2004", () => {
    const mnist = loadMnist();
    expect(mnist.train.rows + mnist.test.rows).toBe(10_000);
    expect(mnist.train.rows).toBe(7996);
    expect(mnist.train.width).toBe(784);
    expect(mnist.train.classes).toBe(10);
    let min = Infinity;
    let max = -Infinity;
    for (const v of mnist.test.features) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    for (let r = 0; r < mnist.test.rows; r++) {
      let sum = 0;
      for (let j = 0; j < 10; j++) sum += mnist.test.labels[r * 10 + j]!;
      expect(sum).toBe(1);
    }
  });
});
