// `gradc run`: compile in memory, run forward and backward once, print outputs and gradients.
import { filledTensor, type Target } from "../../index.js";
import { jsonValue } from "../../runtime/tensor.js";
import { guarded, jsonDiagnostics, jsonUserError, loadFile, reportDiagnostics, runValues } from "../common.js";
import { displayName, UserError } from "../files.js";
import { formatValue } from "../format.js";
import type { Io } from "../io.js";

interface RunOptions {
  graph?: string;
  target: Target;
  set?: string[];
  inputs?: string;
  params?: string;
  seed: number;
  json?: boolean;
}

export async function runCommand(io: Io, file: string, opts: RunOptions): Promise<number> {
  try {
    const loaded = await loadFile(io, file, { graph: opts.graph, target: opts.target });
    if (!opts.json) reportDiagnostics(io, loaded.diagnostics, loaded.name, loaded.source);
    const module = loaded.module;
    if (!module) {
      if (opts.json) io.out(`${JSON.stringify({ diagnostics: jsonDiagnostics(loaded.diagnostics, loaded.name, loaded.source) }, null, 2)}\n`);
      return 1;
    }
    const name = loaded.name;
    const { inputs, params } = guarded(name, () => runValues(name, module, opts));
    const fwd = guarded(name, () => module.forward(inputs, params));
    const out = fwd.outputs[module.meta.grad.of]!;
    const upstream = typeof out === "number" ? undefined : filledTensor(out.shape, 1);
    const grads = guarded(name, () => module.backward(fwd, upstream));
    if (opts.json) {
      const outputs = Object.fromEntries(Object.entries(fwd.outputs).map(([k, v]) => [k, jsonValue(v)]));
      const gradients = Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, jsonValue(v)]));
      io.out(`${JSON.stringify({ outputs, grads: gradients })}\n`);
      return 0;
    }
    for (const o of module.meta.outputs) io.out(formatValue(o.name, fwd.outputs[o.name]!));
    io.out(`\ngradients of ${module.meta.grad.of}${upstream ? " (upstream gradient: ones)" : ""}\n`);
    for (const w of module.meta.grad.wrt) io.out(formatValue(`d${w}`, grads[w]!));
    return 0;
  } catch (e) {
    if (!(opts.json && e instanceof UserError)) throw e;
    io.out(`${JSON.stringify({ diagnostics: [jsonUserError(e, displayName(file))] }, null, 2)}\n`);
    return 1;
  }
}
