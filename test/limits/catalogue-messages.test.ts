// The rest of the error catalogue in docs/limits.md: every row of its tables of module and
// command-line errors is produced here by a scenario and must match the page ("…" stands for
// any text, FILE for the graph file of the scenario).
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGraph, type GraphModule, type Value } from "../../src/index.js";
import { BIN, ROOT } from "../support/gradc.js";

const page = readFileSync("docs/limits.md", "utf8");

/** The rows `| situation | message |` of the table under a heading. */
function rows(heading: string): { situation: string; message: string }[] {
  const section = page.slice(page.indexOf(heading));
  const table = section.slice(0, section.indexOf("\n## ", 3));
  return [...table.matchAll(/^\| (.+?) \| (.+?) \|$/gm)]
    .map((m) => ({ situation: m[1]!, message: m[2]! }))
    .filter((r) => r.situation !== "situation" && !r.situation.startsWith("---"));
}

/** A documented message as a pattern: backticked text, "…" as a wildcard, "or" alternatives. */
function pattern(message: string, file = "FILE"): RegExp {
  const quoted = [...message.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  const alternatives = quoted.map((q) =>
    q
      .split("…")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/^FILE:/, `${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:`))
      .join(".*"),
  );
  return new RegExp(`^(?:${alternatives.join("|")})$`);
}

describe("module errors in the catalogue", () => {
  let net: GraphModule;
  let apple: GraphModule;
  let affine: GraphModule;
  beforeAll(async () => {
    net = (await loadGraph(readFileSync("examples/two_layer_net.graph", "utf8"))).module;
    apple = (await loadGraph(readFileSync("examples/apple.graph", "utf8"))).module;
    affine = (await loadGraph(readFileSync("examples/affine.graph", "utf8"))).module;
  });
  const t = (shape: number[], Arr: Float64ArrayConstructor | Float32ArrayConstructor = Float64Array) => ({
    shape,
    data: new Arr(shape.reduce((p, d) => p * d, 1)),
  });
  const fwd = (m: GraphModule, inputs: Record<string, unknown>, params?: Record<string, unknown>) => () =>
    m.forward(inputs as Record<string, Value>, (params ?? m.init(0)) as Record<string, Value>);
  const build = (): Record<string, () => unknown> => ({
    "wrong size": fwd(net, { x: t([2, 785]), t: t([2, 10]) }),
    "wrong rank": fwd(net, { x: t([784]), t: t([1, 10]) }),
    "a symbolic dimension bound twice differently": fwd(net, { x: t([2, 784]), t: t([3, 10]) }),
    "missing input": fwd(net, { x: t([2, 784]) }),
    "extra input": fwd(net, { x: t([2, 784]), t: t([2, 10]), z: 1 }),
    "a plain array for a tensor": fwd(net, { x: [[1]], t: t([1, 10]) }),
    "the wrong typed array": fwd(net, { x: t([2, 784], Float32Array), t: t([2, 10]) }),
    "data that does not fill the shape": fwd(net, { x: { shape: [2, 784], data: new Float64Array(10) }, t: t([2, 10]) }),
    "a scalar that is not a number": fwd(apple, { apple: "100" }, {}),
    "a wrong param": fwd(net, { x: t([2, 784]), t: t([2, 10]) }, { ...net.init(0), W2: t([10, 50]) }),
    "a wrong upstream gradient": () => affine.backward(affine.forward({ x: t([2, 3]) }, affine.init(0)), t([3, 2])),
    "a stale forward result": () => {
      const first = net.forward({ x: t([2, 784]), t: t([2, 10]) }, net.init(0));
      net.forward({ x: t([2, 784]), t: t([2, 10]) }, net.init(0));
      return net.backward(first);
    },
  });

  it("every row of the table is produced, word for word", () => {
    const table = rows("## Errors from a generated module");
    expect(table.length).toBeGreaterThanOrEqual(12);
    const all = build();
    for (const row of table) {
      const scenario = all[row.situation];
      expect(scenario, `no scenario for "${row.situation}"`).toBeDefined();
      let message = "";
      try {
        scenario!();
      } catch (e) {
        expect((e as Error).name).toBe("InputError");
        message = (e as Error).message;
      }
      expect(message, row.situation).toMatch(pattern(row.message));
    }
  });
});

