// The pipeline, one stage a line: text → AST → IR (shaped) → + gradient IR → optimised IR →
// a module (TypeScript or JavaScript) → formatted. Nothing else chains the stages.
import { differentiate } from "./autodiff/differentiate.js";
import { DiagnosticBag, inSourceOrder, type Diagnostic } from "./diagnostics.js";
import { emitDeclarations, emitModuleParts } from "./emit/module.js";
import type { Dtype, Lang, Target } from "./emit/options.js";
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

/** How to compile: which graph, to what element type, target and language, and how. */
export interface CompileOptions {
  /** Which graph of the file to compile; the first when absent. */
  readonly graph?: string;
  /** Element type of the generated tensors. */
  readonly dtype?: Dtype;
  /** The file name, for the generated header (diagnostics carry spans, not names). */
  readonly file?: string;
  /** `ts` (default): readable loops; `wasm`: matrix products in WebAssembly SIMD. */
  readonly target?: Target;
  /** `ts` (default): a TypeScript module; `js`: a JavaScript module (see `declarations`). */
  readonly lang?: Lang;
  /** With `lang: "js"`: also give the module's `.d.ts` text as `declarations`. */
  readonly declarations?: boolean;
  /** Format the code with Prettier (the default); `false` gives the emitted text as it is. */
  readonly format?: boolean;
  /**
   * Also output every forward value and its gradient, under names that start with `%` (see
   * `isObservedName`): what `gradc graph --values` runs to label every edge.
   */
  readonly observe?: boolean;
}

/** What `analyze` returns: the compiler's IR of the graph, or the diagnostics saying why not. */
export interface AnalyzeResult {
  /** The optimised graph with its gradients, when there were no errors. */
  readonly graph?: Graph;
  readonly diagnostics: readonly Diagnostic[];
}

/** What `compile` and `emit` return: the module's code (absent when there are errors) and the IR. */
export interface CompileResult extends AnalyzeResult {
  /** The generated module, when there were no errors. */
  readonly code?: string;
  /** The `.d.ts` of a JavaScript module, when asked for with `declarations`. */
  readonly declarations?: string;
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

/** Source text to a generated module, formatted, with nothing left to build. */
export async function compile(source: string, options: CompileOptions = {}): Promise<CompileResult> {
  const { analyzed, parts, declarations } = emitParts(source, options);
  if (!parts) return analyzed;
  if (options.format === false) return { ...analyzed, code: joinParts(parts.code, parts.helpers), ...(declarations ? { declarations } : {}) };
  // The helpers come formatted already (they are the same in every module).
  const code = joinParts(await formatCode(parts.code, options.lang ?? "ts"), parts.helpers); // formatted
  const formatted = declarations === undefined ? undefined : await formatCode(declarations, "ts");
  return { ...analyzed, code, ...(formatted === undefined ? {} : { declarations: formatted }) };
}

/** Source text to the emitted module, unformatted: what runs in-process. */
export function emit(source: string, options: CompileOptions = {}): CompileResult {
  const { analyzed, parts, declarations } = emitParts(source, options);
  if (!parts) return analyzed;
  return { ...analyzed, code: joinParts(parts.code, parts.helpers), ...(declarations ? { declarations } : {}) };
}

function joinParts(code: string, helpers: string): string {
  return `${code.trimEnd()}\n\n${helpers}\n`;
}

interface EmittedParts {
  readonly analyzed: AnalyzeResult;
  /** The graph's code and the helpers it carries, when there were no errors. */
  readonly parts?: { readonly code: string; readonly helpers: string };
  readonly declarations?: string;
}

function emitParts(source: string, options: CompileOptions): EmittedParts {
  const analyzed = analyze(source, options);
  if (!analyzed.graph) return { analyzed };
  const emitOptions = {
    dtype: options.dtype ?? "f64",
    file: options.file,
    version,
    target: options.target ?? "ts",
    lang: options.lang ?? "ts",
  } as const;
  const parts = emitModuleParts(analyzed.graph, emitOptions); //                  IR → module
  if (!(options.declarations && emitOptions.lang === "js")) return { analyzed, parts };
  return { analyzed, parts, declarations: emitDeclarations(analyzed.graph, emitOptions) };
}

/** Prettier's standalone build with the Babel parsers (TypeScript too): loaded on first use. */
let prettier: Promise<{ format: (code: string, lang: "ts" | "js") => Promise<string> }> | undefined;

async function formatCode(code: string, lang: "ts" | "js"): Promise<string> {
  if (code.length > MAX_FORMATTED) return code;
  prettier ??= Promise.all([
    import("prettier/standalone"),
    import("prettier/plugins/babel"),
    import("prettier/plugins/estree"),
  ]).then(([standalone, babel, estree]) => ({
    format: (text: string, language: "ts" | "js") =>
      standalone.format(text, {
        parser: language === "ts" ? "babel-ts" : "babel",
        plugins: [babel, estree],
        printWidth: 100,
      }),
  }));
  return (await prettier).format(code, lang);
}
