// Owns turning pictures into images: DOT to SVG with Graphviz compiled to WebAssembly
// (@viz-js/viz), SVG to PNG with resvg compiled to WebAssembly (@resvg/resvg-wasm) and the
// DejaVu Sans font from a package, so an image comes out the same on every machine and needs no
// native install. Both are loaded on first use: most commands never draw.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Viz } from "@viz-js/viz";
import { InternalError } from "../diagnostics.js";
import { FONT, FONT_FALLBACKS } from "./labels.js";

const require = createRequire(import.meta.url);

let viz: Promise<Viz> | undefined;
let resvg: Promise<typeof import("@resvg/resvg-wasm")> | undefined;
let font: Uint8Array | undefined;

/** The font PNGs are drawn with: wide coverage (×, Σ, ᵀ, ∂, ⊗) and the same everywhere. */
const PNG_FONT = "dejavu-fonts-ttf/ttf/DejaVuSans.ttf";
const PNG_FAMILY = FONT;

/** DOT text laid out and drawn as an SVG document by Graphviz's `dot`. */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  const result = (await viz).render(dot, { format: "svg", engine: "dot" });
  if (result.status !== "success") {
    throw new InternalError(`Graphviz refused the picture: ${result.errors.map((e) => e.message).join("; ")}`);
  }
  return result.output.replaceAll(`font-family="${FONT}"`, `font-family="${FONT_FALLBACKS}"`);
}

/** An SVG document as PNG bytes, `scale` times its size, on a white background. */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  resvg ??= import("@resvg/resvg-wasm").then(async (m) => {
    await m.initWasm(readFileSync(require.resolve("@resvg/resvg-wasm/index_bg.wasm")));
    return m;
  });
  const { Resvg } = await resvg;
  font ??= readFileSync(require.resolve(PNG_FONT));
  const image = new Resvg(svg, {
    font: {
      fontBuffers: [font],
      defaultFontFamily: PNG_FAMILY,
      sansSerifFamily: PNG_FAMILY,
      serifFamily: PNG_FAMILY,
      monospaceFamily: PNG_FAMILY,
    },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
  });
  try {
    return image.render().asPng();
  } finally {
    image.free();
  }
}
