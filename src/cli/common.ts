// What the commands share once they run (loaded with them, not at start-up): compiling and
// loading a graph file, diagnostics for people or as JSON, a run's inputs and params, and
// turning a generated module's complaints into errors that name the file.
import {
  emit,
  filledTensor,
  formatDiagnostics,
  loadModule,
  type Diagnostic,
  type Dtype,
  type Graph,
  type GraphModule,
  type Target,
  type Value,
} from "../index.js";
import { assignOwn, getOwn, ownRecord, setOwn } from "../index.js";
import { lineColumnAt } from "../runtime/json.js";
import { displayName, readJsonValues, readSource, UserError } from "./files.js";
import type { Io } from "./io.js";
import { UsageError } from "./options.js";

/** A diagnostic as `--json` prints it: 1-based lines and columns; the end is just past the span. */
export interface JsonDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: "error" | "warning";
  readonly message: string;
}

/** Diagnostics of a file as JSON; a diagnostic about the whole file is placed at its start. */
export function jsonDiagnostics(diagnostics: readonly Diagnostic[], file: string, source: string): JsonDiagnostic[] {
  return diagnostics.map((d) => {
    const start = d.span ? { line: d.span.line, column: d.span.column } : { line: 1, column: 1 };
    const end = d.span ? lineColumnAt(source, d.span.end) : start;
    return { file, ...start, endLine: end.line, endColumn: end.column, severity: d.severity, message: d.message };
  });
}

/** A UserError as a JSON diagnostic. */
export function jsonUserError(e: UserError, fallbackFile: string): JsonDiagnostic {
  const line = e.place?.line ?? 1;
  const column = e.place?.column ?? 1;
  return { file: e.place?.file ?? fallbackFile, line, column, endLine: line, endColumn: column, severity: "error", message: e.reason };
}

export function reportDiagnostics(io: Io, diagnostics: readonly Diagnostic[], file: string, source: string): void {
  if (diagnostics.length > 0) io.err(`${formatDiagnostics(diagnostics, file, source)}\n`);
}

export interface LoadedFile {
  readonly name: string;
  readonly source: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly module?: GraphModule;
  /** The module's JavaScript, as it was imported. */
  readonly code?: string;
  /** The optimised graph the module was emitted from (another engine exports it). */
  readonly graph?: Graph;
}

/** Compiles a file to JavaScript and imports it; the module is absent when the file has errors. */
export async function loadFile(
  io: Io,
  file: string,
  options: { graph?: string; dtype?: Dtype; target?: Target },
): Promise<LoadedFile> {
  const name = displayName(file);
  const source = readSource(file, io);
  const result = emit(source, { graph: options.graph, file: name, dtype: options.dtype ?? "f64", target: options.target ?? "ts", lang: "js" });
  if (!result.code) return { name, source, diagnostics: result.diagnostics };
  return {
    name,
    source,
    diagnostics: result.diagnostics,
    code: result.code,
    module: await loadModule(result.code),
    ...(result.graph ? { graph: result.graph } : {}),
  };
}

/** Runs generated code; its InputError (a wrong value) becomes an error naming the graph file. */
export function guarded<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof Error && e.name === "InputError") throw new UserError(e.message, { file });
    if (e instanceof RangeError && /array length|allocation failed|Array buffer|grow/i.test(e.message)) {
      throw new UserError(`the tensors are too large to allocate (${e.message}).`, { file });
    }
    throw e;
  }
}

/** The values of one run: `--inputs` (inputs, and params too), each `--set`, then `--params`. */
export function runValues(
  file: string,
  module: GraphModule,
  opts: { set?: readonly string[]; inputs?: string; params?: string; seed: number },
): { inputs: Record<string, Value>; params: Record<string, Value> } {
  const graph = { inputs: module.meta.inputs, params: module.meta.params };
  const inputs = ownRecord<Value>();
  const params = module.init(opts.seed);
  if (opts.inputs) {
    const read = readJsonValues(opts.inputs, "input or param", graph, "f64");
    assignOwn(inputs, read.inputs);
    assignOwn(params, read.params);
  }
  for (const assignment of opts.set ?? []) {
    const [name, value] = parseSet(assignment, module);
    setOwn(inputs, name, value);
  }
  if (opts.params) assignOwn(params, readJsonValues(opts.params, "param", graph, "f64").params);
  const missing = module.meta.inputs.filter(
    (v) => getOwn(inputs, v.name) === undefined && getOwn(module.defaults, v.name) === undefined,
  );
  if (missing.length > 0) {
    throw new UserError(
      `${missing.map((v) => `input "${v.name}"`).join(", ")} ${missing.length === 1 ? "has" : "have"} no value; ` +
        `give ${missing.length === 1 ? "it" : "them"} with --inputs FILE.json${missing.every((v) => v.shape.length === 0) ? " or --set NAME=NUMBER" : ""}.`,
      { file },
    );
  }
  return { inputs, params };
}

function parseSet(text: string, module: GraphModule): [string, Value] {
  const m = /^([^=]+)=(.*)$/.exec(text);
  if (!m) throw new UsageError(`--set must be NAME=NUMBER, got ${JSON.stringify(text)}`);
  const [, name, raw] = m;
  const input = module.meta.inputs.find((v) => v.name === name);
  if (!input) {
    const known = module.meta.inputs.map((v) => `"${v.name}"`).join(", ") || "none";
    throw new UserError(`--set ${name}: the graph has no input "${name}"; its inputs are ${known}.`);
  }
  const value = Number(raw);
  if (raw!.trim() === "" || !Number.isFinite(value)) throw new UsageError(`--set ${name} needs a finite number, got ${JSON.stringify(raw)}`);
  if (input.shape.length > 0) {
    const concrete = input.shape.every((d) => typeof d === "number");
    if (!concrete) {
      throw new UserError(`--set ${name}: input "${name}" is a tensor of symbolic shape; give it with --inputs.`);
    }
    return [name!, filledTensor(input.shape as number[], value)];
  }
  return [name!, value];
}
