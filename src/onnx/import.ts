// Owns ONNX model → graph file (`gradc import`, `importOnnx`): the model's inputs become `input`
// declarations, its initializers `param` declarations whose values are returned beside the text
// (the JSON of `gradc run --params`), each node a statement written with gradc's own ops (the
// rules in import-ops.ts), its outputs `output` statements. Every problem is collected and
// reported at once: each unknown op type once, naming its first node; a node downstream of one
// that failed is not reported again. The text is laid out by formatGraphFile, and compiled once
// before it is returned, so what the import gives always compiles.
import { create, fromBinary } from "@bufbuild/protobuf";
import { analyze } from "../compile.js";
import { MAX_DIAGNOSTICS, type Diagnostic } from "../diagnostics.js";
import { ShapeError, sym, type Dim, type Shape } from "../ir/shape.js";
import { ownRecord, setOwn } from "../runtime/records.js";
import type { Value } from "../runtime/tensor.js";
import { formatGraphFile } from "../syntax/format.js";
import { Level, nameExpr, numberExpr, numberText, type Expr } from "./expr.js";
import { importRules, type NodeContext } from "./import-ops.js";
import { MIN_OPSET, modelTooLarge } from "./limits.js";
import { NameTable, readableName } from "./names.js";
import {
  AttributeProto_AttributeType as AttrType,
  ModelProtoSchema,
  TensorProto_DataType,
  TensorProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from "./proto/onnx_pb.js";
import { elementTypeName, floatTypes, floatValues, integerValues, TensorError, tensorDims } from "./tensors.js";


/** How to import a model. */
export interface ImportOptions {
  /** The model's file name, for the header comment, and the graph's name (`mlp.onnx` → `graph mlp`). */
  readonly file?: string;
  /** The graph's name; by default the file's name without its extension, else the model graph's name. */
  readonly name?: string;
  /** Where the params' values are written (`mlp.params.json`), for the header comment. */
  readonly paramsFile?: string;
}

/** One input, param or output of the imported graph, and the ONNX value it came from. */
export interface ImportedValue {
  /** The name in the graph file (and in the params JSON). */
  readonly name: string;
  /** The name in the ONNX model. */
  readonly onnx: string;
  /** Sizes, and names for symbolic dimensions. */
  readonly shape: readonly (number | string)[];
}

/** What `importOnnx` gives: the graph file and its params' values, or the diagnostics saying why not. */
export interface ImportResult {
  /** The graph file, laid out as `gradc fmt` lays files out; absent when there are errors. */
  readonly graph?: string;
  /** Each param's value, by its name in the graph file: what `gradc run --params` reads. Tensors hold Float64Array data. */
  readonly params?: Record<string, Value>;
  /** The graph's inputs, in order, with their names in the model. */
  readonly inputs?: readonly ImportedValue[];
  /** The graph's params, in order, with their names in the model (their values are in `params`). */
  readonly declaredParams?: readonly ImportedValue[];
  /** The graph's outputs, one per output of the model, in its order. */
  readonly outputs?: readonly ImportedValue[];
  /** The element type the model computes in: `f32` if any of its tensors is float32. */
  readonly dtype?: "f32" | "f64";
  /** The problems found, each with a message that names the node, input or tensor at fault; none on success. */
  readonly diagnostics: readonly Diagnostic[];
}

/** A value the model names: computed (an expression), a constant not yet written, or lost to an error. */
type Source =
  | { readonly kind: "expr"; readonly expr: Expr }
  | { readonly kind: "constant"; readonly tensor: TensorProto; readonly initializer: boolean; declared?: Expr }
  | { readonly kind: "failed" };

/** A node that cannot be imported: the message's reason, thrown to the node loop. */
class NodeError extends Error {}

/** Imports an ONNX model (the bytes of a .onnx file) as a graph file and its params. */
export function importOnnxModel(bytes: Uint8Array, options: ImportOptions = {}): ImportResult {
  const fail = (message: string): ImportResult => ({ diagnostics: [{ severity: "error", message }] });
  const tooLarge = modelTooLarge(bytes.length);
  if (tooLarge !== undefined) return fail(tooLarge);
  if (bytes.length === 0) return fail("not an ONNX model (the file is empty).");
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    return fail(`not an ONNX model (it does not decode as one: ${(e as Error).message.replace(/\.$/, "").replace(/\bcant\b/, "cannot")}).`);
  }
  if (!model.graph) return fail("not an ONNX model (it has no graph).");
  const opset = model.opsetImport.find((o) => o.domain === "" || o.domain === "ai.onnx");
  if (!opset) {
    return fail(`the model imports no version of the default ONNX opset${model.opsetImport.length > 0 ? ` (only ${model.opsetImport.map((o) => `"${o.domain}"`).join(", ")})` : ""}.`);
  }
  if (opset.version < BigInt(MIN_OPSET)) return fail(`the model uses opset ${opset.version}; gradc imports opset ${MIN_OPSET} and later.`);
  return new Importer(model, Number(opset.version), options).run();
}

