// The train section of `npm run bench`: `gradc train examples/two_layer_net.graph` on the bundled
// MNIST for a few epochs, with its CSV log, to see how much of an epoch is the training steps and
// how much is data handling and evaluating accuracy.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { printTable } from "./report.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`gradc train exited ${code}: ${out.trim().split("\n").pop()}`))));
  });
}

/** Parses the log: one object per epoch, numbers by column name. */
function parseCsv(text) {
  const [head, ...lines] = text.trim().split("\n");
  const columns = head.split(",");
  return { columns, epochs: lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [columns[i], Number(v)]))) };
}

/** Runs `gradc train` and returns { command, columns, epochs, wall }; epochs from its CSV log. */
export async function runTrain({ epochs }) {
  const dir = await mkdtemp(path.join(tmpdir(), "gradc-bench-train-"));
  try {
    const log = path.join(dir, "train.csv");
    const args = ["bin/gradc.js", "train", "examples/two_layer_net.graph", "--epochs", String(epochs), "--log", log];
    const t0 = performance.now();
    const output = await run(args);
    const wall = (performance.now() - t0) / 1000;
    const setup = output.split("\n").find((l) => l.startsWith("training ")); // what it trained: dtype, target, data
    return { command: `node ${args.slice(0, -1).join(" ")} <tmp>/train.csv`, setup, wall, ...parseCsv(await readFile(log, "utf8")) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** seconds ÷ step_seconds of each epoch, or undefined when the log has no step_seconds. */
export function overheads(train) {
  if (!train?.columns.includes("step_seconds")) return undefined;
  return train.epochs.map((e) => e.seconds / e.step_seconds);
}

export function printTrain(say, train) {
  say(`gradc train, time split per epoch (${train.command}; whole command ${train.wall.toFixed(1)} s):`);
  if (train.setup) say(`its first line: ${train.setup}`);
  say();
  const split = overheads(train);
  const cols = ["seconds", "step_seconds", "data_seconds", "eval_seconds"].filter((c) => train.columns.includes(c));
  printTable(
    say,
    ["epoch", "loss", ...cols, "seconds ÷ step_seconds"],
    train.epochs.map((e, i) => [String(e.epoch), e.loss.toFixed(4), ...cols.map((c) => e[c].toFixed(3)), split ? split[i].toFixed(2) : "—"]),
  );
  if (!split) say("(gradc train's log has no step_seconds column in this build)");
  say();
}
