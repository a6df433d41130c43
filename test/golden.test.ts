// One golden file per pipeline stage for a few small graphs, as the-super-tiny-compiler checks
// every stage: tokens, AST, IR, gradient IR, optimised IR, emitted TypeScript, gradient graph.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { graphLexer } from "../grammar/tokens.js";
import { differentiate } from "../src/autodiff/differentiate.js";
import { compile } from "../src/compile.js";
import { DiagnosticBag } from "../src/diagnostics.js";
import { printGradientGraph } from "../src/emit/graphfile.js";
import { printIr } from "../src/ir/print.js";
import { lowerProgram } from "../src/lower.js";
import { optimize } from "../src/opt/optimize.js";
import { parseProgram } from "../src/syntax/parse.js";

const cases = ["apple", "sigmoid", "two_layer_net"];

/** The AST without byte offsets, which would make the golden files unreadable. */
function withoutOffsets(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v) => {
      if (key === "span" || key === "opSpan" || key === "extent") return `${v.line}:${v.column}`;
      return v;
    }),
  );
}

describe.each(cases)("stages of examples/%s.graph", (name) => {
  const source = readFileSync(`examples/${name}.graph`, "utf8");

  it("tokens", async () => {
    const tokens = graphLexer.tokenize(source).tokens.map((t) => `${t.startLine}:${t.startColumn} ${t.tokenType.name} ${t.image}`);
    await expect(`${tokens.join("\n")}\n`).toMatchFileSnapshot(`golden/${name}.tokens.txt`);
  });

  it("AST, IR, gradient IR and optimised IR", async () => {
    const bag = new DiagnosticBag();
    const program = parseProgram(source, bag)!;
    expect(bag.items).toEqual([]);
    await expect(`${JSON.stringify(withoutOffsets(program), null, 1)}\n`).toMatchFileSnapshot(`golden/${name}.ast.json`);
    const ir = lowerProgram(program, bag)!;
    await expect(printIr(ir)).toMatchFileSnapshot(`golden/${name}.ir.txt`);
    const differentiated = differentiate(ir);
    await expect(printIr(differentiated)).toMatchFileSnapshot(`golden/${name}.grad-ir.txt`);
    const optimised = optimize(differentiated);
    await expect(printIr(optimised)).toMatchFileSnapshot(`golden/${name}.opt-ir.txt`);
    await expect(printGradientGraph(optimised)).toMatchFileSnapshot(`golden/${name}.grad.graph`);
  });

  it("emitted TypeScript, byte-identical on every run", async () => {
    const first = await compile(source, { file: `examples/${name}.graph` });
    const second = await compile(source, { file: `examples/${name}.graph` });
    expect(first.code).toBe(second.code);
    await expect(first.code).toMatchFileSnapshot(`golden/${name}.ts.txt`);
  });
});

describe("passes do not alter their input", () => {
  it("differentiate and optimize leave the graph they are given as it was", () => {
    const bag = new DiagnosticBag();
    const ir = lowerProgram(parseProgram(readFileSync("examples/two_layer_net.graph", "utf8"), bag)!, bag)!;
    const before = printIr(ir);
    const infoSize = ir.info.size;
    const differentiated = differentiate(ir);
    expect(printIr(ir)).toBe(before);
    expect(ir.info.size).toBe(infoSize);
    const differentiatedText = printIr(differentiated);
    optimize(differentiated);
    expect(printIr(differentiated)).toBe(differentiatedText);
  });
});
