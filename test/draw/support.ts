// What the drawing tests share: a strict XML check, the text an SVG shows, and a graph's
// picture with a run's numbers, made the way `gradc graph --values` makes it.
import { readFileSync } from "node:fs";
import { XMLValidator } from "fast-xml-parser";
import { expect } from "vitest";
import { analyze, compile, graphDot, loadModule, runPicture, type GraphDotOptions, type Value } from "../../src/index.js";

/** Fails unless `text` is well-formed XML. */
export function expectValidXml(text: string): void {
  expect(XMLValidator.validate(text)).toBe(true);
}

/** The text of every `<text>` element of an SVG, entities decoded. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#45;/g, "-").replace(/&amp;/g, "&"),
  );
}

export function example(name: string): string {
  return readFileSync(`examples/${name}.graph`, "utf8");
}

/** The DOT of a graph's picture; with `values`, after one run with the graph's own defaults. */
export async function pictureDot(
  source: string,
  options: Omit<GraphDotOptions, "values"> & { values?: boolean; inputs?: Record<string, Value> } = {},
): Promise<string> {
  const { values: run, inputs, ...drawing } = options;
  if (!run) {
    const { graph, diagnostics } = analyze(source);
    expect(diagnostics).toEqual([]);
    return graphDot(graph!, drawing);
  }
  const { graph, code, diagnostics } = await compile(source, { observe: true, lang: "js" });
  expect(diagnostics).toEqual([]);
  const module = await loadModule(code!);
  const values = runPicture(module, graph!, inputs ?? {}, module.init(0));
  return graphDot(graph!, { ...drawing, values });
}
