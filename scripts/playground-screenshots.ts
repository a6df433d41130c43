// `npm run playground:screenshots`: pictures of each panel of the playground for
// docs/playground.md, taken in headless Chromium from the site as `npm run playground:build`
// makes it (built into a temporary folder and served from a sub-path, as the tests do).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nextPicture, pictures, startPlayground, typeOnLine } from "../test/support/playground.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "docs", "playground");
mkdirSync(out, { recursive: true });

const site = await startPlayground(root);
try {
  const { page, problems } = await site.open({ width: 1280, height: 760 });
  const shoot = async (name: string) => {
    await page.mouse.move(0, 0); // no hover tooltips unless asked for
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(`wrote docs/playground/${name}.png`);
  };
  const show = async (tab: string) => {
    await page.click(`#tab-${tab}`);
    await page.waitForTimeout(500);
  };
  await page.goto(site.url);
  await nextPicture(page, 0);

  // Values: apple = 150, then the picture with the book's numbers, and with the backward graph.
  await show("values");
  let seen = await pictures(page);
  await page.fill("#value-input-apple", "150");
  await nextPicture(page, seen);
  await shoot("values");
  await show("picture");
  await shoot("picture");
  seen = await pictures(page);
  await page.check("#draw-backward");
  await nextPicture(page, seen);
  await shoot("picture-backward");
  await page.uncheck("#draw-backward");

  for (const tab of ["gradient", "code", "check"]) {
    await show(tab);
    if (tab === "check") await page.waitForFunction(() => /agree/.test(document.getElementById("check-summary")!.textContent ?? ""));
    await shoot(tab);
  }

  // A mistake: the squiggle and its message.
  await page.selectOption("#examples", "two_layer_net");
  await show("picture");
  await typeOnLine(page, 10, "relu(affine(x, W1, b1))".length, "");
  for (let i = 0; i < "relu".length; i++) await page.keyboard.press("Delete");
  await page.keyboard.type("rleu");
  await page.locator(".cm-lintRange-error").first().waitFor();
  await page.waitForTimeout(300);
  await page.locator(".cm-lintRange-error").first().hover();
  await page.locator(".cm-tooltip-lint").waitFor();
  await page.screenshot({ path: join(out, "diagnostic.png") });
  console.log("wrote docs/playground/diagnostic.png");

  // Training: the book's settings (SGD, lr 0.1, batch 100, 17 epochs).
  await page.selectOption("#examples", "two_layer_net");
  await show("train");
  await page.click("#train-start");
  await page.waitForFunction(() => document.getElementById("train-status")!.dataset["seconds"] !== undefined, undefined, { timeout: 120_000 });
  console.log(await page.textContent("#train-status"));
  await shoot("train");
  if (problems.length > 0) throw new Error(`The page reported problems:\n${problems.join("\n")}`);
} finally {
  await site.close();
}
