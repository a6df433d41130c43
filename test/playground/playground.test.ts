// The playground (playground/) in headless Chromium: the static site as Vite builds it, served
// from a sub-path by a plain static server. It loads without a console error, opens the graph a
// `#src=` link carries, shows the compiler's diagnostics as lint squiggles, reruns and redraws
// when a value changes, checks gradients, and trains on the bundled digits in a worker.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath } from "../support/chromium.js";
import { ROOT } from "../support/gradc.js";
import { nextPicture, pictures, pictureTexts, startPlayground, stats, typeOnLine, type Playground } from "../support/playground.js";

let site: Playground;

/** A new page showing the graph `text` (from a `#src=` link), or the default one; with its console's problems. */
async function openPage(text?: string, { picture = true } = {}): Promise<{ page: Page; problems: string[] }> {
  const opened = await site.open();
  await opened.page.goto(text === undefined ? site.url : `${site.url}#src=${base64url(text)}`);
  if (picture) await nextPicture(opened.page, 0);
  else await opened.page.locator(".cm-content").waitFor();
  return opened;
}

/** The editor's text, line by line as CodeMirror shows it. */
const editorLines = (page: Page): Promise<string[]> => page.$$eval(".cm-content .cm-line", (lines) => lines.map((l) => l.textContent ?? ""));

const base64url = (text: string): string => Buffer.from(text, "utf8").toString("base64url");

