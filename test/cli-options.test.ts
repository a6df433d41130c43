// Rough edges a new user hit on the command line, each with the message it now gets: option
// values named by their option, values blamed on the file they came from, JSON mistakes
// located, and the small conveniences (-V, help without "(default: [])").
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectNoStack, gradc } from "./support/gradc.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe.concurrent("an option's bad value is named by the option (exit 2)", () => {
  const cases: [string[], string][] = [
    [["train", "examples/two_layer_net.graph", "--epochs", "0"], '--epochs must be a positive whole number, got "0"'],
    [["train", "examples/two_layer_net.graph", "--batch", "1.5"], '--batch must be a positive whole number, got "1.5"'],
    [["train", "examples/two_layer_net.graph", "--lr", "-1"], '--lr must be a positive number, got "-1"'],
    [["check", "examples/apple.graph", "--samples", "none"], '--samples must be a positive whole number, got "none"'],
    [["run", "examples/apple.graph", "--seed", "-3"], '--seed must be a whole number (0 or more), got "-3"'],
    [["check", "examples/affine.graph", "--dim", "N"], '--dim must be NAME=SIZE with a positive whole size, got "N"'],
    [["run", "examples/apple.graph", "--set", "apple"], '--set must be NAME=NUMBER, got "apple"'],
  ];
  it.each(cases)("%j", async (args, message) => {
    const r = await gradc(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`gradc: ${message}\n(run gradc --help for usage)\n`);
  });
});

describe.concurrent("values that do not fit the graph name where they came from (exit 1)", () => {
  it("check --dim for a dimension the graph lacks lists the graph's dimensions", async () => {
    const r = await gradc("check", "examples/two_layer_net.graph", "--dim", "n=5");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('gradc: error: --dim n: the graph has no dimension "n"; its symbolic dimensions are "N".\n');
    expect(r.stdout).toBe(""); // no report with a typo in it
    const none = await gradc("check", "examples/apple.graph", "--dim", "N=2");
    expect(none.stderr).toContain('the graph has no dimension "N"; it has no symbolic dimensions.');
  });

  it("a params file with a wrong shape is blamed on the params file, not on the graph", async () => {
    const params = file("wrong.json", JSON.stringify({ W1: [[1, 2], [3, 4]] }));
    const r = await gradc("run", "examples/two_layer_net.graph", "--params", params);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${params}: error: param "W1" has shape [2, 2] but the graph expects [784, 50].\n`);
  });

  it("inputs whose symbolic dimensions disagree are blamed on their file, naming both", async () => {
    const inputs = file("ragged-batch.json", JSON.stringify({ a: [[1, 2, 3], [4, 5, 6]], t: [[1, 0, 0]] }));
    const r = await gradc("run", "examples/softmax_with_loss.graph", "--inputs", inputs);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${inputs}: error: input "t" has shape [1, 3] but the graph expects [N, 3] (N is 2 in "a").\n`);
  });

  it("--inputs takes params too (as check does); --params says an input belongs in --inputs", async () => {
    const both = file("both.json", JSON.stringify({ x: [[1, 0.5, -1]], W: [[1, 0], [0, 1], [1, 1]] }));
    const run = await gradc("run", "examples/affine.graph", "--inputs", both, "--json");
    expect(run.status, run.stderr).toBe(0);
    const check = await gradc("check", "examples/affine.graph", "--inputs", both);
    expect(check.status, check.stderr).toBe(0);
    const misplaced = await gradc("run", "examples/affine.graph", "--params", both);
    expect(misplaced.status).toBe(1);
    expect(misplaced.stderr).toBe(`${both}: error: "x" is an input of the graph, not a param; give it with --inputs.\n`);
  });
});

describe.concurrent("a JSON mistake is located FILE:LINE:COL, without the file pasted into the message", () => {
  const cases: [string, string, string][] = [
    ["a missing comma", '{\n  "x": [[1, 2, 3]]\n  "b": [1, 2]\n}\n', '3:3: error: not valid JSON: expected "," or a closing bracket.'],
    ["a trailing comma", '{ "x": [[1, 2, 3],] }', "1:18: error: not valid JSON: a trailing comma is not allowed."],
    ["a single-quoted name", "{ 'x': 1 }", "1:3: error: not valid JSON: unexpected character \"'\"."],
    ["a comment", '{\n  // the batch\n  "x": 1\n}', "2:3: error: not valid JSON: comments are not allowed."],
    ["an unclosed bracket", '{ "x": [[1, 2, 3]', '1:18: error: not valid JSON: the file ends before its closing "]".'],
    ["an empty file", "", "1:1: error: not valid JSON: the file is empty."],
    ["text after the value", '{ "x": 1 } }', "1:12: error: not valid JSON: unexpected text after the value."],
  ];
  it.each(cases)("%s", async (what, text, message) => {
    const inputs = file(`${what.replace(/\W+/g, "-")}.json`, text);
    const r = await gradc("run", "examples/affine.graph", "--inputs", inputs);
    expectNoStack(r.stderr);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${inputs}:${message}\n`);
  });
});

describe.concurrent("small conveniences", () => {
  it("-V prints the version, as -v and --version do", async () => {
    const [a, b, c] = await Promise.all([gradc("-V"), gradc("-v"), gradc("--version")]);
    expect(a.stdout).toBe("0.1.0\n");
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).toBe(a.stdout);
    expect(a.status).toBe(0);
  });

  it("no command's --help shows a meaningless (default: [])", async () => {
    for (const command of ["compile", "run", "grad", "graph", "check", "train"]) {
      const r = await gradc(command, "--help");
      expect(r.status).toBe(0);
      expect(r.stdout, command).not.toContain("(default: [])");
    }
  });
});
