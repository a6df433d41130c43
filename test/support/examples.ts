// The bundled examples, as tests use them: the files (found on disk, so a new example is covered
// without editing a test), their text, and seeded inputs for running a module compiled from one.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { GraphModule, Value } from "../../src/index.js";
import { gaussian, mulberry32 } from "../../src/runtime/random.js";

export const EXAMPLES_DIR = "examples";
export const examples: readonly string[] = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith(".graph"))
  .sort();
export const exampleSource = (file: string): string => readFileSync(join(EXAMPLES_DIR, file), "utf8");

/** The size every symbolic dimension gets when an example is run. */
export const DIM = 2;

/** Inputs for a module: the graph file's defaults, seeded normal values for the rest. */
export function inputsFor(mod: GraphModule, seed = 1, dtype: "f64" | "f32" = "f64"): Record<string, Value> {
  const uniform = mulberry32(seed);
  const next = () => gaussian(uniform);
  const Arr = dtype === "f32" ? Float32Array : Float64Array;
  const inputs: Record<string, Value> = {};
  for (const v of mod.meta.inputs) {
    const d = mod.defaults[v.name];
    if (d !== undefined) {
      inputs[v.name] = typeof d === "number" ? d : { shape: [...d.shape], data: d.data.slice() };
    } else if (v.shape.length === 0) {
      inputs[v.name] = next();
    } else {
      const shape = v.shape.map((s) => (typeof s === "number" ? s : DIM));
      const data = new Arr(shape.reduce((p, s) => p * s, 1));
      for (let i = 0; i < data.length; i++) data[i] = next();
      inputs[v.name] = { shape, data };
    }
  }
  return inputs;
}
