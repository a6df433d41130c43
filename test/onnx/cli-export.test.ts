// `gradc export` as users run it (the built command): the file it writes beside the graph or
// where -o says, a training step ONNX Runtime runs five times to gradc's params, and its errors.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadGraph, makeOptimizer, type Value } from "../../src/index.js";
import { fromNested } from "../../src/runtime/index.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { exampleSource } from "../support/examples.js";
import { expectNoStack, gradc, gradcIn, ROOT } from "../support/gradc.js";
import { modelProblems, relativeError, runModel, session } from "../support/onnx.js";
import { batch } from "./batches.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-export-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const net = join(ROOT, "examples", "two_layer_net.graph");

describe("gradc export", () => {
  it("writes net.onnx beside the graph file, and says what it wrote on standard error", async () => {
    copyFileSync(net, join(dir, "net.graph"));
    const r = await gradcIn({ cwd: dir }, "export", "net.graph");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    const bytes = readFileSync(join(dir, "net.onnx"));
    expect(r.stderr).toBe(`wrote net.onnx: forward, opset 21, f32, 2 inputs, 2 outputs, ${bytes.length.toLocaleString("en-US")} bytes\n`);
    expect(modelProblems(bytes)).toEqual([]);
    // The same bytes as the library's.
    expect(Buffer.from((await exportOnnx(exampleSource("two_layer_net.graph"))).bytes!).equals(bytes)).toBe(true);
  });

  it("-o - writes the bytes to standard output", async () => {
    const r = await gradc("export", "examples/apple.graph", "-o", "-", "--dtype", "f64");
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.from(r.stdout, "latin1").length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^wrote <stdout>: forward, opset 21, f64, 3 inputs, 1 output, \d+ bytes\n$/);
  });

  it("--training sgd -o step.onnx: ONNX Runtime runs the step five times to gradc's params", async () => {
    const out = join(dir, "step.onnx");
    const r = await gradc("export", "examples/two_layer_net.graph", "--training", "sgd", "--dtype", "f64", "-o", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^wrote .*step\.onnx: training step \(sgd\), opset 21, f64, 7 inputs, 9 outputs, [\d,]+ bytes; its first feeds in .*step\.init\.json\n$/);
    const bytes = readFileSync(out);
    expect(modelProblems(bytes)).toEqual([]);
    const s = await session(bytes);
    const { module } = await loadGraph(exampleSource("two_layer_net.graph"));
    const params = module.init(0);
    // The first feeds come from the JSON file beside the model: init(0)'s params and sgd's rate.
    const init = JSON.parse(readFileSync(join(dir, "step.init.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(init)).toEqual(["W1", "b1", "W2", "b2", "lr"]);
    expect(init.lr).toBe(0.1);
    let feeds: Record<string, Value> = { ...Object.fromEntries(Object.entries(init).map(([k, v]) => [k, fromNested(v)])) };
    for (const name of ["W1", "b1", "W2", "b2"]) expect(relativeError(feeds[name], params[name]!), name).toBe(0);
    const opt = makeOptimizer("sgd");
    for (let step = 0; step < 5; step++) {
      const got = await runModel(s, { ...batch(step), ...feeds }, "f64");
      opt.step(params, module.backward(module.forward(batch(step), params)));
      feeds = { ...feeds, W1: got["W1.next"]!, b1: got["b1.next"]!, W2: got["W2.next"]!, b2: got["b2.next"]! };
    }
    for (const name of ["W1", "b1", "W2", "b2"]) expect(relativeError(feeds[name], params[name]!), name).toBeLessThanOrEqual(1e-10);
  });

  it("--training sgd --defaults: the first step needs only the data, and no JSON file is written", async () => {
    const out = join(dir, "step-defaults.onnx");
    const r = await gradc("export", "examples/two_layer_net.graph", "--training", "sgd", "--lr", "0.05", "--defaults", "-o", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/f32, 7 inputs, 9 outputs, [\d,]+ bytes\n$/);
    expect(existsSync(join(dir, "step-defaults.init.json"))).toBe(false);
    const got = await runModel(await session(readFileSync(out)), batch(0), "f32");
    const { module } = await loadGraph(exampleSource("two_layer_net.graph"));
    const params = module.init(0);
    makeOptimizer("sgd", 0.05).step(params, module.backward(module.forward(batch(0), params)));
    expect(relativeError(got["W2.next"], params.W2!)).toBeLessThanOrEqual(1e-5);
  });

  it("a step whose first-feeds file would overwrite an input writes nothing; -o - says no such file is written", async () => {
    const sub = join(dir, "clash");
    mkdirSync(sub);
    const params = join(sub, "q.init.json");
    writeFileSync(params, "{}");
    const r = await gradc("export", "examples/two_layer_net.graph", "--training", "sgd", "--params", params, "-o", join(sub, "q.onnx"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("refusing to write");
    expect(readdirSync(sub)).toEqual(["q.init.json"]);
    expect(readFileSync(params, "utf8")).toBe("{}");
    const piped = await gradc("export", "examples/two_layer_net.graph", "--training", "sgd", "-o", "-");
    expect(piped.status).toBe(0);
    expect(piped.stderr).toContain("with -o - none is written");
  });

  it("--params gives the params, --seed the others", async () => {
    const { module } = await loadGraph(exampleSource("two_layer_net.graph"));
    const p = module.init(4);
    const file = join(dir, "params.json");
    writeFileSync(file, JSON.stringify({ b2: Array.from({ length: 10 }, (_, i) => i / 10) }));
    const out = join(dir, "given.onnx");
    const r = await gradc("export", "examples/two_layer_net.graph", "--params", file, "--seed", "4", "--dtype", "f64", "-o", out);
    expect(r.status, r.stderr).toBe(0);
    p.b2 = { shape: [10], data: Float64Array.from({ length: 10 }, (_, i) => i / 10) };
    const x = batch(0);
    const got = await runModel(await session(readFileSync(out)), x, "f64");
    expect(relativeError(got.y, module.forward(x, p).outputs.y!)).toBeLessThanOrEqual(1e-12);
  });
});

describe("gradc export's errors", () => {
  it("a graph file's mistakes as compile reports them, exit 1, nothing written", async () => {
    const [e, c] = await Promise.all([gradc("export", "docs/examples/broken.graph", "-o", join(dir, "broken.onnx")), gradc("compile", "docs/examples/broken.graph")]);
    expect(e.status).toBe(1);
    expect(e.stderr).toBe(c.stderr);
    expect(e.stderr).toMatch(/^docs\/examples\/broken\.graph:6:7: error: Unknown op "rleu"/);
    expect(existsSync(join(dir, "broken.onnx"))).toBe(false);
  });

  it("broken --params JSON names the file, line and column", async () => {
    const r = await gradc("export", "examples/affine.graph", "--params", "docs/examples/missing-comma.json", "-o", join(dir, "x.onnx"));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('docs/examples/missing-comma.json:3:3: error: not valid JSON: expected "," or a closing bracket.\n');
  });

  it("--params of the wrong shape", async () => {
    const r = await gradc("export", "examples/two_layer_net.graph", "--params", "docs/examples/wrong-params.json", "-o", join(dir, "x.onnx"));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('docs/examples/wrong-params.json: error: param "W1" has shape [2, 2] but the graph expects [784, 50].\n');
  });

  it("a name the training step needs, located", async () => {
    const file = join(dir, "clash.graph");
    writeFileSync(file, "graph g {\n  input x: [2]\n  param lr: [2]\n  loss = sum(x * lr)\n  output loss\n}\n");
    const r = await gradc("export", file, "--training", "adam", "-o", join(dir, "clash.onnx"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}:3:9: error: "lr" is the training step's learning-rate input; rename "lr" to export a training step.`);
    expect(existsSync(join(dir, "clash.onnx"))).toBe(false);
  });

  it("never writes over the graph file", async () => {
    const r = await gradc("export", "examples/apple.graph", "-o", "examples/apple.graph");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('gradc: error: refusing to write "examples/apple.graph": it is an input of this command.\n');
  });

  it("an output it cannot write: one line, exit 1, nothing left behind", async () => {
    const locked = join(dir, "locked");
    rmSync(locked, { recursive: true, force: true });
    copyFileSync(net, join(dir, "n2.graph"));
    const r1 = await gradc("export", join(dir, "n2.graph"), "-o", join(locked, "n.onnx"));
    expect(r1.status).toBe(1);
    expect(r1.stderr).toBe(`gradc: error: cannot write "${join(locked, "n.onnx")}": the directory "${locked}" does not exist.\n`);
    if (process.getuid?.() !== 0) {
      const ro = join(dir, "ro");
      rmSync(ro, { recursive: true, force: true });
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      const r2 = await gradc("export", "examples/apple.graph", "-o", join(ro, "a.onnx"));
      expect(r2.status).toBe(1);
      expect(readdirSync(ro)).toEqual([]);
    }
  });

  it("usage errors exit 2: an opset out of range, a dtype, --lr without --training, standard input without -o", async () => {
    const opset = await gradc("export", "examples/apple.graph", "--opset", "17");
    expect(opset.status).toBe(2);
    expect(opset.stderr).toBe('gradc: --opset must be a whole number from 18 to 26, got "17"\n(run gradc --help for usage)\n');
    const high = await gradc("export", "examples/apple.graph", "--opset", "27");
    expect(high.stderr).toContain('--opset must be a whole number from 18 to 26, got "27"');
    const dtype = await gradc("export", "examples/apple.graph", "--dtype", "f16");
    expect(dtype.status).toBe(2);
    const lr = await gradc("export", "examples/apple.graph", "--lr", "0.1");
    expect(lr.status).toBe(2);
    expect(lr.stderr).toContain("--lr is the learning rate of a training step: give --training too");
    const stdin = await gradcIn({ stdin: exampleSource("apple.graph") }, "export", "-");
    expect(stdin.status).toBe(2);
    for (const r of [opset, high, dtype, lr, stdin]) expectNoStack(r.stderr);
    expect(existsSync(join(ROOT, "examples", "apple.onnx"))).toBe(false);
  });
});