class Importer {
  private readonly graph: GraphProto;
  private readonly problems: { order: number; message: string }[] = [];
  private readonly sources = new Map<string, Source>();
  private readonly values = new NameTable();
  private readonly dims = new NameTable();
  private readonly inputDecls: string[] = [];
  private readonly paramDecls: string[] = [];
  private readonly statements: string[] = [];
  private readonly params = ownRecord<Value>();
  private readonly inputs: ImportedValue[] = [];
  private readonly paramList: ImportedValue[] = [];
  private readonly outputs: ImportedValue[] = [];
  private readonly dtype: "f32" | "f64";
  /** Every name a node reads or the graph outputs. */
  private readonly used = new Set<string>();

  constructor(
    private readonly model: ModelProto,
    private readonly opset: number,
    private readonly options: ImportOptions,
  ) {
    this.graph = model.graph!;
    const elementTypes = [...this.graph.input.map((v) => (v.type?.value.case === "tensorType" ? v.type.value.value.elemType : 0)), ...this.graph.initializer.map((t) => t.dataType)];
    this.dtype = elementTypes.some((t) => t === TensorProto_DataType.FLOAT) || !elementTypes.includes(TensorProto_DataType.DOUBLE) ? "f32" : "f64";
    for (const n of this.graph.node) for (const name of n.input) this.used.add(name);
    for (const o of this.graph.output) this.used.add(o.name);
  }

  private problem(order: number, message: string): void {
    this.problems.push({ order, message });
  }

  run(): ImportResult {
    if (this.graph.sparseInitializer.length > 0) this.problem(-1, `the model has sparse initializers ("${this.graph.sparseInitializer[0]!.values?.name ?? ""}"); gradc reads dense tensors only.`);
    if (this.graph.output.length === 0) this.problem(-1, "the model has no outputs.");
    for (const t of this.graph.initializer) this.sources.set(t.name, { kind: "constant", tensor: t, initializer: true });
    this.declareInputs();
    const unknown = this.checkOpTypes();
    this.graph.node.forEach((n, i) => this.importNode(n, i, unknown.has(i)));
    this.declareOutputs();
    if (this.problems.length > 0) {
      const sorted = this.problems.sort((a, b) => a.order - b.order).map((p) => p.message);
      const shown = sorted.slice(0, MAX_DIAGNOSTICS);
      if (sorted.length > shown.length) shown.push(`and ${sorted.length - shown.length} more problems.`);
      return { diagnostics: shown.map((message) => ({ severity: "error", message })) };
    }
    return this.result();
  }

