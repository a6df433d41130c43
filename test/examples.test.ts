// Every example graph (found on disk, so new ones are covered without editing this file):
// compiled for both dtypes, type-checked under --strict in one TypeScript program, run, and
// gradient-checked against central differences.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIM, EXAMPLES_DIR, exampleSource, examples, inputsFor } from "./support/examples.js";
import { typecheckStrict } from "./support/typecheck.js";
import {
  checkGradients,
  compile,
  emit,
  gradientGraph,
  loadGraph,
  type CompileResult,
  type Dtype,
  type GraphModule,
  type LoadedGraph,
  type Value,
} from "../src/index.js";

const dir = EXAMPLES_DIR;
const source = exampleSource;

/**
 * Each example is compiled once per dtype with compile() (TypeScript, for the type check) and
 * once with loadGraph() (JavaScript, to run it); both are shared by the tests below.
 */
const compiled = new Map<string, Promise<CompileResult>>();
function compiledExample(file: string, dtype: Dtype): Promise<CompileResult> {
  const key = `${file}:${dtype}`;
  let p = compiled.get(key);
  if (!p) compiled.set(key, (p = compile(source(file), { dtype, file: `${dir}/${file}` })));
  return p;
}
const loaded = new Map<string, Promise<LoadedGraph>>();
function loadedExample(file: string, dtype: Dtype): Promise<LoadedGraph> {
  const key = `${file}:${dtype}`;
  let p = loaded.get(key);
  if (!p) loaded.set(key, (p = loadGraph(source(file), { dtype, file: `${dir}/${file}` })));
  return p;
}

function allFinite(v: Value | undefined): boolean {
  if (v === undefined) return false;
  if (typeof v === "number") return Number.isFinite(v);
  return v.data.length === v.shape.reduce((p, s) => p * s, 1) && [...v.data].every(Number.isFinite);
}

it("there are examples to test", () => {
  expect(examples.length).toBeGreaterThan(0);
});

describe("every example type-checks under --strict", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "gradc-examples-"));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("for both dtypes, with its gradient graph, in one program with zero diagnostics", async () => {
    const files: string[] = [];
    for (const file of examples) {
      const base = file.replace(/\.graph$/, "");
      const src = source(file);
      for (const dtype of ["f64", "f32"] as const) {
        const result = await compiledExample(file, dtype);
        expect(result.diagnostics, `${file} (${dtype})`).toEqual([]);
        expect(result.code, `${file} (${dtype})`).toBeDefined();
        const path = join(tmp, `${base}.${dtype}.ts`);
        writeFileSync(path, result.code!);
        files.push(path);
      }
      // The printed gradient graph compiles to a module that type-checks too.
      const grad = gradientGraph(src);
      expect(grad.text, `${file}: gradient graph`).toBeDefined();
      const gradResult = await compile(grad.text!, { file: `${base}_grad.graph` });
      expect(gradResult.code, `${file}: gradient graph\n${grad.text}`).toBeDefined();
      const gradPath = join(tmp, `${base}_grad.f64.ts`);
      writeFileSync(gradPath, gradResult.code!);
      files.push(gradPath);
    }

    const { program, byFile } = typecheckStrict(files);
    const text = [...byFile.values()].join("");
    expect(byFile.size, text).toBe(0);
    // Every file was part of the program (nothing was silently skipped).
    for (const f of files) expect(program.getSourceFile(f), f).toBeDefined();
  });
});

describe.each(examples)("examples/%s", (file) => {
  const src = source(file);

  it("compiles deterministically (two compiles, byte-identical code)", async () => {
    for (const dtype of ["f64", "f32"] as const) {
      const a = await compiledExample(file, dtype);
      const again = await compile(src, { dtype, file: `${dir}/${file}` });
      expect(a.code).toBeDefined();
      expect(again.code === a.code, `${file} (${dtype}) compiled to different TypeScript twice`).toBe(true);
      const b = await loadedExample(file, dtype);
      const js = emit(src, { dtype, file: `${dir}/${file}`, lang: "js" });
      expect(js.code === b.code, `${file} (${dtype}) compiled to different JavaScript twice`).toBe(true);
    }
    expect(gradientGraph(src).text).toBe(gradientGraph(src).text);
  });

  it("runs (f64 and f32) with finite outputs and gradients", async () => {
    for (const dtype of ["f64", "f32"] as const) {
      const { module } = await loadedExample(file, dtype);
      expect(module.meta.dtype).toBe(dtype);
      const params = module.init(0);
      const fwd = module.forward(inputsFor(module, 1, dtype), params);
      expect(Object.keys(fwd.outputs).sort()).toEqual(module.meta.outputs.map((o) => o.name).sort());
      for (const o of module.meta.outputs) {
        expect(allFinite(fwd.outputs[o.name]), `${dtype} output ${o.name}: ${String(fwd.outputs[o.name])}`).toBe(true);
      }
      const out = fwd.outputs[module.meta.grad.of]!;
      const Arr = dtype === "f32" ? Float32Array : Float64Array;
      const upstream = typeof out === "number" ? undefined : { shape: [...out.shape], data: new Arr(out.data.length).fill(1) };
      const grads = module.backward(fwd, upstream);
      expect(Object.keys(grads).sort()).toEqual([...module.meta.grad.wrt].sort());
      for (const w of module.meta.grad.wrt) expect(allFinite(grads[w]), `${dtype} gradient ${w}`).toBe(true);
    }
  });

  it("reuses its buffers safely: a call gives the same values whatever call came before (ts and wasm targets)", async () => {
    // Kernels and loops that write every element get their buffer without zeroing it; one that
    // left an element unwritten (or added to it) would carry the previous call's values over.
    for (const target of ["ts", "wasm"] as const) {
      const { module } = await loadGraph(src, { file: `${dir}/${file}`, target });
      const params = module.init(0);
      // Every output and gradient, by name, as plain numbers.
      const run = (seed: number): Map<string, number[]> => {
        const fwd = module.forward(inputsFor(module, seed), params);
        const out = fwd.outputs[module.meta.grad.of]!;
        const upstream = typeof out === "number" ? undefined : { shape: [...out.shape], data: out.data.map((_, i) => 1 + i) };
        const grads = module.backward(fwd, upstream);
        const values = [
          ...Object.entries(fwd.outputs).map(([k, v]) => [`output ${k}`, v] as const),
          ...Object.entries(grads).map(([k, v]) => [`gradient ${k}`, v] as const),
        ];
        return new Map(values.map(([k, v]) => [k, typeof v === "number" ? [v] : [...v!.data]]));
      };
      run(2);
      const afterTwo = run(4);
      run(3);
      const afterThree = run(4);
      const differing = [...afterTwo.keys()].filter((k) => !afterTwo.get(k)!.every((v, i) => Object.is(v, afterThree.get(k)![i])));
      expect(differing, `${target}: values that changed with the call before`).toEqual([]);
    }
  });

  it("passes the gradient check", async () => {
    const { module } = await loadedExample(file, "f64");
    const report = checkGradients(module, { dims: Object.fromEntries(symbols(module).map((s) => [s, DIM])) });
    expect(report.ok, JSON.stringify(report, null, 2)).toBe(true);
    expect(report.rows.length).toBe(module.meta.grad.wrt.length);
    for (const r of report.rows) expect(r.maxRelError, JSON.stringify(r)).toBeLessThan(1e-6);
  });
});

function symbols(mod: GraphModule): string[] {
  return [...new Set(mod.meta.inputs.flatMap((v) => v.shape.filter((d): d is string => typeof d === "string")))];
}
