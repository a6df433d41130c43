// `gradc grad --explain`'s text: the chain of local rules behind each gradient, node by node,
// derived from the IR and the registry's own derivative rules (the book's walk through Fig. 5-16).
import { describe, expect, it } from "vitest";
import { explainGradients } from "../../src/index.js";
import { example } from "./support.js";

function explain(source: string): string {
  const { text, diagnostics } = explainGradients(source);
  expect(diagnostics).toEqual([]);
  return text!;
}

/** The headline of one gradient: `dNAME = …`. */
function headline(text: string, name: string): string {
  const line = text.split("\n").find((l) => l.startsWith(`# d${name} = `));
  expect(line, `no line for d${name} in\n${text}`).toBeDefined();
  return line!.slice(2);
}

describe("explainGradients", () => {
  it("walks Fig. 5-16 node by node, with each node's source line (golden)", async () => {
    const text = explain(example("apple"));
    expect(headline(text, "apple")).toBe("dapple = dout · tax · apple_num");
    expect(headline(text, "apple_num")).toBe("dapple_num = dout · tax · apple");
    expect(headline(text, "tax")).toBe("dtax = dout · apple_price");
    expect(text).toContain("#   ×, line 8: price = apple_price * tax\n#       dapple_price = dout · tax\n");
    expect(text).toContain("#   ×, line 7: apple_price = apple * apple_num\n#       dapple = dapple_price · apple_num\n");
    await expect(text).toMatchFileSnapshot("golden/apple.explain.txt");
  });

  it("every line is a comment, so it can follow the gradient graph file", () => {
    for (const line of explain(example("two_layer_net")).trimEnd().split("\n")) expect(line).toMatch(/^#( |$)/);
  });

  it("sums the paths of a value used more than once", () => {
    const text = explain(example("cube"));
    expect(headline(text, "x")).toBe('dx = dout · x · x + dout · x · x + dout · (x · x)    (3 paths, summed: "x" reaches "y" 3 ways)');
    expect(text).toContain("  path 3 of 3:");
  });

  it("an add node passes its gradient through; an operand that is a sum is parenthesised", () => {
    const text = explain(example("shopping"));
    expect(text).toContain("dapple_price = d(apple_price + orange_price)");
    expect(headline(text, "tax")).toBe("dtax = dout · (apple_price + orange_price)");
  });

  it("states the layers' rules as the registry builds them (Affine, ReLU, Softmax-with-Loss)", () => {
    const text = explain(example("two_layer_net"));
    expect(text).toContain("dh = dy @ W2ᵀ");
    expect(text).toContain("dW2 = hᵀ @ dy");
    expect(text).toContain("db2 = sum_to(dy, b2)");
    expect(text).toContain("d(affine(x, W1, b1)) = dh · step("); // the mask, from the input or the output
    expect(text).toContain("#   Softmax-with-Loss, line 12: loss = softmaxloss(y, t)");
    expect(text).toContain("dout is the gradient flowing into \"loss\": dloss/dloss = 1.");
  });

  it("names the call a node of a user-defined op came from", () => {
    expect(explain(example("dense_op"))).toMatch(/ReLU, line 4 \(in dense\(…\) called at line 15\): return relu\(z\)/);
  });

  it("says when the output does not depend on a value, and when a path carries no gradient", () => {
    const text = explain(`graph g {
  input x = 1
  input unused = 2
  y = step(x) + x
  output y
  grad y wrt x, unused
}
`);
    expect(headline(text, "unused")).toBe('dunused = 0    ("y" does not depend on "unused")');
    expect(headline(text, "x")).toMatch(/^dx = dout {4}\(2 paths/);
    expect(text).toContain("step passes no gradient to this argument: the path contributes 0");
  });

  it("a tensor output's dout is the upstream gradient", () => {
    expect(explain(example("affine"))).toContain('dout is the upstream gradient flowing into "y"');
  });

  it("a long chain is listed in part, without deep recursion", () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `  z${i + 1} = tanh(z${i}) + x`);
    const text = explain(`graph g {\n  input x = 1\n  z0 = tanh(x)\n${lines.join("\n")}\n  output z3000\n}\n`);
    expect(headline(text, "x")).toMatch(/^dx = … \(6001 local rules\) \+ … \(5999 local rules\) \+ .* \(3001 paths, summed/);
    expect(text).toContain("… and 5961 more nodes");
  });
});
