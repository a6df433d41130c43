// The `gradc` command line: compile, run, grad, graph, check, train, export, import, fmt and lsp.
// This module only declares the commands and their options, so `gradc --version` and `--help`
// load nothing else; each command's work is in src/cli/commands/, loaded when the command runs,
// through the public API. Exit codes: 0 success, 1 a problem with the user's files or values, 2 a
// mistake on the command line, 130 training stopped by Ctrl-C (after saving).
import { Command, CommanderError, Option } from "commander";
import { DEFAULT_DIM, DEFAULT_SAMPLES } from "../check/defaults.js";
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from "../onnx/opset.js";
import { defaultLearningRates, optimizerNames } from "../train/optimizers.js";
import { version } from "../version.js";
import { processIo, type Io } from "./io.js";
import {
  collect,
  dtypeOption,
  graphOption,
  jsonOption,
  positiveInt,
  positiveNumber,
  seedOption,
  targetOption,
  UsageError,
  wholeNumberIn,
} from "./options.js";

/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const done = (code: number) => {
    exitCode = code;
  };
  const program = new Command("gradc")
    .description("Compile computation graphs to TypeScript or JavaScript with their gradients derived at compile time.")
    .version(version, "-v, --version")
    .exitOverride()
    .showHelpAfterError("(run gradc --help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText(
      "after",
      "\nA graph file named - is read from standard input.\nExit codes: 0 success, 1 an error in a graph file or a value, 2 a wrong command line, 130 training stopped by Ctrl-C.",
    );

  program
    .command("compile")
    .description("compile graph files to TypeScript or JavaScript modules")
    .argument("<files...>", "the graph files (- for standard input)")
    .option("-o, --output <file>", "write the module here: .ts/.mts for TypeScript, .js/.mjs for JavaScript, .d.ts for declarations only (default: standard output)")
    .option("--out-dir <dir>", "write one module per graph file into this directory, named after the file")
    .addOption(new Option("--lang <lang>", "ts: a TypeScript module; js: a JavaScript module (default: from the -o extension, else ts)").choices(["ts", "js"]))
    .option("--dts", "with JavaScript output: also write its declarations beside it (net.js → net.d.ts); alone: beside each graph file, for bundlers (net.graph → net.d.graph.ts)")
    .addOption(graphOption())
    .addOption(dtypeOption())
    .addOption(targetOption())
    .addOption(jsonOption("print the diagnostics (and the code, without -o or --out-dir) as one JSON object"))
    .option("--watch", "compile again whenever a graph file changes, keeping the last good output on errors (Ctrl-C stops)")
    .action(async (files: string[], opts) => done(await (await import("./commands/compile.js")).compileCommand(io, files, opts)));

  program
    .command("run")
    .description("compile in memory, run forward and backward, print outputs and gradients")
    .argument("<file>", "the graph file (- for standard input)")
    .addOption(graphOption())
    .option("--set <name=number>", "give an input a value; a tensor of fixed shape is filled with it (repeatable)", collect)
    .option("--inputs <file.json>", "input (and param) values: a JSON object of numbers or nested arrays")
    .option("--params <file.json>", "param values, as saved by training; the others come from init")
    .addOption(seedOption())
    .addOption(targetOption())
    .addOption(jsonOption("print one JSON object {outputs, grads} (NaN and ±Infinity as strings), or {diagnostics}"))
    .action(async (file: string, opts) => done(await (await import("./commands/run.js")).runCommand(io, file, opts)));

  program
    .command("grad")
    .description("print the derived gradient as a graph file of its own")
    .argument("<file>", "the graph file (- for standard input)")
    .addOption(graphOption())
    .option("--explain", "after it, show how the chain rule builds each gradient, node by node (as # comments)")
    .addOption(jsonOption("print one JSON object {diagnostics, text}"))
    .action(async (file: string, opts) => done(await (await import("./commands/grad.js")).gradCommand(io, file, opts)));

  program
    .command("graph")
    .description("draw a graph file as the book does: ops as nodes, values on the edges (SVG, DOT or PNG)")
    .argument("<file>", "the graph file (- for standard input)")
    .addOption(graphOption())
    .option("--values", "run the graph once: each value above its edge, its gradient below (in red)")
    .option("--backward", "also draw the derived gradient graph, each part linked to the forward node it came from")
    .option("--expand", "draw the body of each user-defined op in a frame (default: one box per call)")
    .option("--set <name=number>", "with --values: give an input a value (repeatable)", collect)
    .option("--inputs <file.json>", "with --values: input (and param) values, a JSON object of numbers or nested arrays")
    .option("--params <file.json>", "with --values: param values (the others come from init)")
    .addOption(seedOption())
    .option("-o, --output <file>", "write the picture here: .svg, .dot or .png (default: SVG on standard output)")
    .action(async (file: string, opts) => done(await (await import("./commands/graph.js")).graphCommand(io, file, opts)));

  program
    .command("check")
    .description("check each gradient against central differences of the forward pass")
    .argument("<files...>", "one or more graph files (- for standard input)")
    .addOption(graphOption())
    .addOption(seedOption("seed for the params' initializers and the random inputs"))
    .option("--dim <name=size>", `size of a symbolic dimension (repeatable; default ${DEFAULT_DIM} each)`, collect)
    .option("--inputs <file.json>", "values for some inputs (and params); the others are drawn at random")
    .option("--params <file.json>", "param values, as saved by training or gradc import (the others come from init)")
    .option("--samples <n>", `elements checked per gradient at most (default ${DEFAULT_SAMPLES})`, positiveInt("--samples"))
    // The check runs thousands of forward passes: the wasm target's matrix products make it
    // 2-3 times faster, and compute the same numbers as the ts target (to 1e-12, tested).
    .addOption(targetOption().default("wasm"))
    .addOption(jsonOption("print the reports, with their diagnostics, as JSON"))
    .action(async (files: string[], opts) => done(await (await import("./commands/check.js")).checkCommand(io, files, opts)));

  program
    .command("train")
    .description("train a graph's params by minibatch gradient descent on its `grad` output")
    .argument("<file>", "the graph file (- for standard input)")
    .addOption(graphOption())
    .option("--data <mnist|path>", "training data: mnist (bundled), a .csv file or a .json file", "mnist")
    .option("--epochs <n>", "passes over the training set", positiveInt("--epochs"), 17)
    .option("--batch <n>", "examples per minibatch", positiveInt("--batch"), 100)
    .option(
      "--lr <rate>",
      `learning rate (default per optimizer: ${Object.entries(defaultLearningRates).map(([k, v]) => `${k} ${v}`).join(", ")})`,
      positiveNumber("--lr"),
    )
    .addOption(new Option("--optimizer <name>", "update rule").choices([...optimizerNames]).default("sgd"))
    .addOption(seedOption("seed for the params' initializers and the shuffling"))
    .addOption(dtypeOption())
    .addOption(targetOption().default("wasm"))
    .option("--save <file.json>", "write the trained params here (JSON that run --params and --resume read)")
    .option("--resume <file.json>", "start from these params instead of init(seed)")
    .option("--log <file.csv>", "write epoch, loss and accuracies per epoch as CSV")
    .option("--plot <file.svg>", "draw loss and accuracies per epoch (.svg or .png), redrawn after every epoch")
    .option("--features <input>", "the graph input the features feed", "x")
    .option("--labels <input>", "the graph input the labels feed", "t")
    .option("--predict <output>", "the output whose argmax is the prediction (default: the first output shaped like the labels)")
    .option("--label-column <name|index>", "for CSV data: the label column (default: the last)")
    .addOption(
      new Option("--engine <engine>", "what runs each training step: gradc's compiled module, or ONNX Runtime (needs onnxruntime-node installed)")
        .choices(["gradc", "onnxruntime"])
        .default("gradc"),
    )
    .action(async (file: string, opts) => done(await (await import("./commands/train.js")).trainCommand(io, file, opts)));

  program
    .command("export")
    .description("write the graph, or one training step of it, as an ONNX model")
    .argument("<file>", "the graph file (- for standard input)")
    .addOption(graphOption())
    .option("-o, --output <file>", "write the model here, - for standard output (default: beside the graph file, net.graph → net.onnx)")
    .addOption(
      new Option("--dtype <dtype>", "element type of tensors (f32: what ONNX Runtime's GPU and web backends compute in)").choices(["f32", "f64"]).default("f32"),
    )
    .option("--opset <n>", `the ONNX opset, ${MIN_OPSET} to ${MAX_OPSET}`, wholeNumberIn("--opset", MIN_OPSET, MAX_OPSET), DEFAULT_OPSET)
    .addOption(new Option("--training <optimizer>", "export one training step with this update rule instead of the forward graph").choices([...optimizerNames]))
    .option(
      "--lr <rate>",
      `with --training: the learning rate's first value (per optimizer: ${Object.entries(defaultLearningRates).map(([k, v]) => `${k} ${v}`).join(", ")})`,
      positiveNumber("--lr"),
    )
    .option("--params <file.json>", "param values, as training saves them; the others come from init")
    .addOption(seedOption())
    .option("--defaults", "give inputs their first values as defaults in the file (initializers); ONNX Runtime's JavaScript API cannot then feed them")
    .action(async (file: string, opts) => done(await (await import("./commands/export.js")).exportCommand(io, file, opts)));

  program
    .command("import")
    .description("turn an ONNX model into a graph file, with its params' values in a JSON file beside it")
    .argument("<model>", "the ONNX model (.onnx)")
    .option("-o, --output <file.graph>", "write the graph file here, and the params beside it as FILE.params.json (default: beside the model)")
    .action(async (model: string, opts) => done(await (await import("./commands/import.js")).importCommand(io, model, opts)));

  program
    .command("lsp")
    .description("run the language server (LSP) over standard input and output, for editors")
    .option("--stdio", "talk over standard input and output (the only way; accepted because clients pass it)")
    .action(async () => done(await (await import("./commands/lsp.js")).lspCommand()));

  program
    .command("fmt")
    .description("lay graph files out the canonical way: print them, check them or rewrite them")
    .argument("<files...>", "the graph files (- for standard input)")
    .option("--check", "name each file that is not laid out canonically, and exit 1 if there is one")
    .option("--write", "rewrite each file that is not laid out canonically, in place")
    .action(async (files: string[], opts) => done(await (await import("./commands/fmt.js")).fmtCommand(io, files, opts)));

  // A mistake on a command's line is followed by that command's usage line.
  for (const command of program.commands) {
    command.showHelpAfterError(`Usage: gradc ${command.name()} ${command.usage()}\n(run gradc ${command.name()} --help for details)`);
  }

  try {
    // `-V` prints the version too, as many tools spell it.
    await program.parseAsync(argv[0] === "-V" ? ["--version", ...argv.slice(1)] : [...argv], { from: "user" });
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
    // A problem with a file or a value: the commands' UserError, printed as it is.
    if (e instanceof Error && e.name === "UserError") {
      io.err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
