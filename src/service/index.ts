// The language service: what editors (the language server, a browser playground) ask of a graph
// file being edited, answered from the compiler's own stages and spans. Browser-safe.
export { analyzeDocument } from "./document.js";
export type { DocumentAnalysis } from "./document.js";
export { completionsAt, definitionAt, hoverAt, opSignature, outline, prepareRenameAt, referencesAt, renameAt } from "./features.js";
export type { Completion, CompletionKind, Hover, OutlineSymbol, RenameEdits, RenameRefused, RenameResult, RenameTarget, TextEdit } from "./features.js";
export type { FileSymbol, SymbolKind } from "./symbols.js";
