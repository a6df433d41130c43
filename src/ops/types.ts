// The contract every op in the registry fulfils: how to check and shape it, differentiate it,
// simplify it and emit it. Everything the compiler knows about an op lives in one OpDef.
import type { Attrs, Builder, Node } from "../ir/graph.js";
import type { Shape } from "../ir/shape.js";
import type { HelperName } from "../generated/helpers.js";
import type { OpName } from "./names.js";

/** What a derivative rule may use: the op's inputs, its output and the upstream gradient. */
export interface VjpContext {
  readonly b: Builder;
  /** The forward node itself: its value is the op's output. */
  readonly node: Node;
  readonly args: readonly Node[];
  readonly attrs: Attrs;
  /** The gradient of the differentiated output with respect to `node`. */
  readonly dout: Node;
}

/**
 * One gradient contribution per argument, `null` where there is none (zero, or an argument
 * that only gives a shape). A contribution may have the broadcast shape of the output: the
 * engine sums it back to the argument's own shape.
 */
export type VjpRule = (ctx: VjpContext) => readonly (Node | null)[];

/** What the emitter offers an op that writes its own statements. */
export interface EmitContext {
  readonly node: Node;
  /** The variable the statements must define (`const out = ...`). */
  readonly out: string;
  /** Each argument as a TypeScript expression: an array for tensors, a number for scalars. */
  readonly args: readonly string[];
  /** Each argument's dimensions as TypeScript expressions (`"N"`, `"784"`). */
  readonly argDims: readonly (readonly string[])[];
  /** The output's dimensions as TypeScript expressions. */
  readonly dims: readonly string[];
  /** For ops with `absorbsTranspose`: argument i is the transpose of what `args[i]` names. */
  readonly transposed: readonly boolean[];
  readonly attrs: Attrs;
  /** The output's buffer (of `dims`), zeroed: for rules that accumulate into it with `+=`. */
  alloc(dims: readonly string[]): string;
  /**
   * The output's buffer as the previous call left it, without zeroing it: for rules that write
   * every element (the kernels that overwrite `out`, loops that assign with `=`).
   */
  buffer(dims: readonly string[]): string;
  /**
   * When present, the op's result feeds exactly one element-wise op that is emitted with it:
   * write `epilogue(value, at)` instead of `value` for each element (`h = relu(x @ W + b)` in
   * the bias loop). Ops that accept this declare `fusesEpilogue`.
   */
  readonly epilogue?: (value: string, at: (o: Operand) => string) => string;
  /** With `epilogue`: the fused op, when it applies to the produced value alone (`relu`). */
  readonly epilogueOp?: OpName;
  /** Marks a runtime kernel (src/emit/helpers/kernels.ts) as used and returns the name to call. */
  kernel(name: HelperName): string;
  /**
   * A loop over `dims` (nested, or flat when nothing is broadcast); `body` gets `at`, which
   * gives an operand's element at the current point, broadcast numpy-style (a dimension "1"
   * of the operand repeats; a rank-0 operand is its own value).
   */
  loop(dims: readonly string[], body: (at: (o: Operand) => string) => string): string;
}

/** An array (or a scalar, when `dims` is empty) read or written inside a loop. */
export interface Operand {
  readonly ref: string;
  readonly dims: readonly string[];
  /**
   * The element is the target of a plain `=`. Other elements are read (or updated with `+=`), and
   * in TypeScript output carry a non-null assertion, as `noUncheckedIndexedAccess` asks.
   */
  readonly target?: boolean;
}

/**
 * What the ONNX export offers an op's rule: the arguments as ONNX value names, and ways to add
 * nodes and constants to the graph. Every name the export makes starts with `%`, so it never
 * meets a name of the user's graph.
 */
