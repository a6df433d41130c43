// `node scripts/run.mjs scripts/make-example-onnx.ts`: writes the ONNX models docs/onnx.md imports,
// docs/examples/mlp.onnx and docs/examples/gelu.onnx, from the builders the tests use (seeded, so
// the bytes are the same on every run; test/onnx/import-docs.test.ts checks the committed files).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exampleMlp, exampleUnknownOps } from "../test/support/onnx-models.js";

const examples = fileURLToPath(new URL("../docs/examples/", import.meta.url));
writeFileSync(join(examples, "mlp.onnx"), exampleMlp());
writeFileSync(join(examples, "gelu.onnx"), exampleUnknownOps());
console.log("wrote docs/examples/mlp.onnx and docs/examples/gelu.onnx");
