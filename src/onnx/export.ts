// Owns exporting a graph as ONNX: the forward graph, or one training step (forward, backward
// and an optimizer update), built from the same optimised forward-and-backward IR the
// TypeScript emitter uses, each op by its registry entry's `onnx` rule. Browser-safe.
import { analyze } from "../compile.js";
import { DiagnosticBag, InternalError, inSourceOrder, type Diagnostic, type Span } from "../diagnostics.js";
import type { Dtype } from "../emit/options.js";
import { initialParams } from "../emit/init.js";
import { topoSort, type Graph, type NamedNode, type Node, type ValueDecl } from "../ir/graph.js";
import type { Shape } from "../ir/shape.js";
import type { OpName } from "../ops/names.js";
import { opDef } from "../ops/registry.js";
import type { Value } from "../runtime/tensor.js";
import { defaultLearningRates, optimizerNames, type OptimizerName } from "../train/optimizers.js";
import { DOUBLE, FLOAT, OnnxGraphBuilder } from "./builder.js";
import type { OnnxValue } from "./encode.js";
import { DEFAULT_OPSET, irVersionFor } from "./opset.js";
import { addUpdates, ADAM_STEP, stateNames } from "./training.js";

export type { OnnxValue } from "./encode.js";

/** How to export: which graph, the element type, the opset, and for a training step its optimizer. */
export interface ExportOptions {
  /** Which graph of the file; the first when absent. */
  readonly graph?: string;
  /** Element type of every tensor: `f32` (the default: what GPU and web runtimes compute in) or `f64`. */
  readonly dtype?: Dtype;
  /** The ONNX opset, from 18 to 26; 21 (IR version 10) when absent. */
  readonly opset?: number;
  /** Export one training step with this optimizer instead of the forward graph. */
  readonly training?: OptimizerName;
  /** With `training`: the default of the `lr` input; the optimizer's own default when absent. */
  readonly lr?: number;
  /** Values for params, by name (the others come from `init(seed)`): the file's initial params. */
  readonly params?: Readonly<Record<string, Value>>;
  /** The seed of `init`, for params not in `params` (0 when absent, as the commands use). */
  readonly seed?: number;
  /**
   * Whether inputs that have a first value get it as their default, an initializer of the same
   * name (false when absent): inputs with a literal in the graph file and, in a training step, the
   * params, `lr` and the optimizer's state. Such a file is self-contained (Python's onnxruntime
   * feeds over the defaults), but ONNX Runtime's JavaScript API binds only the inputs a session
   * lists, which leave out inputs that have a default: onnxruntime-node 1.30 silently ignores
   * such a feed. Without defaults, `initialValues` holds the first values.
   */
  readonly defaults?: boolean;
}

/** What `exportOnnx` returns: the model's bytes (absent when there are errors) and its signature. */
export interface ExportResult {
  /** The ONNX model, when there were no errors. */
  readonly bytes?: Uint8Array;
  readonly diagnostics: readonly Diagnostic[];
  /** The model's inputs, in order, when there were no errors. */
  readonly inputs?: readonly OnnxValue[];
  /** The model's outputs, in order, when there were no errors. */
  readonly outputs?: readonly OnnxValue[];
  /**
   * The first value of every input that has one, of the element type, by name (what the
   * defaults hold with `defaults: true`): the feeds of a training step's first run besides the data.
   */
  readonly initialValues?: Readonly<Record<string, Value>>;
  readonly opset: number;
  readonly irVersion: number;
  readonly dtype: Dtype;
}

/** A Shape as an OnnxValue's shape. */
function shapeDims(shape: Shape): (number | string)[] {
  return shape.map((d) => (typeof d === "number" ? d : d.sym));
}

/** The encoder (and the protobuf runtime with it), loaded on first use. */
let encoder: Promise<typeof import("./encode.js")> | undefined;

/**
 * Compiles a graph and exports it as an ONNX model: the forward graph (params as initializers),
 * or with `training` one training step (see docs/onnx.md). Mistakes in the source, and graph
 * names a training step needs for itself, are diagnostics; an option out of range or a `params`
 * value that does not fit the graph throws RangeError. Asynchronous because the encoder is
 * loaded on first use.
 */
export async function exportOnnx(source: string, options: ExportOptions = {}): Promise<ExportResult> {
  const analyzed = analyze(source, { graph: options.graph });
  if (!analyzed.graph) return { ...settings(options), diagnostics: analyzed.diagnostics };
  const result = await graphToOnnx(analyzed.graph, options);
  return { ...result, diagnostics: inSourceOrder([...analyzed.diagnostics, ...result.diagnostics]) };
}

