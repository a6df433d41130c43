// `gradc compile`: graph files to modules, TypeScript or JavaScript (with its declarations),
// on standard output, to -o FILE, or one per graph file into --out-dir.
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { compile, type Dtype, type Lang, type Target } from "../../index.js";
import { jsonDiagnostics, jsonUserError, reportDiagnostics, type JsonDiagnostic } from "../common.js";
import { checkNotAnInput, checkWritable, displayName, readSource, UserError, writeAtomically } from "../files.js";
import type { Io } from "../io.js";
import { UsageError } from "../options.js";
import { sidecarPath, sidecarSourceName } from "../sidecar.js";

interface CompileOptions {
  output?: string;
  outDir?: string;
  lang?: Lang;
  dts?: boolean;
  graph?: string;
  dtype: Dtype;
  target: Target;
  json?: boolean;
  watch?: boolean;
}

/** Where one file's module goes: standard output, or a file (and its declarations beside it). */
interface Plan {
  readonly file: string;
  readonly output?: string;
  readonly declarations?: string;
  /** -o NAME.d.ts, or --dts alone: only the declarations. */
  readonly declarationsOnly?: boolean;
  /** --dts alone: the declarations beside the graph file (`net.d.graph.ts`), for a bundler's import. */
  readonly sidecar?: boolean;
}

/** The language an output file's name asks for, if any. */
function langOf(path: string): Lang | "dts" | undefined {
  const name = path.toLowerCase();
  if (/\.d\.[mc]?ts$/.test(name)) return "dts";
  if (/\.[mc]?ts$/.test(name)) return "ts";
  if (/\.[mc]?js$/.test(name)) return "js";
  return undefined;
}

/** `net.js` → `net.d.ts`, `net.mjs` → `net.d.mts`: where TypeScript looks for a module's types. */
function declarationsPath(output: string): string {
  const ext = extname(output);
  const dts = ext === ".mjs" ? ".d.mts" : ext === ".cjs" ? ".d.cts" : ".d.ts";
  return `${output.slice(0, output.length - ext.length)}${dts}`;
}

function plan(files: readonly string[], opts: CompileOptions): { lang: Lang; plans: Plan[] } {
  if (opts.output !== undefined && opts.outDir !== undefined) throw new UsageError("give either -o or --out-dir, not both");
  if (opts.dts && opts.output === undefined && opts.outDir === undefined) {
    if (opts.lang === "ts") throw new UsageError("--dts goes with JavaScript output (--lang js, or -o NAME.js)");
    if (files.includes("-")) throw new UsageError("--dts alone writes beside each graph file, so standard input (-) cannot be one; give -o NAME.js");
    return { lang: "js", plans: files.map((file) => ({ file, output: sidecarPath(file), declarationsOnly: true, sidecar: true })) };
  }
  if (files.length > 1 && opts.outDir === undefined) {
    throw new UsageError(`${files.length} graph files need --out-dir DIR (-o names one output)`);
  }
  if (opts.output !== undefined && /\.cjs$/i.test(opts.output)) {
    throw new UsageError(`-o ${opts.output}: gradc writes ES modules; name the file .js or .mjs`);
  }
  const fromName = opts.output === undefined ? undefined : langOf(opts.output);
  if (fromName === "dts") {
    if (opts.lang === "ts") throw new UsageError(`-o ${opts.output} writes the declarations of JavaScript output; drop --lang ts`);
    return { lang: "js", plans: [{ file: files[0]!, output: opts.output, declarationsOnly: true }] };
  }
  if (fromName !== undefined && opts.lang !== undefined && fromName !== opts.lang) {
    const kind = fromName === "js" ? "JavaScript" : "TypeScript";
    throw new UsageError(`-o ${opts.output} names a ${kind} file but --lang is ${opts.lang}`);
  }
  if (opts.output !== undefined && opts.output !== "-" && fromName === undefined && opts.lang === undefined) {
    // A path that cannot be written at all (an input, a folder) is refused as such first.
    checkNotAnInput(opts.output, files);
    checkWritable(opts.output);
    throw new UsageError(
      `-o ${opts.output}: the name does not say the language; name it .ts or .mts (TypeScript), .js or .mjs (JavaScript) or .d.ts (declarations), or give --lang`,
    );
  }
  const lang = opts.lang ?? fromName ?? "ts";
  if (opts.dts && lang !== "js") throw new UsageError("--dts goes with JavaScript output (--lang js, or -o NAME.js)");
  if (opts.outDir === undefined) {
    const output = opts.output;
    return { lang, plans: [{ file: files[0]!, output, declarations: opts.dts && output ? declarationsPath(output) : undefined }] };
  }
  const plans: Plan[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    if (file === "-") throw new UsageError("--out-dir names each module after its graph file, so standard input (-) cannot be one");
    const output = join(opts.outDir, `${basename(file).replace(/\.graph$/i, "")}.${lang}`);
    const other = seen.get(output);
    if (other !== undefined) throw new UsageError(`"${other}" and "${file}" would both be written to ${output}`);
    seen.set(output, file);
    plans.push({ file, output, declarations: opts.dts ? declarationsPath(output) : undefined });
  }
  return { lang, plans };
}

