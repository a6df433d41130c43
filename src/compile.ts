// The pipeline, one stage a line: text → AST → IR (shaped) → + gradient IR → optimised IR →
// TypeScript → formatted TypeScript. Nothing else chains the stages.
import { format } from "prettier";
import { differentiate } from "./autodiff/differentiate.js";
import { DiagnosticBag, type Diagnostic } from "./diagnostics.js";
import { planModule, type Dtype, type Target } from "./emit/typescript.js";
import { buildKernels } from "./emit/wasm.js";
import type { Graph } from "./ir/graph.js";
import { observeAll } from "./ir/observe.js";
import { lowerProgram } from "./lower.js";
import { optimize } from "./opt/optimize.js";
import { parseProgram } from "./syntax/parse.js";
import { version } from "./version.js";

/**
 * Modules larger than this (in characters) are left as emitted, one statement a line:
 * Prettier takes about a millisecond a statement, a minute for a 100,000-node graph.
 */
export const MAX_FORMATTED = 1_000_000;

export interface CompileOptions {
  /** Which graph of the file to compile; the first when absent. */
  readonly graph?: string;
  /** Element type of the generated tensors. */
  readonly dtype?: Dtype;
  /** The file name, for the generated header (diagnostics carry spans, not names). */
  readonly file?: string;
  /** `ts` (default): readable TypeScript loops; `wasm`: matrix products in WebAssembly SIMD. */
  readonly target?: Target;
  /**
   * Also output every forward value and its gradient, under names that start with `%` (see
   * `isObservedName`): what `gradc graph --values` runs to label every edge.
   */
  readonly observe?: boolean;
}

export interface AnalyzeResult {
  /** The optimised graph with its gradients, when there were no errors. */
  readonly graph?: Graph;
  readonly diagnostics: readonly Diagnostic[];
}

export interface CompileResult extends AnalyzeResult {
  /** The generated TypeScript module, when there were no errors. */
  readonly code?: string;
}

/** Source text to the optimised forward-and-backward IR. */
export function analyze(source: string, options: CompileOptions = {}): AnalyzeResult {
  const diagnostics = new DiagnosticBag();
  const program = parseProgram(source, diagnostics); //             text → tokens → CST → AST
  if (!program) return { diagnostics: inSourceOrder(diagnostics.items) };
  const lowered = lowerProgram(program, diagnostics, options.graph); // AST → shaped IR
  if (!lowered) return { diagnostics: inSourceOrder(diagnostics.items) };
  const observed = options.observe ? observeAll(lowered) : lowered; // + every value an output (pictures)
  const differentiated = differentiate(observed); //                  + gradient IR
  const graph = optimize(differentiated); //                          simplify, fold, CSE, DCE
  return { graph, diagnostics: inSourceOrder(diagnostics.items) };
}

/** Diagnostics by position in the file; those about the whole file last. */
function inSourceOrder(items: readonly Diagnostic[]): Diagnostic[] {
  return [...items].sort((a, b) => (a.span?.start ?? Infinity) - (b.span?.start ?? Infinity));
}

/** Source text to a formatted TypeScript module. */
export async function compile(source: string, options: CompileOptions = {}): Promise<CompileResult> {
  const analyzed = analyze(source, options);
  if (!analyzed.graph) return analyzed;
  const dtype = options.dtype ?? "f64";
  const target = options.target ?? "ts";
  const planned = planModule(analyzed.graph, { dtype, file: options.file, version, target }); // IR → TS statements
  const wasm = planned.wasmKernels.length > 0 ? await buildKernels(planned.wasmKernels, dtype) : undefined; // kernels → wasm
  const raw = planned.render(wasm); //                                                           the whole module
  const code = raw.length <= MAX_FORMATTED ? await format(raw, { parser: "typescript", printWidth: 100 }) : raw; // formatted
  return { ...analyzed, code };
}
