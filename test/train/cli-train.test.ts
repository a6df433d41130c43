// `gradc train` as a user runs it: saved params that run --params reads back, the CSV log,
// Ctrl-C stopping cleanly and still saving, and refusals that exit 1.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const gradc = (args: string[]) => spawnSync("node", ["bin/gradc.js", ...args], { encoding: "utf8" });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gradc-train-"));
  // Two classes on either side of x0 + x1 = 0.
  const rows = Array.from({ length: 200 }, (_, i) => {
    const a = Math.sin(i * 12.9898) * 2;
    const b = Math.cos(i * 78.233) * 2;
    return `${a},${b},${a + b > 0 ? 1 : 0}`;
  });
  writeFileSync(join(dir, "data.csv"), `x0,x1,label\n${rows.join("\n")}\n`);
  writeFileSync(
    join(dir, "net.graph"),
    `graph net {
  input x: [N, 2]
  input t: [N, 2]
  param W: [2, 2] = normal(0, 0.1)
  param b: [2]
  y = affine(x, W, b)
  loss = softmaxloss(y, t)
  output loss, y
}
`,
  );
});

describe("gradc train", () => {
  it("trains on a CSV file, logs each epoch, saves params that run --params reads", () => {
    const save = join(dir, "p.json");
    const log = join(dir, "log.csv");
    const r = gradc(["train", join(dir, "net.graph"), "--data", join(dir, "data.csv"), "--epochs", "3", "--batch", "20", "--save", save, "--log", log]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/epoch 1\/3 {2}loss \d\.\d{4} {2}train acc 0\.\d{4} {2}test acc 0\.\d{4}/);
    expect(r.stdout).toMatch(/epoch 3\/3/);
    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines[0]).toBe("epoch,loss,train_accuracy,test_accuracy,seconds,step_seconds,data_seconds,eval_seconds");
    // The epoch's time holds its steps' and its batches' (the evaluation may overlap the next epoch).
    for (const line of lines.slice(1)) {
      const [seconds, step, data, evaluation] = line.split(",").slice(4).map(Number) as [number, number, number, number];
      expect(step + data).toBeLessThanOrEqual(seconds + 0.002);
      expect(Math.min(step, data, evaluation)).toBeGreaterThanOrEqual(0);
    }
    expect(lines).toHaveLength(4);
    const params = JSON.parse(readFileSync(save, "utf8"));
    expect(Object.keys(params).sort()).toEqual(["W", "b"]);
    const run = gradc(["run", join(dir, "net.graph"), "--params", save, "--inputs", writeInputs(), "--json"]);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(typeof out.outputs.loss).toBe("number");
    // The final accuracy on this linearly separable data is high.
    expect(Number(lines[3]!.split(",")[3])).toBeGreaterThan(0.9);
  });

  it("warns once when the loss diverges, and saves params that --resume and --params read back", () => {
    const graph = join(dir, "mse.graph");
    // The CSV test's net with a squared-error loss, which a huge rate drives past any number.
    const net = readFileSync(join(dir, "net.graph"), "utf8");
    writeFileSync(graph, net.replace("graph net", "graph mse").replace("loss = softmaxloss(y, t)", "loss = mean(square(y - t)) * 5"));
    const save = join(dir, "diverged.json");
    const r = gradc(["train", graph, "--data", join(dir, "data.csv"), "--epochs", "3", "--lr", "1e200", "--save", save]);
    expect(r.status).toBe(0);
    // One warning, at the first epoch whose loss is not finite; the epoch lines say which.
    expect(r.stderr).toMatch(/^.*mse\.graph: warning: the loss is (NaN|Infinity) in epoch \d: training diverged \(a smaller --lr may help\)\.\n$/);
    expect(r.stdout).toMatch(/loss (NaN|Infinity)/);
    // JSON has no NaN: the file holds the strings gradc's JSON output uses, and reads them back.
    const saved = readFileSync(save, "utf8");
    expect(saved).not.toMatch(/null/);
    expect(saved).toMatch(/"NaN"|"-?Infinity"/);
    const resumed = gradc(["train", graph, "--data", join(dir, "data.csv"), "--epochs", "1", "--resume", save]);
    expect(resumed.stdout).toMatch(/epoch 1\/1 {2}loss (NaN|Infinity)/);
    expect(resumed.status).toBe(0);
    const run = gradc(["run", graph, "--params", save, "--inputs", writeInputs(), "--json"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("stops cleanly on Ctrl-C between batches, still saves, and exits 130", async () => {
    const save = join(dir, "stopped.json");
    const child = spawn("node", ["bin/gradc.js", "train", "examples/two_layer_net.graph", "--epochs", "50", "--save", save]);
    let stdout = "";
    let sent = false;
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (!sent && /epoch +1\//.test(stdout)) {
          sent = true;
          child.kill("SIGINT");
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    // 128 + SIGINT, as shells report an interrupted command, though the params were saved.
    expect(code).toBe(130);
    expect(stdout).toMatch(/stopped by Ctrl-C/);
    const params = JSON.parse(readFileSync(save, "utf8"));
    expect(params.W1).toHaveLength(784);
  }, 120_000);

  it("refuses to overwrite its inputs and reports unusable data with exit 1", () => {
    const graph = join(dir, "net.graph");
    const before = readFileSync(graph, "utf8");
    const r = gradc(["train", graph, "--data", join(dir, "data.csv"), "--epochs", "1", "--save", graph]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refusing to write/);
    expect(readFileSync(graph, "utf8")).toBe(before);
    writeFileSync(join(dir, "bad.csv"), "1,2,0\n1,zz,1\n");
    const bad = gradc(["train", graph, "--data", join(dir, "bad.csv"), "--epochs", "1"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/bad\.csv:2: error:/);
    const misuse = gradc(["train", graph, "--optimizer", "rmsprop"]);
    expect(misuse.status).toBe(2);
    // An output that cannot be written is refused before the first epoch, not after training.
    for (const flag of ["--save", "--log"]) {
      const lost = gradc(["train", graph, "--data", join(dir, "data.csv"), "--epochs", "1", flag, join(dir, "no-such-dir", "out")]);
      expect(lost.status).toBe(1);
      expect(lost.stdout).not.toMatch(/epoch/);
      expect(lost.stderr).toMatch(/cannot write ".*no-such-dir.*out": the directory ".*no-such-dir" does not exist\./);
    }
  });
});

function writeInputs(): string {
  const file = join(dir, "inputs.json");
  writeFileSync(file, JSON.stringify({ x: [[1, 1], [-1, -1]], t: [[0, 1], [1, 0]] }));
  return file;
}
