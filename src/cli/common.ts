// What the CLI's commands share: output streams, common options, loading a graph, a run's
// inputs and params, and the two kinds of user-facing failure (a usage mistake, exit 2; a file
// or value problem, exit 1).
import { Option } from "commander";
import { compile, filledTensor, formatDiagnostics, loadModule, type Diagnostic, type GraphModule, type Value } from "../index.js";
import { assignOwn, getOwn, ownRecord, setOwn } from "../index.js";
import { readJsonValues, readSource, UserError } from "./files.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars draw only there). */
  readonly interactive?: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
};

/** A mistake on the command line itself (exit code 2). */
export class UsageError extends Error {}

export function parseSeed(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`--seed takes a whole number, got "${text}"`);
  return n;
}

export function parsePositive(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || !Number.isSafeInteger(n)) {
    throw new UsageError(`expected a positive whole number, got "${text}"`);
  }
  return n;
}

export function parsePositiveNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`expected a positive number, got "${text}"`);
  return n;
}

export const graphOption = () => new Option("--graph <name>", "which graph of the file (default: the first)");
export const dtypeOption = () =>
  new Option("--dtype <dtype>", "element type of tensors").choices(["f64", "f32"]).default("f64");
export const targetOption = () =>
  new Option("--target <target>", "ts: readable TypeScript loops; wasm: matrix products in WebAssembly SIMD")
    .choices(["ts", "wasm"])
    .default("ts");
export const seedOption = (what = "seed for the params' initializers") =>
  new Option("--seed <n>", what).argParser(parseSeed).default(0);

export function reportDiagnostics(io: Io, diagnostics: readonly Diagnostic[], file: string, source: string): void {
  if (diagnostics.length > 0) io.err(`${formatDiagnostics(diagnostics, file, source)}\n`);
}

/** Compiles a file and imports it; reports diagnostics and gives undefined on errors. */
export async function load(
  io: Io,
  file: string,
  graph?: string,
  dtype: "f64" | "f32" = "f64",
  target: "ts" | "wasm" = "ts",
): Promise<{ module: GraphModule } | undefined> {
  const source = readSource(file);
  const result = await compile(source, { graph, file, dtype, target });
  reportDiagnostics(io, result.diagnostics, file, source);
  if (!result.code) return undefined;
  return { module: await loadModule(result.code) };
}

/** Runs generated code; its InputError (a wrong value) becomes a located user error. */
export function guarded<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof Error && e.name === "InputError") throw new UserError(`${file}: error: ${e.message}`);
    if (e instanceof RangeError && /array length|allocation failed|Array buffer|grow/i.test(e.message)) {
      throw new UserError(`${file}: error: the tensors are too large to allocate (${e.message}).`);
    }
    throw e;
  }
}

/** Commander's way to gather a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The inputs of one run: `--inputs`, then each `--set`; an input left without a value (and without a default) is an error. */
export function runInputs(file: string, module: GraphModule, opts: { set: readonly string[]; inputs?: string }): Record<string, Value> {
  const inputs = ownRecord<Value>();
  if (opts.inputs) assignOwn(inputs, readJsonValues(opts.inputs, "input", module.meta.inputs, "f64"));
  for (const assignment of opts.set) {
    const [name, value] = parseSet(assignment, module);
    setOwn(inputs, name, value);
  }
  const missing = module.meta.inputs.filter(
    (v) => getOwn(inputs, v.name) === undefined && getOwn(module.defaults, v.name) === undefined,
  );
  if (missing.length > 0) {
    throw new UserError(
      `${file}: error: ${missing.map((v) => `input "${v.name}"`).join(", ")} ${missing.length === 1 ? "has" : "have"} no value; ` +
        `give ${missing.length === 1 ? "it" : "them"} with --inputs FILE.json${missing.every((v) => v.shape.length === 0) ? " or --set NAME=NUMBER" : ""}.`,
    );
  }
  return inputs;
}

/** The params of one run: `init(seed)`, with those `--params` gives replaced. */
export function runParams(module: GraphModule, opts: { seed: number; params?: string }): Record<string, Value> {
  const params = module.init(opts.seed);
  if (opts.params) assignOwn(params, readJsonValues(opts.params, "param", module.meta.params, "f64"));
  return params;
}

function parseSet(text: string, module: GraphModule): [string, Value] {
  const m = /^([^=]+)=(.*)$/.exec(text);
  if (!m) throw new UsageError(`--set takes NAME=NUMBER, got "${text}"`);
  const [, name, raw] = m;
  const input = module.meta.inputs.find((v) => v.name === name);
  if (!input) {
    const known = module.meta.inputs.map((v) => `"${v.name}"`).join(", ") || "none";
    throw new UserError(`gradc: error: --set ${name}: the graph has no input "${name}"; its inputs are ${known}.`);
  }
  const value = Number(raw);
  if (raw!.trim() === "" || !Number.isFinite(value)) throw new UsageError(`--set ${name} needs a finite number, got "${raw}"`);
  if (input.shape.length > 0) {
    const concrete = input.shape.every((d) => typeof d === "number");
    if (!concrete) {
      throw new UserError(`gradc: error: --set ${name}: input "${name}" is a tensor of symbolic shape; give it with --inputs.`);
    }
    return [name!, filledTensor(input.shape as number[], value)];
  }
  return [name!, value];
}
