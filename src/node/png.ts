// Owns SVG → PNG: resvg compiled to WebAssembly (@resvg/resvg-wasm) with the DejaVu Sans font
// gradc ships, so an image comes out the same on every machine and needs no native install.
// Loaded on first use.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { FONT } from "../draw/font.js";
import { assetPath } from "./assets.js";

const require = createRequire(import.meta.url);

let resvg: Promise<typeof import("@resvg/resvg-wasm")> | undefined;
let font: Uint8Array | undefined;

/** The font PNGs are drawn with: wide coverage (×, Σ, ᵀ, ∂, ⊗) and the same everywhere. */
const PNG_FAMILY = FONT;

/** An SVG document as PNG bytes, `scale` times its size, on a white background. */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  resvg ??= import("@resvg/resvg-wasm").then(async (m) => {
    await m.initWasm(readFileSync(require.resolve("@resvg/resvg-wasm/index_bg.wasm")));
    return m;
  });
  const { Resvg } = await resvg;
  font ??= readFileSync(assetPath("DejaVuSans.ttf"));
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
