// Owns the picture of a training run: the mean loss (left axis) and the train and test
// accuracies (right axis) per epoch, as a Vega chart rendered to SVG headless. Vega is loaded
// on first use: only `train --plot` draws curves.
import type { Spec } from "vega";
import type { EpochStats } from "../train/trainer.js";
import { FONT_FALLBACKS } from "./font.js";

const COLORS = { loss: "#2f5f8a", "train accuracy": "#e67e22", "test accuracy": "#27ae60" } as const;

/** The Vega specification of the curves (a Vega `Spec`); `title` names the run. */
export function trainingCurvesSpec(history: readonly EpochStats[], title: string): object {
  const loss = history.map((s) => ({ epoch: s.epoch, value: s.loss }));
  const accuracy = history.flatMap((s) => [
    ...(s.trainAccuracy !== undefined ? [{ epoch: s.epoch, series: "train accuracy", value: s.trainAccuracy }] : []),
    ...(s.testAccuracy !== undefined ? [{ epoch: s.epoch, series: "test accuracy", value: s.testAccuracy }] : []),
  ]);
  const series = ["loss", ...new Set(accuracy.map((a) => a.series))] as (keyof typeof COLORS)[];
  const lastEpoch = Math.max(2, ...history.map((s) => s.epoch));
  const line = (data: string, scale: string, color: object) => ({
    type: "line",
    from: { data },
    encode: {
      enter: {
        x: { scale: "epoch", field: "epoch" },
        y: { scale, field: "value" },
        stroke: color,
        strokeWidth: { value: 2 },
      },
    },
  });
  const points = (data: string, scale: string, color: object) => ({
    type: "symbol",
    from: { data },
    encode: {
      enter: {
        x: { scale: "epoch", field: "epoch" },
        y: { scale, field: "value" },
        fill: color,
        size: { value: 24 },
      },
    },
  });
  const seriesColor = { scale: "color", field: "series" };
  return {
    $schema: "https://vega.github.io/schema/vega/v6.json",
    width: 520,
    height: 260,
    padding: 8,
    autosize: "pad",
    background: "white",
    title: { text: title, font: FONT_FALLBACKS, fontSize: 13 },
    config: { axis: { labelFont: FONT_FALLBACKS, titleFont: FONT_FALLBACKS }, legend: { labelFont: FONT_FALLBACKS } },
    data: [
      { name: "loss", values: loss },
      { name: "accuracy", values: accuracy },
    ],
    scales: [
      { name: "epoch", type: "linear", domain: [1, lastEpoch], range: "width", zero: false, nice: false },
      { name: "loss", type: "linear", domain: { data: "loss", field: "value" }, range: "height", zero: true, nice: true },
      { name: "accuracy", type: "linear", domain: [0, 1], range: "height" },
      { name: "color", type: "ordinal", domain: series, range: series.map((s) => COLORS[s]) },
    ],
    axes: [
      { orient: "bottom", scale: "epoch", title: "epoch", tickMinStep: 1, format: "d" },
      { orient: "left", scale: "loss", title: "mean loss", grid: true },
      ...(accuracy.length > 0 ? [{ orient: "right" as const, scale: "accuracy", title: "accuracy", format: ".0%" }] : []),
    ],
    legends: [{ stroke: "color", fill: "color", orient: "bottom", direction: "horizontal", symbolType: "stroke" }],
    marks: [
      line("loss", "loss", { value: COLORS.loss }),
      points("loss", "loss", { value: COLORS.loss }),
      {
        type: "group",
        from: { facet: { name: "series", data: "accuracy", groupby: "series" } },
        marks: [line("series", "accuracy", seriesColor), points("series", "accuracy", seriesColor)],
      },
    ],
  } as Spec;
}

/** The curves of a training run as an SVG document. */
export async function trainingCurves(history: readonly EpochStats[], title = "training"): Promise<string> {
  const vega = await import("vega");
  const view = new vega.View(vega.parse(trainingCurvesSpec(history, title) as Spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
