// The TextMate grammar as an editor runs it: grammar/gradc.tmLanguage.json loaded by
// vscode-textmate on the Oniguruma regex engine (vscode-oniguruma's WebAssembly build), the
// engine and library VS Code itself highlights with. A text is tokenised line by line, each line
// continuing from the state the previous one left, as an editor does.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import oniguruma from "vscode-oniguruma";
import textmate from "vscode-textmate";

export const GRAMMAR_FILE = "grammar/gradc.tmLanguage.json";

/** A token of a whole text: its offsets in the text, its text and its scopes, outermost first. */
export interface ScopedToken {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

let engine: Promise<void> | undefined;

/** Loads the Oniguruma WebAssembly module once. */
export function loadOniguruma(): Promise<void> {
  const wasm = readFileSync(createRequire(import.meta.url).resolve("vscode-oniguruma/release/onig.wasm"));
  engine ??= oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  return engine;
}

/** The grammar in `grammarText` (by default the checked-in file), ready to tokenise. */
export async function loadGrammar(grammarText = readFileSync(GRAMMAR_FILE, "utf8")): Promise<textmate.IGrammar> {
  await loadOniguruma();
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === "source.gradc" ? textmate.parseRawGrammar(grammarText, GRAMMAR_FILE) : null,
  });
  const grammar = await registry.loadGrammar("source.gradc");
  if (!grammar) throw new Error(`${GRAMMAR_FILE} did not load.`);
  return grammar;
}

/** Tokenises `text` as an editor would, splitting lines where VS Code does (\r\n, \r, \n). */
export function tokenize(grammar: textmate.IGrammar, text: string): ScopedToken[] {
  const tokens: ScopedToken[] = [];
  let state = textmate.INITIAL;
  let offset = 0;
  for (const m of text.matchAll(/([^\r\n]*)(\r\n|\r|\n|$)/g)) {
    const line = m[1]!;
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) {
      const end = Math.min(t.endIndex, line.length);
      if (end > t.startIndex) {
        tokens.push({ start: offset + t.startIndex, end: offset + end, text: line.slice(t.startIndex, end), scopes: t.scopes });
      }
    }
    state = result.ruleStack;
    offset += m[0].length;
    if (m[2] === "") break;
  }
  return tokens;
}
