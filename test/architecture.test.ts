// The shape of the code, checked from its imports (type-only ones included: ESLint's
// import-x/no-cycle skips those): no module imports itself through others, `gradc/runtime`
// reaches none of the compiler, and the browser-safe entries reach nothing from Node.
import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/gradc.js";

/** Each module's imports: other modules of the project (paths), and packages (names). */
function importsOf(file: string): { modules: string[]; packages: string[] } {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  const modules: string[] = [];
  const packages: string[] = [];
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith(".")) {
      packages.push(fileName);
      continue;
    }
    const target = resolve(dirname(file), fileName).replace(/\.js$/, ".ts");
    if (!existsSync(target)) throw new Error(`${relative(ROOT, file)} imports ${fileName}, which does not exist`);
    modules.push(target);
  }
  return { modules, packages };
}

/** Every module reachable from `entry`, with the imports of each. */
function closure(entry: string): Map<string, { modules: string[]; packages: string[] }> {
  const seen = new Map<string, { modules: string[]; packages: string[] }>();
  const stack = [resolve(ROOT, entry)];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    const imports = importsOf(file);
    seen.set(file, imports);
    stack.push(...imports.modules);
  }
  return seen;
}

const entries = ["src/index.ts", "src/runtime/index.ts", "src/node/index.ts", "src/cli/main.ts", "src/plugin/index.ts"];
const all = new Map(entries.flatMap((e) => [...closure(e)]));
const name = (file: string) => relative(ROOT, file);

/** Every cycle of a graph of module → imported modules, each as "a → b → a". */
function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
      return;
    }
    state.set(file, "visiting");
    for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, "done");
  };
  for (const file of edges.keys()) visit(file, []);
  return cycles;
}

describe("imports", () => {
  it("form no cycle, type-only imports included", () => {
    const edges = new Map([...all].map(([f, i]) => [name(f), i.modules.map(name)]));
    expect(findCycles(edges)).toEqual([]);
    expect(all.size).toBeGreaterThan(40); // the walk found the code
  });

  it("the cycle finder finds cycles (it is not vacuous)", () => {
    expect(findCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]))).toEqual(["a → b → c → a"]);
    expect(findCycles(new Map([["a", ["b"]], ["b", []]]))).toEqual([]);
  });
  it("gradc/runtime reaches none of the compiler: no parser, no emitter, no Chevrotain or Prettier", () => {
    const runtime = [...closure("src/runtime/index.ts")];
    const compilerParts = runtime.map(([f]) => name(f)).filter((f) => /^(grammar\/|src\/(syntax|lower|autodiff|opt|emit\/module|compile))/.test(f));
    expect(compilerParts).toEqual([]);
    const packages = runtime.flatMap(([, i]) => i.packages);
    expect(packages.filter((p) => /chevrotain|prettier/.test(p))).toEqual([]);
  });

  it.each(["src/index.ts", "src/runtime/index.ts"])("%s reaches nothing from Node, the CLI, src/node or src/plugin", (entry) => {
    const reached = [...closure(entry)];
    const nodeOnly = reached.map(([f]) => name(f)).filter((f) => /^src\/(cli|node|plugin)\//.test(f));
    const builtins = reached.flatMap(([f, i]) => i.packages.filter((p) => p.startsWith("node:")).map((p) => `${name(f)}: ${p}`));
    expect(nodeOnly).toEqual([]);
    expect(builtins).toEqual([]);
  });
});
