// `gradc graph`: draws a graph file as the book draws its figures, as SVG (the default, on
// standard output), DOT or PNG, chosen by the extension of -o. With --values it runs the graph
// once and writes the numbers on the edges; with --backward it draws the gradient graph too.
import { Command } from "commander";
import { extname } from "node:path";
import {
  analyze,
  compile,
  graphDot,
  loadModule,
  renderSvg,
  runPicture,
  svgToPng,
  type Graph,
  type PictureValues,
} from "../index.js";
import { collect, graphOption, guarded, reportDiagnostics, runInputs, runParams, seedOption, UsageError, type Io } from "./common.js";
import { readSource, writeAtomically } from "./files.js";

interface GraphCliOptions {
  graph?: string;
  values?: boolean;
  backward?: boolean;
  expand?: boolean;
  set: string[];
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

export function graphCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("graph")
    .description("draw a graph file as the book does: ops as nodes, values on the edges (SVG, DOT or PNG)")
    .argument("<file>", "the graph file")
    .addOption(graphOption())
    .option("--values", "run the graph once: each value above its edge, its gradient below (in red)")
    .option("--backward", "also draw the derived gradient graph, each part linked to the forward node it came from")
    .option("--expand", "draw the body of each user-defined op in a frame (default: one box per call)")
    .option("--set <name=number>", "with --values: give an input a value (repeatable)", collect, [])
    .option("--inputs <file.json>", "with --values: input values, a JSON object of numbers or nested arrays")
    .option("--params <file.json>", "with --values: param values (the others come from init)")
    .addOption(seedOption())
    .option("-o, --output <file>", "write the picture here: .svg, .dot or .png (default: SVG on standard output)")
    .action(async (file: string, opts: GraphCliOptions) => {
      const format = outputFormat(opts.output);
      if (!opts.values && (opts.set.length > 0 || opts.inputs || opts.params)) {
        throw new UsageError("--set, --inputs and --params give the values to draw; use them with --values");
      }
      const picture = await (opts.values ? runGraph(io, file, opts) : analyzeGraph(io, file, opts));
      if (!picture) return setExit(1);
      const dot = graphDot(picture.graph, { values: picture.values, backward: opts.backward, expand: opts.expand });
      const inputFiles = [file, ...(opts.inputs ? [opts.inputs] : []), ...(opts.params ? [opts.params] : [])];
      if (format === "dot") return write(io, opts.output, dot, inputFiles);
      const svg = await renderSvg(dot);
      if (format === "svg") return write(io, opts.output, svg, inputFiles);
      writeAtomically(opts.output!, await svgToPng(svg), inputFiles);
    });
}

/** The graph to draw, without numbers. */
function analyzeGraph(io: Io, file: string, opts: GraphCliOptions): Picture | undefined {
  const source = readSource(file);
  const result = analyze(source, { graph: opts.graph, file });
  reportDiagnostics(io, result.diagnostics, file, source);
  return result.graph ? { graph: result.graph } : undefined;
}

/** The graph to draw and the numbers of one run, compiled with every value observed. */
async function runGraph(io: Io, file: string, opts: GraphCliOptions): Promise<Picture | undefined> {
  const source = readSource(file);
  const result = await compile(source, { graph: opts.graph, file, observe: true });
  reportDiagnostics(io, result.diagnostics, file, source);
  const { graph, code } = result;
  if (!code || !graph) return undefined;
  const module = await loadModule(code);
  const inputs = guarded(file, () => runInputs(file, module, opts));
  const params = guarded(file, () => runParams(module, opts));
  return { graph, values: guarded(file, () => runPicture(module, graph, inputs, params)) };
}

/** The picture's format, from the extension of -o; SVG on standard output without it. */
function outputFormat(output: string | undefined): Format {
  if (output === undefined) return "svg";
  const ext = extname(output).toLowerCase().slice(1);
  const format = formats.find((f) => f === ext);
  if (!format) throw new UsageError(`-o takes a file ending in .svg, .dot or .png, got "${output}"`);
  return format;
}

function write(io: Io, output: string | undefined, text: string, inputs: readonly string[]): void {
  if (output === undefined) io.out(text);
  else writeAtomically(output, text, inputs);
}
