// Owns the text that pictures and explanations put on values: numbers rounded for reading,
// tensors summarised, ops named as the book names them, and a name for every value.
import type { Graph, Node } from "../ir/graph.js";
import { shapeToString } from "../ir/shape.js";
import type { OpName } from "../ops/names.js";
import { opDef } from "../ops/registry.js";
import type { Value } from "../runtime/tensor.js";

export { FONT, FONT_FALLBACKS } from "./font.js";

/** Significant digits of a number on a picture: 220, not 220.00000000000003. */
const DIGITS = 6;
/** Tensors with at most this many elements are written out in full. */
const SMALL_TENSOR = 4;

/** A number rounded to `digits` significant digits, in its shortest form. */
export function formatNumber(v: number, digits = DIGITS): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v === 0) return "0";
  return String(Number(v.toPrecision(digits)));
}

/** A value for a picture: a scalar as its number, a tensor as its elements or its mean and max. */
export function summarizeValue(value: Value): string {
  if (typeof value === "number") return formatNumber(value);
  const { data } = value;
  if (data.length <= SMALL_TENSOR) return `[${Array.from(data, (v) => formatNumber(v, 4)).join(", ")}]`;
  let sum = 0;
  let max = -Infinity;
  for (const v of data) {
    sum += v;
    if (v > max || Number.isNaN(v)) max = v;
  }
  return `mean ${formatNumber(sum / data.length, 4)}, max ${formatNumber(max, 4)}`;
}

/** How pictures label an op node: the registry's label (the book's name) and its attributes. */
export function opLabel(node: Node): string {
  const attrs = Object.keys(node.attrs)
    .sort()
    .map((k) => `${k}=${node.attrs[k]}`);
  return [opDef(node.op as OpName).label, ...attrs].join(" ");
}

/** A shape as pictures print it; nothing for a scalar. */
export function shapeLabel(node: Node): string {
  return node.shape.length === 0 ? "" : shapeToString(node.shape);
}

/** The user's name of a value, if it has one. */
export function valueName(graph: Graph, node: Node): string | undefined {
  return node.name ?? graph.info.get(node)?.name;
}
