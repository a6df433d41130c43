// docs/api.md must describe the package as built: its generated reference must be what
// `npm run api-docs` writes now, must name exactly what each entry exports, and its examples must
// type-check under the strictest settings and print what the page shows.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentedNames, firstSentence, readEntries, readReference, regeneratePage, regionOf, replaceRegions, type EntryReference } from "../scripts/api-reference.js";
import { BIN, ROOT } from "./support/gradc.js";
import { strictOptions } from "./support/typecheck.js";

const PAGE = join(ROOT, "docs", "api.md");
const page = readFileSync(PAGE, "utf8");
let cached: EntryReference[] | undefined;
/** The generator's reading of the built declarations (a TypeScript program: read it once). */
const reference = (): EntryReference[] => (cached ??= readReference(ROOT));

describe("the reference in docs/api.md", () => {
  it("is what `npm run api-docs` writes from the built declarations (run it after changing the API)", async () => {
    expect(page).toBe(await regeneratePage(ROOT, page));
  });

  it("catches a hand edit inside a generated region, and regenerating undoes it", async () => {
    const edited = page.replace(/^\| `compile` \| function \| .*$/m, "| `compile` | function | Compiles. |");
    expect(edited).not.toBe(page);
    const regenerated = await regeneratePage(ROOT, edited);
    expect(regenerated).not.toBe(edited);
    expect(regenerated).toBe(await regeneratePage(ROOT, page));
  });

  it("keeps the prose around the regions as it is", async () => {
    const heading = "## Part 2: the `gradc` package";
    const edited = page.replace(heading, `${heading}, edited by hand`);
    expect(edited).not.toBe(page);
    expect(await regeneratePage(ROOT, edited)).toBe((await regeneratePage(ROOT, page)).replace(heading, `${heading}, edited by hand`));
  });

  it("refuses a page that lacks an entry's markers", () => {
    expect(() => replaceRegions("# no markers\n", new Map([["gradc", "body"]]))).toThrow(/lacks the markers/);
  });

  it("gives every export a description (the first sentence of its JSDoc)", () => {
    const undocumented = reference().flatMap((r) => r.exports.filter((e) => e.summary === "").map((e) => `${r.entry.name}: ${e.name} (src/${e.source})`));
    expect(undocumented).toEqual([]);
  });

  it("documents what `gradc/runtime` exports once: `gradc` re-exports all of it", () => {
    const gradc = reference().find((r) => r.entry.name === "gradc")!;
    expect(gradc.includes).toEqual(["gradc/runtime"]);
    expect(regionOf(page, "gradc")).toContain("`gradc` also exports everything `gradc/runtime` does");
  });

  // Independent of the generator: the names each bundle exports at run time, and the type-only
  // exports of its .d.ts as the TypeScript compiler reads them.
  describe.each(readEntries(ROOT))("$name", (entry) => {
    it("documents exactly the names the entry exports, at run time and as types", async () => {
      const own = reference().find((r) => r.entry.name === entry.name)!;
      const documented = [entry.name, ...own.includes].flatMap((name) => documentedNames(regionOf(page, name) ?? ""));
      const values = Object.keys((await import(pathToFileURL(join(ROOT, entry.bundle)).href)) as object);
      const expected = [...new Set([...values, ...typeOnlyExports(join(ROOT, entry.types))])].sort();
      expect([...documented].sort()).toEqual(expected);
    });

    it("has, at run time, a function for every function and class documented, and a value for every constant", async () => {
      const module = (await import(pathToFileURL(join(ROOT, entry.bundle)).href)) as Record<string, unknown>;
      const own = reference().find((r) => r.entry.name === entry.name)!;
      for (const e of own.exports) {
        if (e.kind === "function" || e.kind === "class") expect(typeof module[e.name], e.name).toBe("function");
        else if (e.kind === "const") expect(module[e.name], e.name).not.toBeUndefined();
        else expect(Object.hasOwn(module, e.name), e.name).toBe(false);
      }
    });
  });
});

/** The exports of a declaration file that exist only as types. */
function typeOnlyExports(file: string): string[] {
  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], noEmit: true });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  return checker
    .getExportsOfModule(moduleSymbol)
    .filter((s) => ((s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value) === 0)
    .map((s) => s.name);
}