  /** The graph inputs that are not initializers (older models list initializers as inputs too). */
  private declareInputs(): void {
    const inputs = this.graph.input.filter((v) => !this.sources.has(v.name));
    // Named dimensions first, so that an unknown one never takes a name the model uses.
    const named = new Map<string, string>();
    for (const v of inputs) {
      for (const d of tensorShape(v)?.dim ?? []) {
        if (d.value.case === "dimParam" && d.value.value !== "" && !named.has(d.value.value)) named.set(d.value.value, this.dims.fresh(d.value.value));
      }
    }
    for (const v of inputs) {
      const where = `input "${v.name}"`;
      const tensor = v.type?.value.case === "tensorType" ? v.type.value.value : undefined;
      if (!tensor) {
        this.fail(v.name, -1, `${where} is not a tensor (it is a ${v.type?.value.case ?? "value of no type"}); gradc imports tensor inputs only.`);
        continue;
      }
      if (!floatTypes.has(tensor.elemType)) {
        this.fail(v.name, -1, `${where} is ${elementTypeName(tensor.elemType)}; gradc computes in float32 or float64.`);
        continue;
      }
      if (!tensor.shape) {
        this.fail(v.name, -1, `${where} has no shape in the model; gradc needs the rank of each input.`);
        continue;
      }
      const shape: Dim[] = tensor.shape.dim.map((d) => {
        if (d.value.case === "dimValue" && d.value.value > 0n) return Number(d.value.value);
        if (d.value.case === "dimParam" && d.value.value !== "") return sym(named.get(d.value.value)!);
        return sym(this.dims.claim("N"));
      });
      const name = this.values.fresh(v.name);
      this.inputDecls.push(`input ${name}${typeText(shape)}${renamed(name, v.name)}`);
      this.sources.set(v.name, { kind: "expr", expr: nameExpr(name, shape) });
      this.inputs.push({ name, onnx: v.name, shape: shapeMeta(shape) });
    }
  }

  /** Reports each op type gradc has no rule for (and each foreign domain) once; returns the nodes at fault. */
  private checkOpTypes(): Set<number> {
    const byKind = new Map<string, number[]>();
    this.graph.node.forEach((n, i) => {
      if (!isForeign(n) && Object.prototype.hasOwnProperty.call(importRules, n.opType)) return;
      const kind = `${n.domain}\u0000${n.opType}`;
      byKind.set(kind, [...(byKind.get(kind) ?? []), i]);
    });
    // The ops gradc knows are listed once, with the first unknown one.
    let known = `; it knows ${Object.keys(importRules).join(", ")}`;
    for (const [first, ...others] of byKind.values()) {
      const n = this.graph.node[first!]!;
      const also = others.length === 0 ? "" : ` (${others.length === 1 ? "node" : "nodes"} ${listed(others)} ${others.length === 1 ? "is" : "are"} ${n.opType} too)`;
      let reason: string;
      if (isForeign(n)) reason = `it is an op of the domain "${n.domain}"${also}; gradc imports ops of the default ONNX domain only`;
      else {
        reason = `gradc has no op for ${n.opType}${also}${known}`;
        known = "";
      }
      this.problem(first!, `${nodeLabel(n, first!)}: ${reason}.`);
    }
    return new Set([...byKind.values()].flat());
  }

  /** Marks a value as lost to an error, and reports the error. */
  private fail(value: string, order: number, message: string): void {
    this.sources.set(value, { kind: "failed" });
    this.problem(order, message);
  }

