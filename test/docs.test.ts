// Every command README.md and docs/*.md show runs here and prints what the page shows. A page's
// transcripts are the fenced blocks whose lines start with `$ `: each command (run by bash, in a
// scratch copy of examples/ and docs/, `gradc` and `npx gradc` being this checkout's
// command; a block's commands in one shell) is followed by its output (stdout and stderr). In an output, a line that is only `…` stands for any
// number of lines, and `…` inside a line for any text (timings, say). The blocks of one page run
// in order, in one folder, so a page can use a file an earlier command wrote.
import { execFile, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "./support/gradc.js";

const pages = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

interface Command {
  readonly command: string;
  readonly output: string;
}

/** The transcripts of a page: each `$ command` with the lines after it. */
export function transcripts(markdown: string): Command[][] {
  const blocks: Command[][] = [];
  // Fences may be indented (inside a list item); their lines are read without that indent.
  for (const m of markdown.matchAll(/^( *)```[a-z]*\n([\s\S]*?)^\1```$/gm)) {
    const indent = m[1]!.length;
    const lines = m[2]!.replace(/\n$/, "").split("\n").map((line) => line.slice(indent));
    if (!lines[0]?.startsWith("$ ")) continue;
    const commands: Command[] = [];
    for (const line of lines) {
      if (line.startsWith("$ ")) commands.push({ command: line.slice(2), output: "" });
      else {
        const last = commands[commands.length - 1]!;
        commands[commands.length - 1] = { ...last, output: `${last.output}${line}\n` };
      }
    }
    blocks.push(commands);
  }
  return blocks;
}

/** A pattern for a page's output: `…` alone on a line is any lines, `…` in a line any text. */
export function outputPattern(output: string): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const lines = output.split("\n").map((line) =>
    line.trim() === "…" ? "(?:[^\\n]*\\n)*?" : `${line.split("…").map(escape).join("[^\\n]*?")}\\n`,
  );
  // split gave a last empty element for the final newline
  return new RegExp(`^${lines.slice(0, -1).join("")}$`);
}

const scratch = mkdtempSync(join(tmpdir(), "gradc-docs-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder like a checkout: the examples, the docs and their files, and `gradc` on the PATH. */
function folderFor(page: string): string {
  const dir = join(scratch, page.replace(/\W+/g, "-"));
  mkdirSync(join(dir, "bin"), { recursive: true });
  cpSync(join(ROOT, "examples"), join(dir, "examples"), { recursive: true });
  cpSync(join(ROOT, "docs"), join(dir, "docs"), { recursive: true });
  writeFileSync(join(dir, "bin", "gradc"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(dir, "bin", "gradc"), 0o755);
  return dir;
}

/** Runs a block's commands in one shell (so `cd` and `echo $?` work), each one's output apart. */
function runBlock(dir: string, commands: readonly string[]): Promise<string[]> {
  const marker = "\u0001gradc-docs-command\u0001";
  // Each command's stdout and stderr together, in order; the marker line keeps `$?` as it was.
  const script = `__status=0\n${commands
    .map((c) => `printf '%s\\n' '${marker}'; (exit $__status)\n${c.replace(/\bnpx gradc\b/g, "gradc")} 2>&1\n__status=$?`)
    .join("\n")}`;
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["-c", script],
      { cwd: dir, env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, NO_COLOR: "1" }, maxBuffer: 64 << 20 },
      (_error, stdout) => resolve(stdout.split(`${marker}\n`).slice(1)),
    );
  });
}

describe("the transcripts' own rules", () => {
  it("reads commands and outputs, and `…` matches lines or text", () => {
    const page = "text\n```\n$ gradc a\none\ntwo\n$ gradc b\n```\n```ts\ncode\n```\n";
    expect(transcripts(page)).toEqual([[{ command: "gradc a", output: "one\ntwo\n" }, { command: "gradc b", output: "" }]]);
    expect(outputPattern("a\n…\nz (… s)\n").test("a\nb\nc\nz (0.3 s)\n")).toBe(true);
    expect(outputPattern("a\n…\nz (… s)\n").test("a\nz (0.3 s)\n")).toBe(true);
    expect(outputPattern("a\nz\n").test("a\nb\nz\n")).toBe(false);
    expect(outputPattern("").test("")).toBe(true);
    expect(outputPattern("").test("surprise\n")).toBe(false);
  });
});

describe.concurrent.each(pages)("%s", (page) => {
  const blocks = transcripts(readFileSync(join(ROOT, page), "utf8"));
  if (blocks.length === 0) return void it("shows no commands", () => expect(blocks).toEqual([]));
  it("every command prints what the page shows", async () => {
    const dir = folderFor(page);
    const wrong: string[] = [];
    for (const block of blocks) {
      const printed = await runBlock(dir, block.map((c) => c.command));
      block.forEach(({ command, output }, i) => {
        if (!outputPattern(output).test(printed[i] ?? "")) {
          wrong.push(`$ ${command}\n--- the page shows:\n${output}--- gradc prints:\n${printed[i]}`);
        }
      });
    }
    if (wrong.length > 0) console.log(`${page}:\n${wrong.join("\n")}`);
    expect(wrong.length, `${wrong.length} of the commands of ${page} print something else (the log shows what)`).toBe(0);
  }, 300_000);
});

it("npm run examples is the build and then the two commands README.md says it runs", () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  expect(scripts.examples).toBe("npm run build && node bin/gradc.js run examples/apple.graph && node bin/gradc.js check examples/*.graph");
  // The part after the build runs here (the build itself runs before every test run).
  const r = spawnSync("bash", ["-c", scripts.examples!.replace("npm run build && ", "")], { cwd: ROOT, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain("price: 220.00000000000003");
  expect(r.stdout).not.toContain("FAIL");
});
