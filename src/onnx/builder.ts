// Owns the ONNX graph while it is built: nodes in order, constants and initializers, and the
// names of values. Names the export makes all start with `%` (user names are identifiers), and
// each is claimed once, so no two values share a name.
import { InternalError } from "../diagnostics.js";
import type { Node } from "../ir/graph.js";
import type { OnnxContext } from "../ops/types.js";

/** ONNX's TensorProto.DataType codes the export writes. */
export const FLOAT = 1;
export const DOUBLE = 11;
export const INT64 = 7;

/** A tensor constant of the graph (an initializer). */
export interface OnnxTensor {
  readonly name: string;
  readonly dataType: number;
  readonly dims: readonly number[];
  readonly data: ArrayLike<number>;
}

export type OnnxAttrs = Readonly<Record<string, number | readonly number[] | OnnxTensor>>;

export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly attrs: OnnxAttrs;
}

export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly taken = new Set<string>();
  private readonly constants = new Map<string, string>();
  private readonly shapes = new Map<string, string>();
  private readonly defined = new Set<string>();

  constructor(readonly elemType: number) {}

  /** Reserves a name of the graph's interface (an input, output or initializer), exactly as given. */
  claim(name: string): string {
    if (this.taken.has(name)) throw new InternalError(`the ONNX name "${name}" is used twice`);
    this.taken.add(name);
    return name;
  }

  /** A fresh internal name: `%base`, or `%base_2`, `%base_3`, … when that is taken. */
  fresh(base: string): string {
    let name = `%${base}`;
    for (let i = 2; this.taken.has(name); i++) name = `%${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** Adds a node; its output is `output`, or a fresh name after its first input and its type. */
  op(opType: string, inputs: readonly string[], attrs: OnnxAttrs = {}, output?: string): string {
    const out = output ?? this.fresh(`${(inputs[0] ?? "").replace(/^%/, "")}/${opType}`);
    this.nodes.push({ opType, inputs, output: out, attrs });
    this.defined.add(out);
    return out;
  }

  /** Whether a node computes this value. */
  computes(name: string): boolean {
    return this.defined.has(name);
  }

  initializer(tensor: OnnxTensor): void {
    this.initializers.push(tensor);
  }

  /** A scalar of the element type, one initializer per distinct value. */
  num(value: number): string {
    const key = `num ${Object.is(value, -0) ? "-0" : String(value)}`;
    return this.constant(key, () => ({ dataType: this.elemType, dims: [], data: [value] }), String(value));
  }

  ints(values: readonly number[], scalar = false): string {
    if (scalar && values.length !== 1) throw new InternalError("a rank-0 index holds one number");
    const key = `ints ${scalar ? "" : "["}${values.join(",")}${scalar ? "" : "]"}`;
    return this.constant(key, () => ({ dataType: INT64, dims: scalar ? [] : [values.length], data: values }), key.slice(5));
  }

  private constant(key: string, make: () => Omit<OnnxTensor, "name">, label: string): string {
    let name = this.constants.get(key);
    if (name === undefined) {
      name = this.fresh(label);
      this.constants.set(key, name);
      this.initializers.push({ name, ...make() });
    }
    return name;
  }

  /** A value's shape: constant when every dimension is known, else one Shape node per value. */
  shapeOf(value: string, node: Node): string {
    if (node.shape.every((d) => typeof d === "number")) return this.ints(node.shape as number[]);
    let name = this.shapes.get(value);
    if (name === undefined) {
      name = this.op("Shape", [value]);
      this.shapes.set(value, name);
    }
    return name;
  }

  /** See OnnxContext.count. */
  count(value: string, node: Node, axes?: readonly number[], output?: string): string {
    const dims = axes === undefined ? node.shape : axes.map((a) => node.shape[a]!);
    if (dims.every((d) => typeof d === "number")) {
      const n = this.num((dims as number[]).reduce((p, d) => p * d, 1));
      return output === undefined ? n : this.op("Identity", [n], {}, output);
    }
    const elements =
      axes === undefined
        ? this.op("Size", [value])
        : this.op("ReduceProd", [this.op("Gather", [this.shapeOf(value, node), this.ints(axes)])], { keepdims: 0 });
    return this.op("Cast", [elements], { to: this.elemType }, output);
  }

  /** The context an op's rule builds with. */
  context(node: Node, args: readonly string[], out: string): OnnxContext {
    return {
      node,
      args,
      attrs: node.attrs,
      out,
      elemType: this.elemType,
      // A rule's inner values are named after its result: `%loss/LogSoftmax`.
      op: (opType, inputs, attrs, output) => this.op(opType, inputs, attrs, output ?? this.fresh(`${out.replace(/^%/, "")}/${opType}`)),
      num: (v) => this.num(v),
      ints: (values, scalar) => this.ints(values, scalar),
      shapeOf: (i) => this.shapeOf(args[i]!, node.args[i]!),
      count: (i, axes, output) => this.count(args[i]!, node.args[i]!, axes, output),
    };
  }
}
