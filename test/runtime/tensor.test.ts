// Values to and from JSON: NaN and ±Infinity survive the round trip as the strings gradc writes.
import { describe, expect, it } from "vitest";
import { fromNested, ValueError } from "../../src/runtime/index.js";
import { jsonValue } from "../../src/runtime/tensor.js";

describe("values as JSON", () => {
  it("writes NaN and ±Infinity as strings, and reads them back as the numbers", () => {
    const value = { shape: [2, 2], data: Float64Array.of(1, NaN, Infinity, -Infinity) };
    const text = JSON.stringify(jsonValue(value));
    expect(text).toBe('[[1,"NaN"],["Infinity","-Infinity"]]');
    expect(fromNested(JSON.parse(text))).toEqual(value);
    expect(fromNested("NaN")).toBeNaN();
    expect(fromNested("-Infinity")).toBe(-Infinity);
    expect(JSON.stringify(jsonValue(-Infinity))).toBe('"-Infinity"');
  });

  it("takes no other string for a number", () => {
    for (const text of ["nan", "Inf", "1", "", "toString", "__proto__"]) {
      expect(() => fromNested([text])).toThrow(ValueError);
    }
    expect(() => fromNested("constructor")).toThrow('expected a number or a list of numbers, got string "constructor"');
  });
});
