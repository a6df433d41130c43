// Owns the sidecar declarations of a graph file: `net.graph` → `net.d.graph.ts`, the file
// TypeScript reads (with `allowArbitraryExtensions`) for the types of `import … from "./net.graph"`
// when a bundler plugin compiles the graph file itself. `gradc compile --dts` and gradc/plugin
// both write it, with the same text, and only when that text changed.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { writeAtomically } from "./files.js";

/** Where TypeScript looks for the types of a module file: `net.graph` → `net.d.graph.ts`. */
export function sidecarPath(file: string): string {
  const dot = file.lastIndexOf(".");
  const slash = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  if (dot <= slash + 1) return `${file}.d.ts`;
  return `${file.slice(0, dot)}.d${file.slice(dot)}.ts`;
}

/**
 * The name a sidecar's header gives its graph file: the file beside it, by its own name, so the
 * text does not depend on where the writer was run from.
 */
export function sidecarSourceName(file: string): string {
  return basename(file);
}

/** Writes `text` to `path` (never over one of `inputs`) unless the file holds it already. */
export function writeIfChanged(path: string, text: string, inputs: readonly string[]): boolean {
  try {
    if (readFileSync(path, "utf8") === text) return false;
  } catch {
    // Missing or unreadable: write it (writeAtomically says what is wrong if that fails too).
  }
  writeAtomically(path, text, inputs);
  return true;
}
