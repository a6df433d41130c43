// Owns which helpers a generated module carries: the ones it asks for and those they use, in
// the order of their source files (src/emit/helpers/), as TypeScript or JavaScript. The text
// comes from src/generated/helpers.ts, which the build writes from those files.
import { helperTexts, type HelperName } from "../generated/helpers.js";
import type { Lang } from "./options.js";

export type { HelperName } from "../generated/helpers.js";

/** The helpers a module exports as part of its own API. */
const exported: ReadonlySet<HelperName> = new Set<HelperName>(["InputError"]);

/** The text of `requested` and everything it uses, in source order. */
export function helperSource(requested: Iterable<HelperName>, lang: Lang): string {
  const needed = new Set<HelperName>();
  const add = (name: HelperName): void => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const used of helperTexts[name].uses) add(used);
  };
  for (const name of requested) add(name);
  const texts: string[] = [];
  for (const name of Object.keys(helperTexts) as HelperName[]) {
    if (!needed.has(name)) continue;
    const text = helperTexts[name][lang];
    if (text !== "") texts.push(exported.has(name) ? exportDeclaration(text) : text);
  }
  return texts.join("\n\n");
}

/** `export` placed before the declaration, after its leading comment. */
function exportDeclaration(text: string): string {
  return text.replace(/^((?:\s*\/\*\*[\s\S]*?\*\/|\s*\/\/[^\n]*)*\s*)/, "$1export ");
}

export function isHelperName(name: string): name is HelperName {
  return Object.prototype.hasOwnProperty.call(helperTexts, name);
}

/** Every name the helpers declare: a user's names must avoid them. */
export const helperNames: readonly HelperName[] = Object.keys(helperTexts) as HelperName[];
