// Owns IR → a generated module, in TypeScript or plain JavaScript (with its declarations
// apart): one self-contained module per graph with its types, `meta`, `defaults`, `init`,
// `forward` and `backward`. Scalars become plain arithmetic, tensors become loops over typed
// arrays; single-use element-wise temporaries are fused into the loop that consumes them, and
// transposes feeding a matrix product are read in place. The TypeScript passes the strictest
// settings projects use (`noUncheckedIndexedAccess`, `isolatedDeclarations`, …).
import { InternalError } from "../diagnostics.js";
import { topoSort, type Graph, type Node, type ValueDecl } from "../ir/graph.js";
import { normalizeAxis, sameShape, shapeSymbols, type Shape } from "../ir/shape.js";
import type { OpName } from "../ops/names.js";
import { opDef } from "../ops/registry.js";
import type { EmitContext, Operand } from "../ops/types.js";
import { wasmKernelsBase64 } from "../generated/wasm-kernels.js";
import { initCall } from "./init.js";
import { Namer, numberLiteral, propertyKey } from "./names.js";
import type { Dtype, Lang, Target } from "./options.js";
import { helperSource, isHelperName, type HelperName } from "./runtime.js";
import { isWasmKernel, wasmWrapperName } from "./wasm-kernels.js";

export interface EmitOptions {
  readonly dtype: Dtype;
  /** The graph file's name, for the header comment. */
  readonly file?: string;
  /** The gradc version, for the header comment. */
  readonly version?: string;
  readonly target?: Target;
  /** `ts` (the default) or `js`. */
  readonly lang?: Lang;
}

type Phase = "forward" | "backward";

/** Names inside createTrainer: its memory and kernels (wasm), and its flags for state arrays. */
const TRAINER_MEMORY = "own";
const SLOT = "slot";

/** A graph's trainer: each param it trains with its gradient, and the nodes a step runs. */
interface TrainerPlan {
  readonly trainable: readonly { readonly param: ValueDecl; readonly grad: Node }[];
  readonly forward: readonly Node[];
  readonly backward: readonly Node[];
}

/** A gradient aᵀ·b the wasm trainer computes at the update: the call's operands and sizes. */
interface FusedUpdate {
  readonly a: string;
  readonly b: string;
  readonly n: string;
  readonly k: string;
  readonly m: string;
}

/** The deepest chain of element-wise ops fused into one expression. */
const MAX_FUSED_DEPTH = 24;

const isLeaf = (n: Node) => n.args.length === 0;

/** The arguments whose values a node reads (not those it reads only the shape of). */
function valueArgs(n: Node): Node[] {
  if (isLeaf(n)) return [];
  const shapeOnly = opDef(n.op as OpName).shapeOnlyArgs ?? [];
  return n.args.filter((_, i) => !shapeOnly.includes(i));
}

/** The module for a graph, in the language and for the target the options say. */
export function emitModule(graph: Graph, options: EmitOptions): string {
  const { code, helpers } = emitModuleParts(graph, options);
  return `${code}\n${helpers}\n`;
}

/**
 * The module in two parts: the graph's own code, and the helpers it carries after it, which are
 * formatted already (src/generated/helpers.ts), so only `code` needs formatting.
 */
export function emitModuleParts(graph: Graph, options: EmitOptions): { code: string; helpers: string } {
  return new ModuleEmitter(graph, options).module();
}

/** The `.d.ts` declarations of the JavaScript module for a graph. */
export function emitDeclarations(graph: Graph, options: EmitOptions): string {
  return new ModuleEmitter(graph, { ...options, lang: "ts" }).declarations();
}

