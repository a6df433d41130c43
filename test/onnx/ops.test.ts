// Every row of the op table (test/support/op-rows.ts) exported to ONNX and run in ONNX Runtime:
// the forward outputs, and the gradients of a training step, equal the compiled module's, to
// 1e-12 in f64 and 1e-5 in f32 (relative to each tensor's largest element).
import { describe, expect, it } from "vitest";
import { rows } from "../support/op-rows.js";
import { agreement } from "./agreement.js";

const tolerance = { f64: 1e-12, f32: 1e-5 } as const;

describe.each(["f64", "f32"] as const)("the op table in ONNX Runtime, %s", (dtype) => {
  for (const r of rows) {
    it(`${r.op}: ${r.what}`, async () => {
      const { errors, problems } = await agreement(r.src, dtype, r.values);
      expect(problems).toEqual([]);
      const wrong = Object.entries(errors).filter(([, e]) => !(e <= tolerance[dtype]));
      expect(wrong, JSON.stringify(errors)).toEqual([]);
    });
  }
});
