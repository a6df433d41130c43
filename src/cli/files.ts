// Owns the command line's files: reading graph files (or standard input, `-`) and JSON values
// with errors that name the file, the line and the column; and writing outputs atomically (a
// temporary file renamed into place), never over an input: not by its name, not through a
// symbolic link, not as another hard link to the same file.
import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fromNested, JsonError, parseJson, ValueError, type Dtype, type Value, type ValueMeta } from "../index.js";
import { ownRecord, setOwn } from "../index.js";
import type { Io } from "./io.js";

/** Where a problem is: a file, and a line and column in it when known. */
export interface Place {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/** A problem with the user's files or values: `FILE[:LINE:COL]: error: REASON`, exit code 1. */
export class UserError extends Error {
  constructor(
    /** What is wrong, one sentence with a final period. */
    readonly reason: string,
    readonly place?: Place,
  ) {
    const line = place?.line === undefined ? "" : `:${place.line}${place.column === undefined ? "" : `:${place.column}`}`;
    super(`${place ? place.file : "gradc"}${line}: error: ${reason}`);
    this.name = "UserError";
  }
}

/** The name standard input goes by in messages. */
export const STDIN_NAME = "<stdin>";

/** How a file given on the command line is named in messages. */
export function displayName(file: string): string {
  return file === "-" ? STDIN_NAME : file;
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ERR_FS_FILE_TOO_LARGE") return "it is too large to read";
  return (e as Error).message;
}

/** A file's text; `-` reads standard input. */
export function readSource(file: string, io?: Io): string {
  try {
    if (file === "-") return io?.stdin ? io.stdin() : readFileSync(0, "utf8");
    if (statSync(file).isDirectory()) throw new UserError(`cannot read "${file}": it is a directory.`);
    return readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read "${displayName(file)}": ${reason(e)}.`);
  }
}

/** A binary file's bytes; `tooLarge(size)` may refuse it, with a reason, before it is read. */
export function readBytes(file: string, tooLarge: (size: number) => string | undefined = () => undefined): Uint8Array {
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) throw new UserError(`cannot read "${file}": it is a directory.`);
    const refused = tooLarge(stats.size);
    if (refused !== undefined) throw new UserError(refused, { file });
    return readFileSync(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read "${file}": ${reason(e)}.`);
  }
}

/** A JSON file's value, or a UserError at the line and column of its first mistake. */
export function readJson(file: string, io?: Io): unknown {
  const text = readSource(file, io);
  try {
    return parseJson(text, displayName(file));
  } catch (e) {
    if (e instanceof JsonError) throw new UserError(`not valid JSON: ${e.reason}.`, { file: e.file, line: e.line, column: e.column });
    throw e;
  }
}

export interface JsonValues {
  readonly inputs: Record<string, Value>;
  readonly params: Record<string, Value>;
}

/**
 * A JSON object mapping names to numbers or nested arrays, for the graph's inputs and params
 * (`accept` says which kinds the option takes), each checked against the shape the graph
 * declares, so a wrong value is blamed on this file rather than on the graph.
 */
export function readJsonValues(
  file: string,
  accept: "input" | "param" | "input or param",
  graph: { readonly inputs: readonly ValueMeta[]; readonly params: readonly ValueMeta[] },
  dtype: Dtype,
): JsonValues {
  const json = readJson(file);
  const where = { file: displayName(file) };
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UserError(`expected a JSON object mapping ${accept} names to values.`, where);
  }
  const values: JsonValues = { inputs: ownRecord<Value>(), params: ownRecord<Value>() };
  const dims = new Map<string, { size: number; name: string }>();
  for (const [name, raw] of Object.entries(json)) {
    const input = graph.inputs.find((v) => v.name === name);
    const param = graph.params.find((v) => v.name === name);
    const meta = input ?? param;
    if (!meta || (accept === "input" && !input) || (accept === "param" && !param)) {
      throw new UserError(unknownName(name, accept, graph, meta !== undefined), where);
    }
    let value: Value;
    try {
      value = fromNested(raw, dtype);
    } catch (e) {
      if (e instanceof ValueError) throw new UserError(`${input ? "input" : "param"} "${name}": ${e.message}.`, where);
      throw e;
    }
    const mismatch = shapeMismatch(value, meta.shape, dims, name);
    if (mismatch) throw new UserError(`${input ? "input" : "param"} "${name}" ${mismatch}.`, where);
    setOwn(input ? values.inputs : values.params, name, value);
  }
  return values;
}

