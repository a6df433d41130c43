// docs/language.md's op tables print each op's `doc` (Meaning) and `derivative` (Gradient) as the
// registry has them, so the reference, the editor's hover and the compiler cannot disagree.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { opNames } from "../../src/ops/names.js";
import { opDef } from "../../src/ops/registry.js";

const page = readFileSync("docs/language.md", "utf8");

/** The rows of the op tables: op name → its cells. */
function opRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of page.split("\n")) {
    const m = /^\| `(\w+)\([^`]*\)`/.exec(line);
    if (!m || !(opNames as readonly string[]).includes(m[1]!)) continue;
    rows.set(m[1]!, line.replace(/^\||\|$/g, "").split(" | ").map((c) => c.trim()));
  }
  return rows;
}

it("every built-in op has a row whose Meaning is its doc and whose Gradient is its derivative", () => {
  const rows = opRows();
  expect([...rows.keys()].sort()).toEqual([...opNames].sort());
  for (const name of opNames) {
    const cells = rows.get(name)!;
    const def = opDef(name);
    expect(cells.at(-1), `${name}: Gradient`).toBe(def.derivative);
    expect(cells.at(-2), `${name}: Meaning`).toBe(def.doc);
  }
});
