// The `gradc/plugin` entry: one bundler plugin for Vite and Rollup (built on unplugin) and
// esbuild, so that `import * as net from "./net.graph"` gives the compiled module. Each graph file is
// compiled to JavaScript as `gradc compile --lang js` does; its mistakes become the bundler's
// errors, placed in the graph file; and its declarations are written beside it
// (`net.d.graph.ts`), where TypeScript with `allowArbitraryExtensions` finds them.
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import type { OnLoadResult, PartialMessage, PluginBuild } from "esbuild";
import { createRollupPlugin, createVitePlugin, type UnpluginFactory, type UnpluginMessage } from "unplugin";
import { compile, formatDiagnostic, formatDiagnostics, type Diagnostic, type Dtype, type Target } from "../index.js";
import { UserError } from "../cli/files.js";
import { sidecarPath, sidecarSourceName, writeIfChanged } from "../cli/sidecar.js";

/** How the plugin compiles graph files; the same choices as `gradc compile`'s options. */
export interface GradcPluginOptions {
  /** Element type of tensors: `f64` (`Float64Array`, the default) or `f32` (`Float32Array`). */
  readonly dtype?: Dtype;
  /** `ts` (the default): readable loops; `wasm`: the matrix products in WebAssembly SIMD. */
  readonly target?: Target;
  /** Write each graph file's declarations beside it, `net.graph` → `net.d.graph.ts` (default `true`). */
  readonly declarations?: boolean;
}

/** A plugin for the `plugins` of a Vite or Rollup configuration. */
export interface RollupStylePlugin {
  readonly name: string;
}

/** A plugin for the `plugins` of an esbuild build. */
export interface EsbuildStylePlugin {
  readonly name: string;
  /** Called by esbuild with its `PluginBuild`. */
  setup(build: unknown): void | Promise<void>;
}

/** The plugin, one function per bundler: `gradc.vite()`, `gradc.rollup()`, `gradc.esbuild()`. */
export interface GradcPlugin {
  /** For Vite's `plugins`. */
  vite(options?: GradcPluginOptions): RollupStylePlugin;
  /** For Rollup's `plugins`. */
  rollup(options?: GradcPluginOptions): RollupStylePlugin;
  /** For esbuild's `plugins`. */
  esbuild(options?: GradcPluginOptions): EsbuildStylePlugin;
}

/** A graph file's module id. (With a query, as in Vite's `./net.graph?raw`, it is left to the bundler.) */
const GRAPH = /\.graph$/;

interface Compiled {
  readonly file: string;
  readonly source: string;
  readonly code?: string;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  /** Why the declarations could not be written beside the graph file, if they could not. */
  readonly unwritten?: string;
}

/** Compiles one graph file to JavaScript and writes its declarations beside it (when asked). */
async function compileGraph(file: string, options: GradcPluginOptions): Promise<Compiled> {
  const source = await readFile(file, "utf8");
  const result = await compile(source, {
    lang: "js",
    declarations: true,
    dtype: options.dtype ?? "f64",
    target: options.target ?? "ts",
    file: sidecarSourceName(file),
  });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  const warnings = result.diagnostics.filter((d) => d.severity !== "error");
  if (!result.code || result.declarations === undefined) return { file, source, errors, warnings };
  if (options.declarations === false) return { file, source, code: result.code, errors, warnings };
  try {
    writeIfChanged(sidecarPath(file), result.declarations, [file]);
    return { file, source, code: result.code, errors, warnings };
  } catch (e) {
    // The module is still good: the bundle is built, and the bundler warns.
    if (!(e instanceof UserError)) throw e;
    return { file, source, code: result.code, errors, warnings, unwritten: e.message };
  }
}

/** The file as messages name it: from the current folder, as the bundlers name theirs. */
const shown = (file: string) => relative(process.cwd(), file) || file;

/**
 * A diagnostic as Rollup and Vite take it: the message, its place (line from 1, column from 0,
 * their convention) and the source line with a caret; any further diagnostics follow in gradc's
 * format, since the first error thrown stops the build.
 */
