// `gradc graph`, `gradc grad --explain` and `gradc train --plot` as a user runs them: the
// compiled CLI in a child process, its exit code, output and the files it writes.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectValidXml, svgTexts } from "./draw/support.js";
import { BIN, expectNoStack, gradc, ROOT, type Run } from "./support/gradc.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gradc-graph-"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function expectExit(r: Run, code: number): void {
  const context = `gradc ${r.args.join(" ")}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  expectNoStack(r.stdout, context);
  expectNoStack(r.stderr, context);
  expect(r.status, context).toBe(code);
}

function fixture(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe.concurrent("gradc graph", () => {
  it("apple --values -o apple.svg: Fig. 5-16 with the book's numbers, valid SVG", async () => {
    const out = join(dir, "apple.svg");
    const r = await gradc("graph", "examples/apple.graph", "--values", "-o", out);
    expectExit(r, 0);
    expect(r.stdout).toBe("");
    const svg = readFileSync(out, "utf8");
    expectValidXml(svg);
    expect(svg).toBe(readFileSync("test/draw/golden/apple.values.svg", "utf8"));
    const texts = svgTexts(svg);
    for (const n of ["100", "2", "200", "1.1", "220", "1", "2.2", "110"]) expect(texts).toContain(n);
  });

  it("without -o: the forward picture as SVG on standard output, the same on every run", async () => {
    const [a, b] = await Promise.all([gradc("graph", "examples/apple.graph"), gradc("graph", "examples/apple.graph")]);
    expectExit(a, 0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(readFileSync("test/draw/golden/apple.forward.svg", "utf8"));
  });

  it("-o FILE.dot writes DOT; --backward draws the gradient graph", async () => {
    const out = join(dir, "apple-backward.dot");
    const r = await gradc("graph", "examples/apple.graph", "--backward", "-o", out);
    expectExit(r, 0);
    expect(readFileSync(out, "utf8")).toBe(readFileSync("test/draw/golden/apple.backward.dot", "utf8"));
  });

  it("-o FILE.png writes a PNG", async () => {
    const out = join(dir, "shopping.png");
    const r = await gradc("graph", "examples/shopping.graph", "--values", "-o", out);
    expectExit(r, 0);
    const png = readFileSync(out);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(5000);
  });

  it("--set and --inputs give the values to draw", async () => {
    const out = join(dir, "apple-50.dot");
    const r = await gradc("graph", "examples/apple.graph", "--values", "--set", "apple=50", "-o", out);
    expectExit(r, 0);
    const dot = readFileSync(out, "utf8");
    expect(dot).toContain(">50<");
    expect(dot).toContain(">110<"); // price = 50 * 2 * 1.1
    const inputs = fixture("swl.json", JSON.stringify({ a: [[0.3, 2.9, 4.0]], t: [[0, 0, 1]] }));
    const swl = await gradc("graph", "examples/softmax_with_loss.graph", "--values", "--inputs", inputs, "-o", join(dir, "swl.dot"));
    expectExit(swl, 0);
    // (y - t) / N, the book's Softmax-with-Loss gradient.
    expect(readFileSync(join(dir, "swl.dot"), "utf8")).toContain(">[0.01821, 0.2452, -0.2634]<");
  });

  it("--expand draws user-defined ops' bodies; by default each call is one box", async () => {
    const [collapsed, expanded] = await Promise.all([
      gradc("graph", "examples/dense_op.graph", "-o", join(dir, "dense.dot")),
      gradc("graph", "examples/dense_op.graph", "--expand", "--backward", "-o", join(dir, "dense-expanded.dot")),
    ]);
    expectExit(collapsed, 0);
    expectExit(expanded, 0);
    expect(readFileSync(join(dir, "dense.dot"), "utf8")).toContain('label="dense"');
    expect(readFileSync(join(dir, "dense-expanded.dot"), "utf8")).toContain('label="dense(…), line 15"');
  });

  it("an unknown extension is a usage error (exit 2), and nothing is written", async () => {
    const out = join(dir, "apple.txt");
    const r = await gradc("graph", "examples/apple.graph", "-o", out);
    expectExit(r, 2);
    expect(r.stderr).toContain(`-o must name a file ending in .svg, .dot or .png, got "${out}"`);
    expect(existsSync(out)).toBe(false);
  });

  it("--inputs without --values is a usage error", async () => {
    const r = await gradc("graph", "examples/apple.graph", "--set", "apple=1");
    expectExit(r, 2);
    expect(r.stderr).toContain("use them with --values");
  });

  it("a mistake in the graph file is a located error (exit 1)", async () => {
    const bad = fixture("bad.graph", "graph g {\n  input apple = 1\n  y = appel * 2\n  output y\n}\n");
    for (const extra of [[], ["--values"]]) {
      const r = await gradc("graph", bad, ...extra);
      expectExit(r, 1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`${bad}:3:7: error: "appel" is not defined. Did you mean "apple"?`);
    }
  });

  it("--values needs every input without a default", async () => {
    const r = await gradc("graph", "examples/two_layer_net.graph", "--values");
    expectExit(r, 1);
    expect(r.stderr).toContain('input "x", input "t" have no value; give them with --inputs FILE.json.');
  });

  it("refuses a directory that does not exist (exit 1)", async () => {
    const r = await gradc("graph", "examples/apple.graph", "-o", join(dir, "missing", "a.svg"));
    expectExit(r, 1);
    expect(r.stderr).toContain("does not exist");
  });
});

describe.concurrent("gradc grad --explain", () => {
  it("prints the gradient graph, then the chain of local rules for each wrt name", async () => {
    const r = await gradc("grad", "examples/apple.graph", "--explain");
    expectExit(r, 0);
    const plain = await gradc("grad", "examples/apple.graph");
    expect(r.stdout.startsWith(plain.stdout)).toBe(true);
    expect(r.stdout.slice(plain.stdout.length)).toBe(`\n${readFileSync("test/draw/golden/apple.explain.txt", "utf8")}`);
    expect(r.stdout).toContain("# dapple = dout · tax · apple_num\n");
  });

  it("its output is still a graph file gradc can run", async () => {
    const r = await gradc("grad", "examples/shopping.graph", "--explain");
    expectExit(r, 0);
    const file = fixture("shopping_grad.graph", r.stdout);
    const run = await gradc("run", file);
    expectExit(run, 0);
  });
});

describe("gradc train --plot", () => {
  /** A small linearly separable data set and a one-layer net for it. */
  function trainingFixtures(): { data: string; net: string } {
    const rows = Array.from({ length: 100 }, (_, i) => {
      const a = Math.sin(i * 12.9898) * 2;
      const b = Math.cos(i * 78.233) * 2;
      return `${a},${b},${a + b > 0 ? 1 : 0}`;
    });
    const data = fixture("data.csv", `x0,x1,label\n${rows.join("\n")}\n`);
    const net = fixture(
      "net.graph",
      "graph net {\n  input x: [N, 2]\n  input t: [N, 2]\n  param W: [2, 2] = normal(0, 0.1)\n  param b: [2]\n" +
        "  y = affine(x, W, b)\n  loss = softmaxloss(y, t)\n  output loss, y\n}\n",
    );
    return { data, net };
  }

  it("writes the loss and accuracy curves as SVG", async () => {
    const { data, net } = trainingFixtures();
    const plot = join(dir, "curves.svg");
    const r = await gradc("train", net, "--data", data, "--epochs", "3", "--batch", "20", "--plot", plot);
    expectExit(r, 0);
    const svg = readFileSync(plot, "utf8");
    expectValidXml(svg);
    const texts = svgTexts(svg);
    for (const t of ["epoch", "mean loss", "train accuracy", "test accuracy"]) expect(texts).toContain(t);
    expect(texts).toContain("3"); // the last epoch on the axis

    const wrong = await gradc("train", net, "--data", data, "--epochs", "1", "--plot", join(dir, "curves.txt"));
    expectExit(wrong, 2);
    expect(wrong.stderr).toContain('--plot must name a file ending in .svg or .png');
  });

  it("still draws the epochs done when Ctrl-C stops training", async () => {
    const { data, net } = trainingFixtures();
    const plot = join(dir, "stopped.svg");
    const child = spawn(process.execPath, [BIN, "train", net, "--data", data, "--epochs", "100000", "--batch", "50", "--plot", plot], {
      cwd: ROOT,
    });
    let stdout = "";
    let sent = false;
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (!sent && /epoch +2\//.test(stdout)) {
          sent = true; // a second Ctrl-C quits at once
          child.kill("SIGINT");
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(130);
    expect(stdout).toMatch(/stopped by Ctrl-C after (\d+) epoch/);
    const epochs = Number(/after (\d+) epoch/.exec(stdout)![1]);
    const svg = readFileSync(plot, "utf8");
    expectValidXml(svg);
    // Every epoch, the last (stopped) one too, is a point on the loss curve: the first symbol mark.
    const lossPoints = /class="mark-symbol[^>]*>((?:<path [^>]*\/>)*)<\/g>/.exec(svg)![1]!.match(/<path /g)!;
    expect(epochs).toBeGreaterThanOrEqual(2);
    expect(lossPoints).toHaveLength(epochs);
  }, 120_000);
});
