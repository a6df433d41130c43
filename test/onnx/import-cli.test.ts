// `gradc import` as users run it: a model file in, a graph file and its params' JSON out, which
// `gradc fmt --check`, `gradc run --params` and `gradc check --params` accept; run computes what
// ONNX Runtime computes. On errors: exit 1, one message per problem, nothing written.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectNoStack, gradcIn } from "../support/gradc.js";
import { DataType, mlp, model, node, randoms, runOrt, uniform, value } from "../support/onnx-models.js";

const tmp = mkdtempSync(join(tmpdir(), "gradc-import-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let folders = 0;

/** A fresh folder holding `files`. */
function folder(files: Record<string, Uint8Array | string>): string {
  const dir = join(tmp, String(++folders));
  mkdirSync(dir);
  write(dir, files);
  return dir;
}

function write(dir: string, files: Record<string, Uint8Array | string>): void {
  for (const [file, bytes] of Object.entries(files)) writeFileSync(join(dir, file), bytes);
}

const gradc = (cwd: string, ...args: string[]) => gradcIn({ cwd }, ...args);

describe("gradc import MODEL.onnx", () => {
  const bytes = mlp({ last: "LogSoftmax", seed: 4 });
  let dir = "";

  it("writes MODEL.graph and MODEL.params.json beside the model", async () => {
    dir = folder({ "mlp.onnx": bytes });
    const r = await gradc(dir, "import", "mlp.onnx");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("wrote mlp.graph and mlp.params.json\n");
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, "mlp.graph"), "utf8")).toMatch(/^# Imported from mlp\.onnx by gradc import \(opset 17, producer pytorch 2\.1\.0\)\.\n# The params' values are in mlp\.params\.json\.\n/);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, "mlp.params.json"), "utf8")) as object)).toEqual(["_0_weight", "_0_bias", "_2_weight", "_2_bias"]);
  });

  it("the graph passes gradc fmt --check", async () => {
    const r = await gradc(dir, "fmt", "--check", "mlp.graph");
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("gradc run with --params computes what ONNX Runtime computes", async () => {
    const next = uniform(12);
    const x = Array.from({ length: 3 }, () => randoms(next, 4, -2, 2).map(Math.fround));
    write(dir, { "in.json": JSON.stringify({ input_: x }) });
    const r = await gradc(dir, "run", "mlp.graph", "--params", "mlp.params.json", "--inputs", "in.json", "--json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const got = (JSON.parse(r.stdout) as { outputs: { output_: number[][] } }).outputs.output_.flat();
    const want = (await runOrt(bytes, { input: { dims: [3, 4], data: x.flat() } })).output!.data;
    const scale = Math.max(...want.map(Math.abs));
    expect(got).toHaveLength(want.length);
    got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1e-5 * scale));
  });

  it("gradc check with --params: the imported graph's gradients agree with central differences", async () => {
    const r = await gradc(dir, "check", "mlp.graph", "--params", "mlp.params.json");
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("all gradients agree to 1e-6 (relative)");
    expect(r.stdout).toMatch(/_0_weight +32\/32 /);
    expect(r.status).toBe(0);
  });

  it("-o OUT.graph writes OUT.graph and OUT.params.json", async () => {
    const d = folder({ "model.onnx": bytes });
    const r = await gradc(d, "import", "model.onnx", "-o", "net.graph");
    expect(r.status).toBe(0);
    expect(readdirSync(d).sort()).toEqual(["model.onnx", "net.graph", "net.params.json"]);
    expect(readFileSync(join(d, "net.graph"), "utf8")).toContain("graph model {");
  });
});

describe("gradc import errors: exit 1, a message per problem, nothing written", () => {
  async function refused(files: Record<string, Uint8Array | string>, args: string[], status = 1) {
    const d = folder(files);
    const r = await gradc(d, "import", ...args);
    expect(r.status).toBe(status);
    expect(r.stdout).toBe("");
    expectNoStack(r.stderr);
    expect(readdirSync(d).sort()).toEqual(Object.keys(files).sort());
    return r.stderr;
  }

  it("a file that is not an ONNX model", async () => {
    expect(await refused({ "model.onnx": "graph g { input x }\n" }, ["model.onnx"])).toMatch(/^model\.onnx: error: not an ONNX model \(.+\)\.\n$/);
  });

  it("a model with ops gradc does not know: each op type named once, with its first node", async () => {
    const bytes = model({
      inputs: [value("x", ["N", 4])],
      outputs: [value("y", ["N", 4])],
      nodes: [node("Gelu", ["x"], ["a"], {}, "/act/Gelu"), node("Relu", ["a"], ["b"]), node("HardSwish", ["x"], ["c"], {}, "hs"), node("Add", ["b", "c"], ["y"])],
    });
    const lines = (await refused({ "model.onnx": bytes }, ["model.onnx"])).trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^model\.onnx: error: node 0 "\/act\/Gelu" \(Gelu\): gradc has no op for Gelu; it knows Gemm, MatMul, /);
    expect(lines[1]).toBe('model.onnx: error: node 2 "hs" (HardSwish): gradc has no op for HardSwish.');
  });

  it("an int64 input", async () => {
    const bytes = model({ inputs: [value("ids", [4], DataType.INT64)], outputs: [value("y", [4])], nodes: [node("Relu", ["ids"], ["y"])] });
    expect(await refused({ "model.onnx": bytes }, ["model.onnx"])).toBe('model.onnx: error: input "ids" is int64; gradc computes in float32 or float64.\n');
  });

  it("a missing model file", async () => {
    expect(await refused({ "other.txt": "" }, ["model.onnx"])).toBe('gradc: error: cannot read "model.onnx": no such file.\n');
  });

  it("an output that would overwrite the model", async () => {
    expect(await refused({ "m.graph": mlp() }, ["m.graph"])).toBe('gradc: error: refusing to write "m.graph": it is an input of this command.\n');
    expect(await refused({ "m.params.json": mlp() }, ["m.params.json", "-o", "m.graph"])).toBe(
      'gradc: error: refusing to write "m.params.json": it is an input of this command.\n',
    );
  });

  it("-o that does not name a .graph file is a usage error", async () => {
    expect(await refused({ "m.onnx": mlp() }, ["m.onnx", "-o", "m.txt"], 2)).toMatch(/^gradc: -o must name a \.graph file/);
  });

  it("a graph that cannot be written leaves no params behind", async () => {
    const d = folder({ "m.onnx": mlp() });
    mkdirSync(join(d, "m.graph"));
    const r = await gradc(d, "import", "m.onnx");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('gradc: error: cannot write "m.graph": it is a directory.\n');
    expect(existsSync(join(d, "m.params.json"))).toBe(false);
  });
});
