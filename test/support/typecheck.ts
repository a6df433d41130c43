// Type-checks generated modules as the strictest projects do: `strict` and every check beyond it
// that projects turn on (Vite's template, @tsconfig/strictest, isolatedDeclarations for
// libraries), ES2022 with no DOM or Node types, so a module that needs either fails here.
import ts from "typescript";

export const strictOptions: ts.CompilerOptions = {
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noUncheckedIndexedAccess: true,
  noPropertyAccessFromIndexSignature: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  allowUnreachableCode: false,
  allowUnusedLabels: false,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  isolatedDeclarations: true,
  erasableSyntaxOnly: true,
  declaration: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  skipLibCheck: false,
  types: [],
  lib: ["lib.es2022.d.ts"],
};

/** Checks `files` together; the diagnostics, each formatted, keyed by file name. */
export function typecheckStrict(files: readonly string[]): { program: ts.Program; byFile: Map<string, string> } {
  const program = ts.createProgram([...files], strictOptions);
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => "/", getNewLine: () => "\n" };
  const byFile = new Map<string, string>();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file?.fileName ?? "<global>";
    byFile.set(file, (byFile.get(file) ?? "") + ts.formatDiagnostics([d], host));
  }
  return { program, byFile };
}
