// `gradc graph`: draws a graph file as the book draws its figures, as SVG (the default, on
// standard output), DOT or PNG, chosen by the extension of -o. With --values it runs the graph
// once and writes the numbers on the edges; with --backward it draws the gradient graph too.
import { extname } from "node:path";
import { analyze, emit, graphDot, loadModule, renderSvg, runPicture, type Graph, type PictureValues } from "../../index.js";
import { svgToPng } from "../../node/png.js";
import { guarded, reportDiagnostics, runValues } from "../common.js";
import { displayName, readSource, writeAtomically } from "../files.js";
import type { Io } from "../io.js";
import { UsageError } from "../options.js";

interface GraphOptions {
  graph?: string;
  values?: boolean;
  backward?: boolean;
  expand?: boolean;
  set?: string[];
  inputs?: string;
  params?: string;
  seed: number;
  output?: string;
}

/** What is drawn: a graph, and with --values the numbers of one run. */
interface Picture {
  readonly graph: Graph;
  readonly values?: PictureValues;
}

type Format = "svg" | "dot" | "png";
const formats: readonly Format[] = ["svg", "dot", "png"];

export async function graphCommand(io: Io, file: string, opts: GraphOptions): Promise<number> {
  const format = outputFormat(opts.output);
  if (!opts.values && ((opts.set ?? []).length > 0 || opts.inputs || opts.params)) {
    throw new UsageError("--set, --inputs and --params give the values to draw; use them with --values");
  }
  const picture = await (opts.values ? runGraph(io, file, opts) : analyzeGraph(io, file, opts));
  if (!picture) return 1;
  const dot = graphDot(picture.graph, { values: picture.values, backward: opts.backward, expand: opts.expand });
  const inputFiles = [file, ...(opts.inputs ? [opts.inputs] : []), ...(opts.params ? [opts.params] : [])];
  if (format === "dot") return write(io, opts.output, dot, inputFiles);
  const svg = await renderSvg(dot);
  if (format === "svg") return write(io, opts.output, svg, inputFiles);
  writeAtomically(opts.output!, await svgToPng(svg), inputFiles);
  return 0;
}

/** The graph to draw, without numbers. */
function analyzeGraph(io: Io, file: string, opts: GraphOptions): Picture | undefined {
  const name = displayName(file);
  const source = readSource(file, io);
  const result = analyze(source, { graph: opts.graph, file: name });
  reportDiagnostics(io, result.diagnostics, name, source);
  return result.graph ? { graph: result.graph } : undefined;
}

/** The graph to draw and the numbers of one run, compiled with every value observed. */
async function runGraph(io: Io, file: string, opts: GraphOptions): Promise<Picture | undefined> {
  const name = displayName(file);
  const source = readSource(file, io);
  const result = emit(source, { graph: opts.graph, file: name, observe: true, lang: "js" });
  reportDiagnostics(io, result.diagnostics, name, source);
  const { graph, code } = result;
  if (!code || !graph) return undefined;
  const module = await loadModule(code);
  const { inputs, params } = guarded(name, () => runValues(name, module, opts));
  return { graph, values: guarded(name, () => runPicture(module, graph, inputs, params)) };
}

/** The picture's format, from the extension of -o; SVG on standard output without it. */
function outputFormat(output: string | undefined): Format {
  if (output === undefined) return "svg";
  const ext = extname(output).toLowerCase().slice(1);
  const format = formats.find((f) => f === ext);
  if (!format) throw new UsageError(`-o must name a file ending in .svg, .dot or .png, got ${JSON.stringify(output)}`);
  return format;
}

function write(io: Io, output: string | undefined, text: string, inputs: readonly string[]): number {
  if (output === undefined) io.out(text);
  else writeAtomically(output, text, inputs);
  return 0;
}