function settings(options: ExportOptions): { opset: number; irVersion: number; dtype: Dtype } {
  const opset = options.opset ?? DEFAULT_OPSET;
  const dtype = options.dtype ?? "f32";
  if (dtype !== "f32" && dtype !== "f64") throw new RangeError(`dtype must be "f32" or "f64", got ${JSON.stringify(dtype)}`);
  if (options.training !== undefined && !optimizerNames.includes(options.training)) {
    throw new RangeError(`training must be one of ${optimizerNames.join(", ")}, got ${JSON.stringify(options.training)}`);
  }
  if (options.lr !== undefined) {
    if (options.training === undefined) throw new RangeError("lr is the learning rate of a training step: give training too");
    if (!(Number.isFinite(options.lr) && options.lr > 0)) throw new RangeError(`lr must be a positive number, got ${options.lr}`);
  }
  if (options.seed !== undefined && !(Number.isSafeInteger(options.seed) && options.seed >= 0)) {
    throw new RangeError(`seed must be a whole number (0 or more), got ${options.seed}`);
  }
  return { opset, irVersion: irVersionFor(opset), dtype };
}

/** Exports a graph that `analyze` returned; see `exportOnnx`. */
export async function graphToOnnx(graph: Graph, options: ExportOptions = {}): Promise<ExportResult> {
  const { opset, irVersion, dtype } = settings(options);
  const base = { opset, irVersion, dtype };
  const params = paramValues(graph, options);
  const optimizer = options.training;
  if (optimizer) {
    const diagnostics = collisions(graph);
    if (diagnostics.length > 0) return { ...base, diagnostics };
  }
  const b = new OnnxGraphBuilder(dtype === "f32" ? FLOAT : DOUBLE);
  const toElem = (data: ArrayLike<number>): Float32Array | Float64Array => (dtype === "f32" ? Float32Array.from(data) : Float64Array.from(data));
  const tensorOf = (name: string, v: Value) =>
    typeof v === "number"
      ? { name, dataType: b.elemType, dims: [], data: toElem([v]) }
      : { name, dataType: b.elemType, dims: v.shape, data: toElem(v.data) };
  const inputs: OnnxValue[] = [];
  const initialValues: Record<string, Value> = {};
  const input = (name: string, dims: readonly (number | string)[], initial?: Value) => {
    inputs.push({ name: b.claim(name), shape: dims });
    if (initial === undefined) return;
    const tensor = tensorOf(name, initial);
    initialValues[name] = tensor.dims.length === 0 ? tensor.data[0]! : { shape: [...tensor.dims], data: tensor.data };
    if (options.defaults === true) b.initializer(tensor);
  };

  // The interface: inputs (a literal in the file is the input's default), params, and for a
  // training step the learning rate and the optimizer's state, zero at first.
  const names = new Map<Node, string>();
  for (const v of graph.values) {
    names.set(v.node, v.name);
    const literal = v.literal && (v.literal.shape.length === 0 ? v.literal.data[0]! : { shape: [...v.literal.shape], data: Float64Array.from(v.literal.data) });
    if (v.kind === "input") input(v.name, shapeDims(v.node.shape), literal);
    else if (optimizer) input(v.name, shapeDims(v.node.shape), params.get(v.name)!);
    else b.initializer(tensorOf(b.claim(v.name), params.get(v.name)!));
  }
  // The params a training step updates: those the gradient is taken with respect to.
  const trained = optimizer ? graph.grads.filter((g) => isParam(graph, g.name)) : [];
  if (optimizer) {
    input("lr", [], options.lr ?? defaultLearningRates[optimizer]);
    for (const g of trained) {
      const shape = shapeDims(declOf(graph, g.name).node.shape);
      for (const s of stateNames(optimizer, g.name)) input(s, shape, zeros(shape));
    }
    if (optimizer === "adam") input(ADAM_STEP, [], 0);
  }

  // The outputs: what the graph outputs, or the loss and the gradients.
  const wanted: NamedNode[] = optimizer
    ? [graph.gradOf, ...graph.grads.map((g) => ({ ...g, name: `d${g.name}` }))]
    : [...graph.outputs];
  const outputs: OnnxValue[] = wanted.map((o) => ({ name: o.name, shape: shapeDims(o.node.shape) }));
  const resultName = new Map<Node, string>();
  for (const o of wanted) {
    if (names.get(o.node) === o.name) continue;
    b.claim(o.name);
    if (o.node.args.length > 0 && !resultName.has(o.node)) resultName.set(o.node, o.name);
  }

  // The nodes, in the IR's order; the upstream gradient of a tensor output (ones) right after
  // that output, whose shape it takes.
  const order = topoSort(wanted.map((o) => o.node)).filter((n) => n !== graph.upstream);
  if (graph.upstream && optimizer) order.splice(order.indexOf(graph.gradOf.node) + 1, 0, graph.upstream);
  for (const node of order) {
    if (names.has(node)) continue;
    if (node.op === "const") names.set(node, b.num(node.value!));
    else if (node.op === "upstream") {
      const ones = { name: "", dataType: b.elemType, dims: [1], data: [1] };
      names.set(node, b.op("ConstantOfShape", [b.shapeOf(names.get(graph.gradOf.node)!, graph.gradOf.node)], { value: ones }, b.fresh(node.name!)));
    } else if (node.op === "input" || node.op === "param") throw new InternalError(`"${node.name}" is not declared`);
    else {
      const rule = opDef(node.op as OpName).onnx;
      if (rule === "expanded") throw new InternalError(`op "${node.op}" should have been expanded when built`);
      const out = resultName.get(node) ?? b.fresh(graph.info.get(node)?.name ?? String(node.id));
      const args = node.args.map((a) => names.get(a) ?? missing(a));
      rule(b.context(node, args, out));
      if (!b.computes(out)) throw new InternalError(`the ONNX rule of "${node.op}" did not compute its result`);
      names.set(node, out);
    }
  }
  for (const o of wanted) if (!b.computes(o.name) && names.get(o.node) !== o.name) b.op("Identity", [names.get(o.node)!], {}, o.name);

  if (optimizer) {
    addUpdates(b, optimizer, trained.map((g) => ({ param: g.name, grad: `d${g.name}` })), "lr");
    for (const g of trained) {
      const shape = shapeDims(declOf(graph, g.name).node.shape);
      outputs.push({ name: b.claim(`${g.name}.next`), shape });
    }
    for (const g of trained) {
      const shape = shapeDims(declOf(graph, g.name).node.shape);
      for (const s of stateNames(optimizer, g.name)) outputs.push({ name: b.claim(`${s}.next`), shape });
    }
    if (optimizer === "adam") outputs.push({ name: b.claim(`${ADAM_STEP}.next`), shape: [] });
  }

  const doc = optimizer
    ? `One training step of graph "${graph.name}" by gradc: ${optimizer}, the loss "${graph.gradOf.name}" (see gradc's docs/onnx.md).`
    : `The forward graph of "${graph.name}", by gradc.`;
  const { encodeModel } = await (encoder ??= import("./encode.js"));
  const bytes = encodeModel({ name: graph.name, doc, opset, irVersion, builder: b, inputs, outputs });
  return { ...base, bytes, diagnostics: [], inputs, outputs, initialValues };
}

