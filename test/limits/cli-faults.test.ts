// The CLI loses nothing: the graph file is never changed, outputs are written whole or not
// at all, and paths that cannot be written are plain errors.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectNoStack, gradc } from "../support/gradc.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-faults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("the CLI loses nothing", () => {
  it("no command changes the graph file it reads", async () => {
    const graph = join(dir, "net.graph");
    copyFileSync("examples/affine.graph", graph);
    const before = { hash: digest(graph), mtime: statSync(graph).mtimeMs };
    const inputs = join(dir, "in.json");
    writeFileSync(inputs, JSON.stringify({ x: [[1, 2, 3]] }));
    const runs = await Promise.all([
      gradc("compile", graph, "-o", join(dir, "net.ts")),
      gradc("run", graph, "--inputs", inputs, "--json"),
      gradc("grad", graph),
      gradc("check", graph),
      gradc("compile", graph, "-o", graph),
    ]);
    expect(runs.map((r) => r.status)).toEqual([0, 0, 0, 0, 1]);
    expect(digest(graph)).toBe(before.hash);
    expect(statSync(graph).mtimeMs).toBe(before.mtime);
  });

  it("an output path that cannot be written: exit 1, a plain message, nothing left behind", async () => {
    const denied = await gradc("compile", "examples/apple.graph", "-o", "/sys/apple.ts");
    expectNoStack(denied.stderr);
    expect(denied.status).toBe(1);
    expect(denied.stderr).toBe('gradc: error: cannot write "/sys/apple.ts": permission denied.\n');
    const noFiles = await gradc("compile", "examples/apple.graph", "-o", "/proc/apple.ts");
    expect(noFiles.status).toBe(1);
    expect(noFiles.stderr).toBe('gradc: error: cannot write "/proc/apple.ts": files cannot be created there.\n');
    expect(existsSync("/proc/apple.ts")).toBe(false);
  });

  it("a directory as the output path is refused and left as it was", async () => {
    const r = await gradc("compile", "examples/apple.graph", "-o", dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/it is a directory/);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it("-o leaves no temporary file behind, on success or failure", async () => {
    const out = join(dir, "ok.ts");
    await gradc("compile", "examples/apple.graph", "-o", out);
    writeFileSync(join(dir, "bad.graph"), "graph g { y = }");
    await gradc("compile", join(dir, "bad.graph"), "-o", join(dir, "bad.ts"));
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(existsSync(join(dir, "bad.ts"))).toBe(false);
  });
});
