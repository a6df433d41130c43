import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { loadGraph } from "../src/index.js";

describe("apple (Fig. 5-16)", () => {
  it("gives the book's numbers", async () => {
    const { module } = await loadGraph(readFileSync("examples/apple.graph", "utf8"));
    const fwd = module.forward({}, {});
    expect(fwd.outputs.price).toBe(220.00000000000003);
    expect(module.backward(fwd)).toEqual({ apple: 2.2, apple_num: 110.00000000000001, tax: 200 });
  });
});