/** Text for a `//` comment: one line, whatever the input holds. */
function commentText(text: string): string {
  return JSON.stringify(text).slice(1, -1).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function product(dims: readonly string[]): string {
  let constant = 1;
  const symbolic: string[] = [];
  for (const d of dims) {
    if (/^\d+$/.test(d)) constant *= Number(d);
    else symbolic.push(d);
  }
  if (symbolic.length === 0) return String(constant);
  return constant === 1 ? symbolic.join(" * ") : [...symbolic, String(constant)].join(" * ");
}

class ModuleEmitter {
  private readonly namer = new Namer();
  private readonly names = new Map<Node, string>();
  private readonly dimNames = new Map<string, string>();
  /** The helpers the emitted code calls (src/emit/helpers/); the module carries exactly these. */
  private readonly helpers = new Set<HelperName>();
  private readonly phase = new Map<Node, Phase>();
  private readonly inlined = new Set<Node>();
  private readonly absorbed = new Set<Node>();
  /**
   * broadcast_to nodes read only by element-wise loops: never copied out, each loop reads the
   * broadcast array in place (`t[i0]` for a row's value repeated along the row).
   */
  private readonly views = new Set<Node>();
  /** Producer → the element-wise consumer emitted with it as its epilogue (affine → relu). */
  private readonly epilogueOf = new Map<Node, Node>();
  private readonly producerOf = new Map<Node, Node>();
  private readonly saved: Node[] = [];
  private readonly forwardNodes: Node[];
  private readonly backwardNodes: Node[];
  private readonly arr: string;
  /** Whether the output is TypeScript (types, `!` after element reads) or plain JavaScript. */
  private readonly ts: boolean;
  /** The non-null assertion after an element read: `!` in TypeScript, nothing in JavaScript. */
  private readonly nn: string;
  /** trainerPlan's answer once worked out (undefined: no trainer); null before. */
  private plan: TrainerPlan | undefined | null = null;

  constructor(
    private readonly graph: Graph,
    private readonly options: EmitOptions,
  ) {
    this.arr = options.dtype === "f32" ? "Float32Array" : "Float64Array";
    this.ts = options.lang !== "js";
    this.nn = this.ts ? "!" : "";
    const computed = (n: Node) => !isLeaf(n);
    const forwardAll = topoSort(graph.outputs.map((o) => o.node));
    const forwardSet = new Set(forwardAll);
    this.forwardNodes = forwardAll.filter(computed);
    this.backwardNodes = topoSort(graph.grads.map((g) => g.node)).filter((n) => computed(n) && !forwardSet.has(n));
    for (const n of this.forwardNodes) this.phase.set(n, "forward");
    for (const n of this.backwardNodes) this.phase.set(n, "backward");

    // What backward reads from forward: values it uses, and gradients that are forward values.
    const known = (n: Node) => forwardSet.has(n) || n.op === "input" || n.op === "param";
    const saved = new Set<Node>();
    for (const n of this.backwardNodes) for (const a of valueArgs(n)) if (known(a) && a.op !== "const") saved.add(a);
    for (const g of graph.grads) if (known(g.node) && g.node.op !== "const") saved.add(g.node);
    this.saved = [...saved].sort((a, b) => a.id - b.id);

    this.planFusion();
    this.assignNames();
  }

  /** Decides which nodes are folded into their consumer instead of getting a variable. */
  private planFusion(): void {
    const all = [...this.forwardNodes, ...this.backwardNodes];
    const uses = new Map<Node, number>();
    const consumers = new Map<Node, Node[]>();
    for (const n of all) {
      for (const a of valueArgs(n)) {
        uses.set(a, (uses.get(a) ?? 0) + 1);
        const list = consumers.get(a);
        if (list) list.push(n);
        else consumers.set(a, [n]);
      }
    }
    const pinned = new Set<Node>([
      ...this.graph.outputs.map((o) => o.node),
      ...this.graph.grads.map((g) => g.node),
      ...this.saved,
    ]);
    for (const n of all) {
      if (pinned.has(n)) continue;
      const def = opDef(n.op as OpName);
      const users = consumers.get(n) ?? [];
      if (
        n.op === "transpose" &&
        n.args[0]!.shape.length === 2 &&
        users.length > 0 &&
        users.every((u) => opDef(u.op as OpName).absorbsTranspose && this.phase.get(u) === this.phase.get(n))
      ) {
        this.absorbed.add(n);
        continue;
      }
      if (
        n.op === "broadcast_to" &&
        n.shape.length > 0 &&
        users.length > 0 &&
        users.every((u) => opDef(u.op as OpName).elementwise && this.phase.get(u) === this.phase.get(n))
      ) {
        this.views.add(n);
        continue;
      }
      if (!def.elementwise || uses.get(n) !== 1 || this.graph.info.get(n)?.name !== undefined) continue;
      const user = users[0]!;
      if (this.phase.get(user) !== this.phase.get(n)) continue;
      const sameLoop = opDef(user.op as OpName).elementwise !== undefined && sameShape(user.shape, n.shape);
      if (n.shape.length === 0 || sameLoop) this.inlined.add(n);
    }
    // An op that can apply an epilogue gives its loop to its one element-wise consumer.
    for (const n of all) {
      const users = consumers.get(n) ?? [];
      const user = users[0];
      if (
        !opDef(n.op as OpName).fusesEpilogue ||
        pinned.has(n) ||
        uses.get(n) !== 1 ||
        !user ||
        this.inlined.has(user) ||
        !opDef(user.op as OpName).elementwise ||
        !sameShape(user.shape, n.shape) ||
        this.phase.get(user) !== this.phase.get(n) ||
        this.producerOf.has(user)
      ) {
        continue;
      }
      this.epilogueOf.set(n, user);
      this.producerOf.set(user, n);
    }
    // A fused expression nests its arguments; cut very long chains into statements so the
    // emitted expressions (and the emitter's recursion over them) stay shallow.
    const depth = new Map<Node, number>();
    for (const n of all) {
      const inner = Math.max(0, ...n.args.map((a) => (this.inlined.has(a) ? depth.get(a) ?? 0 : 0)));
      depth.set(n, inner + 1);
      if (this.inlined.has(n) && inner + 1 >= MAX_FUSED_DEPTH) {
        this.inlined.delete(n);
        depth.set(n, 0);
      }
    }
  }

  /** Whether a node is computed inside another's statement (or read in place) instead of its own. */
  private hasNoStatement(n: Node): boolean {
    return this.inlined.has(n) || this.absorbed.has(n) || this.epilogueOf.has(n) || this.views.has(n);
  }

  private assignNames(): void {
    for (const v of this.graph.values) for (const s of shapeSymbols(v.node.shape)) this.dim(s);
    for (const v of this.graph.values) this.names.set(v.node, this.namer.claim(v.name));
    const up = this.graph.upstream;
    if (up) this.names.set(up, this.namer.claim(up.name!));
    const needsName = [...this.forwardNodes, ...this.backwardNodes].filter(
      (n) => !this.hasNoStatement(n),
    );
    for (const n of needsName) {
      const name = this.graph.info.get(n)?.name;
      if (name !== undefined) this.names.set(n, this.namer.claim(name));
    }
    for (const n of needsName) if (!this.names.has(n)) this.names.set(n, this.namer.temporary());
  }

  private dim(symbol: string): string {
    let name = this.dimNames.get(symbol);
    if (!name) {
      name = this.namer.claim(symbol);
      this.dimNames.set(symbol, name);
    }
    return name;
  }

  private dimsOf(shape: Shape): string[] {
    return shape.map((d) => (typeof d === "number" ? String(d) : this.dim(d.sym)));
  }

  private nameOf(n: Node): string {
    const name = this.names.get(n);
    if (name === undefined) throw new InternalError(`node ${n.id} (${n.op}) has no variable`);
    return name;
  }

  /** A scalar-valued node as an expression. */
  private scalarExpr(n: Node): string {
    if (n.op === "const") return numberLiteral(n.value!);
    if (this.inlined.has(n)) return `(${this.elementExpr(n, () => "")})`;
    return this.nameOf(n);
  }

  /**
   * One element of an element-wise node, with fused arguments expanded in place and, for an
   * epilogue, the producer's value given as `produced`.
   */
  private elementExpr(n: Node, at: (o: Operand) => string, produced?: { node: Node; value: string }): string {
    const def = opDef(n.op as OpName).elementwise!;
    return def.expr(
      ...n.args.map((a) => {
        if (a === produced?.node) return `(${produced.value})`;
        if (a.shape.length === 0) return this.scalarExpr(a);
        if (this.inlined.has(a)) return `(${this.elementExpr(a, at)})`;
        if (this.views.has(a)) return at(this.viewOperand(a));
        return at({ ref: this.nameOf(a), dims: this.dimsOf(a.shape) });
      }),
    );
  }

  /**
   * What a broadcast view reads: its argument, with a size-1 axis where `axis` says it lacks one,
   * which the loop repeats (numpy-style alignment from the last axis does the rest).
   */
  private viewOperand(view: Node): Operand {
    const g = view.args[0]!;
    if (g.shape.length === 0) return { ref: this.scalarExpr(g), dims: [] };
    const dims = this.dimsOf(g.shape);
    const axis = view.attrs.axis === undefined ? undefined : normalizeAxis(view.attrs.axis, view.shape.length);
    return { ref: this.nameOf(g), dims: axis === undefined ? dims : [...dims.slice(0, axis), "1", ...dims.slice(axis)] };
  }

  /** The output buffer of node `n`, zeroed (reductions accumulate into it). */
  private zeroedBuffer(n: Node): string {
    return `buf.${this.nameOf(n)}.fill(0)`;
  }

  /** See EmitContext.loop. */
  private loop(dims: readonly string[], body: (at: (o: Operand) => string) => string): string {
    const operands: Operand[] = [];
    body((o) => {
      operands.push(o);
      return "0";
    });
    const same = (o: Operand) => o.dims.length === dims.length && o.dims.every((d, i) => d === dims[i]);
    if (operands.every((o) => o.dims.length === 0 || same(o))) {
      const text = body((o) => (o.dims.length === 0 ? o.ref : `${o.ref}[i]${o.target ? "" : this.nn}`));
      return `for (let i = 0; i < ${product(dims)}; i++) {\n${text}\n}`;
    }
    const term = (axis: number, stride: string) => (stride === "1" ? `i${axis}` : `i${axis} * ${stride}`);
    // Operands of the loop's own shape are read at `i + i<last>`: `i`, the flat index where the
    // innermost row starts, is computed once per row instead of at every element.
    const last = dims.length - 1;
    const rowStart = last > 0 && operands.some(same);
    const index = (o: Operand): string => {
      if (o.dims.length === 0) return o.ref;
      if (rowStart && same(o)) return `${o.ref}[i + i${last}]${o.target ? "" : this.nn}`;
      const offset = dims.length - o.dims.length;
      const terms: string[] = [];
      o.dims.forEach((d, j) => {
        if (d === "1" && dims[j + offset] !== "1") return; // broadcast: stride 0
        terms.push(term(j + offset, product(o.dims.slice(j + 1))));
      });
      return `${o.ref}[${terms.length === 0 ? "0" : terms.join(" + ")}]${o.target ? "" : this.nn}`;
    };
    let text = body(index);
    for (let axis = last; axis >= 0; axis--) {
      if (rowStart && axis === last - 1) {
        text = `const i = ${dims.slice(0, last).map((_, a) => term(a, product(dims.slice(a + 1)))).join(" + ")};\n${text}`;
      }
      text = `for (let i${axis} = 0; i${axis} < ${dims[axis]}; i${axis}++) {\n${text}\n}`;
    }
    return text;
  }

  private statement(consumer: Node): string {
    // An element-wise op with a fused producer is emitted as that producer with an epilogue.
    const producer = this.producerOf.get(consumer);
    const n = producer ?? consumer;
    const def = opDef(n.op as OpName);
    const out = this.nameOf(consumer);
    const dims = this.dimsOf(n.shape);
    if (def.elementwise) {
      if (n.shape.length === 0) return `const ${out} = ${this.elementExpr(n, () => "")};`;
      const mask = n === consumer ? this.reluMask(n) : undefined;
      if (mask) {
        const kernel = wasmWrapperName("reluBackward");
        this.helpers.add(kernel);
        return `const ${out} = ${kernel}(buf.${out}, ${mask.dout}, ${mask.y}, ${product(dims)});`;
      }
      const target: Operand = { ref: out, dims, target: true };
      return `const ${out} = buf.${out};\n${this.loop(dims, (at) => `${at(target)} = ${this.elementExpr(n, at)};`)}`;
    }
    if (!def.emit) throw new InternalError(`op "${n.op}" has no way to be emitted`);
    const args = n.args.map((a) => (this.absorbed.has(a) ? a.args[0]! : a));
    const ctx: EmitContext = {
      node: n,
      out,
      args: args.map((a, i) =>
        def.shapeOnlyArgs?.includes(i) ? "" : a.shape.length === 0 ? this.scalarExpr(a) : this.nameOf(a),
      ),
      argDims: n.args.map((a) => this.dimsOf(a.shape)),
      dims,
      transposed: n.args.map((a) => this.absorbed.has(a)),
      attrs: n.attrs,
      alloc: () => this.zeroedBuffer(consumer),
      buffer: () => `buf.${out}`,
      epilogue: producer
        ? (value, at) => this.elementExpr(consumer, at, { node: producer, value })
        : undefined,
      epilogueOp: producer && consumer.args.length === 1 ? (consumer.op as OpName) : undefined,
      kernel: (name) => {
        if (!isHelperName(name)) throw new InternalError(`no kernel "${name}"`);
        // The wasm target runs these kernels in WebAssembly, through a wrapper of the same shape.
        const called = this.options.target === "wasm" && isWasmKernel(name) ? wasmWrapperName(name) : name;
        this.helpers.add(called);
        return called;
      },
      loop: (d, body) => this.loop(d, body),
    };
    return def.emit(ctx);
  }

  /**
   * ReLU's gradient `dout * step(y)` over whole arrays of one shape, which the wasm target runs
   * as a SIMD kernel: its two arrays' names, when `n` is that (either order of the product).
   */
  private reluMask(n: Node): { dout: string; y: string } | undefined {
    if (this.options.target !== "wasm" || n.op !== "mul") return undefined;
    const stored = (a: Node) => a.shape.length > 0 && sameShape(a.shape, n.shape) && !this.inlined.has(a) && this.names.has(a);
    for (const [s, d] of [n.args, [...n.args].reverse()]) {
      if (s?.op === "step" && this.inlined.has(s) && d && stored(d) && stored(s.args[0]!)) {
        return { dout: this.nameOf(d), y: this.nameOf(s.args[0]!) };
      }
    }
    return undefined;
  }

  private comment(n: Node, phase: Phase): string {
    const info = this.graph.info.get(n);
    if (phase === "forward") {
      if (info?.name === undefined || !info.span) return "";
      return `// ${commentText(info.name)} = ${n.op}(…), line ${info.span.line}\n`;
    }
    return "";
  }

  private body(nodes: readonly Node[], phase: Phase): string {
    const lines: string[] = [];
    let origin: Node | undefined | null = null;
    for (const n of nodes) {
      if (this.hasNoStatement(n)) continue;
      if (phase === "backward") {
        const o = this.graph.info.get(n)?.origin;
        if (o !== origin) {
          origin = o;
          lines.push(this.backwardHeading(o));
        }
      }
      lines.push(this.comment(n, phase) + this.statement(n));
    }
    return lines.join("\n");
  }

  /** The comment over a backward block: which forward node's rule produced it, and its line. */
  private backwardHeading(origin: Node | undefined): string {
    if (!origin) return "\n// gradient sums";
    const info = this.graph.info.get(origin);
    const what = info?.name !== undefined ? `"${commentText(info.name)}" = ${origin.op}(…)` : `${origin.op}(…)`;
    return `\n// backward through ${what}${info?.span ? `, line ${info.span.line}` : ""}`;
  }

  /**
   * A value handed back to the caller: numbers as they are, tensors as a copy with their shape
   * (the module's buffers are reused by the next call, so the caller gets arrays of its own).
   */
  private result(n: Node, scale?: string): string {
    if (n.shape.length === 0) return scale ? `${this.scalarExpr(n)} * ${scale}` : this.scalarExpr(n);
    if (scale) this.helpers.add("scaledCopy");
    const data = scale ? `scaledCopy(${this.nameOf(n)}, ${scale})` : `${this.nameOf(n)}.slice()`;
    return `{ shape: [${this.dimsOf(n.shape).join(", ")}], data: ${data} }`;
  }

  /** Tensor values that live in the module's reusable buffers, in id order. */
  private bufferNodes(): Node[] {
    const leaves = [...this.graph.values.map((v) => v.node), ...(this.graph.upstream ? [this.graph.upstream] : [])];
    const computed = [...this.forwardNodes, ...this.backwardNodes].filter(
      (n) => !this.hasNoStatement(n),
    );
    return [...leaves, ...computed].filter((n) => n.shape.length > 0).sort((a, b) => a.id - b.id);
  }

  private typeOf(shape: Shape): string {
    return shape.length === 0 ? "number" : "Tensor";
  }

  private fields(items: readonly { name: string; node: Node }[], optional?: (name: string) => boolean): string {
    return items.map((i) => `${propertyKey(i.name)}${optional?.(i.name) ? "?" : ""}: ${this.typeOf(i.node.shape)};`).join("\n");
  }

  private literalValue(v: ValueDecl): string {
    const lit = v.literal!;
    if (lit.shape.length === 0) return numberLiteral(lit.data[0]!);
    return `{ shape: [${lit.shape.join(", ")}], data: new Arr([${lit.data.map(numberLiteral).join(", ")}]) }`;
  }

  private initValue(v: ValueDecl): string {
    if (v.literal) return this.literalValue(v);
    const dims = `[${(v.node.shape as number[]).join(", ")}]`;
    const init = initCall(v);
    this.helpers.add(init.helper);
    const call =
      init.helper === "filled"
        ? `filled(${dims}, ${numberLiteral(init.args[0])})`
        : `${init.helper}(random, ${dims}, ${init.args.map(numberLiteral).join(", ")})`;
    return v.node.shape.length === 0 ? `${call}.data[0]${this.nn}` : call;
  }

  /** `text` in TypeScript output, nothing in JavaScript: type annotations and the like. */
  private t(text: string): string {
    return this.ts ? text : "";
  }

  private header(what: string): string {
    const g = this.graph;
    return [
      `// Generated by gradc${this.options.version ? ` ${this.options.version}` : ""}` +
        `${this.options.file ? ` from "${commentText(this.options.file)}"` : ""} (graph "${commentText(g.name)}")${what}.`,
      `// Do not edit: change the graph file and compile again.`,
    ].join("\n");
  }

  private get inputs(): ValueDecl[] {
    return this.graph.values.filter((v) => v.kind === "input");
  }

  private get params(): ValueDecl[] {
    return this.graph.values.filter((v) => v.kind === "param");
  }

  private get withDefault(): ValueDecl[] {
    return this.inputs.filter((v) => v.literal);
  }

  private meta(): object {
    const g = this.graph;
    const dims = (shape: Shape) => shape.map((d) => (typeof d === "number" ? d : d.sym));
    return {
      graph: g.name,
      dtype: this.options.dtype,
      inputs: this.inputs.map((v) => ({ name: v.name, shape: dims(v.node.shape) })),
      params: this.params.map((v) => ({ name: v.name, shape: dims(v.node.shape) })),
      outputs: g.outputs.map((o) => ({ name: o.name, shape: dims(o.node.shape) })),
      grad: { of: g.gradOf.name, wrt: g.wrt.map((w) => w.name) },
    };
  }

  /** The names backward reads from `fwd.saved`, and their types. */
  private savedFields(): { name: string; type: string }[] {
    return [
      { name: "generation", type: "number" },
      ...[...this.dimNames.values()].map((name) => ({ name, type: "number" })),
      ...this.saved.map((n) => ({ name: this.nameOf(n), type: n.shape.length === 0 ? "number" : this.arr })),
    ];
  }

  /** The exported types: the same text in a TypeScript module and in a JavaScript module's `.d.ts`. */
  private types(): string {
    const g = this.graph;
    const withDefault = new Set(this.withDefault.map((v) => v.name));
    // Records of values are type aliases, not interfaces: an alias is assignable to an index
    // signature, so a module imported as a namespace is a GraphModule (gradc/runtime's `train`).
    return `/** A tensor: its shape and its elements in row-major order. */
export interface Tensor {
  shape: number[];
  data: ${this.arr};
}

export type Inputs = {
${this.fields(this.inputs, (n) => withDefault.has(n))}
};

export type Params = {
${this.fields(this.params)}
};

export type Outputs = {
${this.fields(g.outputs)}
};

/** One gradient of "${commentText(g.gradOf.name)}" per \`wrt\` name, shaped like that value. */
export type Grads = {
${this.fields(g.wrt)}
};

/** What backward needs from forward: the values it reads, valid until forward runs again. */
export interface Saved {
${this.savedFields().map((f) => `readonly ${f.name}: ${f.type};`).join("\n")}
}

export interface Forward {
  readonly outputs: Outputs;
  readonly saved: Saved;
}

/** The values the graph file gives its inputs. */
export type Defaults = {
${this.withDefault.map((v) => `readonly ${propertyKey(v.name)}: ${this.typeOf(v.node.shape)};`).join("\n")}
};${this.trainerPlan() ? `\n${this.trainerTypes()}` : ""}`;
  }

  /** The `.d.ts` of the JavaScript module. */
  declarations(): string {
    const upstream = this.graph.upstream;
    return `${this.header(", declarations of its JavaScript module")}

${this.types()}

/** What this module computes, for tools that load it. */
export declare const meta: ${constType(this.meta())};

/** The values the graph file gives its inputs. */
export declare const defaults: Defaults;

/** Fresh params from their initializers; the same seed gives the same params. */
export declare function init(seed?: number): Params;

/** Runs the graph: its outputs, and what backward needs. */
export declare function forward(inputs: Inputs, params: Params): Forward;

${this.backwardDoc()}
export declare function backward(fwd: Forward, upstream${upstream ? ": Tensor" : "?: number"}): Grads;

${this.trainerPlan() ? `${this.trainerDoc()}\nexport declare function createTrainer(params: Params, options?: TrainerOptions): Trainer;\n\n` : ""}/** Thrown when forward or backward is given a value of the wrong kind or shape. */
export declare class InputError extends Error {
  name: string;
}
`;
  }

  private backwardDoc(): string {
    const g = this.graph;
    return `/**
 * The gradient of "${commentText(g.gradOf.name)}" with respect to ${g.wrt.map((w) => `"${commentText(w.name)}"`).join(", ")}.
 * ${g.upstream ? "`upstream` is the gradient flowing into that output, shaped like it." : "`upstream` scales the result (the output's own gradient, 1 by default)."}
 * \`fwd\` must come from the latest call of forward: the buffers are reused.
 */`;
  }

  /**
   * What a trainer needs, when the graph can have one: a scalar loss and at least one param to
   * train (with its gradient), and the forward and backward nodes the loss and those gradients
   * need. Worked out once: the types, the declarations and the module all ask.
   */
  private trainerPlan(): TrainerPlan | undefined {
    if (this.plan !== null) return this.plan;
    const g = this.graph;
    const gradOf = new Map(g.grads.map((x) => [x.name, x.node]));
    const trainable = this.params.flatMap((param) => {
      const grad = gradOf.get(param.name);
      return grad ? [{ param, grad }] : [];
    });
    if (g.upstream || g.gradOf.node.shape.length !== 0 || trainable.length === 0) return (this.plan = undefined);
    const needed = new Set(topoSort([g.gradOf.node, ...trainable.map((t) => t.grad)]));
    return (this.plan = {
      trainable,
      forward: this.forwardNodes.filter((n) => needed.has(n)),
      backward: this.backwardNodes.filter((n) => needed.has(n)),
    });
  }

  /**
   * The params whose gradient the wasm trainer can fold into the SGD update, keyed by gradient:
   * gradients that are a product aᵀ·b (matmulTN) read by nothing else in the step. Their product
   * runs at the update, after the backward code, when a and b (each in a buffer of its own) still
   * hold their values, so where it stood in backward does not matter.
   */
  private fusedUpdates(plan: TrainerPlan): Map<Node, FusedUpdate> {
    const read = new Set([...plan.forward, ...plan.backward].flatMap(valueArgs));
    const fused = new Map<Node, FusedUpdate>();
    for (const { param, grad } of plan.trainable) {
      const [t, b] = grad.args;
      if (
        param.node.shape.length !== 2 ||
        grad.op !== "matmul" ||
        read.has(grad) ||
        !t ||
        !b ||
        !this.absorbed.has(t) ||
        this.absorbed.has(b) ||
        t.shape.length !== 2 ||
        b.shape.length !== 2
      ) {
        continue;
      }
      const a = t.args[0]!;
      const [n, m] = this.dimsOf(grad.shape);
      fused.set(grad, { a: this.nameOf(a), b: this.nameOf(b), n: n!, k: this.dimsOf(a.shape)[0]!, m: m! });
    }
    return fused;
  }

  /** The types of createTrainer: its options and the trainer. */
  private trainerTypes(): string {
    return `
/** How createTrainer's trainer updates the params; each optimizer's usual values by default. */
export interface TrainerOptions {
  /** "sgd" (the default), "momentum", "adagrad" or "adam". */
  optimizer?: "sgd" | "momentum" | "adagrad" | "adam";
  /** The learning rate: 0.1 for sgd, 0.01 for momentum and adagrad, 0.001 for adam by default. */
  lr?: number;
  /** momentum: how much of the last update carries into the next (0.9). */
  alpha?: number;
  /** adam: the decay of the gradient's running mean (0.9). */
  beta1?: number;
  /** adam: the decay of the squared gradient's running mean (0.999). */
  beta2?: number;
  /** adam: what keeps the update's denominator above 0 (1e-8). */
  eps?: number;
}

/** Trains a copy of the params: forward, backward and the update in one call per batch. */
export interface Trainer {
  /** One step of forward, backward and update on one batch; returns the loss. */
  step(inputs: Inputs): number;
  /** A copy of the current params. */
  params(): Params;
}`;
  }

  private trainerDoc(): string {
    return `/**
 * A trainer of a copy of \`params\`: each \`step\` runs forward, backward and the optimizer's update
 * on one batch, with the params and the optimizer's state kept in ${this.options.target === "wasm" ? "WebAssembly memory of its own" : "arrays of its own"}
 * between steps, so only the batch is copied in. Gives the numbers forward, backward and
 * gradc/runtime's optimizer of the same name give${this.options.dtype === "f32" ? " (up to rounding: its updates are in f32)" : ""}.
 */`;
  }

  /**
   * createTrainer: the params and the optimizer's state laid out first in the trainer's own
   * memory, then one batch's buffers; each step reads a batch, runs the forward and backward
   * code again (with the trainer's kernels) and updates the params in place.
   */
  private trainer(
    plan: TrainerPlan,
    readValue: (v: ValueDecl, from: string, uses: Set<string>) => string,
    rawName: (v: ValueDecl) => string,
  ): string {
    const g = this.graph;
    const nn = this.nn;
    const wasm = this.options.target === "wasm";
    const fused = wasm ? this.fusedUpdates(plan) : new Map<Node, FusedUpdate>();
    const forwardBody = this.body(plan.forward, "forward");
    const backwardBody = this.body(plan.backward.filter((n) => !fused.has(n)), "backward");
    const update = wasm ? "wasmUpdateParam" : "updateParam";
    this.helpers.add("updateRule").add(update).add("checkKeys").add("take");
    this.helpers.add(wasm ? "allocateIn" : "allocateKeeping");
    if (wasm) this.helpers.add("instantiateKernels").add("useKernels").add("sharedKernels");

    const name = (n: Node) => this.nameOf(n);
    const isScalar = (v: ValueDecl) => v.node.shape.length === 0;
    const tensorInputs = this.inputs.filter((v) => !isScalar(v));
    const tensorParams = this.params.filter((p) => !isScalar(p));
    const scalarParams = this.params.filter(isScalar);
    // Scalars the update changes live in one-element arrays, like tensors; so do their gradients.
    const box = new Map(scalarParams.map((p) => [p.node, this.namer.claim(`${name(p.node)}_box`)]));
    const gradBox = new Map(plan.trainable.filter((t) => isScalar(t.param)).map((t) => [t.param.node, this.namer.claim(`d_${name(t.param.node)}_box`)]));
    const state = (slot: number) =>
      plan.trainable.map(({ param }) => ({ param, name: this.namer.claim(`${box.get(param.node) ?? name(param.node)}_state${slot}`) }));
    const state1 = state(1);
    const state2 = state(2);
    const trainerNodes = new Set([...plan.forward, ...plan.backward]);
    const computed = this.bufferNodes().filter((n) => trainerNodes.has(n));
    const sizeOf = (n: Node) => product(this.dimsOf(n.shape)); // "1" for a scalar's box
    const batch = [
      ...[...tensorInputs.map((v) => v.node), ...computed].map((n) => ({ name: name(n), size: sizeOf(n) })),
      ...[...gradBox.values()].map((b) => ({ name: b, size: "1" })),
    ];
    const kept = [
      ...tensorParams.map((p) => ({ name: name(p.node), size: sizeOf(p.node) })),
      ...scalarParams.map((p) => ({ name: box.get(p.node)!, size: "1" })),
      ...state1.map((s) => ({ name: s.name, size: `${sizeOf(s.param.node)} * ${SLOT}1` })),
      ...state2.map((s) => ({ name: s.name, size: `${sizeOf(s.param.node)} * ${SLOT}2` })),
    ];
    const all = [...kept, ...batch];
    const symbols = [...this.dimNames.values()];
    const dimParams = symbols.map((n) => `${n}${this.t(": number")}`).join(", ");

    // The step's statements first, to know which names it reads.
    const updates = plan.trainable.map(({ param, grad }, i) => {
      const target = `buf.${box.get(param.node) ?? name(param.node)}`;
      const states = `buf.${state1[i]!.name}, buf.${state2[i]!.name}`;
      const product = fused.get(grad);
      if (product) {
        this.helpers.add("wasmMatmulTNAdd");
        return `if (rule.optimizer === "sgd") {
wasmMatmulTNAdd(${target}, ${product.a}, ${product.b}, ${product.n}, ${product.k}, ${product.m}, -rule.lr);
} else {
${this.statement(grad)}
${update}(rule, steps, ${target}, ${name(grad)}, ${states});
}`;
      }
      const boxed = gradBox.get(param.node);
      const setBox = boxed ? `buf.${boxed}[0] = ${this.scalarExpr(grad)};\n` : "";
      return `${setBox}${update}(rule, steps, ${target}, ${boxed ? `buf.${boxed}` : name(grad)}, ${states});`;
    });
    const fusedNote =
      fused.size > 0
        ? `// With sgd, a gradient that is a product aᵀ·b is never written: the product subtracts lr·(aᵀ·b)\n// from the param block by block as it finishes them (the same numbers as computing it, then updating).\n`
        : "";
    const body = `${forwardBody}\n${backwardBody}\nsteps++;\n${fusedNote}${updates.join("\n")}\nreturn ${this.scalarExpr(g.gradOf.node)};`;
    const uses = identifiers(body);
    const reads = this.inputs.map((v) => readValue(v, "inputs", uses)).join("\n");
    // Inputs are always copied in (they are checked and bound); params are bound where the step reads them.
    const bound = [
      ...tensorInputs.map((v) => `const ${name(v.node)} = buf.${name(v.node)};\n${name(v.node)}.set(${rawName(v)});`),
      ...tensorParams.filter((p) => uses.has(name(p.node))).map((p) => `const ${name(p.node)} = buf.${name(p.node)};`),
      ...scalarParams.filter((p) => uses.has(name(p.node))).map((p) => `const ${name(p.node)} = buf.${box.get(p.node)}[0]${nn};`),
    ].join("\n");
    const scalarNames = new Set(scalarParams.map((p) => name(p.node)));
    const paramReads = this.params.map((v) => readValue(v, "params", scalarNames)).join("\n");
    const setParams = [
      ...tensorParams.map((p) => `held.${name(p.node)}.set(${rawName(p)});`),
      ...scalarParams.map((p) => `held.${box.get(p.node)}[0] = ${name(p.node)};`),
    ].join("\n");
    const paramsCopy = this.params
      .map((p) =>
        isScalar(p)
          ? `${propertyKey(p.name)}: buf.${box.get(p.node)}[0]${nn},`
          : `${propertyKey(p.name)}: { shape: [${this.dimsOf(p.node.shape).join(", ")}], data: buf.${name(p.node)}.slice() },`,
      )
      .join("\n");
    const layoutCall = `layout(${symbols.map(() => "0").join(", ")})`;
    const allocation = wasm
      ? `allocateIn(${TRAINER_MEMORY}.memory, [${all.map((b) => b.size).join(", ")}])`
      : `allocateKeeping(store, ${kept.length}, [${all.map((b) => b.size).join(", ")}])`;
    return `
${this.t(`/** A trainer's arrays: the params and the optimizer's state, then one batch's buffers. */
interface TrainerBuffers {
${all.map((b) => `readonly ${b.name}: Arr;`).join("\n")}
}
`)}
${this.trainerDoc()}
export function createTrainer(params${this.t(": Params")}, options${this.t(": TrainerOptions")} = {})${this.t(": Trainer")} {
  const rule = updateRule(options);
  checkKeys("param", params, ${JSON.stringify(this.params.map((v) => v.name))});
${this.params.some((v) => v.node.shape.length > 0) ? `  const dims${this.t(": Dims")} = new Map();\n` : ""}${paramReads}
  const ${SLOT}1 = rule.slots >= 1 ? 1 : 0;
  const ${SLOT}2 = rule.slots >= 2 ? 1 : 0;
${wasm ? `  const ${TRAINER_MEMORY} = instantiateKernels();\n` : `  const store = {};\n`}
  // The params and the state come first, so they keep their places (and values) whatever the batch size.
  const layout = (${dimParams})${this.t(": TrainerBuffers")} => {
    const [${all.map((b) => b.name).join(", ")}] = ${allocation};
    return { ${all.map((b) => (this.ts ? `${b.name}: ${b.name}!` : b.name)).join(", ")} };
  };
  let held = ${layoutCall};
  let heldKey = String([${symbols.map(() => "0").join(", ")}]);
${setParams}
  let steps = 0;
  return {
    step(inputs${this.t(": Inputs")})${this.t(": number")} {
      checkKeys("input", inputs, ${JSON.stringify(this.inputs.map((v) => v.name))});
${this.inputs.some((v) => v.node.shape.length > 0) ? `      const dims${this.t(": Dims")} = new Map();\n` : ""}${reads}
${[...this.dimNames.entries()].map(([s, n]) => `const ${n} = dims.get(${JSON.stringify(s)})${nn};`).join("\n")}
      const key = String([${symbols.join(", ")}]);
      if (key !== heldKey) {
        held = layout(${symbols.join(", ")});
        heldKey = key;
      }
      const buf = held;
${bound}
${wasm ? `// The kernels work on this trainer's memory during the step.\nuseKernels(${TRAINER_MEMORY});\ntry {\n${body}\n} finally {\nuseKernels(sharedKernels);\n}` : body}
    },
    params()${this.t(": Params")} {
      const buf = held;
      return {
${paramsCopy}
      };
    },
  };
}
`;
  }

  /** The whole module: the graph's code, and the helpers it carries. */
  module(): { code: string; helpers: string } {
    const g = this.graph;
    const nn = this.nn;
    const inputs = this.inputs;
    const params = this.params;
    const withDefault = new Set(this.withDefault.map((v) => v.name));
    const upstream = g.upstream;

    // The bodies first: emitting them decides which helpers the module carries.
    const forwardBody = this.body(this.forwardNodes, "forward");
    const backwardBody = this.body(this.backwardNodes, "backward");
    const symbols = [...this.dimNames.entries()];
    const dimArgs = symbols.map(([, n]) => n).join(", ");
    const buffers = this.bufferNodes();
    const usesWasm = [...this.helpers].some((h) => h.startsWith("wasm"));
    const allocate: HelperName = usesWasm ? "allocateInMemory" : "allocate";
    this.helpers.add("InputError").add("checkKeys").add("take");

    const expectedShape = (shape: Shape) =>
      `[${shape.map((d) => (typeof d === "number" ? String(d) : JSON.stringify(d.sym))).join(", ")}]`;
    const raw = new Map(g.values.map((v) => [v.node, this.namer.claim(`${v.name}_in`)]));
    const readValue = (v: ValueDecl, from: string, uses: Set<string>) => {
      const what = JSON.stringify(`${v.kind} "${v.name}"`);
      const key = JSON.stringify(v.name);
      const value =
        withDefault.has(v.name) && v.kind === "input"
          ? `take(${from}, ${key}) ?? take(defaults, ${key})`
          : `take(${from}, ${key})`;
      if (v.node.shape.length === 0) {
        this.helpers.add("scalarIn");
        // A scalar nothing reads is still checked, but not bound (strict projects reject unused names).
        const bound = uses.has(this.nameOf(v.node)) ? `const ${this.nameOf(v.node)} = ` : "";
        return `${bound}scalarIn(${what}, ${value});`;
      }
      this.helpers.add("tensorIn");
      return `const ${raw.get(v.node)} = tensorIn(${what}, ${value}, ${expectedShape(v.node.shape)}, dims);`;
    };
    const copyIn = (v: ValueDecl) =>
      v.node.shape.length === 0 ? "" : `const ${this.nameOf(v.node)} = buf.${this.nameOf(v.node)};\n${this.nameOf(v.node)}.set(${raw.get(v.node)});`;

    const initFields = params.map((p) => `${propertyKey(p.name)}: ${this.initValue(p)},`);
    const needsRandom = this.helpers.has("normal") || this.helpers.has("uniform");
    if (needsRandom) this.helpers.add("rng");

    const upstreamCheck = upstream
      ? `const ${this.nameOf(upstream)} = buf.${this.nameOf(upstream)};\n${this.nameOf(upstream)}.set(tensorIn(${JSON.stringify(
          `upstream gradient "${upstream.name}"`,
        )}, upstream, ${expectedShape(upstream.shape)}, new Map${this.t("<string, number>")}([${symbols
          .map(([s, n]) => `[${JSON.stringify(s)}, ${n}]`)
          .join(", ")}])));`
      : `scalarIn("the upstream gradient", upstream);`;
    this.helpers.add(upstream ? "tensorIn" : "scalarIn");

    const forwardCopies = g.values.map(copyIn).filter((t) => t !== "");
    const forwardStatements = [...forwardCopies, forwardBody].join("\n");
    const outputs = g.outputs.map((o) => `${propertyKey(o.name)}: ${this.result(o.node)},`).join("\n");
    const forwardUses = identifiers(`${forwardStatements}\n${outputs}\n${this.savedFields().map((f) => f.name).join(" ")}`);
    const reads = [...inputs.map((v) => readValue(v, "inputs", forwardUses)), ...params.map((v) => readValue(v, "params", forwardUses))];
    const grads = g.grads.map((x) => `${propertyKey(x.name)}: ${this.result(x.node, upstream ? undefined : "upstream")},`).join("\n");
    const backwardStatements = `${upstreamCheck}\n${backwardBody}`;
    const savedFields = this.savedFields();
    const usesBuf = (text: string) => /(^|[^\p{ID_Continue}$.])buf\./u.test(text);
    const buffersCall = `buffersFor(${dimArgs})`;
    const backwardUses = identifiers(`${usesBuf(backwardStatements) ? buffersCall : ""}\n${backwardStatements}\n${grads}`);
    const destructured = savedFields.filter((f) => f.name !== "generation" && backwardUses.has(f.name)).map((f) => f.name);

    const plan = this.trainerPlan();
    const trainerPart = plan ? this.trainer(plan, readValue, (v) => raw.get(v.node)!) : "";
    const typeDecls = this.ts ? `\n${this.types()}\n` : "";
    const buffersPart =
      buffers.length === 0
        ? ""
        : `
