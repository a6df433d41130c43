// docs/training.md's own training loop: the module compiled as the page says, the loop
// type-checked under strict settings against the module and gradc's declarations, then run to
// the end (17 epochs on the bundled MNIST digits) as the page says it runs.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, expect, it } from "vitest";
import { BIN, ROOT } from "./support/gradc.js";

// Projects of the user's, where `gradc` is this checkout (node_modules/gradc links to it).
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

it.each([
  ["the loop", "Train the TwoLayerNet with a generated module"],
  ["the fused loop", "Train the TwoLayerNet with the module's fused step"],
])("%s of docs/training.md type-checks and trains to over 0.9 test accuracy", (_, firstLine) => {
  const dir = mkdtempSync(join(tmpdir(), "gradc-training-doc-"));
  dirs.push(dir);
  const page = readFileSync(join(ROOT, "docs", "training.md"), "utf8");
  const compileLine = /```sh\n(gradc compile [^\n]*-o net\.ts)\n```/.exec(page)?.[1];
  const loop = new RegExp(`\`\`\`ts\\n(// ${firstLine}[\\s\\S]*?)\`\`\``).exec(page)?.[1];
  expect(compileLine).toBeDefined();
  expect(loop).toBeDefined();
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "gradc"));
  const args = compileLine!.split(" ").slice(1).map((a) => (a.endsWith(".graph") ? join(ROOT, a) : a === "net.ts" ? join(dir, a) : a));
  execFileSync(process.execPath, [BIN, ...args]);
  execFileSync(process.execPath, [BIN, ...args.map((a) => (a.endsWith("net.ts") ? join(dir, "net.js") : a))]);
  writeFileSync(join(dir, "loop.ts"), loop!);

  const program = ts.createProgram([join(dir, "loop.ts")], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
    skipLibCheck: false,
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  expect(problems).toEqual([]);

  const js = ts.transpileModule(loop!, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  writeFileSync(join(dir, "loop.mjs"), js);
  const out = execFileSync(process.execPath, [join(dir, "loop.mjs")], { encoding: "utf8" });
  const lines = out.trim().split("\n");
  expect(lines).toHaveLength(17);
  expect(Number(/test acc ([\d.]+)/.exec(lines[16]!)![1])).toBeGreaterThan(0.9);
}, 180_000);

it("the page's Options block is what `gradc train --help` prints", () => {
  const help = execFileSync("node", [BIN, "train", "--help"], { encoding: "utf8" });
  const options = help.slice(help.indexOf("Options:\n") + "Options:\n".length).trimEnd();
  const page = readFileSync(join(ROOT, "docs", "training.md"), "utf8");
  const block = /### Options\n\n```\n([\s\S]*?)\n```/.exec(page)?.[1];
  expect(block).toBe(options);
});
