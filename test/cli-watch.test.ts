// gradc compile --watch as a user runs it: started on a graph file, which is then edited under it.
// A good edit rewrites the output, a mistake is printed with its place and leaves the output as
// it was, the fix rewrites it again, and Ctrl-C ends the watch with exit code 0. The test waits
// for what gradc prints and writes (with a generous limit), never for a fixed time, so a loaded
// machine only makes it slower.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BIN, expectNoStack, gradcIn } from "./support/gradc.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-watch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Watching {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function watch(cwd: string, ...args: string[]): Watching {
  const child = spawn(process.execPath, [BIN, "compile", ...args, "--watch"], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  running.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Waits until `check` holds, looking every 50 ms, for at most `ms`; then says what was printed. */
async function until(w: Watching, what: string, check: () => boolean, ms = 45_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}\n--- stdout:\n${w.stdout()}--- stderr:\n${w.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern.source, "gm"))?.length ?? 0;

describe("gradc compile --watch", () => {
  it("compiles on every change; on a mistake prints it and keeps the last good output; Ctrl-C exits 0", async () => {
    const graph = join(dir, "apple.graph");
    copyFileSync("examples/apple.graph", graph);
    const out = join(dir, "apple.ts");
    const w = watch(dir, "apple.graph", "-o", "apple.ts");
    await until(w, "the first compile and the watch", () => /^watching apple\.graph for changes \(Ctrl-C stops\)$/m.test(w.stdout()));
    expect(w.stdout()).toMatch(/^compiled apple\.graph → apple\.ts \(\d+ ms\)\nwatching apple\.graph/);
    expect(readFileSync(out, "utf8")).toMatch(/tax: 1\.1\b/);

    // A good change: the output follows.
    const source = readFileSync(graph, "utf8");
    writeFileSync(graph, source.replace("input tax = 1.1", "input tax = 1.25"));
    await until(w, "the output to follow the edit", () => /tax: 1\.25\b/.test(readFileSync(out, "utf8")));
    await until(w, "the second line", () => count(w.stdout(), /^compiled apple\.graph → apple\.ts/) === 2);
    const good = readFileSync(out, "utf8");

    // A mistake: printed with its place; the output stays as it was.
    writeFileSync(graph, source.replace("input tax = 1.1", "input tax = 1.5").replace("price = apple_price * tax", "price = apple_prce * tax"));
    await until(w, "the error", () => w.stderr().includes('apple.graph:8:11: error: "apple_prce" is not defined. Did you mean "apple_price"?'));
    expect(w.stderr()).toContain("8 |   price = apple_prce * tax\n  |           ^^^^^^^^^^\n");
    expect(readFileSync(out, "utf8")).toBe(good);
    expect(count(w.stdout(), /^compiled /)).toBe(2);

    // The fix: compiled again, with the edit made meanwhile.
    writeFileSync(graph, source.replace("input tax = 1.1", "input tax = 1.5"));
    await until(w, "the output after the fix", () => /tax: 1\.5\b/.test(readFileSync(out, "utf8")));
    await until(w, "the third line", () => count(w.stdout(), /^compiled apple\.graph → apple\.ts/) === 3);

    w.child.kill("SIGINT");
    expect(await w.exited).toEqual({ code: 0, signal: null });
    expectNoStack(w.stderr());
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  }, 120_000);

  it("watches every file given with --out-dir, each compiled on its own change, also when saved by renaming over it", async () => {
    const folder = mkdtempSync(join(dir, "many-"));
    for (const f of ["apple.graph", "cube.graph"]) copyFileSync(join("examples", f), join(folder, f));
    const w = watch(folder, "apple.graph", "cube.graph", "--out-dir", "out", "--lang", "js", "--dts");
    await until(w, "the watch", () => /^watching 2 graph files for changes \(Ctrl-C stops\)$/m.test(w.stdout()));
    expect(w.stdout()).toMatch(/^compiled apple\.graph → out\/apple\.js, out\/apple\.d\.ts \(\d+ ms\)$/m);
    expect(w.stdout()).toMatch(/^compiled cube\.graph → out\/cube\.js, out\/cube\.d\.ts \(\d+ ms\)$/m);

    // Editors often save by writing a new file and renaming it over the old one.
    const cube = join(folder, "cube.graph");
    const edited = readFileSync(cube, "utf8").replace(/input x = \d+/, "input x = 7");
    expect(edited).toContain("input x = 7");
    writeFileSync(join(folder, ".cube.graph.swp"), edited);
    renameSync(join(folder, ".cube.graph.swp"), cube);
    await until(w, "cube.js to follow", () => /x: 7\b/.test(readFileSync(join(folder, "out", "cube.js"), "utf8")));
    await until(w, "its line", () => count(w.stdout(), /^compiled cube\.graph/) === 2);
    expect(count(w.stdout(), /^compiled apple\.graph/)).toBe(1);

    w.child.kill("SIGINT");
    expect((await w.exited).code).toBe(0);
    expect(w.stderr()).toBe("");
  }, 120_000);

  it.each([
    ["no file to write", ["examples/apple.graph"], "--watch writes files: give -o FILE, --out-dir DIR or --dts"],
    ["--json", ["examples/apple.graph", "-o", join(dir, "x.ts"), "--json"], "--watch prints as it goes; drop --json"],
    ["standard input", ["-", "-o", join(dir, "x.ts")], "standard input (-) cannot be watched"],
  ])("refuses %s (exit 2), before watching anything", async (_what, args, message) => {
    const r = await gradcIn({ stdin: "" }, "compile", ...args, "--watch");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(join(dir, "x.ts"))).toBe(false);
  });
});