${this.t(`/** Every tensor the graph computes, allocated once per batch size and reused by every call. */
interface Buffers {
${buffers.map((n) => `readonly ${this.nameOf(n)}: Arr;`).join("\n")}
}
`)}
let buffers${this.t(": Buffers | undefined")};
let buffersKey = "";

/** The buffers for these sizes of the symbolic dimensions: the same ones until the sizes change. */
function buffersFor(${symbols.map(([, n]) => `${n}${this.t(": number")}`).join(", ")})${this.t(": Buffers")} {
  const key = String([${dimArgs}]);
  if (buffers === undefined || key !== buffersKey) {
    const [${buffers.map((n) => this.nameOf(n)).join(", ")}] = ${allocate}([${buffers.map((n) => product(this.dimsOf(n.shape))).join(", ")}]);
    buffers = { ${buffers.map((n) => (this.ts ? `${this.nameOf(n)}: ${this.nameOf(n)}!` : this.nameOf(n))).join(", ")} };
    buffersKey = key;
  }
  return buffers;
}
`;
    if (buffers.length > 0) this.helpers.add(allocate);

    const kernelBytes = usesWasm || (plan && this.options.target === "wasm")
      ? `\n/** The WebAssembly kernels (SIMD matrix products) gradc built for ${this.options.dtype}, base64-encoded. */\nconst kernelBytes = "${wasmKernelsBase64[this.options.dtype]}";\n`
      : "";

    const rest = `${typeDecls}
