// Nothing in a graph file or its name can hijack the generated code: names that are reserved
// words or special properties, names that differ only by case, Unicode, file names made to
// break out of comments and strings, and awkward numbers all compile under tsc --strict, run
// with the same results as plain names, and execute nothing from the file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compile, loadGraph, toNested, type Value } from "../../src/index.js";
import { typecheckStrict } from "../support/typecheck.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hostileNames = [
  "class", "delete", "function", "constructor", "__proto__", "prototype", "toString",
  "hasOwnProperty", "then", "valueOf", "NaN", "undefined", "eval", "arguments", "Math",
  "Arr", "buf", "i", "i0", "i10", "inputs", "params", "forward", "backward", "meta", "defaults",
  "Object", "InputError", "matmulNN", "t1", "key", "seed", "shape", "data", "사과", "número",
];

/** y = Σ_k c_k · name_k², with each name an input, so every gradient is 2·c_k·name_k. */
function hostileGraph(names: readonly string[]): string {
  const inputs = names.map((n, k) => `  input ${n} = ${k + 1}`).join("\n");
  const terms = names.map((n, k) => `${k + 1} * ${n} * ${n}`).join(" + ");
  return `graph hostile {\n${inputs}\n  y = ${terms}\n  output y\n  grad y wrt ${names.join(", ")}\n}\n`;
}

describe("hostile names", () => {
  const source = hostileGraph(hostileNames);

  it("compile under tsc --strict, for both dtypes and targets", async () => {
    const files: string[] = [];
    for (const dtype of ["f64", "f32"] as const) {
      for (const target of ["ts", "wasm"] as const) {
        const { code, diagnostics } = await compile(source, { dtype, target });
        expect(diagnostics).toEqual([]);
        const file = join(dir, `hostile_${dtype}_${target}.ts`);
        writeFileSync(file, code!);
        files.push(file);
      }
    }
    const { byFile } = typecheckStrict(files);
    expect([...byFile.values()].join("")).toBe("");
  });

  it("behave like plain names: each gradient is 2·k·value", async () => {
    const { module } = await loadGraph(source);
    const inputs: Record<string, Value> = JSON.parse(JSON.stringify(Object.fromEntries(hostileNames.map((n, k) => [n, 0.5 + k]))));
    expect(Object.keys(inputs)).toContain("__proto__");
    const fwd = module.forward(inputs, {});
    const grads = module.backward(fwd);
    expect(Object.keys(grads)).toEqual(hostileNames);
    hostileNames.forEach((n, k) => {
      expect(Object.prototype.hasOwnProperty.call(grads, n)).toBe(true);
      expect(grads[n]).toBeCloseTo(2 * (k + 1) * (0.5 + k), 10);
    });
    let expected = 0;
    hostileNames.forEach((_, k) => (expected += (k + 1) * (0.5 + k) ** 2));
    expect(fwd.outputs.y).toBeCloseTo(expected, 8);
  });

  it("fall back to the file's defaults, even for inherited-looking names", async () => {
    const { module } = await loadGraph(source);
    const grads = module.backward(module.forward({}, {}));
    expect(grads.toString).toBeCloseTo(2 * 7 * 7, 10);
    expect(grads.__proto__).toBeCloseTo(2 * 5 * 5, 10);
  });

  it("names that differ only by case stay apart", async () => {
    const { module } = await loadGraph("graph g { input x = 2  input X = 3  input xX = 5  y = x * X * xX  output y }");
    const grads = module.backward(module.forward({}, {}));
    expect(grads).toEqual({ x: 15, X: 10, xX: 6 });
  });
});

describe("hostile file names and numbers", () => {
  const payloads = [
    `evil"; globalThis.pwned = 1; "`,
    "evil\\\nglobalThis.pwned = 1;//",
    "evil */ globalThis.pwned = 1; /*",
    "evil ${globalThis.pwned = 1}",
    "evil\u2028globalThis.pwned = 1;",
    "\u2029globalThis.pwned = 1 //",
    "évil ☃.graph",
  ];

  it.each(payloads)("the file name %j ends up in a comment and nowhere else", async (file) => {
    const { code } = await compile("graph g { input x = 2  y = x * x  output y }", { file });
    const path = join(dir, "named.ts");
    writeFileSync(path, code!);
    expect([...typecheckStrict([path]).byFile.values()].join("")).toBe("");
    const { module } = await loadGraph("graph g { input x = 2  y = x * x  output y }", { file });
    expect(module.backward(module.forward({}, {}))).toEqual({ x: 4 });
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });

  it("1e999 is Infinity, -0 stays -0, and 0/0 folds to NaN, deliberately", async () => {
    const { module, code } = await loadGraph("graph g { input x = 2  a = x * 1e999  b = x * -0  c = x + 0 / 0  output a, b, c }");
    expect(code).toContain("Infinity");
    const { outputs } = module.forward({}, {});
    expect(outputs.a).toBe(Infinity);
    expect(Object.is(outputs.b, -0)).toBe(true);
    expect(outputs.c).toBeNaN();
  });

  it("a tensor literal keeps -0, tiny and huge numbers exactly", async () => {
    const { module } = await loadGraph("graph g { input v: [4] = [-0, 5e-324, 1.7976931348623157e308, 0.1]  y = sum(v)  output y, v }");
    const v = module.forward({}, {}).outputs.v!;
    expect(Object.is((toNested(v) as number[])[0], -0)).toBe(true);
    expect(toNested(v)).toEqual([-0, 5e-324, 1.7976931348623157e308, 0.1]);
  });
});

describe("hostile names through the command line", () => {
  it("run --inputs, --set and check treat __proto__ and toString as ordinary names", async () => {
    const { gradc } = await import("../support/gradc.js");
    const graph = join(dir, "proto.graph");
    writeFileSync(graph, "graph g {\n  input __proto__\n  input toString\n  y = __proto__ * toString\n  output y\n}\n");
    const inputs = join(dir, "proto.json");
    writeFileSync(inputs, '{"__proto__": 3, "toString": 4}');
    const viaJson = await gradc("run", graph, "--inputs", inputs, "--json");
    expect(viaJson.stderr).toBe("");
    expect(JSON.parse(viaJson.stdout)).toEqual(JSON.parse('{"outputs": {"y": 12}, "grads": {"__proto__": 4, "toString": 3}}'));
    const viaSet = await gradc("run", graph, "--set", "__proto__=3", "--set", "toString=4", "--json");
    expect(viaSet.stdout).toBe(viaJson.stdout);
    const check = await gradc("check", graph);
    expect(check.status).toBe(0);
  });
});
