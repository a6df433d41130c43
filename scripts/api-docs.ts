// `npm run api-docs`: rewrites the generated regions of docs/api.md (the reference of each entry
// of the package) from the built declarations in dist/types/; the prose around them is kept.
// `npm run api-docs` builds first; test/api-docs.test.ts fails when the page is not current.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { regeneratePage } from "./api-reference.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const path = join(root, "docs", "api.md");
const before = readFileSync(path, "utf8");
const after = await regeneratePage(root, before);
writeFileSync(path, after);
console.log(after === before ? "docs/api.md is current" : "wrote docs/api.md");
