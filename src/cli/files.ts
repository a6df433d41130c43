// Owns the CLI's file handling: reading graph and JSON files with located errors, and writing
// outputs atomically (a temporary file renamed into place), never over an input.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fromNested, ValueError, type Value, type ValueMeta } from "../index.js";
import { ownRecord, setOwn } from "../index.js";

/** A problem with the user's files or values: printed as it is, exit code 1. */
export class UserError extends Error {}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return (e as Error).message;
}

export function readSource(file: string): string {
  try {
    if (statSync(file).isDirectory()) throw new UserError(`gradc: error: cannot read "${file}": it is a directory.`);
    return readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`gradc: error: cannot read "${file}": ${reason(e)}.`);
  }
}

/** A JSON object mapping names to numbers or nested arrays, checked against the known names. */
export function readJsonValues(
  file: string,
  kind: "input" | "param" | "input or param",
  known: readonly ValueMeta[],
  dtype: "f64" | "f32",
): Record<string, Value> {
  const text = readSource(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const where = m ? lineColumn(text, Number(m[1])) : "";
    throw new UserError(`${file}${where}: error: not valid JSON (${(e as Error).message}).`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UserError(`${file}: error: expected a JSON object mapping ${kind} names to values.`);
  }
  const values = ownRecord<Value>();
  for (const [name, raw] of Object.entries(json)) {
    if (!known.some((k) => k.name === name)) {
      const names = known.map((k) => `"${k.name}"`).join(", ") || "none";
      const plural = kind === "input or param" ? "inputs and params" : `${kind}s`;
      throw new UserError(`${file}: error: the graph has no ${kind} "${name}"; its ${plural} are ${names}.`);
    }
    try {
      setOwn(values, name, fromNested(raw, dtype));
    } catch (e) {
      if (e instanceof ValueError) throw new UserError(`${file}: error: ${kind} "${name}": ${e.message}.`);
      throw e;
    }
  }
  return values;
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `:${before.length}:${before[before.length - 1]!.length + 1}`;
}

/** Writes `text` (or bytes) to `target` through a temporary file and a rename: all or nothing. */
export function writeAtomically(target: string, text: string | Uint8Array, inputs: readonly string[]): void {
  const full = resolve(target);
  if (inputs.some((i) => resolve(i) === full)) {
    throw new UserError(`gradc: error: refusing to write "${target}": it is an input of this command.`);
  }
  try {
    if (statSync(full).isDirectory()) throw new UserError(`gradc: error: cannot write "${target}": it is a directory.`);
  } catch (e) {
    if (e instanceof UserError) throw e;
  }
  let folder: ReturnType<typeof statSync> | undefined;
  try {
    folder = statSync(dirname(full));
  } catch {
    folder = undefined;
  }
  if (!folder?.isDirectory()) {
    throw new UserError(`gradc: error: cannot write "${target}": the directory "${dirname(target)}" does not exist.`);
  }
  const temp = join(dirname(full), `.${basename(full)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temp, "w");
    try {
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
    throw new UserError(`gradc: error: cannot write "${target}": ${why}.`);
  }
}
