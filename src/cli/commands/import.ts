// `gradc import MODEL.onnx [-o OUT.graph]`: an ONNX model as a graph file (the library's
// importOnnx), and its params' values as JSON beside it (OUT.params.json, the form `gradc run
// --params` reads). Both files are written atomically, or neither: they are checked first, and
// the first is taken back if the second cannot be written.
import { existsSync, rmSync } from "node:fs";
import { formatDiagnostics, importOnnx, modelTooLarge, toNested } from "../../index.js";
import { checkNotAnInput, readBytes, writeAtomically } from "../files.js";
import type { Io } from "../io.js";
import { UsageError } from "../options.js";

interface ImportOptions {
  output?: string;
}

/** `net.graph` → `net.params.json`: where the params of a graph file go. */
export function paramsFileFor(graphFile: string): string {
  return `${graphFile.replace(/\.graph$/, "")}.params.json`;
}

export async function importCommand(io: Io, model: string, opts: ImportOptions): Promise<number> {
  if (model === "-") throw new UsageError("gradc import reads a model file; standard input (-) is not supported");
  if (opts.output !== undefined && !opts.output.endsWith(".graph")) {
    throw new UsageError(`-o must name a .graph file (its params go beside it as .params.json), got ${JSON.stringify(opts.output)}`);
  }
  // `mlp.onnx` → `mlp.graph`: the model's name without its extension.
  const graphFile = opts.output ?? `${model.replace(/\.[^./\\]*$/, "")}.graph`;
  const paramsFile = paramsFileFor(graphFile);
  for (const target of [graphFile, paramsFile]) checkNotAnInput(target, [model]);

  const result = await importOnnx(readBytes(model, modelTooLarge), {
    file: model.replace(/^.*[/\\]/, ""),
    paramsFile: paramsFile.replace(/^.*[/\\]/, ""),
  });
  if (!result.graph || !result.params) {
    io.err(`${formatDiagnostics(result.diagnostics, model, "")}\n`);
    return 1;
  }
  const json = Object.fromEntries(Object.entries(result.params).map(([name, value]) => [name, toNested(value)]));
  const paramsExisted = existsSync(paramsFile);
  writeAtomically(paramsFile, `${JSON.stringify(json)}\n`, [model]);
  try {
    writeAtomically(graphFile, result.graph, [model]);
  } catch (e) {
    // Both files or neither: params without their graph would only mislead.
    if (!paramsExisted) rmSync(paramsFile, { force: true });
    throw e;
  }
  io.out(`wrote ${graphFile} and ${paramsFile}\n`);
  return 0;
}
