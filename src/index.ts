// gradc's public API: compile graph files to TypeScript, print their gradients as graph files,
// load and run them in-process, check their gradients numerically, and draw them.
import { analyze, compile, type CompileOptions } from "./compile.js";
import { formatDiagnostics, type Diagnostic } from "./diagnostics.js";
import { explainGradients as explainGraph } from "./draw/explain.js";
import { printGradientGraph } from "./emit/graphfile.js";
import type { Graph } from "./ir/graph.js";
import { loadModule, type GraphModule } from "./runtime/load.js";

export { analyze, compile } from "./compile.js";
export type { AnalyzeResult, CompileOptions, CompileResult } from "./compile.js";
export { formatDiagnostic, formatDiagnostics } from "./diagnostics.js";
export type { Diagnostic, Severity, Span } from "./diagnostics.js";
export type { Dtype, Target } from "./emit/typescript.js";
export type { Graph, Node, NodeInfo, NamedNode, ValueDecl } from "./ir/graph.js";
export { loadModule } from "./runtime/load.js";
export type { GraphForward, GraphModule, ValueMeta } from "./runtime/load.js";
export { fromNested, toNested, filledTensor, isTensor, ValueError } from "./runtime/tensor.js";
export type { Tensor, Value } from "./runtime/tensor.js";
export { checkGradients, DEFAULT_DIM, DEFAULT_SAMPLES, DEFAULT_TOLERANCE } from "./check/gradcheck.js";
export type { CheckOptions, CheckReport, CheckRow } from "./check/gradcheck.js";
export { opNames } from "./ops/names.js";
export { graphDot } from "./draw/dot.js";
export type { GraphDotOptions } from "./draw/dot.js";
export { pictureValues, runPicture } from "./draw/values.js";
export type { PictureValues } from "./draw/values.js";
export { renderSvg, svgToPng } from "./draw/render.js";
export { trainingCurves } from "./draw/curves.js";
export { formatNumber } from "./draw/labels.js";
export { isObservedName } from "./ir/observe.js";
export { version } from "./version.js";

/** Compile errors, formatted, raised by the helpers below that cannot return diagnostics. */
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

export interface LoadedGraph {
  readonly module: GraphModule;
  readonly graph: Graph;
  readonly code: string;
}

/** Compiles a graph and imports the generated module, ready to run; throws GraphError on errors. */
export async function loadGraph(source: string, options: CompileOptions = {}): Promise<LoadedGraph> {
  const result = await compile(source, options);
  if (!result.code || !result.graph) throw new GraphError(result.diagnostics, options.file ?? "<graph>", source);
  return { module: await loadModule(result.code), graph: result.graph, code: result.code };
}

export { sgd, momentum, adagrad, adam, makeOptimizer, optimizerNames, defaultLearningRates } from "./train/optimizers.js";
export type { Optimizer, OptimizerName, Params, Grads } from "./train/optimizers.js";
export { train, accuracy, planTraining, TrainError } from "./train/trainer.js";
export type { TrainOptions, TrainResult, EpochStats } from "./train/trainer.js";
export { loadMnist, loadCsv, loadJson, argmax, DataError, TRAIN_FRACTION } from "./train/data.js";
export type { Examples, Split } from "./train/data.js";
export { mulberry32, gaussian, shuffle } from "./runtime/random.js";
export { ownRecord, setOwn, getOwn, assignOwn } from "./runtime/records.js";
