// Owns the editor: CodeMirror 6 with gradc's highlighting, its diagnostics as squiggles, and
// hover and completion, all answered by gradc's language service from one analysis per text.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab, toggleComment } from "@codemirror/commands";
import { bracketMatching, indentOnInput } from "@codemirror/language";
import { linter, lintGutter, lintKeymap, type Diagnostic as LintDiagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, hoverTooltip, keymap, lineNumbers } from "@codemirror/view";
import { analyzeDocument, completionsAt, hoverAt, type CompletionKind, type DocumentAnalysis } from "./gradc.js";
import { gradcHighlighting } from "./highlight.js";
import { renderMarkdown } from "./markdown.js";

let last: DocumentAnalysis | undefined;

/** The language service's analysis of `source`, kept for the latest text (hover and completion reuse it). */
export function analysisOf(source: string): DocumentAnalysis {
  if (last?.source !== source) last = analyzeDocument(source);
  return last;
}

/** The squiggles: what the compiler says about the text, where it says it. */
function diagnosticsOf(view: EditorView): LintDiagnostic[] {
  const doc = analysisOf(view.state.doc.toString());
  const length = view.state.doc.length;
  return doc.diagnostics.map((d) => {
    const from = Math.min(d.span?.start ?? 0, length);
    return { from, to: Math.max(from, Math.min(d.span?.end ?? from, length)), severity: d.severity, message: d.message, source: "gradc" };
  });
}

const hover = hoverTooltip((view, pos) => {
  const found = hoverAt(analysisOf(view.state.doc.toString()), pos);
  if (!found) return null;
  return {
    pos: found.span.start,
    end: found.span.end,
    create: () => {
      const dom = document.createElement("div");
      dom.className = "gradc-hover";
      dom.append(...renderMarkdown(found.contents));
      return { dom };
    },
  };
});

const completionTypes: Record<CompletionKind, string> = {
  op: "function",
  value: "variable",
  keyword: "keyword",
  attribute: "property",
  initializer: "function",
  dimension: "type",
};

function complete(context: CompletionContext): CompletionResult | null {
  const word = context.matchBefore(/[\p{L}_][\p{L}\p{Nd}_]*/u);
  if (!word && !context.explicit) return null;
  const items = completionsAt(analysisOf(context.state.doc.toString()), context.pos);
  if (items.length === 0) return null;
  return {
    from: word?.from ?? context.pos,
    options: items.map((c) => ({
      label: c.label,
      type: completionTypes[c.kind],
      ...(c.detail === undefined ? {} : { detail: c.detail }),
      ...(c.insertText === undefined ? {} : { apply: c.insertText }),
      ...(c.documentation === undefined
        ? {}
        : {
            info: () => {
              const dom = document.createElement("div");
              dom.append(...renderMarkdown(c.documentation!));
              return dom;
            },
          }),
    })),
    validFor: /^[\p{L}_][\p{L}\p{Nd}_]*$/u,
  };
}

/** A CodeMirror editor in `parent`, telling `onChange` each new text. */
export function createEditor(parent: HTMLElement, text: string, onChange: (text: string) => void): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        history(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        indentOnInput(),
        EditorState.tabSize.of(2),
        gradcHighlighting,
        linter(diagnosticsOf, { delay: 100 }),
        lintGutter(),
        hover,
        autocompletion({ override: [complete] }),
        keymap.of([
          ...closeBracketsKeymap,
          ...completionKeymap,
          ...lintKeymap, // Ctrl-Shift-M lists the diagnostics; F8 goes to the next one
          { key: "Mod-/", run: toggleComment },
          ...defaultKeymap,
          ...historyKeymap,
          // Tab indents only with a modifier-free selection; Escape then Tab leaves the editor (CodeMirror's convention).
          indentWithTab,
        ]),
        EditorView.contentAttributes.of({ "aria-label": "Graph file" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
}