describe("command-line errors in the catalogue", () => {
  const dir = mkdtempSync(join(tmpdir(), "gradc-catalogue-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs gradc in the scratch folder, where the documented file names exist. */
  function gradc(...args: string[]): Promise<{ status: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("close", (status) => resolve({ status, stderr }));
    });
  }

  beforeAll(() => {
    for (const name of ["apple", "two_layer_net", "affine"]) copyFileSync(join(ROOT, "examples", `${name}.graph`), join(dir, `${name}.graph`));
    mkdirSync(join(dir, "examples"));
    writeFileSync(join(dir, "in.json"), "{}");
    writeFileSync(join(dir, "bad.json"), "{ oops");
    writeFileSync(join(dir, "names.json"), JSON.stringify({ z: 1 }));
    writeFileSync(join(dir, "ragged.json"), JSON.stringify({ x: [[1, 2], [3]] }));
    writeFileSync(join(dir, "data.csv"), "1,2,0\n1,zz,1\n");
    writeFileSync(join(dir, "g.graph"), "graph g { input a  y = a * 2  output y }\n");
    symlinkSync("apple.graph", join(dir, "link.graph"));
    writeFileSync(join(dir, "wrong.json"), JSON.stringify({ W1: [[1, 2], [3, 4]] }));
    writeFileSync(join(dir, "comma.json"), '{\n  "x": [[1, 2, 3]]\n  "b": [1, 2]\n}\n');
  });

  const scenarios: Record<string, { args: string[]; file?: string }> = {
    "missing file": { args: ["compile", "nope.graph"] },
    "a directory as the file": { args: ["compile", "examples"] },
    "an input without a value": { args: ["run", "two_layer_net.graph"], file: "two_layer_net.graph" },
    "`--set` of an unknown input": { args: ["run", "apple.graph", "--set", "z=1"] },
    "malformed JSON": { args: ["run", "two_layer_net.graph", "--inputs", "bad.json"] },
    "unknown name in JSON": { args: ["run", "two_layer_net.graph", "--inputs", "names.json"] },
    "a JSON value that is not a tensor": { args: ["run", "two_layer_net.graph", "--inputs", "ragged.json"] },
    "`-o` over the input": { args: ["compile", "apple.graph", "-o", "apple.graph"] },
    "`-o` over the input through a link": { args: ["compile", "link.graph", "-o", "apple.graph"] },
    "a params file of the wrong shape": { args: ["run", "two_layer_net.graph", "--params", "wrong.json"] },
    "a JSON syntax error": { args: ["run", "affine.graph", "--inputs", "comma.json"] },
    "`--dim` of a dimension the graph lacks": { args: ["check", "two_layer_net.graph", "--dim", "n=5"] },
    "`-o` into a missing folder": { args: ["compile", "apple.graph", "-o", "out/x.ts"] },
    "a path that cannot be written": { args: ["compile", "apple.graph", "-o", "/sys/apple.ts"] },
    "tensors too large to allocate": { args: ["check", "affine.graph", "--dim", "N=100000000000"], file: "affine.graph" },
    "no graph of that name": { args: ["compile", "g.graph", "--graph", "h"], file: "g.graph" },
    "training data": { args: ["train", "two_layer_net.graph", "--data", "data.csv", "--features", "x"] },
    "a graph training cannot use": { args: ["train", "g.graph", "--epochs", "1"], file: "g.graph" },
    "a bad option value": { args: ["compile", "apple.graph", "--dtype", "f16"] },
    "a bad number for an option": { args: ["train", "two_layer_net.graph", "--epochs", "0"] },
    "contradicting options": { args: ["compile", "apple.graph", "-o", "x.js", "--lang", "ts"] },
    "no command": { args: [] },
  };

  it("every row of the table is produced, with its exit code", async () => {
    const table = rows("## Errors from the command line");
    expect(table.length).toBe(Object.keys(scenarios).length);
    const runs = await Promise.all(
      table.map(async (row) => {
        const scenario = scenarios[row.situation];
        expect(scenario, `no scenario for "${row.situation}"`).toBeDefined();
        return { row, scenario: scenario!, run: await gradc(...scenario!.args) };
      }),
    );
    for (const { row, scenario, run } of runs) {
      const code = Number(/\((\d)\)$/.exec(row.message)![1]);
      expect(run.status, row.situation).toBe(code);
      if (row.situation === "no command") {
        expect(run.stderr).toMatch(/^Usage: gradc/);
        continue;
      }
      expect(run.stderr.split("\n")[0], row.situation).toMatch(pattern(row.message, scenario.file ?? "FILE"));
    }
  });
});
