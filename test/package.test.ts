// gradc as a new user gets it: `npm pack`, installed from the tarball into an empty project (from
// the npm registry, like any install), then the command and every entry used from JavaScript and
// from a strict TypeScript file. The tarball holds what users need and nothing else.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./support/gradc.js";

const tmp = mkdtempSync(join(tmpdir(), "gradc-package-"));
const project = join(tmp, "project");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Packed {
  filename: string;
  files: { path: string }[];
}
let packed: Packed;
let installOutput = "";

function du(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += du(path);
    else if (entry.isFile()) bytes += statSync(path).size;
  }
  return bytes;
}

function node(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: project, encoding: "utf8", input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  packed = (JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", tmp], { cwd: ROOT, encoding: "utf8" })) as Packed[])[0]!;
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), '{ "name": "new-user", "private": true, "type": "module" }\n');
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", join(tmp, packed.filename)], { cwd: project, encoding: "utf8" });
  installOutput = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`npm install failed:\n${installOutput}`);
}, 240_000);

describe("the tarball", () => {
  it("holds the command, the bundles, their types, the assets and the licences, and nothing else", () => {
    const files = packed.files.map((f) => f.path);
    for (const needed of [
      "LICENSE", "README.md", "package.json", "bin/gradc.js", "dist/index.js", "dist/runtime.js", "dist/node.js", "dist/cli.js", "dist/plugin.js",
      "dist/types/src/index.d.ts", "dist/types/src/runtime/index.d.ts", "dist/types/src/node/index.d.ts", "dist/types/src/plugin/index.d.ts",
      "dist/assets/mnist.bin.gz", "dist/assets/mnist.json", "dist/assets/DejaVuSans.ttf", "dist/THIRD_PARTY_LICENSES.txt",
    ]) {
      expect(files, needed).toContain(needed);
    }
    const unwanted = files.filter((f) => /^(src|test|scripts|bench|docs|examples)\//.test(f) || /^dist\/scripts\//.test(f) || /\.map$/.test(f));
    expect(unwanted).toEqual([]);
  });

  it("its JavaScript points at no source map it lacks", () => {
    const js = packed.files.map((f) => f.path).filter((f) => f.endsWith(".js"));
    for (const f of js) expect(readFileSync(join(ROOT, f), "utf8"), f).not.toMatch(/sourceMappingURL/);
  });
});

describe("installed into an empty project", () => {
  it("takes at most 60 MB, bundled MNIST digits included, and installing prints no warning about gradc", () => {
    expect(du(join(project, "node_modules"))).toBeLessThanOrEqual(60e6);
    expect(installOutput).not.toMatch(/gradc.*(install|postinstall|prepare)|warn.*gradc/i);
  });

  it("runs the command: version, run, compile to JavaScript that Node imports", async () => {
    const bin = join(project, "node_modules", ".bin", "gradc");
    expect(node([bin, "--version"]).stdout).toBe("0.1.0\n");
    copyFileSync(join(ROOT, "examples", "apple.graph"), join(project, "apple.graph"));
    const run = node([bin, "run", "apple.graph"]);
    expect(run.stdout).toContain("price: 220.00000000000003");
    expect(node([bin, "compile", "apple.graph", "-o", "apple.js", "--dts"]).status).toBe(0);
    const used = node(["--input-type=module", "-e", 'import { forward, backward } from "./apple.js"; const f = forward({}, {}); console.log(JSON.stringify(backward(f)));']);
    expect(JSON.parse(used.stdout)).toEqual({ apple: 2.2, apple_num: 110.00000000000001, tax: 200 });
  });

  it("train --engine onnxruntime without onnxruntime-node installed: one line saying how to install it, exit 1", () => {
    const bin = join(project, "node_modules", ".bin", "gradc");
    copyFileSync(join(ROOT, "examples", "two_layer_net.graph"), join(project, "net.graph"));
    const r = node([bin, "train", "net.graph", "--engine", "onnxruntime", "--epochs", "1"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("gradc: error: --engine onnxruntime trains in ONNX Runtime, which is not installed here: run `npm install onnxruntime-node`, or train without --engine.\n");
  });

  it("every entry works from JavaScript: compile and run in-process, an optimizer step, the MNIST digits", () => {
    const script = `
      import { loadGraph, compile, checkGradients } from "gradc";
      import { sgd, mulberry32 } from "gradc/runtime";
      import { loadMnist } from "gradc/node";
      const source = "graph g { input x: [N, 2]  param W: [2, 2] = normal(0, 1)  y = sum(x @ W)  output y }";
      const { module } = await loadGraph(source, { target: "wasm" });
      const params = module.init(1);
      const x = { shape: [1, 2], data: Float64Array.of(1, 2) };
      const before = module.forward({ x }, params).outputs.y;
      sgd(0.1).step(params, module.backward(module.forward({ x }, params)));
      const after = module.forward({ x }, params).outputs.y;
      const ts = (await compile(source)).code.includes("export function forward(inputs: Inputs");
      const mnist = loadMnist();
      console.log(JSON.stringify({ lower: after < before, ts, ok: checkGradients(module).ok, train: mnist.train.rows, test: mnist.test.rows, r: mulberry32(1)() > 0 }));
    `;
    const r = node(["--input-type=module", "-e", script]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ lower: true, ts: true, ok: true, train: 7996, test: 2004, r: true });
  });

  it("gradc/plugin works with what the install brought (unplugin is bundled): esbuild bundles a graph file with it", () => {
    copyFileSync(join(ROOT, "examples", "apple.graph"), join(project, "shop.graph"));
    writeFileSync(join(project, "shop.js"), 'import { forward, backward } from "./shop.graph";\nconsole.log(JSON.stringify(backward(forward({}, {}))));\n');
    // esbuild is not gradc's dependency: the project has its own, here this checkout's.
    const esbuild = pathToFileURL(join(ROOT, "node_modules", "esbuild", "lib", "main.js")).href;
    const script = `
      import esbuild from ${JSON.stringify(esbuild)};
      import gradc from "gradc/plugin";
      await esbuild.build({ entryPoints: ["shop.js"], bundle: true, format: "esm", outfile: "out/shop.js", plugins: [gradc.esbuild()], logLevel: "error" });
    `;
    const built = node(["--input-type=module", "-e", script]);
    expect(`${built.stdout}${built.stderr}`).toBe("");
    expect(JSON.parse(node(["out/shop.js"]).stdout)).toEqual({ apple: 2.2, apple_num: 110.00000000000001, tax: 200 });
    expect(readFileSync(join(project, "shop.d.graph.ts"), "utf8")).toMatch(/^export declare function forward\(/m);
  });

  it("its types serve a strict TypeScript project (no skipLibCheck, no Node types needed for gradc and gradc/runtime)", () => {
    writeFileSync(
      join(project, "use.ts"),
      `import { compile, loadGraph, type CompileResult, type Diagnostic, type GraphModule } from "gradc";
import { adam, train, type Optimizer, type Split, type TrainResult } from "gradc/runtime";
import { loadMnist, main } from "gradc/node";
import gradc, { type GradcPluginOptions } from "gradc/plugin";

export async function build(source: string): Promise<string | undefined> {
  const result: CompileResult = await compile(source, { lang: "js", declarations: true });
  const first: Diagnostic | undefined = result.diagnostics[0];
  return first ? first.message : result.code;
}

export async function fit(source: string): Promise<TrainResult> {
  const module: GraphModule = (await loadGraph(source)).module;
  const data: Split = loadMnist();
  const optimizer: Optimizer = adam(0.001);
  return train(module, data, { epochs: 1, batch: 100, optimizer, seed: 0, features: "x", labels: "t" });
}

export const run: (argv: readonly string[]) => Promise<number> = (argv) => main(argv);

const options: GradcPluginOptions = { dtype: "f32", target: "wasm", declarations: false };
export const plugins: readonly { readonly name: string }[] = [gradc.vite(options), gradc.rollup(), gradc.esbuild()];
`,
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, skipLibCheck: false, module: "NodeNext", moduleResolution: "NodeNext",
          target: "ES2022", lib: ["ES2022"], types: [], exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true,
        },
        files: ["use.ts"],
      }),
    );
    const r = node([join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"]);
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
  });
});
