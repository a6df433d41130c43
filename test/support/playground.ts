// The playground as the browser tests and `npm run playground:screenshots` see it: built by Vite
// into a temporary folder, served by a static server under a sub-path (as GitHub Pages serves a
// project: /<repo>/), and opened in one headless Chromium.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { build } from "vite";
import { chromiumArgs, chromiumPath } from "./chromium.js";
import { serveStatic } from "./static-server.js";

/** The sub-path the site is served under, to show that its URLs are relative. */
export const SUB_PATH = "/gradc/";

export interface Playground {
  /** The page's address: `http://127.0.0.1:PORT/gradc/`. */
  readonly url: string;
  readonly browser: Browser;
  /** A new page of the given size that records console errors, warnings and uncaught exceptions. */
  open(size?: { width: number; height: number }): Promise<{ page: Page; problems: string[] }>;
  close(): Promise<void>;
}

/**
 * Builds the site of the checkout at `root` (`npm run playground:build` does the same), serves
 * it and starts Chromium.
 */
export async function startPlayground(root: string): Promise<Playground> {
  if (!chromiumPath) throw new Error("The playground needs Chromium (see test/support/chromium.ts).");
  const folder = mkdtempSync(join(tmpdir(), "gradc-playground-"));
  // Vitest sets NODE_ENV to "test", which would make Vite build for development; build what
  // `npm run playground:build` builds.
  const nodeEnv = process.env["NODE_ENV"];
  process.env["NODE_ENV"] = "production";
  try {
    await build({ configFile: join(root, "playground", "vite.config.ts"), build: { outDir: join(folder, SUB_PATH) }, logLevel: "error" });
  } finally {
    if (nodeEnv === undefined) delete process.env["NODE_ENV"];
    else process.env["NODE_ENV"] = nodeEnv;
  }
  const server = await serveStatic(folder);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  return {
    url: `${server.origin}${SUB_PATH}`,
    browser,
    async open(size = { width: 1400, height: 900 }) {
      const page = await browser.newPage({ viewport: size });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      return { page, problems };
    },
    async close() {
      await browser.close();
      await server.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** The texts of the picture's SVG, in document order. */
export function pictureTexts(page: Page): Promise<string[]> {
  return page.$$eval("#picture svg text", (texts) => texts.map((t) => t.textContent ?? ""));
}

/** What the page measured (playground/src/main.ts): pictures drawn, and milliseconds to draw them. */
export interface PageStats {
  readonly pictures: number;
  readonly firstPicture: number;
  readonly lastUpdate: number;
}
export const stats = (page: Page): Promise<PageStats> => page.evaluate(() => (window as unknown as { playground: PageStats }).playground);
export const pictures = async (page: Page): Promise<number> => (await stats(page)).pictures;

/** Waits for the page to draw more than `seen` pictures. */
export const nextPicture = (page: Page, seen: number): Promise<unknown> =>
  page.waitForFunction((n) => (window as unknown as { playground: PageStats }).playground.pictures > n, seen, { timeout: 30_000 });

/** Types `text` on line `line` (1-based), `back` characters before its end, by keyboard as a person would. */
export async function typeOnLine(page: Page, line: number, back: number, text: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("Control+Home");
  for (let i = 1; i < line; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("End");
  for (let i = 0; i < back; i++) await page.keyboard.press("ArrowLeft");
  await page.keyboard.type(text);
}
