// Every example in both languages, both dtypes and both targets: the TypeScript passes the
// strictest settings projects use; the JavaScript runs in Node as it is written and computes the
// same numbers as the module gradc loads in-process; its `.d.ts` passes the same settings, and a
// strict TypeScript file that imports the JavaScript through it type-checks.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compile, loadGraph, type Dtype, type GraphModule, type Target, type Value } from "../../src/index.js";
import { exampleSource, examples, inputsFor } from "../support/examples.js";
import { typecheckStrict } from "../support/typecheck.js";
import { ROOT } from "../support/gradc.js";

const tmp = mkdtempSync(join(tmpdir(), "gradc-langs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const variants = (["f64", "f32"] as const).flatMap((dtype) => (["ts", "wasm"] as const).map((target) => ({ dtype, target })));
const base = (file: string, dtype: Dtype, target: Target) => `${file.replace(/\.graph$/, "")}_${dtype}_${target}`;

/** Runs a module once, forward and backward, on the examples' seeded inputs. */
function run(module: GraphModule, dtype: Dtype): { outputs: Record<string, Value>; grads: Record<string, Value> } {
  const fwd = module.forward(inputsFor(module, 1, dtype), module.init(3));
  const of = fwd.outputs[module.meta.grad.of]!;
  const Arr = dtype === "f32" ? Float32Array : Float64Array;
  const upstream = typeof of === "number" ? undefined : { shape: [...of.shape], data: new Arr(of.data.length).fill(1) };
  return { outputs: fwd.outputs, grads: module.backward(fwd, upstream) };
}

describe("TypeScript and JavaScript output", () => {
  it("every TypeScript module and every .d.ts (with a consumer of its JavaScript) passes the strictest settings", async () => {
    const files: string[] = [];
    for (const file of examples) {
      for (const { dtype, target } of variants) {
        const name = base(file, dtype, target);
        const ts = await compile(exampleSource(file), { dtype, target, file });
        writeFileSync(join(tmp, `${name}.ts`), ts.code!);
        const js = await compile(exampleSource(file), { dtype, target, file, lang: "js", declarations: true });
        writeFileSync(join(tmp, `${name}_js.js`), js.code!);
        writeFileSync(join(tmp, `${name}_js.d.ts`), js.declarations!);
        // A user's file: imports the JavaScript module, typed by its .d.ts, and uses every export.
        writeFileSync(
          join(tmp, `${name}_use.ts`),
          `import { backward, defaults, forward, init, InputError, meta, type Inputs } from "./${name}_js.js";
import * as whole from "./${name}_js.js";
import type { GraphModule } from "${ROOT}/src/runtime/load.js";
// What gradc/runtime's train and checkGradients take: the module as it is, no cast.
export const asGraphModule: GraphModule = whole;
export function use(inputs: Inputs): number {
  const fwd = forward(inputs, init(1));
  void backward;
  void defaults;
  const error: Error = new InputError("x");
  return meta.inputs.length + fwd.saved.generation + error.message.length;
}
`,
        );
        files.push(join(tmp, `${name}.ts`), join(tmp, `${name}_js.d.ts`), join(tmp, `${name}_use.ts`));
      }
    }
    const { program, byFile } = typecheckStrict(files);
    expect([...byFile.values()].join("")).toBe("");
    for (const f of files) expect(program.getSourceFile(f), f).toBeDefined();
  });

  it.each(examples)("%s: the JavaScript of compile --lang js runs as written and equals the in-process module", async (file) => {
    for (const { dtype, target } of variants) {
      const js = await compile(exampleSource(file), { dtype, target, file, lang: "js" });
      expect(js.code).not.toMatch(/^\s*(export )?(interface|type) /m); // no TypeScript left
      const path = join(tmp, `${base(file, dtype, target)}_run.mjs`);
      writeFileSync(path, js.code!);
      const written = (await import(pathToFileURL(path).href)) as GraphModule;
      const loaded = (await loadGraph(exampleSource(file), { dtype, target, file })).module;
      const a = run(written, dtype);
      const b = run(loaded, dtype);
      // The same code formatted differently: the same numbers, to the bit.
      expect(a, `${file} ${dtype} ${target}`).toEqual(b);
    }
  });
});
