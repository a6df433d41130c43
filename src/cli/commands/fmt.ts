// `gradc fmt`: graph files laid out the canonical way (the library's formatGraphFile) — printed,
// or with --check named when they are not so laid out, or with --write rewritten in place. A file
// with syntax errors is reported as `compile` reports it and left as it is.
import { accessSync, constants } from "node:fs";
import { formatGraphFile } from "../../index.js";
import { reportDiagnostics } from "../common.js";
import { displayName, readSource, UserError, writeAtomically } from "../files.js";
import type { Io } from "../io.js";
import { UsageError } from "../options.js";

interface FmtOptions {
  check?: boolean;
  write?: boolean;
}

export async function fmtCommand(io: Io, files: string[], opts: FmtOptions): Promise<number> {
  if (opts.write && files.includes("-")) throw new UsageError("--write rewrites files in place; standard input (-) is not a file");
  let failed = false;
  for (const file of files) {
    const name = displayName(file);
    try {
      const source = readSource(file, io);
      const result = formatGraphFile(source);
      if (result.text === undefined) {
        reportDiagnostics(io, result.diagnostics, name, source);
        failed = true;
        continue;
      }
      const changed = result.text !== source;
      if (opts.check && changed) {
        io.out(`${name}\n`);
        failed = true;
      }
      if (opts.write && changed) rewrite(file, result.text);
      else if (!opts.write && !opts.check) io.out(result.text);
    } catch (e) {
      // One file that cannot be read or written is reported; the others are still formatted.
      if (!(e instanceof UserError)) throw e;
      io.err(`${e.message}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/** Replaces a file with its formatted text, if the user may write it. */
function rewrite(file: string, text: string): void {
  try {
    accessSync(file, constants.W_OK);
  } catch {
    throw new UserError(`cannot write "${file}": permission denied.`);
  }
  writeAtomically(file, text, []);
}
