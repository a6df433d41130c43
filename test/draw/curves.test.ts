// `gradc train --plot`'s picture: a Vega chart of loss and accuracies per epoch, as SVG.
import { describe, expect, it } from "vitest";
import type { EpochStats } from "../../src/index.js";
import { trainingCurves } from "../../src/node/index.js";
import { expectValidXml, svgTexts } from "./support.js";

const history: EpochStats[] = [
  { epoch: 1, loss: 0.9, trainAccuracy: 0.7, testAccuracy: 0.65, seconds: 1, stepSeconds: 0.8, dataSeconds: 0.1, evalSeconds: 0.1 },
  { epoch: 2, loss: 0.5, trainAccuracy: 0.85, testAccuracy: 0.8, seconds: 1, stepSeconds: 0.8, dataSeconds: 0.1, evalSeconds: 0.1 },
  { epoch: 3, loss: 0.3, trainAccuracy: 0.92, testAccuracy: 0.88, seconds: 1, stepSeconds: 0.8, dataSeconds: 0.1, evalSeconds: 0.1 },
];

describe("trainingCurves", () => {
  it("draws valid SVG with the axes, the legend and the title, the same on every run", async () => {
    const svg = await trainingCurves(history, "two_layer_net on mnist");
    expectValidXml(svg);
    expect(await trainingCurves(history, "two_layer_net on mnist")).toBe(svg);
    const texts = svgTexts(svg);
    for (const t of ["epoch", "mean loss", "accuracy", "loss", "train accuracy", "test accuracy", "two_layer_net on mnist"]) {
      expect(texts).toContain(t);
    }
    expect(svg).toMatch(/<path[^>]*d="M/); // the lines are drawn as paths by Vega
  });

  it("draws a single epoch, and loss alone when there is no accuracy", async () => {
    const svg = await trainingCurves([{ epoch: 1, loss: 2.3, seconds: 1, stepSeconds: 0.8, dataSeconds: 0.1, evalSeconds: 0.1 }], "one");
    expectValidXml(svg);
    const texts = svgTexts(svg);
    expect(texts).toContain("mean loss");
    expect(texts).not.toContain("accuracy");
  });
});
