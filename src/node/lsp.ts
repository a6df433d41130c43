// Owns `gradc lsp`: the Language Server Protocol over standard input and output (built on
// vscode-languageserver), a thin front end on the language service (src/service/): each open
// file is analysed again on every change, its diagnostics published, and hover, definition,
// references, rename, completion, outline and formatting answered from that analysis.
import {
  CompletionItemKind,
  createConnection,
  DiagnosticSeverity,
  LSPErrorCodes,
  MarkupKind,
  ResponseError,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  type CompletionItem,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type Range,
  type TextEdit,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  analyzeDocument,
  completionsAt,
  definitionAt,
  formatGraphFile,
  hoverAt,
  outline,
  prepareRenameAt,
  referencesAt,
  renameAt,
  version,
  type CompletionKind,
  type DocumentAnalysis,
  type OutlineSymbol,
  type Span,
} from "../index.js";

const completionKinds: Record<CompletionKind, CompletionItemKind> = {
  op: CompletionItemKind.Function,
  value: CompletionItemKind.Variable,
  keyword: CompletionItemKind.Keyword,
  attribute: CompletionItemKind.Property,
  initializer: CompletionItemKind.Constructor,
  dimension: CompletionItemKind.TypeParameter,
};

const symbolKinds: Record<OutlineSymbol["kind"], SymbolKind> = {
  graph: SymbolKind.Module,
  op: SymbolKind.Function,
  input: SymbolKind.Variable,
  param: SymbolKind.Field,
  value: SymbolKind.Variable,
  opParam: SymbolKind.TypeParameter,
  dim: SymbolKind.TypeParameter,
};

/**
 * Serves one editor over standard input and output until it exits: what `gradc lsp` runs.
 * Resolves with the exit code once the client sends `exit` (0 after a `shutdown` request).
 */
export function startLanguageServer(): Promise<number> {
  const connection = serve(process.stdin, process.stdout);
  return new Promise((resolve) => connection.onExit(() => resolve(0)));
}

/** The server on the given streams; its types stay out of the public declarations. */
function serve(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Connection {
  const connection = createConnection(input, output);
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, { version: number; analysis: DocumentAnalysis }>();

  /** The analysis of a document's current text (made at most once per version). */
  const analysisOf = (uri: string): { doc: TextDocument; analysis: DocumentAnalysis } | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    let cached = analyses.get(uri);
    if (!cached || cached.version !== doc.version) {
      cached = { version: doc.version, analysis: analyzeDocument(doc.getText()) };
      analyses.set(uri, cached);
    }
    return { doc, analysis: cached.analysis };
  };
  const range = (doc: TextDocument, span: Span): Range => ({ start: doc.positionAt(span.start), end: doc.positionAt(span.end) });

  connection.onInitialize(() => ({
    serverInfo: { name: "gradc", version },
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      completionProvider: { triggerCharacters: ["(", ",", "=", "["] },
      documentSymbolProvider: true,
      documentFormattingProvider: true,
    },
  }));

  documents.onDidChangeContent(({ document }) => {
    const found = analysisOf(document.uri);
    if (!found) return;
    const diagnostics: LspDiagnostic[] = found.analysis.diagnostics.map((d) => ({
      range: d.span ? range(document, d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      source: "gradc",
      message: d.message,
    }));
    void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  });
  documents.onDidClose(({ document }) => {
    analyses.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onHover(({ textDocument, position }) => {
    const found = analysisOf(textDocument.uri);
    if (!found) return null;
    const hover = hoverAt(found.analysis, found.doc.offsetAt(position));
    return hover ? { range: range(found.doc, hover.span), contents: { kind: MarkupKind.Markdown, value: hover.contents } } : null;
  });

  connection.onDefinition(({ textDocument, position }) => {
    const found = analysisOf(textDocument.uri);
    const span = found && definitionAt(found.analysis, found.doc.offsetAt(position));
    return found && span ? { uri: textDocument.uri, range: range(found.doc, span) } : null;
  });

  connection.onReferences(({ textDocument, position, context }) => {
    const found = analysisOf(textDocument.uri);
    if (!found) return [];
    return referencesAt(found.analysis, found.doc.offsetAt(position), context.includeDeclaration).map((span) => ({
      uri: textDocument.uri,
      range: range(found.doc, span),
    }));
  });

  connection.onPrepareRename(({ textDocument, position }) => {
    const found = analysisOf(textDocument.uri);
    const target = found && prepareRenameAt(found.analysis, found.doc.offsetAt(position));
    return found && target ? { range: range(found.doc, target.span), placeholder: target.placeholder } : null;
  });

  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const found = analysisOf(textDocument.uri);
    if (!found) return null;
    const result = renameAt(found.analysis, found.doc.offsetAt(position), newName);
    // A refusal is the request failing for a reason the user can act on, which editors show.
    if ("error" in result) throw new ResponseError(LSPErrorCodes.RequestFailed, result.error);
    return { changes: { [textDocument.uri]: result.edits.map((e) => ({ range: range(found.doc, e.span), newText: e.newText })) } };
  });

  connection.onCompletion(({ textDocument, position }): CompletionItem[] => {
    const found = analysisOf(textDocument.uri);
    if (!found) return [];
    return completionsAt(found.analysis, found.doc.offsetAt(position)).map((c) => ({
      label: c.label,
      kind: completionKinds[c.kind],
      ...(c.detail !== undefined ? { detail: c.detail } : {}),
      ...(c.documentation !== undefined ? { documentation: { kind: MarkupKind.Markdown, value: c.documentation } } : {}),
      ...(c.insertText !== undefined ? { insertText: c.insertText } : {}),
    }));
  });

  connection.onDocumentSymbol(({ textDocument }): DocumentSymbol[] => {
    const found = analysisOf(textDocument.uri);
    if (!found) return [];
    const convert = (s: OutlineSymbol): DocumentSymbol => ({
      name: s.name,
      kind: symbolKinds[s.kind],
      range: range(found.doc, s.span),
      selectionRange: range(found.doc, s.selection),
      ...(s.detail !== undefined ? { detail: s.detail } : {}),
      children: s.children.map(convert),
    });
    return outline(found.analysis).map(convert);
  });

  // Formatting is `gradc fmt`'s: one edit replacing the whole text, none when it is already laid
  // out canonically or has syntax errors (those are on screen as diagnostics already).
  connection.onDocumentFormatting(({ textDocument }): TextEdit[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const source = doc.getText();
    const { text } = formatGraphFile(source);
    if (text === undefined || text === source) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(source.length) }, newText: text }];
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}
