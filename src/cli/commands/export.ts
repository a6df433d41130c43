// `gradc export`: a graph, or one training step of it, as an ONNX model, written beside the
// graph file (net.graph → net.onnx), to -o FILE, or to standard output (-o -). A training step
// without --defaults comes with its first feeds (params, lr, state) in a JSON file beside it
// (step.onnx → step.init.json), as `--params` files are written.
import { basename, dirname, extname, join } from "node:path";
import { analyze, graphToOnnx, type Dtype, type Graph, type OptimizerName, type ValueMeta } from "../../index.js";
import { shortestFloat32 } from "../../onnx/float32.js";
import { toNested } from "../../runtime/index.js";
import { reportDiagnostics } from "../common.js";
import { checkNotAnInput, displayName, readJsonValues, readSource, UserError, writeAtomically } from "../files.js";
import type { Io } from "../io.js";
import { UsageError } from "../options.js";

interface ExportOptions {
  graph?: string;
  output?: string;
  dtype: Dtype;
  opset: number;
  training?: OptimizerName;
  lr?: number;
  params?: string;
  seed: number;
  defaults?: boolean;
}

/** Where the model goes without -o: beside the graph file, its extension replaced by .onnx. */
function defaultOutput(file: string): string {
  if (file === "-") throw new UsageError("a graph from standard input has no file name to write the model beside: give -o FILE.onnx, or -o - for standard output");
  return join(dirname(file), `${basename(file, extname(file))}.onnx`);
}

/** Where a training step's first feeds go: beside the model, step.onnx → step.init.json. */
function initPath(output: string): string {
  return join(dirname(output), `${basename(output, extname(output))}.init.json`);
}

/** The graph's inputs and params as `--params` checks values against them. */
function valueMetas(graph: Graph, kind: "input" | "param"): ValueMeta[] {
  return graph.values.filter((v) => v.kind === kind).map((v) => ({ name: v.name, shape: v.node.shape.map((d) => (typeof d === "number" ? d : d.sym)) }));
}

export async function exportCommand(io: Io, file: string, opts: ExportOptions): Promise<number> {
  if (opts.lr !== undefined && opts.training === undefined) throw new UsageError("--lr is the learning rate of a training step: give --training too");
  const output = opts.output ?? defaultOutput(file);
  const name = displayName(file);
  const source = readSource(file, io);
  const analyzed = analyze(source, { graph: opts.graph, file: name });
  reportDiagnostics(io, analyzed.diagnostics, name, source);
  const graph = analyzed.graph;
  if (!graph) return 1;
  const params = opts.params
    ? readJsonValues(opts.params, "param", { inputs: valueMetas(graph, "input"), params: valueMetas(graph, "param") }, "f64").params
    : undefined;
  const result = await graphToOnnx(graph, {
    dtype: opts.dtype,
    opset: opts.opset,
    training: opts.training,
    lr: opts.lr,
    params,
    seed: opts.seed,
    defaults: opts.defaults === true,
  });
  reportDiagnostics(io, result.diagnostics, name, source);
  if (!result.bytes) return 1;
  const protectedFiles = [file, ...(opts.params ? [opts.params] : [])];
  const firstFeeds = opts.training && !opts.defaults;
  // Both files are checked before either is written, so a refusal leaves nothing behind.
  if (output !== "-") {
    checkNotAnInput(output, protectedFiles);
    if (firstFeeds) checkNotAnInput(initPath(output), [...protectedFiles, output]);
  }
  let init: string | undefined;
  if (output === "-") {
    if (!io.outBytes) throw new UserError("this output cannot take bytes; give -o FILE.onnx.");
    io.outBytes(result.bytes);
  } else {
    writeAtomically(output, result.bytes, protectedFiles);
    if (firstFeeds) {
      // The first values of the params (and the seed's), lr and the state, the graph's own inputs
      // left to the caller: what a caller feeds the first step besides the data.
      const inputs = new Set(graph.values.filter((v) => v.kind === "input").map((v) => v.name));
      const first = Object.entries(result.initialValues ?? {}).filter(([k]) => !inputs.has(k));
      init = initPath(output);
      const json = JSON.stringify(Object.fromEntries(first.map(([k, v]) => [k, toNested(v)])), (_k, v: unknown) =>
        typeof v === "number" && result.dtype === "f32" ? shortestFloat32(v) : v,
      );
      writeAtomically(init, `${json}\n`, [...protectedFiles, output]);
    }
  }
  const what = opts.training ? `training step (${opts.training})` : "forward";
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  io.err(
    `wrote ${output === "-" ? "<stdout>" : output}: ${what}, opset ${result.opset}, ${result.dtype}, ` +
      `${count(result.inputs!.length, "input")}, ${count(result.outputs!.length, "output")}, ${result.bytes.length.toLocaleString("en-US")} bytes` +
      `${init ? `; its first feeds in ${init}` : ""}\n`,
  );
  if (firstFeeds && output === "-") {
    io.err("note: a training step's first feeds (params, lr, state) go to a file beside the model; with -o - none is written (give -o FILE.onnx, or --defaults to put them in the model)\n");
  }
  return 0;
}
