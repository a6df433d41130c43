// Owns training data from text: a user's CSV file, or the JSON form `run --inputs` reads, and
// the split of any examples into train and test sets (the first 80 % of each class for
// training, the rest for testing), deterministically. The bundled MNIST digits are read by the
// browser-safe src/train/mnist.ts from the bytes the build writes.
import { parseJson } from "../runtime/json.js";

/** Examples as rows: `features` is rows × width, `labels` rows × classes, both row-major. */
export interface Examples {
  readonly rows: number;
  readonly width: number;
  readonly classes: number;
  readonly features: Float64Array;
  readonly labels: Float64Array;
}

/** A data set split into training and test examples. */
export interface Split {
  readonly name: string;
  readonly train: Examples;
  readonly test: Examples;
}

/** The fraction of each class that goes to the training set. */
export const TRAIN_FRACTION = 0.8;

/** A problem with a data file, phrased for the user. */
export class DataError extends Error {
  constructor(
    /** What is wrong, one sentence. */
    readonly reason: string,
    readonly file: string,
    /** The 1-based line of a CSV file, when the problem is on one. */
    readonly line?: number,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: error: ${reason}`);
    this.name = "DataError";
  }
}

/** One example: its features and its one-hot label (the class is the label's argmax). */
export interface Labelled {
  readonly features: readonly number[] | Float64Array;
  readonly label: readonly number[] | Float64Array;
}

/** Splits examples class by class: the first TRAIN_FRACTION of each class trains, the rest tests. */
export function splitByClass(name: string, examples: readonly Labelled[], width: number, classes: number): Split {
  const { train, test } = splitIndices(examples.map((e) => argmax(e.label)));
  const pack = (indices: readonly number[]): Examples => {
    const { features, labels } = allocateExamples(indices.length, width, classes);
    indices.forEach((e, i) => {
      features.set(examples[e]!.features, i * width);
      labels.set(examples[e]!.label, i * classes);
    });
    return { rows: indices.length, width, classes, features, labels };
  };
  return { name, train: pack(train), test: pack(test) };
}

/**
 * Which examples (by index) train and which test, given each one's class: the first
 * TRAIN_FRACTION of each class trains, the rest tests; both lists go class by class, in order.
 */
export function splitIndices(classOf: ArrayLike<number>): { train: number[]; test: number[] } {
  const byClass = new Map<number, number[]>();
  for (let e = 0; e < classOf.length; e++) {
    let list = byClass.get(classOf[e]!);
    if (!list) byClass.set(classOf[e]!, (list = []));
    list.push(e);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(c)!;
    const cut = Math.floor(list.length * TRAIN_FRACTION);
    // Pushed one by one: spreading a list of 150,000 or more would overflow the call stack.
    for (let i = 0; i < list.length; i++) (i < cut ? train : test).push(list[i]!);
  }
  return { train, test };
}

/** The zeroed arrays of `rows` examples. */
export function allocateExamples(rows: number, width: number, classes: number): { features: Float64Array; labels: Float64Array } {
  return { features: new Float64Array(rows * width), labels: new Float64Array(rows * classes) };
}

/** The index of the largest of `length` elements from `offset` (the first of equals). */
export function argmax(row: ArrayLike<number>, offset = 0, length = row.length - offset): number {
  let best = 0;
  for (let j = 1; j < length; j++) if (row[offset + j]! > row[offset + best]!) best = j;
  return best;
}

/**
 * A CSV file of numbers, one example a row. The label column is `labelColumn` (a header name or
 * a 0-based index) or else the last one; a whole-number label k becomes a one-hot row of
 * `classes` (or of max label + 1). A first row that is not all numbers is a header.
 */
export function loadCsv(file: string, text: string, options: { labelColumn?: string; classes?: number } = {}): Split {
  const lines = text.split(/\r?\n/).map((l, i) => ({ line: i + 1, cells: l.split(",").map((c) => c.trim()) }));
  const rows = lines.filter((l) => !(l.cells.length === 1 && l.cells[0] === ""));
  if (rows.length === 0) throw new DataError(`the CSV file has no rows.`, file);
  const isNumber = (c: string) => c !== "" && Number.isFinite(Number(c));
  const header = rows[0]!.cells.every(isNumber) ? undefined : rows.shift()!.cells;
  if (rows.length === 0) throw new DataError(`the CSV file has a header but no rows of data.`, file);
  const columns = rows[0]!.cells.length;
  if (columns < 2) throw new DataError(`a CSV row needs at least one feature and a label.`, file);
  let labelIndex = columns - 1;
  if (options.labelColumn !== undefined) {
    const byName = header?.indexOf(options.labelColumn) ?? -1;
    const byIndex = /^\d+$/.test(options.labelColumn) ? Number(options.labelColumn) : -1;
    labelIndex = byName >= 0 ? byName : byIndex;
    if (labelIndex < 0 || labelIndex >= columns) {
      const named = header ? `the columns are ${header.map((h) => JSON.stringify(h)).join(", ")} (or 0 to ${columns - 1} by position)` : `the columns are 0 to ${columns - 1}`;
      throw new DataError(`there is no label column "${options.labelColumn}"; ${named}.`, file);
    }
  }
  const parsed = rows.map(({ line, cells }) => {
    if (cells.length !== columns) {
      throw new DataError(`expected ${columns} values, found ${cells.length}.`, file, line);
    }
    const values = cells.map((c, col) => {
      if (!isNumber(c)) throw new DataError(`"${c.slice(0, 20)}" in column ${col + 1} is not a number.`, file, line);
      return Number(c);
    });
    return { line, values };
  });
  const labels = parsed.map((p) => p.values[labelIndex]!);
  const bad = parsed.find((p) => !Number.isInteger(p.values[labelIndex]!) || p.values[labelIndex]! < 0);
  if (bad) throw new DataError(`the label ${bad.values[labelIndex]} is not a class number 0, 1, 2, …`, file, bad.line);
  const classes = options.classes ?? labels.reduce((a, b) => Math.max(a, b), 0) + 1;
  const tooBig = parsed.find((p) => p.values[labelIndex]! >= classes);
  if (tooBig) {
    throw new DataError(`label ${tooBig.values[labelIndex]} is out of range for ${classes} classes.`, file, tooBig.line);
  }
  const width = columns - 1;
  const examples = parsed.map((p) => ({
    features: p.values.filter((_, i) => i !== labelIndex),
    label: Array.from({ length: classes }, (_, j) => (j === p.values[labelIndex] ? 1 : 0)),
  }));
  return splitByClass(file, examples, width, classes);
}

/** The JSON form `run --inputs` reads: `{ "<features>": [[...], ...], "<labels>": [[...], ...] }`. */
export function loadJson(file: string, text: string, featuresName: string, labelsName: string): Split {
  // A JsonError (thrown as it is) says where the text stops being JSON.
  const json = parseJson(text, file);
  const table = (name: string): number[][] => {
    const value = typeof json === "object" && json !== null ? (json as Record<string, unknown>)[name] : undefined;
    const ok =
      Array.isArray(value) &&
      value.length > 0 &&
      value.every((r) => Array.isArray(r) && r.length === (value[0] as unknown[]).length && r.every((v) => typeof v === "number"));
    if (!ok) throw new DataError(`"${name}" must be a non-empty list of equally long lists of numbers.`, file);
    return value as number[][];
  };
  const features = table(featuresName);
  const labels = table(labelsName);
  if (features.length !== labels.length) {
    throw new DataError(`"${featuresName}" has ${features.length} rows but "${labelsName}" has ${labels.length}.`, file);
  }
  const examples = features.map((f, i) => ({ features: f, label: labels[i]! }));
  return splitByClass(file, examples, features[0]!.length, labels[0]!.length);
}
