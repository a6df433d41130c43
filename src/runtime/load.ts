// Owns running a generated module in this process: the TypeScript is transpiled (types
// removed, nothing else changed) and imported from a data: URL, so what runs is exactly what
// `gradc compile` writes.
import type { Dtype } from "../emit/typescript.js";
import type { Value } from "./tensor.js";

export interface ValueMeta {
  readonly name: string;
  readonly shape: readonly (number | string)[];
}

/** What a generated module exports, seen from outside. */
export interface GraphModule {
  readonly meta: {
    readonly graph: string;
    readonly dtype: Dtype;
    readonly inputs: readonly ValueMeta[];
    readonly params: readonly ValueMeta[];
    readonly outputs: readonly ValueMeta[];
    readonly grad: { readonly of: string; readonly wrt: readonly string[] };
  };
  readonly defaults: Readonly<Record<string, Value>>;
  init(seed?: number): Record<string, Value>;
  forward(inputs: Record<string, Value>, params: Record<string, Value>): GraphForward;
  backward(fwd: GraphForward, upstream?: Value): Record<string, Value>;
  readonly InputError: new (message: string) => Error;
}

export interface GraphForward {
  readonly outputs: Record<string, Value>;
  readonly saved: unknown;
}

/** Imports generated TypeScript as a live module. */
export async function loadModule(code: string): Promise<GraphModule> {
  // Loaded on first use: the TypeScript compiler is large, and only running a graph needs it.
  const { default: ts } = await import("typescript");
  const js = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const url = `data:text/javascript;base64,${Buffer.from(js, "utf8").toString("base64")}`;
  return (await import(url)) as GraphModule;
}
