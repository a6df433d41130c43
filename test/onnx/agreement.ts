// Runs a graph both ways, gradc's compiled module and its ONNX export in ONNX Runtime, on the
// same values: the forward outputs, and the loss and gradients of a training step's export.
import { filledTensor, loadGraph, type Value } from "../../src/index.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { inputsFor } from "../support/examples.js";
import { modelProblems, relativeError, runModel, session } from "../support/onnx.js";

export interface Agreement {
  /** Each output's or gradient's relative error (see relativeError), by ONNX output name. */
  readonly errors: Record<string, number>;
  /** The structural problems of the exported models (none expected). */
  readonly problems: string[];
}

/** gradc's forward outputs and gradients, and ONNX Runtime's, for the same inputs and params. */
export async function agreement(source: string, dtype: "f32" | "f64", values: Readonly<Record<string, Value>> = {}): Promise<Agreement> {
  const { module } = await loadGraph(source);
  const inputs = { ...inputsFor(module), ...values };
  const params = module.init(0);
  const fwd = module.forward(inputs, params);
  const of = fwd.outputs[module.meta.grad.of]!;
  const grads = module.backward(fwd, typeof of === "number" ? undefined : filledTensor(of.shape, 1));

  const forward = await exportOnnx(source, { dtype });
  const step = await exportOnnx(source, { dtype, training: "sgd" });
  if (!forward.bytes || !step.bytes) throw new Error(JSON.stringify([...forward.diagnostics, ...step.diagnostics]));
  const problems = [...modelProblems(forward.bytes), ...modelProblems(step.bytes)];
  // The forward file holds the params, init(0) as the module's; the step is fed them (and lr)
  // from its initialValues, as a caller would.
  const onnxForward = await runModel(await session(forward.bytes), { ...forward.initialValues, ...inputs }, dtype);
  const onnxStep = await runModel(await session(step.bytes), { ...step.initialValues, ...inputs }, dtype);

  const errors: Record<string, number> = {};
  for (const o of module.meta.outputs) errors[o.name] = relativeError(onnxForward[o.name], fwd.outputs[o.name]!);
  errors[`step ${module.meta.grad.of}`] = relativeError(onnxStep[module.meta.grad.of], of);
  for (const w of module.meta.grad.wrt) errors[`d${w}`] = relativeError(onnxStep[`d${w}`], grads[w]!);
  return { errors, problems };
}
