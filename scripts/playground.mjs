#!/usr/bin/env node
// `npm run playground`: the playground (playground/) on Vite's dev server, reloading as its
// sources and gradc's change. `npm run playground:build [OUT]`: the static site, into
// playground/dist/ (or OUT), ready for any static host. The page trains on the MNIST digits
// that `npm run build` writes to dist/assets/, so gradc is built first when they are missing
// (a fresh clone after `npm ci`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const configFile = join(root, "playground", "vite.config.ts");
const [command, out] = process.argv.slice(2);

if (!existsSync(join(root, "dist", "assets", "mnist.json"))) {
  const built = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const { build, createServer } = await import("vite");

if (command === "dev") {
  const server = await createServer({ configFile, logLevel: "info" });
  await server.listen();
  server.printUrls();
} else if (command === "build") {
  const outDir = out ? resolve(out) : join(root, "playground", "dist");
  await build({ configFile, build: { outDir } });
  const size = (dir) => readdirSync(dir).reduce((n, f) => n + (statSync(join(dir, f)).isDirectory() ? size(join(dir, f)) : statSync(join(dir, f)).size), 0);
  console.log(`playground: ${relative(process.cwd(), outDir) || "."}/ (${(size(outDir) / 1e6).toFixed(1)} MB)`);
} else {
  console.error("usage: node scripts/playground.mjs dev | build [OUT]");
  process.exit(2);
}
