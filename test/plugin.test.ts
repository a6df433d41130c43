// gradc/plugin as a user meets it. The fixture project test/fixtures/bundler (a graph file, a
// main.ts that imports it, one configuration per bundler) is copied to a scratch folder where
// `gradc` is this checkout, built by each bundler's own command (vite build, rollup -c, node
// esbuild.js) and each bundle run by Node: every one must print what the graph computes when it
// is compiled here, apart from any bundler. tsc then checks main.ts against the declarations the
// plugin wrote beside the graph file; a graph file with a mistake must fail each build with the
// mistake's place; and the options reach the module.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGraph, type Tensor } from "../src/index.js";
import { BIN, expectNoStack, ROOT } from "./support/gradc.js";

const FIXTURE = join(ROOT, "test", "fixtures", "bundler");
const scratch = mkdtempSync(join(tmpdir(), "gradc-plugin-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the fixture project whose node_modules has this checkout as `gradc`, and the bundlers. */
function project(name: string): string {
  const dir = join(scratch, name);
  cpSync(FIXTURE, dir, { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "gradc"), "dir");
  for (const p of ["vite", "rollup", "esbuild"]) symlinkSync(join(ROOT, "node_modules", p), join(dir, "node_modules", p), "dir");
  return dir;
}

/** Each bundler's command, as its documentation has users run it, and where it writes the bundle. */
const bundlers = {
  vite: [join(ROOT, "node_modules", "vite", "bin", "vite.js"), "build", "--ssr", "main.ts", "--outDir", "out/vite"],
  rollup: [join(ROOT, "node_modules", "rollup", "dist", "bin", "rollup"), "-c"],
  esbuild: ["esbuild.js"],
} as const;
type Bundler = keyof typeof bundlers;

function run(dir: string, args: readonly string[]): { status: number | null; output: string; stdout: string } {
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/** What main.ts prints, computed from the graph compiled here (in-process, no bundler). */
async function expected(): Promise<unknown> {
  const { module } = await loadGraph(readFileSync(join(FIXTURE, "net.graph"), "utf8"));
  const x: Tensor = { shape: [2, 4], data: Float64Array.of(1, 2, 3, 4, -1, 0.5, 0, 2) };
  const t: Tensor = { shape: [2, 3], data: Float64Array.of(0, 1, 0, 1, 0, 0) };
  const fwd = module.forward({ x, t }, module.init(1));
  const grads = module.backward(fwd) as Record<string, Tensor>;
  return { graph: "net", loss: fwd.outputs.loss, W: Array.from(grads.W!.data), b: Array.from(grads.b!.data) };
}

describe("the fixture project, built by each bundler with gradc/plugin", () => {
  let good: string;
  beforeAll(() => {
    good = project("good");
  });

  it.each(Object.keys(bundlers) as Bundler[])("%s builds it, and the bundle prints what the graph computes", async (bundler) => {
    const built = run(good, bundlers[bundler]);
    expect(built.status, built.output).toBe(0);
    const ran = run(good, [join("out", bundler, "main.js")]);
    expect(ran.status, ran.output).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual(await expected());
  }, 120_000);

  it("the plugin wrote net.d.graph.ts beside net.graph, the same text `gradc compile --dts` writes", () => {
    const written = readFileSync(join(good, "net.d.graph.ts"), "utf8");
    expect(written).toMatch(/^export declare function forward\(inputs: Inputs, params: Params\): Forward;$/m);
    const other = project("sidecar-by-cli");
    const r = run(other, [BIN, "compile", "net.graph", "--dts"]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toBe("");
    expect(readFileSync(join(other, "net.d.graph.ts"), "utf8")).toBe(written);
  });

  /** tsc's diagnostics for main.ts (or `file`) under the fixture's tsconfig.json (or `config`), with `overrides`. */
  function typecheck(file: string, overrides: ts.CompilerOptions = {}, config: unknown = ts.readConfigFile(join(good, "tsconfig.json"), ts.sys.readFile).config): readonly ts.Diagnostic[] {
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, good);
    const program = ts.createProgram([join(good, file)], { ...options, ...overrides });
    return ts.getPreEmitDiagnostics(program);
  }
  const text = (ds: readonly ts.Diagnostic[]) => ds.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n");

  it("tsc finds the types of ./net.graph in the sidecar: main.ts checks under moduleResolution bundler and nodenext", () => {
    expect(text(typecheck("main.ts"))).toBe("");
    const nodenext = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
    expect(text(typecheck("main.ts", nodenext))).toBe("");
    // The types do come from the sidecar: without allowArbitraryExtensions tsc finds it and refuses it.
    const refused = typecheck("main.ts", { allowArbitraryExtensions: false });
    expect(refused.map((d) => d.code)).toEqual([6263]);
    expect(text(refused)).toContain("net.d.graph.ts");
  });

  it("the compiler options docs/build.md shows are enough: main.ts checks with them (and a lib, strict)", () => {
    const page = readFileSync(join(ROOT, "docs", "build.md"), "utf8");
    const json = /## Types for imported graph files[\s\S]*?```json\n([\s\S]*?)```/.exec(page)?.[1];
    const shown = JSON.parse(json!) as { compilerOptions: Record<string, unknown> };
    const config = { compilerOptions: { lib: ["ES2022", "DOM"], ...shown.compilerOptions, strict: true, noEmit: true, types: [] } };
    expect(text(typecheck("main.ts", {}, config))).toBe("");
  });

  it("a wrong input name is a type error", () => {
    const main = readFileSync(join(good, "main.ts"), "utf8");
    expect(main).toContain("net.forward({ x, t }, params)");
    writeFileSync(join(good, "wrong.ts"), main.replace("net.forward({ x, t }, params)", "net.forward({ x, label: t }, params)"));
    const diagnostics = typecheck("wrong.ts");
    expect(diagnostics.map((d) => d.code)).toContain(2353);
    expect(text(diagnostics)).toContain("'label' does not exist in type 'Inputs'");
  });
});

describe("a graph file with a mistake fails each build, with the mistake's place in the graph file", () => {
  let bad: string;
  beforeAll(() => {
    bad = project("bad");
    const source = readFileSync(join(bad, "net.graph"), "utf8");
    expect(source.split("\n")[7]).toBe("  y = affine(x, W, b)");
    writeFileSync(join(bad, "net.graph"), source.replace("y = affine(x, W, b)", "y = afine(x, W, b)"));
  });

  // Line 8, column 7 counted from 1 as gradc counts; the bundlers count columns from 0.
  const places: Record<Bundler, RegExp> = {
    vite: /\[plugin gradc\] \S*net\.graph:8:6\n/,
    rollup: /\(plugin gradc\)[^\n]*\nnet\.graph \(8:6\)\n/,
    esbuild: /net\.graph:8:6:\n\s+8 │ {3}y = afine\(x, W, b\)\n/,
  };

  it.each(Object.keys(bundlers) as Bundler[])("%s", (bundler) => {
    const r = run(bad, bundlers[bundler]);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(places[bundler]);
    expect(r.output).toContain('Unknown op "afine". Did you mean "affine"?');
    expect(existsSync(join(bad, "out", bundler))).toBe(false);
    expect(existsSync(join(bad, "net.d.graph.ts"))).toBe(false);
    if (bundler !== "vite") expectNoStack(r.output); // Vite prints the stack of its own wrapper error
  }, 120_000);
});

describe("a graph file with two mistakes", () => {
  it("esbuild gets both, each placed; Rollup's error is placed at the first and tells the second", async () => {
    const dir = project("two-mistakes");
    const source = readFileSync(join(dir, "net.graph"), "utf8");
    writeFileSync(join(dir, "net.graph"), source.replace("y = affine(x, W, b)", "y = afine(x, W, b)").replace("softmaxloss(y, t)", "softmaxlos(y, t)"));
    const { default: gradc } = (await import(pathToFileURL(join(ROOT, "dist", "plugin.js")).href)) as typeof import("../src/plugin/index.js");

    const esbuild = await import("esbuild");
    const failure = await esbuild
      .build({ entryPoints: [join(dir, "main.ts")], bundle: true, write: false, logLevel: "silent", plugins: [gradc.esbuild()] })
      .then(() => undefined, (e: { errors: { text: string; location: { file: string; line: number; column: number; lineText: string } }[] }) => e);
    expect(failure?.errors.map((e) => [e.text, e.location.line, e.location.column, e.location.lineText])).toEqual([
      ['Unknown op "afine". Did you mean "affine"?', 8, 6, "  y = afine(x, W, b)"],
      ['Unknown op "softmaxlos". Did you mean "softmaxloss"?', 9, 9, "  loss = softmaxlos(y, t)"],
    ]);

    const { rollup } = await import("rollup");
    const error = await rollup({ input: join(dir, "net.graph"), plugins: [gradc.rollup()] }).then(
      () => undefined,
      (e: { message: string; loc: unknown }) => e,
    );
    expect(error?.loc).toEqual({ file: join(dir, "net.graph"), line: 8, column: 6 });
    expect(error?.message).toContain('Unknown op "afine". Did you mean "affine"?');
    expect(error?.message).toMatch(/net\.graph:9:10: error: Unknown op "softmaxlos"\. Did you mean "softmaxloss"\?\n9 \| {3}loss = softmaxlos\(y, t\)\n/);
    // The first mistake's source line comes right after its message, before the second mistake.
    const message = error?.message ?? "";
    expect(message.indexOf("8 |   y = afine(x, W, b)")).toBeGreaterThan(message.indexOf('Unknown op "afine"'));
    expect(message.indexOf("8 |   y = afine(x, W, b)")).toBeLessThan(message.indexOf('Unknown op "softmaxlos"'));
    expect((error as { frame?: string } | undefined)?.frame).toBeUndefined();
  }, 60_000);
});

describe("options", () => {
  it("dtype, target and declarations reach the module: an f32 wasm module, no sidecar", async () => {
    const dir = project("options");
    const { rollup } = await import("rollup");
    const { default: gradc } = (await import(pathToFileURL(join(ROOT, "dist", "plugin.js")).href)) as typeof import("../src/plugin/index.js");
    const bundle = await rollup({ input: join(dir, "net.graph"), plugins: [gradc.rollup({ dtype: "f32", target: "wasm", declarations: false })] });
    const out = join(dir, "net.js");
    await bundle.write({ file: out, format: "es" });
    await bundle.close();
    expect(existsSync(join(dir, "net.d.graph.ts"))).toBe(false);
    expect(readFileSync(out, "utf8")).toContain("WebAssembly");
    const net = (await import(pathToFileURL(out).href)) as Awaited<ReturnType<typeof loadGraph>>["module"];
    expect(net.meta.dtype).toBe("f32");
    const x = { shape: [2, 4], data: Float32Array.of(1, 2, 3, 4, -1, 0.5, 0, 2) };
    const t = { shape: [2, 3], data: Float32Array.of(0, 1, 0, 1, 0, 0) };
    const loss = net.forward({ x, t }, net.init(1)).outputs.loss as number;
    expect(loss).toBeCloseTo((await expected() as { loss: number }).loss, 5);
  }, 60_000);
});
