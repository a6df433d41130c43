// docs/onnx.md's onnxruntime-node example runs as the page shows it (types stripped by esbuild,
// `gradc` and `onnxruntime-node` resolved to this checkout), and its training steps learn.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { transformSync } from "esbuild";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../support/gradc.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-onnx-doc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("docs/onnx.md's onnxruntime-node example runs and its loss falls", () => {
  const page = readFileSync(join(ROOT, "docs", "onnx.md"), "utf8");
  const block = /<!-- test\/onnx\/docs\.test\.ts runs this block -->\n```ts\n([\s\S]*?)```/.exec(page)?.[1];
  expect(block).toBeDefined();
  const js = transformSync(block!, { loader: "ts", format: "esm" }).code
    .replace('from "gradc"', `from ${JSON.stringify(pathToFileURL(join(ROOT, "dist", "index.js")).href)}`)
    .replace('from "onnxruntime-node"', `from ${JSON.stringify(pathToFileURL(join(ROOT, "node_modules", "onnxruntime-node", "dist", "index.js")).href)}`);
  const file = join(dir, "example.mjs");
  writeFileSync(file, js);
  const out = execFileSync(process.execPath, [file], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  expect(out).toMatch(/^loss \d\.\d+ y \[ 2, 10 \]\n/);
  const losses = [...out.matchAll(/^step \d: loss (\S+)$/gm)].map((m) => Number(m[1]));
  expect(losses).toHaveLength(5);
  expect(losses[4]!).toBeLessThan(losses[0]!);
});
