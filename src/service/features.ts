// Owns the answers an editor asks of a graph file: what is at a position (hover), where it is
// defined, where it is used, renaming it, what may be written at a position (completion), and
// the outline. Positions are character offsets into the text (UTF-16, as JavaScript strings);
// front ends convert them to their own lines and columns.
import type { Span } from "../diagnostics.js";
import { printGradientGraph } from "../emit/graphfile.js";
import type { Node } from "../ir/graph.js";
import { shapeToString } from "../ir/shape.js";
import { initializers } from "../lower.js";
import { opNames } from "../ops/names.js";
import { findOp } from "../ops/registry.js";
import type { OpDef } from "../ops/types.js";
import type { GraphDecl, OpDecl } from "../syntax/ast.js";
import { keywords } from "../../grammar/tokens.js";
import type { DocumentAnalysis } from "./document.js";
import { occurrenceAt, occurrencesOf, type FileSymbol } from "./symbols.js";

/** What a hover shows: the name's span, and Markdown about it. */
export interface Hover {
  /** What the hover is about (the name under the cursor). */
  readonly span: Span;
  /** Markdown. */
  readonly contents: string;
}

/** What a completion offers. */
export type CompletionKind = "op" | "value" | "keyword" | "attribute" | "initializer" | "dimension";

/** One thing that may be written at a position. */
export interface Completion {
  readonly label: string;
  readonly kind: CompletionKind;
  /** A signature or a shape. */
  readonly detail?: string;
  /** Markdown. */
  readonly documentation?: string;
  /** What to insert, when it differs from the label (`axis=`). */
  readonly insertText?: string;
}

/** A graph or op of the file, or one of its names, for an outline. */
export interface OutlineSymbol {
  readonly name: string;
  readonly kind: FileSymbol["kind"];
  /** The whole declaration. */
  readonly span: Span;
  /** The name. */
  readonly selection: Span;
  readonly detail?: string;
  readonly children: readonly OutlineSymbol[];
}

/** A replacement of a span of the text. */
export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

/** A name that can be renamed: where it is written, and its text. */
export interface RenameTarget {
  readonly span: Span;
  readonly placeholder: string;
}

/** The edits that make a rename. */
export interface RenameEdits {
  readonly edits: readonly TextEdit[];
}

/** Why a rename cannot be done. */
export interface RenameRefused {
  readonly error: string;
}

/** The edits of a rename, or why it cannot be done. */
export type RenameResult = RenameEdits | RenameRefused;

const fence = (code: string) => `\`\`\`gradc\n${code}\n\`\`\``;

/** An op's signature as the language reference writes it: `sum(x, axis=…, keepdims=…)`. */
export function opSignature(name: string, def: OpDef): string {
  const attrs = Object.keys(def.attrs).map((a) => `${a}=…`);
  return `${name}(${[...def.params, ...attrs].join(", ")})`;
}

function shapeOf(doc: DocumentAnalysis, symbol: FileSymbol): string | undefined {
  if (symbol.owner?.kind !== "graph") return undefined;
  const node: Node | undefined = doc.bindings.get(symbol.owner.name)?.get(symbol.name);
  return node ? shapeToString(node.shape) : undefined;
}