function unknownName(
  name: string,
  accept: "input" | "param" | "input or param",
  graph: { readonly inputs: readonly ValueMeta[]; readonly params: readonly ValueMeta[] },
  otherKind: boolean,
): string {
  if (otherKind) {
    return accept === "param"
      ? `"${name}" is an input of the graph, not a param; give it with --inputs.`
      : `"${name}" is a param of the graph, not an input; give it with --params.`;
  }
  const known = [...(accept !== "param" ? graph.inputs : []), ...(accept !== "input" ? graph.params : [])];
  const names = known.map((k) => `"${k.name}"`).join(", ") || "none";
  const plural = accept === "input or param" ? "inputs and params" : `${accept}s`;
  return `the graph has no ${accept} "${name}"; its ${plural} are ${names}.`;
}

/** Why a value does not have a declared shape (symbolic dims bound across the file), if it does not. */
function shapeMismatch(
  value: Value,
  expected: readonly (number | string)[],
  dims: Map<string, { size: number; name: string }>,
  name: string,
): string | undefined {
  const shape = typeof value === "number" ? [] : value.shape;
  const text = (s: readonly (number | string)[]) => `[${s.join(", ")}]`;
  if (expected.length === 0 && shape.length > 0) return `must be a number, got a tensor of shape ${text(shape)}`;
  const wrong = `has shape ${text(shape)} but the graph expects ${text(expected)}`;
  if (shape.length !== expected.length) return wrong;
  for (const [i, want] of expected.entries()) {
    const got = shape[i]!;
    if (typeof want === "number") {
      if (got !== want) return wrong;
      continue;
    }
    const bound = dims.get(want);
    if (!bound) dims.set(want, { size: got, name });
    else if (bound.size !== got) return `${wrong} (${want} is ${bound.size} in "${bound.name}")`;
  }
  return undefined;
}

/** The file a path names (through links), if it exists: its real path and identity. */
function identity(path: string): { real: string; dev: number; ino: number } | undefined {
  try {
    const s = statSync(path);
    return { real: realpathSync(path), dev: s.dev, ino: s.ino };
  } catch {
    return undefined;
  }
}

/** Refuses a target that is one of the inputs, by name, by link or as the same file. */
export function checkNotAnInput(target: string, inputs: readonly string[]): void {
  const out = identity(target);
  for (const input of inputs) {
    if (input === "-") continue;
    const same = resolve(input) === resolve(target);
    const id = identity(input);
    const linked = out && id && (out.real === id.real || (out.dev === id.dev && out.ino === id.ino));
    if (same || linked) {
      const how = same ? "it is an input of this command" : `it is the same file as the input "${input}"`;
      throw new UserError(`refusing to write "${target}": ${how}.`);
    }
  }
}

/**
 * Where `target` will be written (through a link, where it points), after checking that it is
 * not a directory and that its directory exists: commands check their outputs with this before
 * long work (`gradc train`), so a mistyped path fails at once.
 */
export function checkWritable(target: string): { full: string; existing: ReturnType<typeof identity> } {
  let full = resolve(target);
  const existing = identity(target);
  if (existing) {
    if (statSync(existing.real).isDirectory()) throw new UserError(`cannot write "${target}": it is a directory.`);
    full = existing.real;
  }
  let folder: ReturnType<typeof statSync> | undefined;
  try {
    folder = statSync(dirname(full));
  } catch {
    folder = undefined;
  }
  if (!folder?.isDirectory()) {
    throw new UserError(`cannot write "${target}": the directory "${dirname(target)}" does not exist.`);
  }
  return { full, existing };
}

/**
 * Writes `text` (or bytes) to `target` through a temporary file and a rename: all or nothing.
 * A target that is a symbolic link is written where it points; a file replaced keeps its mode.
 */
export function writeAtomically(target: string, text: string | Uint8Array, inputs: readonly string[]): void {
  checkNotAnInput(target, inputs);
  const { full, existing } = checkWritable(target);
  const temp = join(dirname(full), `.${basename(full)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temp, "w");
    try {
      // A file replaced keeps its permissions (`gradc fmt --write` rewrites the user's files).
      if (existing) fchmodSync(fd, statSync(full).mode & 0o7777);
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, full);
  } catch (e) {
    rmSync(temp, { force: true });
    // The folder exists (checked above), so "no such file" means it takes no new files.
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "files cannot be created there" : reason(e);
    throw new UserError(`cannot write "${target}": ${why}.`);
  }
}
