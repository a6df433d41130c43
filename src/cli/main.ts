// The `gradc` command line: compile, run, grad and check. It uses only the public API.
// Exit codes: 0 success, 1 a problem with the user's files or values, 2 command-line misuse.
import { Command, CommanderError } from "commander";
import {
  checkGradients,
  compile,
  DEFAULT_DIM,
  DEFAULT_SAMPLES,
  filledTensor,
  explainGradients,
  formatDiagnostics,
  gradientGraph,
  loadModule,
  toNested,
  version,
  type CheckReport,
  type Diagnostic,
  type Dtype,
  type Target,
} from "../index.js";
import {
  collect,
  dtypeOption,
  graphOption,
  guarded,
  load,
  parsePositive,
  processIo,
  reportDiagnostics,
  runInputs,
  runParams,
  seedOption,
  targetOption,
  UsageError,
  type Io,
} from "./common.js";
import { readJsonValues, readSource, writeAtomically, UserError } from "./files.js";
import { trainCommand } from "./train.js";
import { graphCommand } from "./graph.js";
import { formatCheckReport, formatValue } from "./format.js";


/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command("gradc")
    .description("Compile computation graphs to TypeScript with their gradients derived at compile time.")
    .version(version, "-v, --version")
    .exitOverride()
    .showHelpAfterError("(run gradc --help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText("after", "\nExit codes: 0 success, 1 an error in a graph file or a value, 2 a wrong command line.");


  program
    .command("compile")
    .description("compile a graph file to a TypeScript module")
    .argument("<file>", "the graph file")
    .option("-o, --output <file>", "write the module here (default: standard output)")
    .addOption(graphOption())
    .addOption(dtypeOption())
    .addOption(targetOption())
    .action(async (file: string, opts: { output?: string; graph?: string; dtype: Dtype; target: Target }) => {
      const source = readSource(file);
      const result = await compile(source, { graph: opts.graph, dtype: opts.dtype, file, target: opts.target });
      reportDiagnostics(io, result.diagnostics, file, source);
      if (!result.code) return void (exitCode = 1);
      if (opts.output) writeAtomically(opts.output, result.code, [file]);
      else io.out(result.code);
    });

  program
    .command("run")
    .description("compile in memory, run forward and backward, print outputs and gradients")
    .argument("<file>", "the graph file")
    .addOption(graphOption())
    .option("--set <name=number>", "give an input a value; a tensor of fixed shape is filled with it (repeatable)", collect, [])
    .option("--inputs <file.json>", "input values: a JSON object of numbers or nested arrays")
    .option("--params <file.json>", "param values, as saved by training; the others come from init")
    .addOption(seedOption())
    .addOption(targetOption())
    .option("--json", "print one JSON object {outputs, grads}")
    .action(async (file: string, opts: RunOptions) => {
      const loaded = await load(io, file, opts.graph, "f64", opts.target);
      if (!loaded) return void (exitCode = 1);
      const { module } = loaded;
      const inputs = guarded(file, () => runInputs(file, module, opts));
      const params = guarded(file, () => runParams(module, opts));
      const fwd = guarded(file, () => module.forward(inputs, params));
      const out = fwd.outputs[module.meta.grad.of]!;
      const upstream = typeof out === "number" ? undefined : filledTensor(out.shape, 1);
      const grads = guarded(file, () => module.backward(fwd, upstream));
      if (opts.json) {
        const outputs = Object.fromEntries(Object.entries(fwd.outputs).map(([k, v]) => [k, toNested(v)]));
        const gradients = Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, toNested(v)]));
        io.out(`${JSON.stringify({ outputs, grads: gradients })}\n`);
        return;
      }
      for (const o of module.meta.outputs) io.out(formatValue(o.name, fwd.outputs[o.name]!));
      io.out(`\ngradients of ${module.meta.grad.of}${upstream ? " (upstream gradient: ones)" : ""}\n`);
      for (const name of module.meta.grad.wrt) io.out(formatValue(`d${name}`, grads[name]!));
    });

  program
    .command("grad")
    .description("print the derived gradient as a graph file of its own")
    .argument("<file>", "the graph file")
    .addOption(graphOption())
    .option("--explain", "after it, show how the chain rule builds each gradient, node by node (as # comments)")
    .action((file: string, opts: { graph?: string; explain?: boolean }) => {
      const source = readSource(file);
      const result = gradientGraph(source, { graph: opts.graph, file });
      reportDiagnostics(io, result.diagnostics, file, source);
      if (result.text === undefined) return void (exitCode = 1);
      io.out(result.text);
      if (opts.explain) io.out(`\n${explainGradients(source, { graph: opts.graph, file }).text ?? ""}`);
    });

  program
    .command("check")
    .description("check each gradient against central differences of the forward pass")
    .argument("<files...>", "one or more graph files")
    .addOption(graphOption())
    .addOption(seedOption("seed for the params' initializers and the random inputs"))
    .option("--dim <name=size>", `size of a symbolic dimension (repeatable; default ${DEFAULT_DIM})`, collect, [])
    .option("--inputs <file.json>", "values for some inputs; the others are drawn at random")
    .option("--samples <n>", `elements checked per gradient at most (default ${DEFAULT_SAMPLES})`, parsePositive)
    .addOption(targetOption())
    .option("--json", "print the reports as JSON")
    .action(async (files: string[], opts: CheckCliOptions) => {
      const dims = Object.fromEntries(opts.dim.map(parseDim));
      const reports: { file: string; report?: CheckReport }[] = [];
      for (const file of files) {
        let loaded: Awaited<ReturnType<typeof load>>;
        try {
          loaded = await load(io, file, opts.graph, "f64", opts.target);
        } catch (e) {
          // One unreadable file is reported; the others are still checked.
          if (!(e instanceof UserError)) throw e;
          io.err(`${e.message}\n`);
          loaded = undefined;
        }
        if (!loaded) {
          exitCode = 1;
          reports.push({ file, report: undefined });
          continue;
        }
        let report: CheckReport;
        try {
          const values = opts.inputs
            ? readJsonValues(opts.inputs, "input or param", [...loaded.module.meta.inputs, ...loaded.module.meta.params], "f64")
            : {};
          report = guarded(file, () => checkGradients(loaded.module, { seed: opts.seed, dims, values, samples: opts.samples }));
        } catch (e) {
          // A value that does not fit this file is reported; the other files are still checked.
          if (!(e instanceof UserError)) throw e;
          io.err(`${e.message}\n`);
          exitCode = 1;
          reports.push({ file, report: undefined });
          continue;
        }
        reports.push({ file, report });
        if (!report.ok) exitCode = 1;
        if (!opts.json) io.out(formatCheckReport(file, loaded.module.meta.graph, report));
      }
      if (opts.json) {
        const json = reports.map(({ file, report }) =>
          report ? { file, ...report } : { file, ok: false, error: "the file could not be checked (see the errors above)" },
        );
        io.out(`${JSON.stringify(files.length === 1 ? json[0] ?? {} : json, null, 2)}\n`);
      }
    });

  program.addCommand(trainCommand(io, (code) => (exitCode = code)).copyInheritedSettings(program));
  program.addCommand(graphCommand(io, (code) => (exitCode = code)).copyInheritedSettings(program));
  // A mistake on a command's line is followed by that command's usage line.
  for (const command of program.commands) {
    command.showHelpAfterError(`Usage: gradc ${command.name()} ${command.usage()}\n(run gradc ${command.name()} --help for details)`);
  }

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help asked for is a success; help shown because no command was given is misuse.
      const help = e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help";
      return help && e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      io.err(`gradc: ${e.message}\n(run gradc --help for usage)\n`);
      return 2;
    }
    if (e instanceof UserError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

interface RunOptions {
  graph?: string;
  target: Target;
  set: string[];
  inputs?: string;
  params?: string;
  seed: number;
  json?: boolean;
}

interface CheckCliOptions {
  graph?: string;
  target: Target;
  seed: number;
  dim: string[];
  inputs?: string;
  samples?: number;
  json?: boolean;
}


function parseDim(text: string): [string, number] {
  const m = /^([^=]+)=(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1) throw new UsageError(`--dim takes NAME=SIZE with a positive size, got "${text}"`);
  return [m[1]!, Number(m[2])];
}



