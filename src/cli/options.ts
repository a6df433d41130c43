// Owns reading the command line's own values: each option's parser, and the mistake that ends a
// run with exit code 2 and names the option. Loaded at start-up, so it imports nothing heavy.
import { Option } from "commander";

/** A mistake on the command line itself (exit code 2). */
export class UsageError extends Error {}

/** Parses a whole number ≥ `min` for `option`, or says what is wrong with it. */
function wholeNumber(option: string, min: number, what: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < min || !Number.isSafeInteger(n)) {
      throw new UsageError(`${option} must be ${what}, got ${JSON.stringify(text)}`);
    }
    return n;
  };
}

/** A whole number from `min` to `max` for `option`. */
export const wholeNumberIn = (option: string, min: number, max: number) => {
  const parse = wholeNumber(option, min, `a whole number from ${min} to ${max}`);
  return (text: string): number => {
    const n = parse(text);
    if (n > max) throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return n;
  };
};
export const positiveInt = (option: string) => wholeNumber(option, 1, "a positive whole number");
export const seedNumber = wholeNumber("--seed", 0, "a whole number (0 or more)");

/** A positive, finite number for `option`. */
export function positiveNumber(option: string) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n <= 0) {
      throw new UsageError(`${option} must be a positive number, got ${JSON.stringify(text)}`);
    }
    return n;
  };
}

/** `NAME=SIZE` for --dim. */
export function parseDim(text: string): [string, number] {
  const m = /^([^=]+)=(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || !Number.isSafeInteger(Number(m[2]))) {
    throw new UsageError(`--dim must be NAME=SIZE with a positive whole size, got ${JSON.stringify(text)}`);
  }
  return [m[1]!, Number(m[2])];
}

/** Commander's way to gather a repeatable option; absent, the option is undefined (no `[]` in --help). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export const graphOption = () => new Option("--graph <name>", "which graph of the file (default: the first)");
export const dtypeOption = () =>
  new Option("--dtype <dtype>", "element type of tensors").choices(["f64", "f32"]).default("f64");
export const targetOption = () =>
  new Option("--target <target>", "ts: readable loops; wasm: matrix products in WebAssembly SIMD")
    .choices(["ts", "wasm"])
    .default("ts");
export const seedOption = (what = "seed for the params' initializers") =>
  new Option("--seed <n>", what).argParser(seedNumber).default(0);
export const jsonOption = (what: string) => new Option("--json", what);
