// Export then import: every example exported as a forward ONNX model (f64) and imported again
// gives a graph file that computes the same outputs as the example, from the same inputs and the
// params the model carried. The examples whose export uses ops gradc import does not read are
// listed with the op, so a change on either side shows here.
import { describe, expect, it } from "vitest";
import { importOnnx, loadGraph } from "../../src/index.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { examples, exampleSource, inputsFor } from "../support/examples.js";
import { relativeError } from "../support/onnx.js";

/** Examples whose exported model holds an op import refuses, and that op. */
const notImportable: Record<string, string> = {
  // cross_entropy divides by the batch size, which a symbolic batch reads from the shape at run time.
  "dense_op.graph": 'node 10 "%10/Shape" (Shape): gradc has no op for Shape',
};

describe.each(examples)("%s", (file) => {
  it("exported and imported again, computes what the example computes", async () => {
    const source = exampleSource(file);
    const original = (await loadGraph(source)).module;
    const exported = await exportOnnx(source, { dtype: "f64" });
    const imported = await importOnnx(exported.bytes!);
    if (notImportable[file]) {
      expect(imported.diagnostics.map((d) => d.message).join("\n")).toContain(notImportable[file]);
      return;
    }
    expect(imported.diagnostics).toEqual([]);
    const again = (await loadGraph(imported.graph!)).module;
    const inputs = inputsFor(original);
    const params = original.init(0);
    const want = original.forward(inputs, params).outputs;
    // The imported graph's names may differ from the model's: map them through the import's record.
    const byOnnx = (list: readonly { name: string; onnx: string }[] | undefined) => new Map((list ?? []).map((v) => [v.onnx, v.name]));
    const inputNames = byOnnx(imported.inputs);
    const got = again.forward(
      Object.fromEntries(Object.entries(inputs).map(([k, v]) => [inputNames.get(k) ?? k, v])),
      imported.params!,
    ).outputs;
    for (const o of imported.outputs!) {
      expect(relativeError(got[o.name], want[o.onnx]!), `${file}: ${o.onnx}`).toBeLessThanOrEqual(1e-12);
    }
    expect(imported.outputs!.map((o) => o.onnx)).toEqual(original.meta.outputs.map((o) => o.name));
  });
});