function missing(node: Node): never {
  throw new InternalError(`node ${node.id} (${node.op}) is used before it is computed`);
}

function isParam(graph: Graph, name: string): boolean {
  return graph.values.some((v) => v.kind === "param" && v.name === name);
}

function declOf(graph: Graph, name: string): ValueDecl {
  return graph.values.find((v) => v.name === name)!;
}

function zeros(shape: readonly (number | string)[]): Value {
  return shape.length === 0 ? 0 : { shape: shape as number[], data: new Float64Array((shape as number[]).reduce((p, d) => p * d, 1)) };
}

/** init(seed), with `options.params` in place of those it names; checked against the graph. */
function paramValues(graph: Graph, options: ExportOptions): Map<string, Value> {
  const values = initialParams(graph, options.seed ?? 0);
  for (const [name, value] of Object.entries(options.params ?? {})) {
    const decl = graph.values.find((v) => v.name === name);
    if (decl?.kind !== "param") throw new RangeError(`params: the graph has no param "${name}"`);
    const want = decl.node.shape as readonly number[];
    const got = typeof value === "number" ? [] : value.shape;
    const size = typeof value === "number" ? 1 : value.data.length;
    if (got.length !== want.length || got.some((d, i) => d !== want[i]) || size !== want.reduce((p, d) => p * d, 1)) {
      throw new RangeError(`params: "${name}" has shape [${got.join(", ")}] but the graph expects [${want.join(", ")}]`);
    }
    values.set(name, value);
  }
  return values;
}

/** Names of the graph that a training step needs for its own inputs and outputs. */
function collisions(graph: Graph): Diagnostic[] {
  const bag = new DiagnosticBag();
  const reserved = new Map<string, string>([["lr", `"lr" is the training step's learning-rate input`]]);
  for (const g of graph.grads) reserved.set(`d${g.name}`, `"d${g.name}" is the training step's gradient of "${g.name}"`);
  const seen = new Set<string>();
  const named: { name: string; span?: Span }[] = [...graph.values, ...graph.outputs];
  for (const v of named) {
    const why = reserved.get(v.name);
    if (why === undefined || seen.has(v.name)) continue;
    seen.add(v.name);
    bag.error(`${why}; rename "${v.name}" to export a training step.`, v.span);
  }
  return inSourceOrder(bag.items);
}
