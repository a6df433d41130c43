// `npm run grammar`: writes grammar/gradc.ebnf, grammar/cst.d.ts, grammar/diagrams.html and
// grammar/gradc.tmLanguage.json.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cstTypings, diagramsPage, ebnf, readParserSource } from "./grammar-artifacts.js";
import { textmateGrammar } from "./textmate-grammar.js";

const root = fileURLToPath(new URL("..", import.meta.url));
writeFileSync(`${root}/grammar/gradc.ebnf`, ebnf(readParserSource(root)));
writeFileSync(`${root}/grammar/cst.d.ts`, cstTypings());
writeFileSync(`${root}/grammar/diagrams.html`, diagramsPage());
writeFileSync(`${root}/grammar/gradc.tmLanguage.json`, textmateGrammar());
console.log("wrote grammar/gradc.ebnf, grammar/cst.d.ts, grammar/diagrams.html, grammar/gradc.tmLanguage.json");
