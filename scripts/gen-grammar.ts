// `npm run grammar`: writes grammar/gradc.ebnf, grammar/cst.d.ts and grammar/diagrams.html.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cstTypings, diagramsPage, ebnf, readParserSource } from "./grammar-artifacts.js";

const root = fileURLToPath(new URL("..", import.meta.url));
writeFileSync(`${root}/grammar/gradc.ebnf`, ebnf(readParserSource(root)));
writeFileSync(`${root}/grammar/cst.d.ts`, cstTypings());
writeFileSync(`${root}/grammar/diagrams.html`, diagramsPage());
console.log("wrote grammar/gradc.ebnf, grammar/cst.d.ts, grammar/diagrams.html");