export interface OnnxContext {
  readonly node: Node;
  /** Each argument's ONNX value name (shape-only arguments too: `shapeOf` reads them). */
  readonly args: readonly string[];
  readonly attrs: Attrs;
  /** The name the rule's result must have: give it as the `output` of the rule's last node. */
  readonly out: string;
  /** The ONNX element type of the export (TensorProto.DataType: 1 float, 11 double), for Cast. */
  readonly elemType: number;
  /**
   * Adds a node of the default ONNX domain and returns the name of its output: `output`, or a
   * fresh name. Attributes are whole numbers or lists of them (`axis`, `keepdims`, `to`).
   */
  op(opType: string, inputs: readonly string[], attrs?: Readonly<Record<string, number | readonly number[]>>, output?: string): string;
  /** A scalar constant of the export's element type. */
  num(value: number): string;
  /** A constant int64 tensor: a list (axes, shapes), or a rank-0 index when `scalar`. */
  ints(values: readonly number[], scalar?: boolean): string;
  /** Argument `arg`'s shape as a 1-D int64 tensor: a constant when no dimension is symbolic. */
  shapeOf(arg: number): string;
  /**
   * The number of elements of argument `arg` along `axes` (all axes when absent), as a scalar of
   * the element type: a constant when those dimensions are known, else read at run time.
   */
  count(arg: number, axes?: readonly number[], output?: string): string;
}

/**
 * An op's ONNX form: nodes that compute its value from its arguments, ending in `ctx.out`.
 * `"expanded"` for ops that are rewritten into others when built, so never reach the IR.
 */
export type OnnxRule = ((ctx: OnnxContext) => void) | "expanded";

export interface ElementwiseDef {
  /** The TypeScript expression for one element, given the arguments' element expressions. */
  readonly expr: (...args: string[]) => string;
  /** The same computation on numbers, for constant folding. */
  readonly fold: (...args: number[]) => number;
}

export interface AttrDef {
  readonly doc: string;
  /** Whether the value must be a whole number. */
  readonly integer?: boolean;
}

export interface OpDef {
  /** One line for the language reference. */
  readonly doc: string;
  /**
   * The derivative rule in words, as the language reference's tables print it (`g` is the
   * gradient flowing into the output); editors show it on hover.
   */
  readonly derivative: string;
  /** How the picture of a graph labels the op (the book's names). */
  readonly label: string;
  readonly params: readonly string[];
  readonly attrs: Readonly<Record<string, AttrDef>>;
  /** Output shape from argument shapes; throws ShapeError with a message for the user. */
  readonly shape: (args: readonly Shape[], attrs: Attrs) => Shape;
  /** The vector-Jacobian product; absent means the op has zero gradient everywhere it is defined. */
  readonly vjp?: VjpRule;
  /** Present for element-wise ops, which the emitter loops over with broadcasting. */
  readonly elementwise?: ElementwiseDef;
  /** For the other ops: the statements that compute the output. */
  readonly emit?: (ctx: EmitContext) => string;
  /** How the ONNX export writes the op (src/onnx/): one ONNX op, or a few. */
  readonly onnx: OnnxRule;
  /** Whether `emit` honours EmitContext.epilogue in its last loop over the output. */
  readonly fusesEpilogue?: boolean;
  /** Whether `emit` can read an argument that is a transpose without materialising it. */
  readonly absorbsTranspose?: boolean;
  /** A cheaper equal node, if there is one (`x * 1` is `x`). Must keep the shape. */
  readonly simplify?: (b: Builder, args: readonly Node[], attrs: Attrs, shape: Shape) => Node | undefined;
  /** Arguments read only for their shape: backward never saves them, emitted code never reads them. */
  readonly shapeOnlyArgs?: readonly number[];
  /** Built from other ops when lowered, so it never reaches the IR (`cross_entropy`). */
  readonly expand?: (b: Builder, args: readonly Node[], attrs: Attrs) => Node;
  /** Commutative binary op: arguments are put in a canonical order so CSE finds `y*x` = `x*y`. */
  readonly commutative?: boolean;
}