  private importNode(n: NodeProto, index: number, unknown: boolean): void {
    const lost = () => n.output.forEach((o) => this.sources.set(o, { kind: "failed" }));
    if (unknown) return lost();
    const inputs = n.input.map((name) => (name === "" ? undefined : this.sources.get(name)));
    // Downstream of a node that failed: that failure is reported already.
    if (inputs.some((s) => s?.kind === "failed")) return lost();
    const missing = n.input.find((name, i) => name !== "" && inputs[i] === undefined);
    try {
      if (missing !== undefined) throw new NodeError(`its input "${missing}" is not a graph input, an initializer or the output of an earlier node`);
      const extra = n.output.slice(1).find((o) => o !== "" && this.used.has(o));
      if (extra !== undefined) throw new NodeError(`its output "${extra}" is used, and gradc imports only the first output of ${n.opType}`);
      const handedOut = new Set<Expr>();
      const result = importRules[n.opType]!(this.context(n, inputs, handedOut));
      const out = n.output[0] ?? "";
      if ("constant" in result) this.sources.set(out, { kind: "constant", tensor: result.constant, initializer: false });
      // A node that passes an input through (Identity) needs no statement, unless it is an output.
      else if (handedOut.has(result) && !this.graph.output.some((o) => o.name === out)) this.sources.set(out, { kind: "expr", expr: result });
      else this.nameValue(out, result);
    } catch (e) {
      if (!(e instanceof NodeError || e instanceof TensorError || e instanceof ShapeError)) throw e;
      this.problem(index, `${nodeLabel(n, index)}: ${e.message}.`);
      lost();
    }
  }

  /** A statement `name = expr` for an ONNX value. */
  private nameValue(onnx: string, expr: Expr): void {
    const name = this.values.fresh(onnx);
    // Only an output's ONNX name is worth a comment: it is the one a caller looks for.
    const comment = this.graph.output.some((o) => o.name === onnx) ? renamed(name, onnx) : "";
    this.statements.push(`${name} = ${expr.text}${comment}`);
    this.sources.set(onnx, { kind: "expr", expr: nameExpr(name, expr.shape) });
  }

  /**
   * A constant's expression, declared on first use: an initializer as a param (its values go to
   * the params), a Constant node's value as a number when it is a scalar, else as an input with
   * that value as its default.
   */
  private declare(onnx: string): Expr {
    const source = this.sources.get(onnx);
    if (source?.kind !== "constant") throw new Error(`gradc import: "${onnx}" is not a constant (this is a bug in gradc; please report it)`);
    if (source.declared) return source.declared;
    const what = source.initializer ? `initializer "${onnx}"` : `the constant "${onnx}"`;
    let dims: number[];
    let data: Float64Array;
    try {
      dims = tensorDims(source.tensor);
      data = floatValues(source.tensor);
    } catch (e) {
      if (e instanceof TensorError) throw new NodeError(`${what}: ${e.message}`);
      throw e;
    }
    if (!source.initializer && dims.length === 0) return (source.declared = numberExpr(data[0]!, this.dtype));
    if (data.some((v) => !Number.isFinite(v))) throw new NodeError(`${what} holds ${data.find((v) => !Number.isFinite(v))}, which JSON cannot hold`);
    const name = this.values.fresh(onnx);
    if (source.initializer) {
      this.paramDecls.push(`param ${name}${typeText(dims)}${renamed(name, onnx)}`);
      setOwn(this.params, name, dims.length === 0 ? data[0]! : { shape: dims, data });
      this.paramList.push({ name, onnx, shape: dims });
    } else {
      this.inputDecls.push(`input ${name}${typeText(dims)} = ${literal(dims, data, this.dtype)}${renamed(name, onnx)}`);
    }
    return (source.declared = nameExpr(name, dims));
  }

