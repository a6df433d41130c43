// Owns the analysis of a graph file being edited: its diagnostics (what `gradc compile` would
// say, for every graph of the file), its AST (also while it has syntax errors, from the tokens
// the compiler's own repairs made parse) and what its names refer to, and the shape of every
// value the compiler could build. Re-run on every edit; the gradients are derived only when asked.
import { analyze, type AnalyzeResult } from "../compile.js";
import { DiagnosticBag, type Diagnostic } from "../diagnostics.js";
import type { Node } from "../ir/graph.js";
import { lowerProgram } from "../lower.js";
import type { GraphDecl, Program } from "../syntax/ast.js";
import { parseProgramTolerant } from "../syntax/parse.js";
import { indexSymbols, type SymbolIndex } from "./symbols.js";

/** What the language service knows about a graph file's text: analyse it again after each edit. */
export interface DocumentAnalysis {
  readonly source: string;
  /** What the compiler reports: the syntax errors, or else every graph's errors, in source order. */
  readonly diagnostics: readonly Diagnostic[];
  /** The file's AST; absent only when the syntax errors left nothing to read. */
  readonly program?: Program;
  readonly index: SymbolIndex;
  /** For each graph, by name: the nodes of its names, as far as the compiler got. */
  readonly bindings: ReadonlyMap<string, ReadonlyMap<string, Node>>;
  /** Whether the file has syntax errors (then the AST is a repaired reading of it). */
  readonly syntaxErrors: boolean;
  /** The graph as the compiler optimises it, with its gradients: derived on first use. */
  gradients(graph: GraphDecl): AnalyzeResult;
}

/** Analyses a graph file's text. */
export function analyzeDocument(source: string): DocumentAnalysis {
  const syntax = new DiagnosticBag();
  const program = parseProgramTolerant(source, syntax);
  const syntaxErrors = syntax.hasErrors;
  const diagnostics = [...syntax.items];
  const bindings = new Map<string, Map<string, Node>>();
  if (program) {
    // Each graph is lowered as `gradc compile --graph NAME` would; the file-wide problems
    // (an op or graph defined twice) come once, not once per graph.
    const seen = new Set<string>();
    for (const g of program.graphs) {
      const bag = new DiagnosticBag();
      const names = new Map<string, Node>();
      if (!bindings.has(g.name)) bindings.set(g.name, names);
      lowerProgram(program, bag, g.name, names);
      if (syntaxErrors) continue; // as the compiler: a file that does not parse reports only that
      for (const d of bag.items) {
        const key = `${d.span?.start ?? -1}:${d.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        diagnostics.push(d);
      }
    }
    if (program.graphs.length === 0 && !syntaxErrors) {
      diagnostics.push({ severity: "error", message: "The file declares no graph; expected `graph NAME { ... }`." });
    }
  }
  diagnostics.sort((a, b) => (a.span?.start ?? Infinity) - (b.span?.start ?? Infinity));
  const gradients = new Map<string, AnalyzeResult>();
  return {
    source,
    diagnostics,
    program,
    index: program ? indexSymbols(program, source) : { symbols: [], occurrences: [] },
    bindings,
    syntaxErrors,
    gradients(graph: GraphDecl): AnalyzeResult {
      let result = gradients.get(graph.name);
      if (!result) gradients.set(graph.name, (result = analyze(source, { graph: graph.name })));
      return result;
    },
  };
}
