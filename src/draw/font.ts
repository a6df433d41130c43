// Owns the font pictures use: Graphviz lays them out with its metrics, PNGs are drawn with it
// (gradc ships the file), and an SVG viewer without it falls back to the others.
export const FONT = "DejaVu Sans";
export const FONT_FALLBACKS = "DejaVu Sans,Verdana,Geneva,sans-serif";