/** What this module computes, for tools that load it. */
export const meta = ${JSON.stringify(this.meta())}${this.t(" as const")};

/** The values the graph file gives its inputs. */
export const defaults${this.t(": Defaults")} = {
${this.withDefault.map((v) => `${propertyKey(v.name)}: ${this.literalValue(v)},`).join("\n")}
};

/** Fresh params from their initializers; the same seed gives the same params. */
export function init(seed = 0)${this.t(": Params")} {
  ${needsRandom ? "const random = rng(seed);" : "void seed; // no initializer draws random numbers"}
  return {
${initFields.join("\n")}
  };
}
${buffersPart}
/** Counts forward calls, so backward can tell that its saved values are still current. */
let generation = 0;

/** Runs the graph: its outputs, and what backward needs. */
export function forward(inputs${this.t(": Inputs")}, params${this.t(": Params")})${this.t(": Forward")} {
  checkKeys("input", inputs, ${JSON.stringify(inputs.map((v) => v.name))});
  checkKeys("param", params, ${JSON.stringify(params.map((v) => v.name))});
${g.values.some((v) => v.node.shape.length > 0) ? `  const dims${this.t(": Dims")} = new Map();\n` : ""}${reads.join("\n")}
${symbols.map(([s, n]) => `const ${n} = dims.get(${JSON.stringify(s)})${nn};`).join("\n")}
${usesBuf(forwardStatements) ? `  const buf = ${buffersCall};\n` : ""}${forwardStatements}
  return {
    outputs: {
${outputs}
    },
    saved: { ${savedFields.map((f) => (f.name === "generation" ? "generation: ++generation" : f.name)).join(", ")} },
  };
}

