// Owns the editor's colours: each token as gradc's own lexer (grammar/tokens.ts, the definitions
// the TextMate grammar is generated from) splits the text, classed by its token type and, for
// names, by the same bits of context the TextMate grammar reads: a name before "(" is an op
// call (built-in or the user's), a name after `graph` or `op` is declared there, a name inside
// "[...]" is a dimension, a name before "=" inside a call is an attribute.
import { RangeSetBuilder, StateField, type EditorState } from "@codemirror/state";
import { Decoration, EditorView, type DecorationSet } from "@codemirror/view";
import { graphLexer, keywords, opNames } from "./gradc.js";

export type TokenClass =
  | "keyword"
  | "name"
  | "definition"
  | "builtin"
  | "function"
  | "dimension"
  | "attribute"
  | "number"
  | "comment"
  | "operator"
  | "punctuation"
  | "invalid";

/** A classed stretch of the text. */
export interface ClassedToken {
  readonly from: number;
  readonly to: number;
  readonly kind: TokenClass;
}

const operators = new Set(["Equals", "Plus", "Minus", "Star", "Slash", "At"]);
const builtins = new Set<string>(opNames);
const keywordTokens = new Set(keywords.map((k) => k[0]!.toUpperCase() + k.slice(1)));

/** Each token of `text` with its class, in order, comments and characters the lexer rejects included. */
export function classifyTokens(text: string): ClassedToken[] {
  const lexed = graphLexer.tokenize(text);
  const tokens = lexed.tokens;
  const out: ClassedToken[] = [];
  let parens = 0;
  let brackets = 0;
  tokens.forEach((token, i) => {
    const type = token.tokenType.name;
    const from = token.startOffset;
    const to = from + token.image.length;
    const next = tokens[i + 1]?.tokenType.name;
    const previous = tokens[i - 1]?.tokenType.name;
    if (type === "LParen") parens++;
    else if (type === "RParen") parens = Math.max(0, parens - 1);
    else if (type === "LBracket") brackets++;
    else if (type === "RBracket") brackets = Math.max(0, brackets - 1);
    else if (type === "LBrace" || type === "RBrace" || keywordTokens.has(type)) parens = brackets = 0; // as the grammar: a slip stays local
    let kind: TokenClass;
    if (keywordTokens.has(type)) kind = "keyword";
    else if (type === "NumberLiteral") kind = "number";
    else if (operators.has(type)) kind = "operator";
    else if (type !== "Identifier") kind = "punctuation";
    else if (previous === "Graph" || previous === "Op") kind = "definition";
    else if (next === "LParen") kind = builtins.has(token.image) ? "builtin" : "function";
    else if (brackets > 0) kind = "dimension";
    else if (parens > 0 && next === "Equals") kind = "attribute";
    else kind = "name";
    out.push({ from, to, kind });
  });
  for (const c of (lexed.groups["comments"] ?? []) as typeof tokens) {
    out.push({ from: c.startOffset, to: c.startOffset + c.image.length, kind: "comment" });
  }
  for (const e of lexed.errors) out.push({ from: e.offset, to: e.offset + e.length, kind: "invalid" });
  return out.sort((a, b) => a.from - b.from);
}

const marks = new Map<TokenClass, Decoration>();
const markOf = (kind: TokenClass): Decoration => {
  let mark = marks.get(kind);
  if (!mark) marks.set(kind, (mark = Decoration.mark({ class: `tok-${kind}` })));
  return mark;
};

function decorate(state: EditorState): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const t of classifyTokens(state.doc.toString())) if (t.to > t.from) builder.add(t.from, t.to, markOf(t.kind));
  return builder.finish();
}

/** Highlighting by gradc's lexer, recomputed on each change (graph files are small). */
export const gradcHighlighting = StateField.define<DecorationSet>({
  create: decorate,
  update: (decorations, tr) => (tr.docChanged ? decorate(tr.state) : decorations),
  provide: (field) => EditorView.decorations.from(field),
});
