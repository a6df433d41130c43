// Owns turning pictures into SVG: DOT laid out and drawn by Graphviz compiled to WebAssembly
// (@viz-js/viz), loaded on first use (most calls never draw), in Node and in browsers alike.
// PNGs are Node-only (src/node/png.ts).
import type { Viz } from "@viz-js/viz";
import { InternalError } from "../diagnostics.js";
import { FONT, FONT_FALLBACKS } from "./labels.js";

let viz: Promise<Viz> | undefined;

/** DOT text laid out and drawn as an SVG document by Graphviz's `dot`. */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  const result = (await viz).render(dot, { format: "svg", engine: "dot" });
  if (result.status !== "success") {
    throw new InternalError(`Graphviz refused the picture: ${result.errors.map((e) => e.message).join("; ")}`);
  }
  return result.output.replaceAll(`font-family="${FONT}"`, `font-family="${FONT_FALLBACKS}"`);
}
