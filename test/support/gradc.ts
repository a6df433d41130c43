// Running the `gradc` command as a user does (a child process of the compiled CLI), and the
// checks every CLI test shares: the exit code, and never a JavaScript stack trace.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = join(ROOT, "bin", "gradc.js");

export interface Run {
  readonly args: readonly string[];
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gradc ARGS…` from the repository root, without colours. */
export function gradc(...args: string[]): Promise<Run> {
  return gradcIn({}, ...args);
}

/** Runs `gradc ARGS…` with `stdin` as its standard input and `cwd` as its folder. */
export function gradcIn(options: { stdin?: string; cwd?: string }, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ args, status, stdout, stderr }));
  });
}

export const STACK = /\n\s+at .*\(.*:\d+:\d+\)/;
const STACK_BARE = /^\s+at (async )?\S+:\d+:\d+$/m;

/** No stack trace and no bare JavaScript error line in some output. */
export function expectNoStack(text: string, context?: string): void {
  expect(text, context).not.toMatch(STACK);
  expect(text, context).not.toMatch(STACK_BARE);
  expect(text, context).not.toMatch(/^(TypeError|RangeError|ReferenceError|SyntaxError|Error): /m);
}
