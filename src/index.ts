// The `gradc` entry: compile graph files to TypeScript or JavaScript (or export them as ONNX), print their gradients as
// graph files, load and run them in-process, check their gradients numerically, and draw them;
// and, for convenience, everything `gradc/runtime` has. Browser-safe: it imports nothing from
// Node (files, the bundled MNIST digits, PNGs and the CLI are in `gradc/node`).
import { analyze, emit, type CompileOptions } from "./compile.js";
import { formatDiagnostics, type Diagnostic } from "./diagnostics.js";
import { explainGradients as explainGraph } from "./draw/explain.js";
import { printGradientGraph } from "./emit/graphfile.js";
import type { Graph } from "./ir/graph.js";
import type { ImportOptions, ImportResult } from "./onnx/import.js";
import { loadModule, type GraphModule } from "./runtime/load.js";

export { analyze, compile, emit } from "./compile.js";
export type { AnalyzeResult, CompileOptions, CompileResult } from "./compile.js";
export { formatDiagnostic, formatDiagnostics } from "./diagnostics.js";
export type { Diagnostic, Severity, Span } from "./diagnostics.js";
export type { Dtype, Lang, Target } from "./emit/options.js";
export type { Graph, Node, NodeInfo, NamedNode, ValueDecl } from "./ir/graph.js";
export { formatGraphFile } from "./syntax/format.js";
export type { FormatResult } from "./syntax/format.js";
export { loadModule } from "./runtime/load.js";
export type { GraphForward, GraphModule, GraphTrainer, GraphTrainerOptions, ValueMeta } from "./runtime/load.js";
export { checkGradients, DEFAULT_DIM, DEFAULT_SAMPLES, DEFAULT_TOLERANCE } from "./check/gradcheck.js";
export type { CheckOptions, CheckReport, CheckRow } from "./check/gradcheck.js";
export { opNames } from "./ops/names.js";
export { graphDot } from "./draw/dot.js";
export type { GraphDotOptions } from "./draw/dot.js";
export { pictureValues, runPicture } from "./draw/values.js";
export type { PictureValues } from "./draw/values.js";
export { renderSvg } from "./draw/render.js";
export { formatNumber } from "./draw/labels.js";
export { isObservedName } from "./ir/observe.js";
export { exportOnnx, graphToOnnx } from "./onnx/export.js";
export type { ExportOptions, ExportResult, OnnxValue } from "./onnx/export.js";
export { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, opsetIrVersions } from "./onnx/opset.js";
export { version } from "./version.js";

/** Compile errors, formatted as the command line prints them: what `loadGraph` throws. */
export class GraphError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[], file: string, source: string) {
    super(formatDiagnostics(diagnostics, file, source));
    this.name = "GraphError";
  }
}

/** The derived gradient of a graph, as the text of a graph file of its own. */
export function gradientGraph(source: string, options: CompileOptions = {}): { text?: string; diagnostics: readonly Diagnostic[] } {
  const result = analyze(source, options);
  return { text: result.graph ? printGradientGraph(result.graph) : undefined, diagnostics: result.diagnostics };
}

/** How the chain rule builds each gradient of a graph, node by node, as `#` comment lines. */
export function explainGradients(source: string, options: CompileOptions = {}): { text?: string; diagnostics: readonly Diagnostic[] } {
  const result = analyze(source, options);
  return { text: result.graph ? explainGraph(result.graph, source) : undefined, diagnostics: result.diagnostics };
}

/** What `loadGraph` returns: the module, running, with the IR and the code it came from. */
export interface LoadedGraph {
  readonly module: GraphModule;
  readonly graph: Graph;
  readonly code: string;
}

/**
 * Compiles a graph to JavaScript and imports the module, ready to run; throws GraphError on
 * errors. `code` is the JavaScript that runs (`gradc compile --lang js`, before formatting).
 */
export async function loadGraph(source: string, options: CompileOptions = {}): Promise<LoadedGraph> {
  const result = emit(source, { ...options, lang: "js" });
  if (!result.code || !result.graph) throw new GraphError(result.diagnostics, options.file ?? "<graph>", source);
  return { module: await loadModule(result.code), graph: result.graph, code: result.code };
}

/**
 * Imports an ONNX model (the bytes of a `.onnx` file) as a graph file, with its initializers as
 * params and their values beside it (see docs/onnx.md): the graph comes back laid out as
 * `formatGraphFile` lays files out, and compiles; an op gradc has no counterpart for, or anything
 * else it cannot express, gives diagnostics instead, all of them at once. The ONNX reader is
 * loaded on the first call, so that compiling never waits for it.
 */
export async function importOnnx(bytes: Uint8Array, options: ImportOptions = {}): Promise<ImportResult> {
  const { importOnnxModel } = await import("./onnx/import.js");
  return importOnnxModel(bytes, options);
}
export type { ImportedValue, ImportOptions, ImportResult } from "./onnx/import.js";
export { MAX_MODEL_BYTES, modelTooLarge } from "./onnx/limits.js";

export * from "./service/index.js";
export * from "./runtime/index.js";