describe.skipIf(!chromiumPath)("the playground in headless Chromium", () => {
  beforeAll(async () => {
    site = await startPlayground(ROOT);
  }, 120_000);

  afterAll(async () => {
    await site?.close();
  });

  it("loads with no console error and draws the book's apple example with its numbers", async () => {
    const { page, problems } = await openPage();
    const texts = await pictureTexts(page);
    // Fig. 5-16: price = 100 · 2 · 1.1 = 220; dapple = 2 · 1.1 = 2.2.
    expect(texts).toContain("220");
    expect(texts).toContain("2.2");
    expect(await page.$eval("#examples", (s) => (s as HTMLSelectElement).value)).toBe("apple");
    // The example's text is now in the URL.
    const hash = await page.evaluate(() => location.hash);
    expect(Buffer.from(hash.replace(/^#src=/, ""), "base64url").toString("utf8")).toBe(readFileSync(join(ROOT, "examples", "apple.graph"), "utf8"));
    const { firstPicture } = await stats(page);
    console.log(`playground: first picture ${firstPicture.toFixed(0)} ms after navigation`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("opens the graph a #src= link carries (base64url, with or without padding), and keeps the URL in step with edits", async () => {
    const text = "graph shared {\n  input a = 3\n  y = a * a * a\n  output y\n  grad y wrt a\n}\n";
    const { page, problems } = await openPage(text);
    expect((await editorLines(page)).join("\n")).toBe(text);
    // y = 3³ = 27 and dy/da = 3 · 3² = 27, drawn on the edges; the text matches no example.
    expect(await pictureTexts(page)).toContain("27");
    expect(await page.$eval("#examples", (s) => (s as HTMLSelectElement).value)).toBe("");
    // A padded, standard-alphabet link to another graph opens that graph too (the hash changes in place).
    const other = "graph padded {\n  input b = 2\n  z = b * b\n  output z\n  grad z wrt b\n}";
    const seen = await pictures(page);
    await page.evaluate((hash) => (location.hash = hash), `#src=${Buffer.from(other).toString("base64")}`);
    await nextPicture(page, seen);
    expect((await editorLines(page)).join("\n")).toBe(other);
    expect(await pictureTexts(page)).toEqual(expect.arrayContaining(["4"])); // z = 2² and dz/db = 2 · 2
    // Typing updates the link.
    await page.click(".cm-content");
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\n# shared by link");
    await page.waitForFunction(() => {
      const bytes = Uint8Array.from(atob(location.hash.slice("#src=".length).replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      return new TextDecoder().decode(bytes).endsWith("# shared by link");
    });
    await nextPicture(page, seen + 1);
    const update = (await stats(page)).lastUpdate;
    console.log(`playground: an edit redrawn in ${update.toFixed(0)} ms (40 ms of it the debounce)`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('underlines a mistyped op with the compiler\'s "Did you mean" message, at its line', async () => {
    const text = "graph typo {\n  input x: [3] = [1, -2, 3]\n  y = (x)\n  s = sum(y)\n  output s\n  grad s wrt x\n}";
    const { page, problems } = await openPage(text);
    await typeOnLine(page, 3, "(x)".length, "rleu");
    const squiggle = page.locator(".cm-lintRange-error");
    // The linter runs 100 ms after the last keystroke: a slow typist sees "r" underlined first.
    await expect.poll(() => squiggle.allTextContents(), { timeout: 10_000 }).toEqual(["rleu"]);
    const lines = await editorLines(page);
    const line = await squiggle.first().evaluate((el) => el.closest(".cm-line")?.textContent);
    expect(line).toBe("  y = rleu(x)");
    expect(lines.indexOf(line!)).toBe(2); // the third line, where it was typed
    await squiggle.first().hover();
    const tooltip = page.locator(".cm-tooltip-lint");
    await tooltip.waitFor({ timeout: 10_000 });
    expect(await tooltip.textContent()).toContain('Unknown op "rleu". Did you mean "relu"?');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("completes and hovers from the language service", async () => {
    const text = "graph hints {\n  input x: [3] = [1, -2, 3]\n  y = \n  output y\n  grad y wrt x\n}";
    const { page } = await openPage(text, { picture: false }); // the text does not compile: no picture is drawn
    await typeOnLine(page, 3, 0, "sigm");
    const option = page.locator(".cm-tooltip-autocomplete li", { hasText: "sigmoid" });
    await option.first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(150); // CodeMirror ignores an Enter within 75 ms of the list opening
    await page.keyboard.press("Enter");
    await page.keyboard.type("(x)");
    expect((await editorLines(page))[2]).toBe("  y = sigmoid(x)");
    await page.locator(".cm-line", { hasText: "input x" }).locator("text=x").first().hover();
    const hover = page.locator(".gradc-hover");
    await hover.waitFor({ timeout: 10_000 });
    expect(await hover.textContent()).toContain("[3]");
    await page.close();
  });

  it("reruns forward and backward when a value changes: apple = 150 gives the book's price 330, dapple 2.2", async () => {
    const { page, problems } = await openPage();
    expect(await pictureTexts(page)).not.toContain("330");
    await page.click("#tab-values");
    const seen = await pictures(page);
    await page.fill("#value-input-apple", "150");
    await nextPicture(page, seen);
    await page.click("#tab-picture");
    const texts = await pictureTexts(page);
    expect(texts).toContain("150");
    expect(texts).toContain("330"); // 150 · 2 · 1.1
    expect(texts).toContain("2.2"); // dprice/dapple = apple_num · tax, unchanged
    expect(texts).toContain("165"); // dprice/dapple_num = apple · tax = 150 · 1.1
    expect(texts).not.toContain("220");
    const update = (await stats(page)).lastUpdate;
    console.log(`playground: a value's change redrawn in ${update.toFixed(0)} ms`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the generated module in the chosen language, target and element type, and downloads it", async () => {
    const { page, problems } = await openPage();
    await page.click("#tab-code");
    await page.waitForFunction(() => document.getElementById("code-text")!.textContent!.includes("export function forward(inputs: Inputs"));
    await page.selectOption("#code-lang", "js");
    await page.selectOption("#code-target", "wasm");
    await page.selectOption("#code-dtype", "f32");
    await page.waitForFunction(() => document.getElementById("code-text")!.textContent!.includes("export function forward(inputs, params)"));
    const shown = await page.textContent("#code-text");
    expect(shown).toContain('dtype: "f32"');
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#code-download")]);
    expect(download.suggestedFilename()).toBe("apple.js");
    expect(readFileSync((await download.path())!, "utf8")).toBe(shown);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("checks the gradients of every example, every row ok", async () => {
    const { page, problems } = await openPage();
    await page.click("#tab-check");
    const examples = await page.$$eval("#examples option", (options) => options.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ""));
    expect(examples.length).toBeGreaterThanOrEqual(10);
    for (const example of examples) {
      await page.evaluate(() => (document.getElementById("check-summary")!.textContent = ""));
      await page.selectOption("#examples", example);
      await page.waitForFunction(() => /agree|disagree|errors|could not/.test(document.getElementById("check-summary")!.textContent ?? ""), undefined, { timeout: 30_000 });
      const rows = await page.$$eval("#check-rows tr", (trs) => trs.map((tr) => [(tr as HTMLElement).dataset["ok"], tr.lastElementChild?.textContent]));
      expect(rows.length, example).toBeGreaterThan(0);
      expect(rows, example).toEqual(rows.map(() => ["true", "ok"]));
      expect(await page.textContent("#check-summary"), example).toContain("all gradients agree");
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it("trains the TwoLayerNet on the bundled digits in a worker: one epoch of SGD (lr 0.5, batch 20) passes 0.8 test accuracy", async () => {
    const { page, problems } = await openPage();
    await page.selectOption("#examples", "two_layer_net");
    await page.click("#tab-train");
    await page.waitForFunction(() => !(document.getElementById("train-start") as HTMLButtonElement).disabled);
    await page.fill('#train-form [name="epochs"]', "1");
    await page.fill('#train-form [name="batch"]', "20");
    await page.fill('#train-form [name="lr"]', "0.5");
    await page.click("#train-start");
    await page.waitForFunction(() => document.getElementById("train-status")!.dataset["seconds"] !== undefined, undefined, { timeout: 60_000 });
    const status = await page.textContent("#train-status");
    const accuracy = Number(await page.$eval("#train-status", (el) => (el as HTMLElement).dataset["testAccuracy"]));
    console.log(`playground: ${status}`);
    expect(accuracy).toBeGreaterThan(0.8);
    expect(await page.$eval("#train-progress", (p) => (p as HTMLProgressElement).value)).toBe(1);
    // uPlot drew both charts, the loss one with a point per fifth batch: 7996 / 20 = 400 batches.
    expect(await page.locator("#loss-chart canvas").count()).toBe(1);
    expect(await page.locator("#accuracy-chart canvas").count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it("works offline once loaded: reloaded without a network, it draws, formats code and trains", async () => {
    const { page, problems } = await openPage();
    // The service worker has cached the site once it is active.
    const serviceWorker = await page.evaluate(() =>
      Promise.race([navigator.serviceWorker.ready.then(() => "ready"), new Promise<string>((r) => setTimeout(() => r("no service worker"), 20_000))]),
    );
    expect(serviceWorker).toBe("ready");
    await page.context().setOffline(true);
    await page.reload();
    await nextPicture(page, 0);
    expect(await pictureTexts(page)).toContain("220");
    await page.click("#tab-code"); // Prettier is loaded only now
    await page.waitForFunction(() => document.getElementById("code-text")!.textContent!.includes("export function backward"));
    await page.selectOption("#examples", "two_layer_net");
    await page.click("#tab-train");
    await page.fill('#train-form [name="epochs"]', "1");
    await page.click("#train-start"); // the worker and the digits come from the cache
    await page.waitForFunction(() => document.getElementById("train-status")!.dataset["seconds"] !== undefined, undefined, { timeout: 60_000 });
    expect(await page.textContent("#train-status")).toMatch(/^Done: 1 epoch\(s\)/);
    expect(problems).toEqual([]);
    // The network was off all along: a file the site does not have (a 404 online) cannot be fetched.
    expect(await page.evaluate(() => fetch(`missing-${Date.now()}.txt`).then(() => "online", () => "offline"))).toBe("offline");
    await page.close();
  }, 90_000);

  it("labels every control, and switches panels by keyboard (tabs with arrow keys)", async () => {
    const { page } = await openPage();
    for (const panel of ["values", "train"]) await page.click(`#tab-${panel}`); // fields are made on show
    const unlabelled = await page.$$eval("input, select, textarea, button, [contenteditable=true]", (controls) =>
      controls
        .filter((c) => {
          const labelled = (c as HTMLInputElement).labels?.length || c.getAttribute("aria-label") || c.getAttribute("aria-labelledby");
          return !labelled && !(c.tagName === "BUTTON" && c.textContent?.trim());
        })
        .map((c) => c.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    expect(await page.locator('[role="tablist"] [role="tab"]').count()).toBe(6);
    await page.focus("#tab-train");
    await page.keyboard.press("ArrowRight"); // wraps to the first tab
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("tab-picture");
    await page.keyboard.press("ArrowRight");
    expect(await page.getAttribute("#tab-values", "aria-selected")).toBe("true");
    expect(await page.isVisible("#panel-values")).toBe(true);
    expect(await page.isVisible("#panel-picture")).toBe(false);
    await page.keyboard.press("End");
    expect(await page.getAttribute("#tab-train", "aria-selected")).toBe("true");
    await page.close();
  });
});
