// gradc fmt as a user runs it: the formatted text on standard output (several files in turn,
// standard input too), --check naming the files that are not laid out canonically (exit 1),
// --write rewriting just those, in place and atomically, and syntax errors reported, located,
// with the file left as it was.
import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { examples, EXAMPLES_DIR } from "./support/examples.js";
import { expectNoStack, gradc, gradcIn, type Run } from "./support/gradc.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-fmt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MESSY = "graph g{input x=1\n\n\n   y=(x*2)+1   # twice, and one more\noutput y}\n";
const TIDY = "graph g {\n  input x = 1\n\n  y = x * 2 + 1  # twice, and one more\n  output y\n}\n";
const BROKEN = "graph g {\n  input x\n  y = x * * 2\n  output y\n}\n";

let count = 0;
/** A new file in the scratch folder, with this text. */
function file(text: string, mode = 0o644): string {
  const path = join(dir, `f${++count}.graph`);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

function expectExit(r: Run, code: number): void {
  expectNoStack(r.stdout + r.stderr);
  expect(r.status, r.stderr).toBe(code);
}

describe.concurrent("gradc fmt", () => {
  it("prints the file laid out canonically, and leaves it as it was", async () => {
    const messy = file(MESSY);
    const r = await gradc("fmt", messy);
    expectExit(r, 0);
    expect(r.stdout).toBe(TIDY);
    expect(r.stderr).toBe("");
    expect(readFileSync(messy, "utf8")).toBe(MESSY);
  });

  it("prints several files in turn, and reads - from standard input", async () => {
    const r = await gradc("fmt", file(MESSY), "examples/apple.graph");
    expectExit(r, 0);
    expect(r.stdout).toBe(TIDY + readFileSync("examples/apple.graph", "utf8"));
    const piped = await gradcIn({ stdin: MESSY }, "fmt", "-");
    expectExit(piped, 0);
    expect(piped.stdout).toBe(TIDY);
  });

  it("--check: every example is laid out canonically (exit 0, nothing printed)", async () => {
    const r = await gradc("fmt", "--check", ...examples.map((e) => join(EXAMPLES_DIR, e)));
    expectExit(r, 0);
    expect(r.stdout + r.stderr).toBe("");
  });

  it("--check names each file that would change, on standard output, and exits 1", async () => {
    const [a, b] = [file(MESSY), file(TIDY)];
    const r = await gradc("fmt", "--check", a, b, "examples/cube.graph");
    expectExit(r, 1);
    expect(r.stdout).toBe(`${a}\n`);
    expect(r.stderr).toBe("");
    expect(readFileSync(a, "utf8")).toBe(MESSY);
    const piped = await gradcIn({ stdin: MESSY }, "fmt", "--check", "-");
    expectExit(piped, 1);
    expect(piped.stdout).toBe("<stdin>\n");
  });

  it("--write rewrites the files that change, in place, keeping their mode; the others are not touched", async () => {
    const messy = file(MESSY, 0o600);
    const tidy = file(TIDY);
    const before = statSync(tidy);
    const r = await gradc("fmt", "--write", messy, tidy);
    expectExit(r, 0);
    expect(r.stdout + r.stderr).toBe("");
    expect(readFileSync(messy, "utf8")).toBe(TIDY);
    expect(statSync(messy).mode & 0o777).toBe(0o600);
    const after = statSync(tidy);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("--write through a symbolic link rewrites the file it points to and keeps the link", async () => {
    const target = file(MESSY);
    const link = join(dir, "link.graph");
    symlinkSync(target, link);
    expectExit(await gradc("fmt", "--write", link), 0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe(TIDY);
  });

  it("--check --write rewrites the files, names them, and exits 1 (they were not laid out canonically)", async () => {
    const messy = file(MESSY);
    const r = await gradc("fmt", "--check", "--write", messy);
    expectExit(r, 1);
    expect(r.stdout).toBe(`${messy}\n`);
    expect(readFileSync(messy, "utf8")).toBe(TIDY);
    expectExit(await gradc("fmt", "--check", messy), 0);
  });

  it("a file with syntax errors: located errors as compile prints them, exit 1, the file untouched; the others are still formatted", async () => {
    const broken = file(BROKEN);
    const messy = file(MESSY);
    const r = await gradc("fmt", "--write", broken, messy);
    expectExit(r, 1);
    expect(r.stderr).toBe(
      `${broken}:3:11: error: Expected "-", a number, a name or "(" after "*" but found "*".\n3 |   y = x * * 2\n  |           ^\n`,
    );
    expect(readFileSync(broken, "utf8")).toBe(BROKEN);
    expect(readFileSync(messy, "utf8")).toBe(TIDY);
    const compiled = await gradc("compile", broken);
    expect(compiled.stderr).toBe(r.stderr);
  });

  it("a file that cannot be read is named; standard input cannot be rewritten (a usage error)", async () => {
    const missing = await gradc("fmt", join(dir, "missing.graph"));
    expectExit(missing, 1);
    expect(missing.stderr).toBe(`gradc: error: cannot read "${join(dir, "missing.graph")}": no such file.\n`);
    const stdin = await gradcIn({ stdin: MESSY }, "fmt", "--write", "-");
    expectExit(stdin, 2);
    expect(stdin.stderr).toBe("gradc: --write rewrites files in place; standard input (-) is not a file\n(run gradc --help for usage)\n");
  });

  // Root may write any file, so this runs only as another user.
  it.skipIf(process.getuid?.() === 0)("--write refuses a file its user may not write", async () => {
    const readOnly = file(MESSY, 0o444);
    const r = await gradc("fmt", "--write", readOnly);
    expectExit(r, 1);
    expect(r.stderr).toBe(`gradc: error: cannot write "${readOnly}": permission denied.\n`);
    expect(readFileSync(readOnly, "utf8")).toBe(MESSY);
  });
});