function rollupMessage(diagnostics: readonly Diagnostic[], c: Compiled): UnpluginMessage & { frame?: string } {
  const [first, ...rest] = diagnostics;
  if (!first) return { message: "" };
  const more = rest.length > 0 ? `\n${formatDiagnostics(rest, shown(c.file), c.source)}` : "";
  if (!first.span) return { message: `${shown(c.file)}: ${first.message}${more}`, stack: "" };
  const frame = formatDiagnostic(first, shown(c.file), c.source).split("\n").slice(1).join("\n");
  const loc = { file: c.file, line: first.span.line, column: first.span.column - 1 };
  // No stack: it would show the plugin's insides, and the mistake is the user's. With more than
  // one mistake the first one's source line goes in the message, before the others (the
  // bundlers print a frame after the whole message, where it would sit under the last one).
  if (more) return { message: `${first.message}\n${frame}${more}`, loc, stack: "" };
  return { message: first.message, loc, frame, stack: "" };
}

/** A diagnostic as esbuild takes it: its place (column from 0, in bytes) and its line, which esbuild shows. */
function esbuildMessage(d: Diagnostic, c: Compiled): PartialMessage {
  if (!d.span) return { text: d.message, location: { file: c.file, line: 1, column: 0, lineText: "" } };
  const lineText = c.source.split(/\r\n|\r|\n/)[d.span.line - 1] ?? "";
  const before = lineText.slice(0, d.span.column - 1);
  const length = Math.max(1, Math.min(d.span.end - d.span.start, lineText.length - before.length));
  const bytes = (s: string) => Buffer.byteLength(s, "utf8");
  return {
    text: d.message,
    location: { file: c.file, line: d.span.line, column: bytes(before), length: bytes(lineText.slice(before.length, before.length + length)), lineText },
  };
}

/** Vite and Rollup, through unplugin: a `load` hook for graph files. */
const factory: UnpluginFactory<GradcPluginOptions | undefined, false> = (options = {}) => ({
  name: "gradc",
  enforce: "pre",
  load: {
    filter: { id: GRAPH },
    async handler(id) {
      const c = await compileGraph(id, options);
      for (const d of c.warnings) this.warn(rollupMessage([d], c));
      if (c.unwritten) this.warn(c.unwritten);
      if (c.code === undefined) {
        this.error(rollupMessage(c.errors, c)); // throws
        return undefined;
      }
      return c.code;
    },
  },
});

/**
 * esbuild, through its own `onLoad`: it takes every error, each placed with its source line.
 * (unplugin's esbuild adapter keeps only the file, line and column of an error, and would add
 * nothing else here.)
 */
function esbuildPlugin(options: GradcPluginOptions = {}): EsbuildStylePlugin {
  return {
    name: "gradc",
    setup(build: PluginBuild) {
      build.onLoad({ filter: GRAPH, namespace: "file" }, async (args): Promise<OnLoadResult> => {
        const c = await compileGraph(args.path, options);
        return {
          contents: c.code ?? "",
          loader: "js",
          errors: c.errors.map((d) => esbuildMessage(d, c)),
          warnings: [...c.warnings.map((d) => esbuildMessage(d, c)), ...(c.unwritten ? [{ text: c.unwritten }] : [])],
          watchFiles: [c.file],
        };
      });
    },
  };
}

// One unplugin creator per bundler rather than createUnplugin, so the bundle holds only these
// adapters. (Their types allow an array of plugins, which this factory, returning one, never gives.)
/** The plugin: `gradc.vite()`, `gradc.rollup()` or `gradc.esbuild()`, each with the same options. */
const gradc: GradcPlugin = {
  vite: createVitePlugin(factory) as GradcPlugin["vite"],
  rollup: createRollupPlugin(factory) as GradcPlugin["rollup"],
  esbuild: esbuildPlugin,
};

export default gradc;
