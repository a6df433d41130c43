// `gradc check`: each gradient of each graph file against central differences of its forward
// pass; a file that cannot be checked is reported and the others are still checked.
import { checkGradients, type CheckReport, type Target, type Value } from "../../index.js";
import { guarded, jsonDiagnostics, jsonUserError, loadFile, reportDiagnostics, type JsonDiagnostic } from "../common.js";
import { displayName, readJsonValues, UserError } from "../files.js";
import { formatCheckReport } from "../format.js";
import type { Io } from "../io.js";
import { parseDim } from "../options.js";

interface CheckOptions {
  graph?: string;
  target: Target;
  seed: number;
  dim?: string[];
  inputs?: string;
  params?: string;
  samples?: number;
  json?: boolean;
}

type FileReport = { file: string; diagnostics: JsonDiagnostic[] } & ({ report: CheckReport } | { report?: undefined });

export async function checkCommand(io: Io, files: string[], opts: CheckOptions): Promise<number> {
  const dims = new Map((opts.dim ?? []).map(parseDim));
  const results: FileReport[] = [];
  const symbolsSeen = new Set<string>();
  let exit = 0;
  for (const file of files) {
    const name = displayName(file);
    const diagnostics: JsonDiagnostic[] = [];
    try {
      const loaded = await loadFile(io, file, { graph: opts.graph, target: opts.target });
      if (opts.json) diagnostics.push(...jsonDiagnostics(loaded.diagnostics, name, loaded.source));
      else reportDiagnostics(io, loaded.diagnostics, name, loaded.source);
      const module = loaded.module;
      if (!module) {
        exit = 1;
        results.push({ file: name, diagnostics });
        continue;
      }
      const symbols = [...new Set(module.meta.inputs.flatMap((v) => v.shape.filter((d): d is string => typeof d === "string")))];
      for (const s of symbols) symbolsSeen.add(s);
      if (files.length === 1) {
        const unknown = [...dims.keys()].find((d) => !symbols.includes(d));
        if (unknown !== undefined) throw unknownDim(unknown, symbols, "the graph has", "its");
      }
      let values: Record<string, Value> = {};
      const meta = { inputs: module.meta.inputs, params: module.meta.params };
      if (opts.params) values = readJsonValues(opts.params, "param", meta, "f64").params;
      if (opts.inputs) {
        const read = readJsonValues(opts.inputs, "input or param", meta, "f64");
        values = { ...values, ...read.inputs, ...read.params };
      }
      const report = guarded(name, () =>
        checkGradients(module, { seed: opts.seed, dims: Object.fromEntries(dims), values, samples: opts.samples }),
      );
      results.push({ file: name, diagnostics, report });
      if (!report.ok) exit = 1;
      if (!opts.json) io.out(formatCheckReport(name, module.meta.graph, report));
    } catch (e) {
      // A file or value that does not fit is reported; the other files are still checked.
      if (!(e instanceof UserError)) throw e;
      if (opts.json) diagnostics.push(jsonUserError(e, name));
      else io.err(`${e.message}\n`);
      exit = 1;
      results.push({ file: name, diagnostics });
    }
  }
  // A --dim for a dimension none of the graphs has is a mistake (a typo, most likely).
  const unknown = [...dims.keys()].find((d) => !symbolsSeen.has(d));
  if (files.length > 1 && unknown !== undefined && results.some((r) => r.report)) {
    const e = unknownDim(unknown, [...symbolsSeen], "none of the graphs has", "their");
    if (opts.json) results[0]!.diagnostics.push(jsonUserError(e, results[0]!.file));
    else io.err(`${e.message}\n`);
    exit = 1;
  }
  if (opts.json) {
    const json = results.map(({ file, diagnostics, report }) =>
      report ? { file, ...report, diagnostics } : { file, ok: false, diagnostics },
    );
    io.out(`${JSON.stringify(files.length === 1 ? json[0] : json, null, 2)}\n`);
  }
  return exit;
}

function unknownDim(dim: string, symbols: readonly string[], subject: string, owner: string): UserError {
  const known = symbols.map((s) => `"${s}"`).join(", ");
  return new UserError(
    `--dim ${dim}: ${subject} no dimension "${dim}"; ` +
      (known ? `${owner} symbolic dimensions are ${known}.` : `${owner === "its" ? "it has" : "they have"} no symbolic dimensions.`),
  );
}