${this.backwardDoc()}
export function backward(fwd${this.t(": Forward")}, ${upstream ? `upstream${this.t(": Tensor")}` : "upstream = 1"})${this.t(": Grads")} {
  if (typeof fwd !== "object" || fwd === null || typeof fwd.saved !== "object" || fwd.saved === null) {
    throw new InputError("backward needs the result of forward.");
  }
  if (fwd.saved.generation !== generation) {
    throw new InputError("backward needs the result of the latest forward call; forward has run again since.");
  }
${destructured.length > 0 ? `  const { ${destructured.join(", ")} } = fwd.saved;\n` : ""}${usesBuf(backwardStatements) ? `  const buf = ${buffersCall};\n` : ""}${backwardStatements}
  return {
${grads}
  };
}
${trainerPart}${kernelBytes}`;
    // `Arr` names the element array type: declared as a value and a type where each is used.
    const helpers = helperSource(this.helpers, this.ts ? "ts" : "js");
    const asValue = /(?:new |instanceof )Arr\b|\bArr\./.test(rest + helpers);
    const asType = this.ts && /(?:[:<|] ?|readonly \w+: )Arr\b|\bArr\[\]/.test(rest + helpers);
    const arr = `${asType ? `type Arr = ${this.arr};\n` : ""}${asValue ? `const Arr = ${this.arr};\n` : ""}`;
    return { code: `${this.header("")}\n\n${arr}${rest}`, helpers };
  }
}

/** The identifiers that occur in some code. */
function identifiers(code: string): Set<string> {
  return new Set(code.split(/[^\p{ID_Continue}$]+/u));
}

/** The TypeScript type of a JSON value as `as const` makes it: literals, readonly tuples and objects. */
function constType(value: unknown): string {
  if (Array.isArray(value)) return `readonly [${value.map(constType).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `readonly ${propertyKey(k)}: ${constType(v)};`)
      .join(" ")} }`;
  }
  return JSON.stringify(value);
}