/** The text of the source line a span starts on, without its comment or its alignment spaces. */
function lineOf(source: string, span: Span): string {
  const start = source.lastIndexOf("\n", span.start - 1) + 1;
  const end = source.indexOf("\n", span.start);
  return source
    .slice(start, end === -1 ? undefined : end)
    .replace(/#.*$/, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The gradient of a graph's output with respect to `name`, as `gradc grad` prints it: the line
 * that defines `d<name>` and the lines it needs, in the printed file's order.
 */
function gradientLines(doc: DocumentAnalysis, graph: GraphDecl, name: string): string | undefined {
  const analysed = doc.gradients(graph);
  if (!analysed.graph || !analysed.graph.wrt.some((w) => w.name === name)) return undefined;
  const printed = printGradientGraph(analysed.graph);
  const defs = new Map<string, string>();
  for (const line of printed.split("\n")) {
    const m = /^ {2}([\p{L}_][\p{L}\p{Nd}_]*) = (.*)$/u.exec(line);
    if (m) defs.set(m[1]!, line.trim());
  }
  const output = /^ {2}output (.*)$/m.exec(printed)?.[1]?.split(", ") ?? [];
  const wrt = /^ {2}grad \S+ wrt (.*)$/m.exec(printed)?.[1]?.split(", ") ?? [];
  const target = output[wrt.indexOf(name)];
  if (target === undefined) return undefined;
  const needed = new Set<string>();
  const visit = (n: string) => {
    if (needed.has(n) || !defs.has(n)) return;
    needed.add(n);
    for (const word of defs.get(n)!.split("=").slice(1).join("=").match(/[\p{L}_][\p{L}\p{Nd}_]*/gu) ?? []) visit(word);
  };
  visit(target);
  const lines = [...defs].filter(([n]) => needed.has(n)).map(([, line]) => line);
  return lines.length > 0 ? lines.join("\n") : `${target} = 0`;
}

function builtinHover(name: string, def: OpDef): string {
  const attrs = Object.entries(def.attrs).map(([a, spec]) => `- \`${a}\`: ${spec.doc}`);
  return [
    fence(opSignature(name, def)),
    def.doc,
    ...(attrs.length > 0 ? [attrs.join("\n")] : []),
    `Gradient: ${def.derivative}`,
  ].join("\n\n");
}

function symbolHover(doc: DocumentAnalysis, symbol: FileSymbol): string {
  const { source } = doc;
  switch (symbol.kind) {
    case "graph": {
      const g = doc.program?.graphs.find((x) => x.name === symbol.name);
      const count = (kind: string) => g?.statements.filter((s) => s.kind === kind).length ?? 0;
      return `${fence(`graph ${symbol.name}`)}\n\n${count("input")} inputs, ${count("param")} params, ${count("assign")} values`;
    }
    case "op": {
      const op = doc.program?.ops.find((x) => x.name === symbol.name);
      const params = op?.params.map((p) => p.name).join(", ") ?? "";
      return `${fence(`op ${symbol.name}(${params})`)}\n\nA user-defined op: each call is inlined and differentiated through its body.`;
    }
    case "opParam":
      return `${fence(symbol.name)}\n\nA parameter of op \`${symbol.owner?.name}\`: its shape is the argument's at each call.`;
    case "dim":
      return `${fence(symbol.name)}\n\nA symbolic dimension of graph \`${symbol.owner?.name}\`: its size comes from the inputs given at run time.`;
    default: {
      const shape = shapeOf(doc, symbol);
      const head = fence(`${symbol.name}: ${shape ?? "?"}`);
      const definition = symbol.statement ? lineOf(source, symbol.statement.span) : undefined;
      const where = symbol.owner?.kind === "op" ? ` (in op \`${symbol.owner.name}\`; its shape is that of each call)` : "";
      const kind = symbol.kind === "value" ? "" : `${symbol.kind === "input" ? "An input" : "A param"}. `;
      return [head, `${kind}${definition ? `Defined as \`${definition}\`` : ""}${where}`.trim()].filter((s) => s !== "").join("\n\n");
    }
  }
}

/** What is at an offset, in Markdown. */
export function hoverAt(doc: DocumentAnalysis, offset: number): Hover | undefined {
  const at = occurrenceAt(doc.index, offset);
  if (!at) return undefined;
  if (at.kind === "builtin") return { span: at.span, contents: builtinHover(at.op, findOp(at.op)!) };
  if (at.kind === "attribute") {
    const spec = findOp(at.op)?.attrs[at.name];
    return spec ? { span: at.span, contents: `${fence(`${at.name}=…`)}\n\n${spec.doc}` } : undefined;
  }
  if (at.kind === "unresolved") return undefined;
  let contents = symbolHover(doc, at.symbol);
  // A name the graph's gradient is taken with respect to: show that gradient.
  const owner = at.symbol.owner;
  if (owner?.kind === "graph" && (at.symbol.kind === "input" || at.symbol.kind === "param")) {
    const grad = owner.statements.find((s) => s.kind === "grad");
    const inWrt = grad?.kind === "grad" ? grad.wrt.some((w) => w.name === at.symbol.name) : false;
    const implicit = !grad && owner.statements.some((s) => s.kind === at.symbol.kind);
    if ((inWrt || implicit) && !doc.syntaxErrors) {
      const lines = gradientLines(doc, owner, at.symbol.name);
      if (lines) contents += `\n\nIts gradient, as \`gradc grad\` derives it:\n\n${fence(lines)}`;
    }
  }
  return { span: at.span, contents };
}

/** Where the name at an offset is defined. */
export function definitionAt(doc: DocumentAnalysis, offset: number): Span | undefined {
  const at = occurrenceAt(doc.index, offset);
  return at?.kind === "symbol" ? at.symbol.definition : undefined;
}

/** Every place the name at an offset is written (its definition too, unless asked not to). */
export function referencesAt(doc: DocumentAnalysis, offset: number, includeDeclaration = true): Span[] {
  const at = occurrenceAt(doc.index, offset);
  if (at?.kind !== "symbol") return [];
  return occurrencesOf(doc.index, at.symbol)
    .filter((o) => includeDeclaration || !o.definition)
    .map((o) => o.span);
}

/** The name at an offset, if it can be renamed. */
export function prepareRenameAt(doc: DocumentAnalysis, offset: number): RenameTarget | undefined {
  const at = occurrenceAt(doc.index, offset);
  return at?.kind === "symbol" ? { span: at.span, placeholder: at.symbol.name } : undefined;
}

const identifier = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;

/** The edits that rename the name at an offset, or why it cannot be renamed so. */
export function renameAt(doc: DocumentAnalysis, offset: number, newName: string): RenameResult {
  const at = occurrenceAt(doc.index, offset);
  if (at?.kind !== "symbol") return { error: "There is no graph, op or value name here to rename." };
  const symbol = at.symbol;
  if (!identifier.test(newName)) return { error: `"${newName}" is not a name: it must be letters, digits and "_", not starting with a digit.` };
  if (keywords.includes(newName)) return { error: `"${newName}" is a keyword; it cannot be used as a name.` };
  if (newName === symbol.name) return { edits: [] };
  const clash = doc.index.symbols.find(
    (s) =>
      s.name === newName &&
      s !== symbol &&
      ((s.owner === undefined && symbol.owner === undefined && s.kind === symbol.kind) ||
        (s.owner !== undefined && s.owner === symbol.owner && s.kind !== "dim" && symbol.kind !== "dim") ||
        (s.kind === "dim" && symbol.kind === "dim" && s.owner === symbol.owner)),
  );
  if (clash) return { error: `"${newName}" is already defined at line ${clash.definition.line}; choose another name.` };
  if (symbol.kind === "op" && findOp(newName)) return { error: `"${newName}" is a built-in op; choose another name.` };
  return { edits: occurrencesOf(doc.index, symbol).map((o) => ({ span: o.span, newText: newName })) };
}

/** The names in scope at an offset: a graph's own names, or an op's parameters and assignments. */
function scopeAt(doc: DocumentAnalysis, offset: number): { owner?: GraphDecl | OpDecl; symbols: FileSymbol[] } {
  const owners = [...(doc.program?.graphs ?? []), ...(doc.program?.ops ?? [])];
  let owner: GraphDecl | OpDecl | undefined;
  for (const o of owners) {
    // A declaration runs from its name to the start of the next declaration.
    const next = owners.map((x) => x.span.start).filter((s) => s > o.span.start);
    const end = next.length > 0 ? Math.min(...next) : Infinity;
    if (o.span.start <= offset && offset < end) owner = o;
  }
  // Names defined before the offset, but not the one whose own statement the offset is in.
  const lineEnd = (start: number) => {
    const end = doc.source.indexOf("\n", start);
    return end === -1 ? doc.source.length : end;
  };
  const symbols = doc.index.symbols.filter(
    (s) => s.owner !== undefined && s.owner === owner && s.definition.start < offset && !(s.statement && offset <= lineEnd(s.definition.start)),
  );
  return { owner, symbols };
}

/** What may be written at an offset. */
export function completionsAt(doc: DocumentAnalysis, offset: number): Completion[] {
  const before = doc.source.slice(0, offset);
  const line = before.slice(before.lastIndexOf("\n") + 1);
  const { owner, symbols } = scopeAt(doc, offset);
  const userOps = doc.program?.ops ?? [];
  const ops = (): Completion[] => [
    ...opNames.map((name) => {
      const def = findOp(name)!;
      return { label: name, kind: "op" as const, detail: opSignature(name, def), documentation: `${def.doc}\n\nGradient: ${def.derivative}` };
    }),
    ...userOps.map((op) => ({ label: op.name, kind: "op" as const, detail: `op ${op.name}(${op.params.map((p) => p.name).join(", ")})` })),
  ];
  const names = (filter: (s: FileSymbol) => boolean = () => true): Completion[] =>
    symbols.filter(filter).map((s) => ({
      label: s.name,
      kind: s.kind === "dim" ? ("dimension" as const) : ("value" as const),
      detail: s.kind === "dim" ? "dimension" : `${s.kind === "opParam" ? "parameter" : s.kind}${shapeOf(doc, s) ? `: ${shapeOf(doc, s)}` : ""}`,
    }));

  // After `param NAME: [...] =` (or without a type): an initializer.
  if (/^\s*param\s+[\p{L}_][\p{L}\p{Nd}_]*\s*(?::\s*\[[^\]]*\])?\s*=\s*[\p{L}_]*$/u.test(line)) {
    return Object.entries(initializers).map(([name, spec]) => ({
      label: name,
      kind: "initializer" as const,
      detail: spec.args === 0 ? name : `${name}(${spec.args === 2 ? "a, b" : "…"})`,
      documentation: spec.doc,
    }));
  }
  // Inside a type `[...]`: the graph's symbolic dimensions.
  if (/^\s*(input|param)\s+[\p{L}_][\p{L}\p{Nd}_]*\s*:\s*\[[^\]]*$/u.test(line)) return names((s) => s.kind === "dim");
  // After `wrt`: the inputs and params.
  if (/\bwrt\s+(?:[\p{L}_][\p{L}\p{Nd}_]*\s*,\s*)*[\p{L}_]*$/u.test(line)) return names((s) => s.kind === "input" || s.kind === "param");
  // After `output` or `grad`: the graph's values.
  if (/^\s*(output|grad)\s+(?:[\p{L}_][\p{L}\p{Nd}_]*\s*,\s*)*[\p{L}_]*$/u.test(line)) return names((s) => s.kind !== "dim");
  // At the start of a statement: the keywords.
  if (/^\s*[\p{L}_]*$/u.test(line)) {
    const words = owner === undefined ? ["graph", "op"] : owner.kind === "op" ? ["return"] : ["input", "param", "output", "grad"];
    return words.map((w) => ({ label: w, kind: "keyword" as const }));
  }
  // Inside a call's parentheses: its attributes too.
  const call = openCall(before);
  const attrs: Completion[] = [];
  if (call) {
    const def = findOp(call);
    for (const [a, spec] of Object.entries(def?.attrs ?? {})) {
      attrs.push({ label: a, kind: "attribute", detail: `${call}(…, ${a}=…)`, documentation: spec.doc, insertText: `${a}=` });
    }
  }
  return [...names((s) => s.kind !== "dim"), ...ops(), ...attrs];
}

/** The op whose parentheses are open at the end of `text`, if any. */
function openCall(text: string): string | undefined {
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i];
    if (c === ")") depth++;
    else if (c === "(") {
      if (depth === 0) return /([\p{L}_][\p{L}\p{Nd}_]*)\s*$/u.exec(text.slice(0, i))?.[1];
      depth--;
    } else if (c === "\n" || c === "{" || c === "}") return undefined;
  }
  return undefined;
}

/** The graphs and ops of the file, with their inputs, params and values. */
export function outline(doc: DocumentAnalysis): OutlineSymbol[] {
  const decls = [...(doc.program?.graphs ?? []), ...(doc.program?.ops ?? [])].sort((a, b) => a.span.start - b.span.start);
  return decls.flatMap((d): OutlineSymbol[] => {
    const symbol = doc.index.symbols.find((s) => s.owner === undefined && s.definition === d.span);
    if (!symbol) return [];
    const members = doc.index.symbols.filter((s) => s.owner === d && s.kind !== "dim");
    const children = members.map(
      (s): OutlineSymbol => ({
        name: s.name,
        kind: s.kind,
        span: s.statement ? statementSpan(doc.source, s.statement.span) : s.definition,
        selection: s.definition,
        detail: shapeOf(doc, s),
        children: [],
      }),
    );
    return [{ name: d.name, kind: symbol.kind, span: d.extent, selection: d.span, children }];
  });
}

/** From a statement's name to the end of its line. */
function statementSpan(source: string, name: Span): Span {
  const end = source.indexOf("\n", name.start);
  return { ...name, end: end === -1 ? source.length : end };
}
