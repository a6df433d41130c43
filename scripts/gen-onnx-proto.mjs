// `npm run onnx-proto`: generates src/onnx/proto/onnx_pb.ts, the ONNX messages as
// @bufbuild/protobuf types and schemas, from the official onnx.proto3 (copied verbatim from
// github.com/onnx/onnx, onnx/onnx.proto3, Apache-2.0, as src/onnx/proto/onnx.proto). buf compiles the .proto file
// and runs protoc-gen-es (pinned to 2.13: 2.14 and later need Node 22). The output is committed,
// so a build needs neither tool; a test regenerates it and fails when it drifts.
//
//   node scripts/gen-onnx-proto.mjs [--out DIR]
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const out = outIndex >= 0 ? resolve(args[outIndex + 1]) : join(root, "src", "onnx", "proto");
const template = {
  version: "v2",
  plugins: [
    {
      local: join(root, "node_modules", ".bin", "protoc-gen-es"),
      out,
      opt: ["target=ts", "import_extension=js"],
    },
  ],
};
execFileSync(
  join(root, "node_modules", ".bin", "buf"),
  ["generate", join(root, "src", "onnx", "proto"), "--template", JSON.stringify(template)],
  { cwd: root, stdio: "inherit" },
);
console.log(`wrote ${join(out, "onnx_pb.ts")}`);
