// gradc's browser-safe entries in a real browser: the page (test/browser/page.ts) is bundled
// from `gradc` and `gradc/runtime` by esbuild with --platform=browser, served from localhost and
// run in headless Chromium, where it compiles, runs (ts and wasm targets), checks, trains and
// draws, with no console error.
import { build } from "esbuild";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumPath } from "../support/chromium.js";
import { ROOT } from "../support/gradc.js";
import { serveStatic, type StaticServer } from "../support/static-server.js";

const out = mkdtempSync(join(tmpdir(), "gradc-browser-"));
let server: StaticServer;
let browser: Browser;

describe.skipIf(!chromiumPath)("gradc in headless Chromium", () => {
  beforeAll(async () => {
    await build({
      entryPoints: [join(ROOT, "test", "browser", "page.ts")],
      outdir: out,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      logLevel: "error",
      // The package's own entries, as a user's bundler resolves them from the installed package.
      plugins: [
        {
          name: "gradc",
          setup(b) {
            b.onResolve({ filter: /^gradc(\/runtime)?$/ }, (args) => ({
              path: join(ROOT, "dist", args.path === "gradc" ? "index.js" : "runtime.js"),
            }));
          },
        },
      ],
    });
    writeFileSync(join(out, "index.html"), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>gradc</title><script type="module" src="page.js"></script>\n');
    server = await serveStatic(out);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it("the bundle for the browser holds nothing from Node", () => {
    const js = readFileSync(join(out, "page.js"), "utf8");
    expect(js).not.toMatch(/from\s*["']node:|require\(["'](fs|path|module|node:)/);
  });

  it("compiles, runs both targets, checks gradients, trains and draws, with no console error", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${server.origin}/index.html`);
    const result = (await page.waitForFunction(() => (window as unknown as { gradcResult?: unknown }).gradcResult, undefined, { timeout: 60_000 }).then((h) => h.jsonValue())) as Record<string, unknown>;
    expect(result.error).toBeUndefined();
    expect(problems).toEqual([]);
    expect(result).toMatchObject({ version: "0.1.0", typescript: true, javascript: true, declarations: true, svg: true });
    const results = result.results as Record<"ts" | "wasm", { losses: number[]; W: number[][]; check: boolean }>;
    for (const target of ["ts", "wasm"] as const) {
      const { losses, check } = results[target];
      expect(check, target).toBe(true);
      expect(losses[4]!, target).toBeLessThan(losses[0]!); // the optimizer steps lower the loss
    }
    // Both targets compute the same numbers (f64: to round-off).
    results.ts.W.flat().forEach((w, i) => expect(Math.abs(w - results.wasm.W.flat()[i]!)).toBeLessThan(1e-12));
    await page.close();
  }, 120_000);
});
