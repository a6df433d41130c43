// `gradc grad`: the derived gradient as a graph file of its own (and, with --explain, the chain
// rule node by node).
import { explainGradients, gradientGraph } from "../../index.js";
import { jsonDiagnostics, jsonUserError, reportDiagnostics } from "../common.js";
import { displayName, readSource, UserError } from "../files.js";
import type { Io } from "../io.js";

interface GradOptions {
  graph?: string;
  explain?: boolean;
  json?: boolean;
}

export async function gradCommand(io: Io, file: string, opts: GradOptions): Promise<number> {
  const name = displayName(file);
  let source: string;
  try {
    source = readSource(file, io);
  } catch (e) {
    if (!(opts.json && e instanceof UserError)) throw e;
    io.out(`${JSON.stringify({ diagnostics: [jsonUserError(e, name)] }, null, 2)}\n`);
    return 1;
  }
  const result = gradientGraph(source, { graph: opts.graph, file: name });
  const explained = result.text !== undefined && opts.explain ? explainGradients(source, { graph: opts.graph, file: name }).text ?? "" : undefined;
  if (opts.json) {
    const body = {
      diagnostics: jsonDiagnostics(result.diagnostics, name, source),
      ...(result.text !== undefined ? { text: result.text } : {}),
      ...(explained !== undefined ? { explain: explained } : {}),
    };
    io.out(`${JSON.stringify(body, null, 2)}\n`);
    return result.text === undefined ? 1 : 0;
  }
  reportDiagnostics(io, result.diagnostics, name, source);
  if (result.text === undefined) return 1;
  io.out(result.text);
  if (explained !== undefined) io.out(`\n${explained}`);
  return 0;
}