  /** What a rule sees of node `n`. */
  private context(n: NodeProto, inputs: readonly (Source | undefined)[], handedOut: Set<Expr>): NodeContext {
    const fail = (reason: string): never => {
      throw new NodeError(reason);
    };
    const attribute = (name: string, types: readonly AttrType[]): AttributeProto | undefined => {
      const a = n.attribute.find((x) => x.name === name);
      if (a && !types.includes(a.type)) fail(`its attribute ${name} is of type ${AttrType[a.type]}, not ${AttrType[types[0]!]}`);
      return a;
    };
    const given = (i: number): Source => {
      const s = inputs[i];
      if (!s) fail(`it lacks its input number ${i + 1}`);
      return s!;
    };
    const input = (i: number): Expr => {
      const s = given(i);
      const expr = s.kind === "expr" ? s.expr : this.declare(n.input[i]!);
      handedOut.add(expr);
      return expr;
    };
    const constantTensor = (s: Source | undefined): TensorProto | undefined => (s?.kind === "constant" ? s.tensor : undefined);
    const read = <T>(f: () => T, i: number): T => {
      try {
        return f();
      } catch (e) {
        if (e instanceof TensorError) fail(`its input "${n.input[i]}": ${e.message}`);
        throw e;
      }
    };
    const rank = (s: Source): number => (s.kind === "expr" ? s.expr.shape.length : s.kind === "constant" ? s.tensor.dims.length : 0);
    return {
      opset: this.opset,
      inputCount: n.input.length,
      has: (i) => inputs[i] !== undefined,
      input,
      operand: (i, other) => {
        const s = given(i);
        // A Constant node's single number is written as a number (an initializer stays a param:
        // it may be trained): exact when the other operand's rank is at least the constant's, so
        // that broadcasting it gives the same shape.
        const single = s.kind === "constant" && !s.initializer && s.tensor.dims.every((d) => d === 1n);
        if (single && floatTypes.has(s.tensor.dataType) && inputs[other] && rank(s) <= rank(given(other))) {
          return numberExpr(read(() => floatValues(s.tensor), i)[0]!, this.dtype);
        }
        return input(i);
      },
      constant: (i) => {
        const tensor = constantTensor(inputs[i]);
        if (!tensor) return undefined;
        return { floats: () => [...read(() => floatValues(tensor), i)], ints: () => read(() => integerValues(tensor), i) };
      },
      int: (name, fallback) => {
        const a = attribute(name, [AttrType.INT]);
        return a ? Number(a.i) : fallback;
      },
      float: (name, fallback) => attribute(name, [AttrType.FLOAT])?.f ?? fallback,
      ints: (name) => attribute(name, [AttrType.INTS])?.ints.map(Number),
      number: (v) => numberExpr(v, this.dtype),
      constantValue: () => constantValue(n, fail),
      fail,
    };
  }

  private declareOutputs(): void {
    const names = new Set<string>();
    for (const o of this.graph.output) {
      let source = this.sources.get(o.name);
      if (source === undefined) {
        this.problem(Infinity, `output "${o.name}" is not a graph input, an initializer or the output of a node.`);
        continue;
      }
      if (source.kind === "failed") continue;
      if (source.kind === "constant") {
        try {
          const declared = this.declare(o.name);
          // A scalar constant is a number, which needs a name to be an output.
          if (declared.level !== Level.Atom || !/^[\p{L}_]/u.test(declared.text)) this.nameValue(o.name, declared);
        } catch (e) {
          if (!(e instanceof NodeError)) throw e;
          this.problem(Infinity, `output "${o.name}": ${e.message}.`);
          continue;
        }
      }
      source = this.sources.get(o.name)!;
      const expr = source.kind === "expr" ? source.expr : source.kind === "constant" ? source.declared! : undefined;
      if (!expr) continue;
      names.add(expr.text);
      this.outputs.push({ name: expr.text, onnx: o.name, shape: shapeMeta(expr.shape) });
    }
    this.outputNames = [...names];
  }

  private outputNames: string[] = [];

