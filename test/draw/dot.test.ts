// Pictures of graphs: the DOT gradc builds from the IR and the SVG Graphviz draws from it,
// golden-tested on the book's apple example (Fig. 5-16), deterministic and well-formed.
import { describe, expect, it } from "vitest";
import { analyze, compile, graphDot, isObservedName, renderSvg } from "../../src/index.js";
import { example, expectValidXml, pictureDot, svgTexts } from "./support.js";

const apple = example("apple");

describe("the apple example (Fig. 5-16)", () => {
  const cases = [
    { name: "forward", options: {} },
    { name: "values", options: { values: true } },
    { name: "backward", options: { backward: true } },
  ] as const;

  it.each(cases)("$name picture: golden DOT and SVG, the same on every run, valid XML", async ({ name, options }) => {
    const dot = await pictureDot(apple, options);
    await expect(dot).toMatchFileSnapshot(`golden/apple.${name}.dot`);
    const svg = await renderSvg(dot);
    expect(await renderSvg(await pictureDot(apple, options))).toBe(svg);
    expectValidXml(svg);
    await expect(svg).toMatchFileSnapshot(`golden/apple.${name}.svg`);
  });

  it("--values writes the book's numbers: forward above the edges, gradients below", async () => {
    const texts = svgTexts(await renderSvg(await pictureDot(apple, { values: true })));
    // Forward: apple, apple_num, apple_price, tax, price.
    for (const n of ["100", "2", "200", "1.1", "220"]) expect(texts).toContain(n);
    // Backward: dprice, dapple_price (= tax), dapple, dapple_num, dtax.
    for (const n of ["1", "1.1", "2.2", "110", "200"]) expect(texts).toContain(n);
    // Rounded for reading, not 220.00000000000003.
    expect(texts.join(" ")).not.toMatch(/0000000/);
  });

  it("names the ops as the book does and labels the sources and the output", async () => {
    const texts = svgTexts(await renderSvg(await pictureDot(apple)));
    expect(texts.filter((t) => t === "×")).toHaveLength(2);
    for (const name of ["apple", "apple_num", "tax", "price", "apple_price"]) expect(texts).toContain(name);
  });

  it("--backward draws the gradient nodes, framed by the forward node they came from", async () => {
    const dot = await pictureDot(apple, { backward: true });
    expect(dot).toMatch(/label="backward of × \\"apple_price\\", line 7"/);
    expect(dot).toMatch(/style=dashed/);
    for (const g of ["dapple", "dapple_num", "dtax"]) expect(dot).toContain(`label="${g}"`);
  });
});

describe("pictures of every example", () => {
  const names = ["affine", "apple", "chain_rule", "cube", "dense_op", "shopping", "sigmoid", "softmax_with_loss", "two_layer_net", "wide_net"];

  it.each(names)("%s: forward and backward pictures render to valid SVG", async (name) => {
    for (const backward of [false, true]) {
      const svg = await renderSvg(await pictureDot(example(name), { backward }));
      expectValidXml(svg);
      expect(svg).toContain("<svg");
    }
  });

  it("the TwoLayerNet shows its layers by the book's names", async () => {
    const texts = svgTexts(await renderSvg(await pictureDot(example("two_layer_net"))));
    expect(texts.filter((t) => t === "Affine")).toHaveLength(2);
    expect(texts).toContain("ReLU");
    expect(texts).toContain("Softmax-with-Loss");
    expect(texts).toContain("[N, 784]");
  });

  it("observing every value for --values leaves the picture's nodes and edges as they were", async () => {
    for (const name of ["apple", "two_layer_net", "dense_op"]) {
      const source = example(name);
      const observed = (await compile(source, { observe: true })).graph!;
      expect(observed.outputs.some((o) => isObservedName(o.name))).toBe(true);
      for (const backward of [false, true]) {
        expect(graphDot(observed, { backward }), `${name} backward=${backward}`).toBe(graphDot(analyze(source).graph!, { backward }));
      }
    }
  });
});

describe("user-defined ops", () => {
  const source = example("dense_op");

  it("lowering records the call each inlined node came from", () => {
    const graph = analyze(source).graph!;
    const calls = [...graph.info.values()].filter((i) => i.call);
    expect(calls.length).toBeGreaterThan(0);
    for (const info of calls) {
      expect(info.call!.op).toBe("dense");
      expect(info.call!.span.line).toBe(15);
    }
    // Nodes outside the op carry no call.
    const loss = graph.outputs.find((o) => o.name === "loss")!.node;
    expect(graph.info.get(loss)?.call).toBeUndefined();
  });

  it("are one box per call by default, a frame around their body with --expand", async () => {
    const collapsed = await pictureDot(source);
    expect(collapsed).toMatch(/peripheries=2, .*label="dense"/);
    expect(collapsed).not.toContain("subgraph");
    expect(collapsed).not.toContain('label="ReLU"');
    const expanded = await pictureDot(source, { expand: true });
    expect(expanded).toMatch(/subgraph cluster_c\d+ \{\n.*label="dense\(…\), line 15"/);
    expect(expanded).toContain('label="ReLU"');
    expect(expanded).toContain('label="Affine"');
  });

  it("nested calls are nested frames, and a call used twice is two boxes", async () => {
    const nested = `
op act(x) {
  return relu(x)
}
op block(x) {
  return act(x) * 2
}
graph g {
  input x: [3]
  a = block(x)
  b = block(a)
  total = sum(b)
  output total
}
`;
    const collapsed = await pictureDot(nested);
    expect(collapsed.match(/label="block"/g)).toHaveLength(2);
    const expanded = await pictureDot(nested, { expand: true });
    expect(expanded.match(/label="block\(…\), line 1[01]"/g)).toHaveLength(2);
    expect(expanded.match(/label="act\(…\), line 6"/g)).toHaveLength(2);
    const svg = await renderSvg(expanded);
    expectValidXml(svg);
  });

  it("the backward picture groups a call's gradient nodes the same way", async () => {
    expect(await pictureDot(source, { backward: true })).toContain('label="dense (backward)"');
    expect(await pictureDot(source, { backward: true, expand: true })).toContain('label="backward of dense(…), line 15"');
  });
});

describe("tensors", () => {
  it("--values writes a tensor as its mean and max, small ones in full, and names the batch size", async () => {
    const x = { shape: [2, 784], data: Float64Array.from({ length: 2 * 784 }, (_, i) => (i % 7) / 7) };
    const t = { shape: [2, 10], data: Float64Array.from({ length: 20 }, (_, i) => (i === 3 || i === 17 ? 1 : 0)) };
    const dot = await pictureDot(example("two_layer_net"), { values: true, inputs: { x, t } });
    expect(dot).toContain("graph two_layer_net (N = 2): values above each edge");
    expect(dot).toMatch(/>mean 0\.4286, max 0\.8571</); // x
    expect(dot).toMatch(/>mean -?[\d.e-]+, max [\d.e-]+</);
    const sigmoid = await pictureDot(example("sigmoid"), { values: true });
    expect(sigmoid).toContain(">[-2, -0.5, 0.5, 2]<");
    expectValidXml(await renderSvg(dot));
  });
});
