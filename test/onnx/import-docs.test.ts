// The ONNX models docs/onnx.md imports are what scripts/make-example-onnx.ts writes, so the page
// can be reproduced from the repository.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../support/gradc.js";
import { exampleMlp, exampleUnknownOps } from "../support/onnx-models.js";

it.each([
  ["mlp.onnx", exampleMlp],
  ["gelu.onnx", exampleUnknownOps],
])("docs/examples/%s is what scripts/make-example-onnx.ts makes", (file, make) => {
  expect(new Uint8Array(readFileSync(join(ROOT, "docs", "examples", file)))).toEqual(make());
});
