#!/usr/bin/env node
// Runs one of the TypeScript scripts in scripts/ (`node scripts/run.mjs scripts/generate.ts ARGS…`):
// esbuild turns it into one ES module beside it in node_modules/.cache (packages stay imports),
// which Node then runs. The scripts are type-checked with the rest of the project by tsc.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error("usage: node scripts/run.mjs scripts/NAME.ts [ARGS…]");
  process.exit(2);
}
const root = fileURLToPath(new URL("..", import.meta.url));
const cache = join(root, "node_modules", ".cache", "gradc-scripts");
mkdirSync(cache, { recursive: true });
const outfile = join(cache, `${basename(script, ".ts")}.mjs`);
await build({
  entryPoints: [resolve(script)],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  // The script's own import.meta.url must still point into scripts/ for the paths it computes.
  define: { "import.meta.url": JSON.stringify(pathToFileURL(resolve(script)).href) },
  logLevel: "warning",
  absWorkingDir: root,
  nodePaths: [join(root, "node_modules")],
});
process.argv = [process.argv[0], resolve(script), ...args];
await import(pathToFileURL(outfile).href);