/** What compiling one plan gave: its diagnostics as JSON (with --json), what it wrote or printed. */
interface Outcome {
  readonly ok: boolean;
  readonly diagnostics: readonly JsonDiagnostic[];
  readonly written?: { readonly file: string; readonly output: string; readonly declarations?: string };
  readonly code?: string;
  readonly declarations?: string;
}

/** Compiles one plan's graph file and writes (or prints) its module; reports its diagnostics. */
async function compilePlan(io: Io, p: Plan, lang: Lang, opts: CompileOptions, inputs: readonly string[]): Promise<Outcome> {
  const name = displayName(p.file);
  const diagnostics: JsonDiagnostic[] = [];
  try {
    const source = readSource(p.file, io);
    const result = await compile(source, {
      graph: opts.graph,
      dtype: opts.dtype,
      // A sidecar names its graph file as the plugin does, so both write the same text.
      file: p.sidecar ? sidecarSourceName(p.file) : name,
      target: opts.target,
      lang,
      declarations: lang === "js" && (p.declarations !== undefined || p.declarationsOnly === true || (opts.json === true && !p.output)),
    });
    if (opts.json) diagnostics.push(...jsonDiagnostics(result.diagnostics, name, source));
    else reportDiagnostics(io, result.diagnostics, name, source);
    if (!result.code) return { ok: false, diagnostics };
    if (p.output === undefined) {
      if (!opts.json) io.out(result.code);
      return { ok: true, diagnostics, code: result.code, ...(result.declarations !== undefined ? { declarations: result.declarations } : {}) };
    }
    if (p.declarationsOnly) {
      writeAtomically(p.output, result.declarations!, inputs);
      return { ok: true, diagnostics, written: { file: name, output: p.output } };
    }
    if (p.declarations) writeAtomically(p.declarations, result.declarations!, inputs);
    writeAtomically(p.output, result.code, inputs);
    return { ok: true, diagnostics, written: { file: name, output: p.output, ...(p.declarations ? { declarations: p.declarations } : {}) } };
  } catch (e) {
    // One file that cannot be read or written is reported; the others are still compiled.
    if (!(e instanceof UserError)) throw e;
    if (opts.json) diagnostics.push(jsonUserError(e, name));
    else io.err(`${e.message}\n`);
    return { ok: false, diagnostics };
  }
}

export async function compileCommand(io: Io, files: string[], opts: CompileOptions): Promise<number> {
  const { lang, plans } = plan(files, opts);
  if (opts.watch) checkWatchable(files, plans, opts);
  if (opts.outDir !== undefined) mkdirSync(opts.outDir, { recursive: true });
  if (opts.watch) {
    const { watchFiles } = await import("../watch.js");
    // Each change compiles its file again; on errors the last good output stays in place.
    const compileWatched = async (p: Plan) => {
      const started = performance.now();
      const outcome = await compilePlan(io, p, lang, opts, files);
      if (!outcome.written) return;
      const { file, output, declarations } = outcome.written;
      const ms = Math.round(performance.now() - started);
      io.out(`compiled ${file} → ${[output, ...(declarations ? [declarations] : [])].join(", ")} (${ms} ms)\n`);
    };
    await watchFiles(io, files, {
      ready: async () => {
        for (const p of plans) await compileWatched(p);
      },
      changed: async (file) => {
        for (const p of plans.filter((q) => q.file === file)) await compileWatched(p);
      },
    });
    return 0;
  }
  const outcomes: Outcome[] = [];
  for (const p of plans) outcomes.push(await compilePlan(io, p, lang, opts, files));
  if (opts.json) {
    const diagnostics = outcomes.flatMap((o) => o.diagnostics);
    const written = plans.some((p) => p.output !== undefined);
    const printed = outcomes.find((o) => o.code !== undefined);
    const body = written
      ? { diagnostics, outputs: outcomes.flatMap((o) => (o.written ? [o.written] : [])) }
      : { diagnostics, ...(printed ? { code: printed.code } : {}), ...(printed?.declarations !== undefined ? { declarations: printed.declarations } : {}) };
    io.out(`${JSON.stringify(body, null, 2)}\n`);
  }
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

/** --watch writes files as they change, and prints as it goes. */
function checkWatchable(files: readonly string[], plans: readonly Plan[], opts: CompileOptions): void {
  if (opts.json) throw new UsageError("--watch prints as it goes; drop --json");
  if (files.includes("-")) throw new UsageError("--watch watches files; standard input (-) cannot be watched");
  if (plans.some((p) => p.output === undefined)) throw new UsageError("--watch writes files: give -o FILE, --out-dir DIR or --dts");
}
