// Owns reading the bundled MNIST digits from their bytes: dist/assets/mnist.bin.gz once unzipped,
// described by dist/assets/mnist.json (written by scripts/build.mjs). Browser-safe, so Node
// (src/node/mnist.ts, which reads and unzips the files) and a page (which fetches them and
// unzips with DecompressionStream) decode the same digits the same way.
import { allocateExamples, splitIndices, type Examples, type Split } from "./data.js";

/** What dist/assets/mnist.json says about the bytes. */
export interface MnistIndex {
  readonly count: number;
  readonly width: number;
  readonly classes: number;
  /** The distinct pixel values; a pixel's byte is its index here. */
  readonly values: readonly number[];
}

/**
 * The digits in `bytes` (mnist.bin.gz unzipped) as examples, split 80/20 per digit as
 * `loadMnist` splits them. The layout: `count` labels (one byte each), then `count × width`
 * pixel bytes, each an index into `index.values`.
 */
export function decodeMnist(bytes: Uint8Array, index: MnistIndex): Split {
  const { count, width, classes, values } = index;
  if (bytes.length !== count * (width + 1)) {
    throw new Error(`The MNIST bytes are damaged: ${bytes.length} bytes where ${count * (width + 1)} were expected; rebuild gradc.`);
  }
  const damaged = bytes.subarray(0, count).findIndex((label) => label >= classes);
  if (damaged >= 0) throw new Error(`The MNIST bytes are damaged: digit ${damaged} has label ${bytes[damaged]}; rebuild gradc.`);
  // Each digit is decoded straight into its place in the split, without an array of its own.
  const decode = (indices: readonly number[]): Examples => {
    const { features, labels } = allocateExamples(indices.length, width, classes);
    indices.forEach((e, i) => {
      const from = count + e * width;
      const to = i * width;
      for (let j = 0; j < width; j++) features[to + j] = values[bytes[from + j]!]!;
      labels[i * classes + bytes[e]!] = 1;
    });
    return { rows: indices.length, width, classes, features, labels };
  };
  const { train, test } = splitIndices(bytes.subarray(0, count));
  return { name: "mnist", train: decode(train), test: decode(test) };
}