  private result(): ImportResult {
    const file = this.options.file;
    const graphName = readableName(this.options.name ?? (file ? baseName(file) : this.graph.name || "model"));
    const producer = [this.model.producerName, this.model.producerVersion].filter((s) => s !== "").join(" ");
    const header = [
      `# Imported from ${file ?? "an ONNX model"} by gradc import (opset ${this.opset}${producer ? `, producer ${producer}` : ""}).`,
    ];
    if (this.paramList.length > 0) header.push(`# The params' values are in ${this.options.paramsFile ?? "the params JSON"}.`);
    if (this.dtype === "f32") header.push("# The model computes in float32 (compile with --dtype f32 to do the same).");
    const sections = [[...this.inputDecls, ...this.paramDecls], this.statements, [`output ${this.outputNames.join(", ")}`]].filter((s) => s.length > 0);
    const source = `${header.join("\n")}\ngraph ${graphName} {\n${sections.map((s) => s.join("\n")).join("\n\n")}\n}\n`;
    const formatted = formatGraphFile(source);
    const checked = formatted.text === undefined ? formatted : analyze(formatted.text);
    if (formatted.text === undefined || checked.diagnostics.length > 0) {
      const first = checked.diagnostics[0]?.message ?? "no message";
      return { diagnostics: [{ severity: "error", message: `the imported graph does not compile (${first}); this is a bug in gradc import, please report it.` }] };
    }
    return {
      graph: formatted.text,
      params: this.params,
      inputs: this.inputs,
      declaredParams: this.paramList,
      outputs: this.outputs,
      dtype: this.dtype,
      diagnostics: [],
    };
  }
}

function tensorShape(v: ValueInfoProto) {
  return v.type?.value.case === "tensorType" ? v.type.value.value.shape : undefined;
}

/** Whether a node's op is of a domain other than the default ONNX one. */
function isForeign(n: NodeProto): boolean {
  return n.domain !== "" && n.domain !== "ai.onnx";
}

/** A node as messages name it: `node 3 "/act/Gelu" (Gelu)`, counting from 0 as `graph.node` does. */
function nodeLabel(n: NodeProto, index: number): string {
  return `node ${index}${n.name === "" ? "" : ` ${JSON.stringify(n.name)}`} (${isForeign(n) ? `${n.domain}.` : ""}${n.opType})`;
}

function listed(indices: readonly number[]): string {
  const shown = indices.slice(0, 3).join(", ");
  return indices.length > 3 ? `${shown}, …` : shown;
}

function typeText(shape: readonly Dim[]): string {
  return shape.length === 0 ? "" : `: [${shapeMeta(shape).join(", ")}]`;
}

function shapeMeta(shape: Shape | readonly number[]): (number | string)[] {
  return shape.map((d) => (typeof d === "number" ? d : d.sym));
}

/** A comment with the ONNX name, when the graph file calls the value something else. */
function renamed(name: string, onnx: string): string {
  return name === onnx ? "" : `  # ${JSON.stringify(onnx)}`;
}

/** A tensor's values as a graph-file literal: nested lists, row-major. */
function literal(dims: readonly number[], data: Float64Array, dtype: "f32" | "f64"): string {
  if (dims.length === 0) return numberText(data[0]!, dtype);
  const stride = data.length / dims[0]!;
  const rows = Array.from({ length: dims[0]! }, (_, i) => literal(dims.slice(1), data.subarray(i * stride, (i + 1) * stride), dtype));
  return `[${rows.join(", ")}]`;
}

function baseName(file: string): string {
  return file.replace(/^.*[/\\]/, "").replace(/\.[^.]*$/, "");
}

/** The tensor a Constant node defines, from whichever of its value attributes it has. */
function constantValue(n: NodeProto, fail: (reason: string) => never): TensorProto {
  const a = n.attribute[0];
  if (n.attribute.length !== 1 || !a) return fail("a Constant needs exactly one value attribute");
  switch (a.name) {
    case "value":
      return a.t ?? fail("its value attribute holds no tensor");
    case "value_float":
      return create(TensorProtoSchema, { dataType: TensorProto_DataType.FLOAT, floatData: [a.f] });
    case "value_floats":
      return create(TensorProtoSchema, { dataType: TensorProto_DataType.FLOAT, dims: [BigInt(a.floats.length)], floatData: a.floats });
    case "value_int":
      return create(TensorProtoSchema, { dataType: TensorProto_DataType.INT64, int64Data: [a.i] });
    case "value_ints":
      return create(TensorProtoSchema, { dataType: TensorProto_DataType.INT64, dims: [BigInt(a.ints.length)], int64Data: a.ints });
    default:
      return fail(`its ${a.name} attribute is not a float or integer tensor`);
  }
}
