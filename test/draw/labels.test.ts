// The numbers on pictures: rounded for reading (220, not 220.00000000000003), tensors summarised.
import { describe, expect, it } from "vitest";
import { formatNumber } from "../../src/index.js";
import { summarizeValue } from "../../src/draw/labels.js";

describe("formatNumber", () => {
  it.each([
    [220.00000000000003, "220"],
    [110.00000000000001, "110"],
    [3.3000000000000003, "3.3"],
    [715.0000000000001, "715"],
    [0.30571446481245, "0.305714"],
    [-2.5, "-2.5"],
    [1e-7, "1e-7"],
    [123456789, "123457000"],
    [-0, "0"],
    [Infinity, "Infinity"],
    [NaN, "NaN"],
  ])("%s → %s", (v, text) => {
    expect(formatNumber(v)).toBe(text);
  });
});

describe("summarizeValue", () => {
  it("writes a scalar, a small tensor in full, a large one as its mean and max", () => {
    expect(summarizeValue(2.2)).toBe("2.2");
    expect(summarizeValue({ shape: [3], data: Float64Array.from([0.018211273, 0.24519181, -0.26340309]) })).toBe("[0.01821, 0.2452, -0.2634]");
    expect(summarizeValue({ shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) })).toBe("mean 3.5, max 6");
  });
});