describe("firstSentence", () => {
  it("ends at a period followed by a space or the end, on one line", () => {
    expect(firstSentence("/**\n * Reads `f.ts` in 1.5 s. Then more.\n */")).toBe("Reads `f.ts` in 1.5 s.");
    expect(firstSentence("/** W ← W − lr·∂L/∂W */")).toBe("W ← W − lr·∂L/∂W");
    expect(firstSentence("/**\n * One line\n * and the next.\n */")).toBe("One line and the next.");
  });
});

// The examples: every ```ts block outside the generated regions, type-checked together under the
// settings generated modules pass (with Node's types, for `node:fs`), in a folder where `gradc`
// is this checkout (node_modules/gradc links to it) and the page's `$` commands have run first
// (they write the modules the examples import). A block followed by a plain ``` block is run, and
// must print that block.
interface Example {
  readonly line: number;
  readonly code: string;
  readonly output?: string;
}

function examplesOf(markdown: string): { examples: Example[]; commands: string[] } {
  const generated = [...markdown.matchAll(/<!-- generated by npm run api-docs: begin [\s\S]*?<!-- generated by npm run api-docs: end/g)].map(
    (m) => [m.index, m.index + m[0].length] as const,
  );
  const blocks = [...markdown.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    body: m[2]!,
    start: m.index,
    end: m.index + m[0].length,
    line: markdown.slice(0, m.index).split("\n").length,
  }));
  const examples: Example[] = [];
  const commands: string[] = [];
  blocks.forEach((block, i) => {
    if (block.lang === "" && block.body.startsWith("$ ")) {
      commands.push(...block.body.split("\n").filter((l) => l.startsWith("$ ")).map((l) => l.slice(2)));
    }
    if (block.lang !== "ts" || generated.some(([from, to]) => block.start > from && block.start < to)) return;
    const next = blocks[i + 1];
    const adjacent = next && next.lang === "" && /^\s*$/.test(markdown.slice(block.end, next.start)) && !next.body.startsWith("$ ");
    examples.push({ line: block.line, code: block.body, ...(adjacent ? { output: next.body } : {}) });
  });
  return { examples, commands };
}

const { examples, commands } = examplesOf(page);
const scratch = mkdtempSync(join(tmpdir(), "gradc-api-docs-"));
const fileOf = (e: Example) => join(scratch, `api-md-line-${e.line}.ts`);
let diagnostics = "";
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the examples in docs/api.md", () => {
  beforeAll(() => {
    writeFileSync(join(scratch, "package.json"), '{ "name": "api-docs-examples", "private": true, "type": "module" }\n');
    mkdirSync(join(scratch, "node_modules"));
    symlinkSync(ROOT, join(scratch, "node_modules", "gradc"), "dir");
    cpSync(join(ROOT, "examples"), join(scratch, "examples"), { recursive: true });
    mkdirSync(join(scratch, "bin"));
    writeFileSync(join(scratch, "bin", "gradc"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(scratch, "bin", "gradc"), 0o755);
    for (const command of commands) {
      const r = spawnSync("bash", ["-c", command], { cwd: scratch, encoding: "utf8", env: { ...process.env, PATH: `${join(scratch, "bin")}:${process.env.PATH}` } });
      if (r.status !== 0) throw new Error(`$ ${command}\n${r.stdout}${r.stderr}`);
    }
    for (const e of examples) writeFileSync(fileOf(e), e.code);
    const options: ts.CompilerOptions = {
      ...strictOptions,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      moduleDetection: ts.ModuleDetectionKind.Force,
      types: ["node"],
      typeRoots: [join(ROOT, "node_modules", "@types")],
      skipLibCheck: true,
      noEmit: false,
      rootDir: scratch,
      outDir: join(scratch, "out"),
    };
    const program = ts.createProgram(examples.map(fileOf), options);
    const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => scratch, getNewLine: () => "\n" };
    diagnostics = ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), host);
    program.emit();
  }, 120_000);

  it("there are examples, and some print what the page shows", () => {
    expect(examples.length).toBeGreaterThan(2);
    expect(examples.filter((e) => e.output !== undefined).length).toBeGreaterThan(2);
  });

  it("every ```ts block type-checks against the built package under the strictest settings", () => {
    // File names carry the line of the block in docs/api.md.
    expect(diagnostics).toBe("");
  });

  it.each(examples.filter((e) => e.output !== undefined).map((e) => [e.line, e] as const))(
    "the example at line %i of docs/api.md prints the block after it",
    (_line, example) => {
      const js = fileOf(example).replace(scratch, join(scratch, "out")).replace(/\.ts$/, ".js");
      const r = spawnSync(process.execPath, [js], { cwd: scratch, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(example.output);
    },
  );
});
